#include "ui/label_brush.h"

#include <algorithm>
#include <cmath>

#include "types/placement.h"

namespace seqseg {

std::vector<int64_t> brushVoxels(const std::array<int64_t, 3>& shape, const Geometry& geometry,
                                 const BrushStamp& stamp) {
  // Index axis c of the geometry is shape[2 - c] (A2 is i). The direction is orthonormal, so a
  // ball of radius r spans r / spacing[c] voxels along index axis c.
  const Point3 centre = physicalToIndex(geometry, stamp.centre);
  std::array<int64_t, 3> low{}, high{};
  for (int c = 0; c < 3; ++c) {
    const double reach = stamp.radiusMm / geometry.spacing[c] + 1.0;
    low[c] = std::max<int64_t>(0, static_cast<int64_t>(std::floor(centre[c] - reach)));
    high[c] =
        std::min<int64_t>(shape[2 - c] - 1, static_cast<int64_t>(std::ceil(centre[c] + reach)));
    if (low[c] > high[c]) return {};
  }
  // A voxel's box (half a voxel along each of its axes) reaches this far along the normal: the
  // plane cuts it when its centre is at most that far from the plane.
  const Point3& n = stamp.planeNormal;
  double halfThickness = 0;
  for (int c = 0; c < 3; ++c) {
    double along = 0;
    for (int r = 0; r < 3; ++r) along += n[r] * geometry.direction[3 * r + c];
    halfThickness += 0.5 * std::fabs(along) * geometry.spacing[c];
  }
  const double r2 = stamp.radiusMm * stamp.radiusMm;
  std::vector<int64_t> voxels;
  for (int64_t k = low[2]; k <= high[2]; ++k)
    for (int64_t j = low[1]; j <= high[1]; ++j)
      for (int64_t i = low[0]; i <= high[0]; ++i) {
        const Point3 p = indexToPhysical(geometry, {double(i), double(j), double(k)});
        const Point3 d{p[0] - stamp.centre[0], p[1] - stamp.centre[1], p[2] - stamp.centre[2]};
        double distance2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (stamp.shape == BrushShape::Disc) {
          const double offPlane = d[0] * n[0] + d[1] * n[1] + d[2] * n[2];
          if (std::fabs(offPlane) > halfThickness * (1 + 1e-9)) continue;
          distance2 -= offPlane * offPlane;  // the centre projected onto the plane
        }
        // The relative tolerance keeps voxels exactly on the edge (2 mm on a 1 mm grid).
        if (distance2 <= r2 * (1 + 1e-9)) voxels.push_back((k * shape[1] + j) * shape[2] + i);
      }
  return voxels;
}

std::vector<int64_t> brushPathVoxels(const std::array<int64_t, 3>& shape, const Geometry& geometry,
                                     const BrushStamp& stamp, const std::array<double, 3>& from) {
  const Point3& to = stamp.centre;
  const double length =
      std::sqrt((to[0] - from[0]) * (to[0] - from[0]) + (to[1] - from[1]) * (to[1] - from[1]) +
                (to[2] - from[2]) * (to[2] - from[2]));
  const int steps = std::max(1, static_cast<int>(std::ceil(length / (0.25 * stamp.radiusMm))));
  std::vector<int64_t> voxels;
  BrushStamp along = stamp;
  for (int step = 1; step <= steps; ++step) {
    const double t = static_cast<double>(step) / steps;
    for (int c = 0; c < 3; ++c) along.centre[c] = from[c] + t * (to[c] - from[c]);
    const std::vector<int64_t> covered = brushVoxels(shape, geometry, along);
    voxels.insert(voxels.end(), covered.begin(), covered.end());
  }
  std::sort(voxels.begin(), voxels.end());
  voxels.erase(std::unique(voxels.begin(), voxels.end()), voxels.end());
  return voxels;
}

}  // namespace seqseg
