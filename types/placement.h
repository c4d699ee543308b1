#pragma once
// Where a voxel is: continuous voxel index (i, j, k) <-> physical point (LPS mm, ITK's
// convention) of a Geometry, and LPS <-> RAS (NIfTI's and the scanner console's convention).
// Header-only: generators and measurements ask once per voxel.
#include <array>

#include "types/geometry.h"

namespace seqseg {

using Point3 = std::array<double, 3>;

inline Point3 indexToPhysical(const Geometry& g, const Point3& index) {
  Point3 p = g.origin;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) p[r] += g.direction[3 * r + c] * g.spacing[c] * index[c];
  return p;
}

inline Point3 physicalToIndex(const Geometry& g, const Point3& p) {
  Point3 index{};
  for (int c = 0; c < 3; ++c) {
    double projection = 0;
    for (int r = 0; r < 3; ++r) projection += g.direction[3 * r + c] * (p[r] - g.origin[r]);
    index[c] = projection / g.spacing[c];  // the direction is orthonormal: its inverse is R^T
  }
  return index;
}

// LPS <-> RAS: the first two axes change sign (its own inverse).
inline Point3 lpsToRas(const Point3& p) {
  return {-p[0], -p[1], p[2]};
}
inline Point3 rasToLps(const Point3& p) {
  return lpsToRas(p);
}

}  // namespace seqseg
