#include "viz/slice_orientation.h"

#include <cmath>

namespace seqseg {

namespace {

using Vector = std::array<double, 3>;

int worldAxis(SliceOrientation orientation) {
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

double dot(const Vector& a, const Vector& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Vector normalized(const Vector& v) {
  const double length = std::sqrt(dot(v, v));
  if (length == 0.0) return v;
  return {v[0] / length, v[1] / length, v[2] / length};
}

}  // namespace

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
  const int wanted = worldAxis(orientation);
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

ViewAxes alignedView(const ViewAxes& view, const std::array<double, 3>& normal) {
  Vector projection = normalized(normal);
  if (dot(projection, view.projection) < 0)
    projection = {-projection[0], -projection[1], -projection[2]};
  // Gram-Schmidt: the wanted up, minus its part along the new projection.
  const double along = dot(view.up, projection);
  Vector up = normalized({view.up[0] - along * projection[0], view.up[1] - along * projection[1],
                          view.up[2] - along * projection[2]});
  return {projection, up};
}

}  // namespace seqseg
