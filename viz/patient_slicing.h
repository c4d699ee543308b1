#pragma once
// Slices of an image on planes of patient space, whatever its storage: the voxel axes may run
// along the patient's axes in any order and sense (LPS, RAS, a sagittal PIR acquisition...) or
// obliquely. As 3D Slicer and ITK-SNAP do, every slice view resamples the image onto a grid
// aligned with the patient's (LPS world) axes, so axial, sagittal and coronal views are true
// anatomical planes and their crosshairs are perpendicular, oblique grids included. For a
// grid along the patient's axes the samples fall on voxel centres: nothing is interpolated.
// VTK 9.1's image mappers do not place every direction matrix right, so what is drawn here
// always has the identity direction.
#include <array>

#include <vtkSmartPointer.h>

class vtkImageData;

namespace seqseg {

// A grid along the world axes x, y, z (LPS) that covers an image's voxel centres.
struct PatientGrid {
  std::array<double, 3> origin{};          // the first grid point, mm
  std::array<double, 3> spacing{1, 1, 1};  // mm
  std::array<int, 3> size{0, 0, 0};        // points along x, y, z

  double low(int axis) const { return origin[axis]; }
  double high(int axis) const { return origin[axis] + (size[axis] - 1) * spacing[axis]; }
};

// The grid of `image` (placed by its origin, spacing and direction): along each world axis the
// spacing of the voxel axis that runs closest to it, from the lowest to the highest voxel
// centre, and one grid point on voxel (0, 0, 0)'s centre.
PatientGrid patientGrid(vtkImageData* image);

// `image` resampled on the plane normal to world axis `worldAxis` (0 x, 1 y, 2 z) at
// coordinate `position`, over `grid`'s extent in the plane: one grid-point thick, identity
// direction, the image's scalar type. `nearest`: nearest-neighbour (label maps), else
// trilinear. Points outside the image, beyond half a voxel, get `background`.
vtkSmartPointer<vtkImageData> patientSlice(vtkImageData* image, const PatientGrid& grid,
                                           int worldAxis, double position, bool nearest,
                                           double background = 0.0);

// The part of that slice within `region`, an extent of its grid indices (the normal axis's is
// 0..0): the same samples, computed alone (to draw again where an image changed).
vtkSmartPointer<vtkImageData> patientSliceRegion(vtkImageData* image, const PatientGrid& grid,
                                                 int worldAxis, double position, bool nearest,
                                                 double background,
                                                 const std::array<int, 6>& region);

}  // namespace seqseg
