#pragma once
// Label surfaces for the 3D view: one smoothed triangle mesh per label, in world space.
#include <array>
#include <cstdint>
#include <vector>

#include <vtkSmartPointer.h>

class vtkImageData;
class vtkPolyData;

namespace seqseg {

// The boundary of label `value` in `labels` (uint8, placed in LPS world space by its origin,
// spacing and direction), extracted with discrete flying edges and smoothed with a windowed
// sinc filter (`smoothingIterations` 0: none), with point normals. Empty (no points) when
// the label is absent. `labels` may be any part of an image (labelSurfaceInput): the points
// keep the image's voxel indices.
vtkSmartPointer<vtkPolyData> labelSurface(vtkImageData* labels, uint8_t value,
                                          int smoothingIterations = 15);

// `mesh`, whose points are continuous voxel indices of `grid` (a contour of it or of a part of
// it), placed in world space by `grid`'s origin, spacing and direction (VTK 9.1's contouring
// ignores the direction matrix), with point normals (the mesh must be all triangles, as
// contouring makes them).
vtkSmartPointer<vtkPolyData> placedInWorld(vtkPolyData* mesh, vtkImageData* grid);

// `mesh` (polygons) with its points smoothed by Taubin's windowed sinc filter of `passBand`
// (0..2) in `iterations` steps, as VTK 9.1's vtkWindowedSincPolyDataFilter smooths them with
// feature-edge smoothing off, non-manifold smoothing on and coordinates normalised (its
// boundary points slide along straight runs of the boundary), several times faster.
vtkSmartPointer<vtkPolyData> windowedSincSmoothed(vtkPolyData* mesh, int iterations,
                                                  double passBand);

// Where a label lies: the lowest and highest VTK index along x, y and z (inclusive), as an
// extent; empty (a low above its high) when the label is absent.
using IndexBounds = std::array<int, 6>;
constexpr IndexBounds kNoBounds = {1, 0, 1, 0, 1, 0};
bool isEmpty(const IndexBounds& bounds);
void include(IndexBounds& bounds, int x, int y, int z);

// The bounds of every label value (0 included) in `labels` (uint8), in one pass.
std::array<IndexBounds, 256> labelIndexBounds(vtkImageData* labels);

// A copy of the part of `labels` a label lying within `bounds` needs for its surface: those
// bounds grown by one voxel (where the boundary runs), within the image, with the image's
// placement and indices. Its surface is the whole image's, and the copy, shared with no one,
// can be contoured on another thread. nullptr for empty bounds.
vtkSmartPointer<vtkImageData> labelSurfaceInput(vtkImageData* labels, const IndexBounds& bounds);

// Surfaces of several labels, each from its own input (labelSurfaceInput; nullptr: absent, an
// empty surface), computed in parallel on any thread: `surface` is filled in.
struct LabelSurfaceJob {
  uint8_t value = 0;
  vtkSmartPointer<vtkImageData> input;
  vtkSmartPointer<vtkPolyData> surface;
};
void buildLabelSurfaces(std::vector<LabelSurfaceJob>& jobs, int smoothingIterations = 15);

}  // namespace seqseg
