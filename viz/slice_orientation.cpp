#include "viz/slice_orientation.h"

#include <cmath>

namespace seqseg {

namespace {

using Vector = std::array<double, 3>;

}  // namespace

int normalWorldAxis(SliceOrientation orientation) {
  switch (orientation) {
    case SliceOrientation::Sagittal:
      return 0;
    case SliceOrientation::Coronal:
      return 1;
    case SliceOrientation::Axial:
      return 2;
  }
  return 2;
}

const char* orientationName(SliceOrientation orientation) {
  switch (orientation) {
    case SliceOrientation::Axial:
      return "Axial";
    case SliceOrientation::Sagittal:
      return "Sagittal";
    case SliceOrientation::Coronal:
      return "Coronal";
  }
  return "";
}

int normalVoxelAxis(SliceOrientation orientation, const std::array<double, 9>& direction) {
  // The world axis each voxel axis mostly runs along.
  std::array<int, 3> dominantWorldAxis{};
  for (int column = 0; column < 3; ++column) {
    int best = 0;
    for (int row = 1; row < 3; ++row)
      if (std::abs(direction[row * 3 + column]) > std::abs(direction[best * 3 + column]))
        best = row;
    dominantWorldAxis[column] = best;
  }
  const bool permutation = dominantWorldAxis[0] != dominantWorldAxis[1] &&
                           dominantWorldAxis[1] != dominantWorldAxis[2] &&
                           dominantWorldAxis[0] != dominantWorldAxis[2];
  const int wanted = normalWorldAxis(orientation);
  if (!permutation) return wanted;
  for (int column = 0; column < 3; ++column)
    if (dominantWorldAxis[column] == wanted) return column;
  return wanted;
}

ViewAxes radiologicalView(SliceOrientation orientation) {
  switch (orientation) {
    case SliceOrientation::Axial:
      return {{0, 0, 1}, {0, -1, 0}};
    case SliceOrientation::Coronal:
      return {{0, 1, 0}, {0, 0, 1}};
    case SliceOrientation::Sagittal:
      return {{-1, 0, 0}, {0, 0, 1}};
  }
  return {{0, 0, 1}, {0, -1, 0}};
}

std::array<double, 3> screenRight(const ViewAxes& view) {
  const Vector& p = view.projection;
  const Vector& u = view.up;
  return {p[1] * u[2] - p[2] * u[1], p[2] * u[0] - p[0] * u[2], p[0] * u[1] - p[1] * u[0]};
}

char anatomicalLetter(const std::array<double, 3>& direction) {
  int dominant = 0;
  for (int axis = 1; axis < 3; ++axis)
    if (std::abs(direction[axis]) > std::abs(direction[dominant])) dominant = axis;
  static constexpr char kPositive[] = {'L', 'P', 'S'};
  static constexpr char kNegative[] = {'R', 'A', 'I'};
  return direction[dominant] >= 0 ? kPositive[dominant] : kNegative[dominant];
}

EdgeLetters edgeLetters(const ViewAxes& view) {
  const Vector right = screenRight(view);
  const Vector left{-right[0], -right[1], -right[2]};
  const Vector down{-view.up[0], -view.up[1], -view.up[2]};
  return {anatomicalLetter(left), anatomicalLetter(right), anatomicalLetter(view.up),
          anatomicalLetter(down)};
}

}  // namespace seqseg
