#pragma once
// The label editor's round brush, in physical space: its radius is in mm whatever the voxel
// spacing, storage order or obliquity of the case. Qt-free.
//   Disc: paints on the plane a slice view shows (normal `planeNormal`, through `centre`): the
//         voxels that plane cuts (as the view draws them) whose centres, projected onto the
//         plane, lie within the radius of the centre. On an oblique case the plane cuts voxels
//         of neighbouring index slices: those are the ones seen, and the ones painted.
//   Sphere: the voxels whose centres lie within the radius of the centre.
#include <array>
#include <cstdint>
#include <vector>

#include "types/geometry.h"

namespace seqseg {

enum class BrushShape { Disc, Sphere };

struct BrushStamp {
  std::array<double, 3> centre{};  // LPS mm
  double radiusMm = 3.0;
  BrushShape shape = BrushShape::Disc;
  std::array<double, 3> planeNormal{0, 0, 1};  // unit, LPS; the Disc's plane
};

// Linear indices (A2 fastest, as LabelVolume) of the voxels of a grid of `shape` placed by
// `geometry` that `stamp` covers, ascending. Empty when it misses the grid.
std::vector<int64_t> brushVoxels(const std::array<int64_t, 3>& shape, const Geometry& geometry,
                                 const BrushStamp& stamp);

// The voxels a drag covers from `from` (a point of the stroke already painted) to
// `stamp.centre`: stamps a quarter of the radius apart along the way, so that a quick drag
// leaves no gaps (with the stamp at `from`, every point within 99 % of the radius of the
// segment is covered). Ascending, each once.
std::vector<int64_t> brushPathVoxels(const std::array<int64_t, 3>& shape, const Geometry& geometry,
                                     const BrushStamp& stamp, const std::array<double, 3>& from);

}  // namespace seqseg
