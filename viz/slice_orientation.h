#pragma once
// The three anatomical slice planes and how a radiologist looks at them, in ITK's LPS world
// coordinates (x towards the patient's left, y posterior, z superior).
#include <array>

namespace seqseg {

enum class SliceOrientation { Axial, Sagittal, Coronal };

const char* orientationName(SliceOrientation orientation);  // "Axial", "Sagittal", "Coronal"

// The world axis normal to the plane: 0 x (sagittal), 1 y (coronal), 2 z (axial).
int normalWorldAxis(SliceOrientation orientation);

// The voxel axis (0 = i, 1 = j, 2 = k) whose direction lies closest to the plane's normal.
// `direction` is row-major with the voxel axes as columns. For grids so oblique that two
// voxel axes share a world axis, falls back to i sagittal, j coronal, k axial.
int normalVoxelAxis(SliceOrientation orientation, const std::array<double, 9>& direction);

// The camera's direction of projection and view-up, radiological convention: axial from the
// feet with anterior up, coronal from the front, sagittal from the patient's left; the
// patient's left is on the right of the screen.
struct ViewAxes {
  std::array<double, 3> projection;
  std::array<double, 3> up;
};
ViewAxes radiologicalView(SliceOrientation orientation);

// The screen's rightward direction in world space for `view` (projection x up, as VTK's
// camera has it).
std::array<double, 3> screenRight(const ViewAxes& view);

// The anatomical letter of the side an LPS world direction mostly points to: L (+x), R (-x),
// P (+y), A (-y), S (+z), I (-z). For an oblique direction, the dominant one, as ITK-SNAP
// labels oblique views.
char anatomicalLetter(const std::array<double, 3>& direction);

// The letters at the four edges of a view (what lies towards each edge of the screen).
struct EdgeLetters {
  char left, right, top, bottom;
};
EdgeLetters edgeLetters(const ViewAxes& view);

}  // namespace seqseg
