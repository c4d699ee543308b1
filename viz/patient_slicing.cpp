#include "viz/patient_slicing.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <vtkImageData.h>
#include <vtkImageReslice.h>
#include <vtkMatrix3x3.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>

namespace seqseg {

PatientGrid patientGrid(vtkImageData* image) {
  PatientGrid grid;
  int extent[6];
  image->GetExtent(extent);
  const double* spacing = image->GetSpacing();
  vtkMatrix3x3* direction = image->GetDirectionMatrix();
  // For each world axis, the voxel axis whose direction runs closest to it.
  for (int world = 0; world < 3; ++world) {
    int closest = 0;
    for (int voxel = 1; voxel < 3; ++voxel)
      if (std::abs(direction->GetElement(world, voxel)) >
          std::abs(direction->GetElement(world, closest)))
        closest = voxel;
    grid.spacing[world] = spacing[closest];
  }
  std::array<double, 3> low, high;
  low.fill(std::numeric_limits<double>::max());
  high.fill(std::numeric_limits<double>::lowest());
  for (int corner = 0; corner < 8; ++corner) {
    double point[3];
    image->TransformIndexToPhysicalPoint(extent[(corner & 1) ? 1 : 0], extent[(corner & 2) ? 3 : 2],
                                         extent[(corner & 4) ? 5 : 4], point);
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], point[axis]);
      high[axis] = std::max(high[axis], point[axis]);
    }
  }
  double first[3];
  image->TransformIndexToPhysicalPoint(extent[0], extent[2], extent[4], first);
  for (int axis = 0; axis < 3; ++axis) {
    // Grid points at first + n * spacing: the lowest one at or below the lowest centre. The
    // small tolerance keeps an axis-aligned grid from gaining a point for rounding.
    const double step = grid.spacing[axis];
    const double below = std::floor((low[axis] - first[axis]) / step + 1e-6);
    const double above = std::ceil((high[axis] - first[axis]) / step - 1e-6);
    grid.origin[axis] = first[axis] + below * step;
    grid.size[axis] = static_cast<int>(above - below) + 1;
  }
  return grid;
}

vtkSmartPointer<vtkImageData> patientSlice(vtkImageData* image, const PatientGrid& grid,
                                           int worldAxis, double position, bool nearest,
                                           double background) {
  std::array<int, 6> extent = {0, grid.size[0] - 1, 0, grid.size[1] - 1, 0, grid.size[2] - 1};
  extent[2 * worldAxis] = extent[2 * worldAxis + 1] = 0;
  return patientSliceRegion(image, grid, worldAxis, position, nearest, background, extent);
}

vtkSmartPointer<vtkImageData> patientSliceRegion(vtkImageData* image, const PatientGrid& grid,
                                                 int worldAxis, double position, bool nearest,
                                                 double background,
                                                 const std::array<int, 6>& region) {
  // The reslicer reads an index-space view of the image (no origin, spacing or direction: the
  // parts of VTK that ignore the direction matrix then cannot misplace it) and maps each
  // output point, in world coordinates, to a continuous voxel index with the image's own
  // physical-to-index matrix.
  vtkNew<vtkImageData> indexSpace;
  indexSpace->ShallowCopy(image);
  indexSpace->SetOrigin(0.0, 0.0, 0.0);
  indexSpace->SetSpacing(1.0, 1.0, 1.0);
  indexSpace->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);

  double origin[3] = {grid.origin[0], grid.origin[1], grid.origin[2]};
  origin[worldAxis] = position;

  vtkNew<vtkMatrix4x4> worldToIndex;
  worldToIndex->DeepCopy(image->GetPhysicalToIndexMatrix());
  vtkNew<vtkImageReslice> reslice;
  reslice->SetInputData(indexSpace);
  reslice->SetResliceAxes(worldToIndex);
  reslice->SetOutputOrigin(origin);
  reslice->SetOutputSpacing(grid.spacing.data());
  reslice->SetOutputExtent(region.data());
  if (nearest)
    reslice->SetInterpolationModeToNearestNeighbor();
  else
    reslice->SetInterpolationModeToLinear();
  reslice->SetBackgroundLevel(background);
  reslice->BorderOn();  // points within half a voxel of the edge take the edge voxel's value
  reslice->Update();
  auto slice = vtkSmartPointer<vtkImageData>::New();
  slice->ShallowCopy(reslice->GetOutput());
  return slice;
}

}  // namespace seqseg
