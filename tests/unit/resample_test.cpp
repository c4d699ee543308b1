// Resampling onto another grid (the DICOM series picker's "resample onto T1's grid") puts each
// value at its world position: a linear ramp in world x comes back as the world x of every
// output voxel, whatever the two grids' spacing, origin and direction.
#include <gtest/gtest.h>

#include <cmath>

#include "io/dicom_series.h"

namespace seqseg {
namespace {

std::array<double, 3> worldOf(const Geometry& g, int64_t i, int64_t j, int64_t k) {
  std::array<double, 3> world{};
  const double index[3] = {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)};
  for (int r = 0; r < 3; ++r) {
    world[r] = g.origin[r];
    for (int c = 0; c < 3; ++c) world[r] += g.direction[3 * r + c] * g.spacing[c] * index[c];
  }
  return world;
}

Volume grid(std::array<int64_t, 3> size, Geometry geometry) {
  Volume volume;
  volume.shape = {1, size[2], size[1], size[0]};
  volume.geometry = geometry;
  volume.voxels.resize(static_cast<size_t>(size[0] * size[1] * size[2]));
  return volume;
}

TEST(ResampleOnto, PutsEveryValueAtItsWorldPosition) {
  // Source: 40x40x30 at 1x1x2 mm, axial; the ramp is world x + 2 world z.
  Geometry sourceGeometry;
  sourceGeometry.spacing = {1, 1, 2};
  sourceGeometry.origin = {-20, -20, -30};
  Volume source = grid({40, 40, 30}, sourceGeometry);
  for (int64_t k = 0; k < 30; ++k)
    for (int64_t j = 0; j < 40; ++j)
      for (int64_t i = 0; i < 40; ++i) {
        const auto w = worldOf(sourceGeometry, i, j, k);
        source.voxels[(k * 40 + j) * 40 + i] = static_cast<float>(w[0] + 2 * w[2]);
      }
  // Target: a smaller grid, rotated 20 degrees about z, 0.9 x 1.1 x 2.5 mm, inside the source.
  Geometry targetGeometry;
  const double a = 20 * M_PI / 180;
  targetGeometry.direction = {std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1};
  targetGeometry.spacing = {0.9, 1.1, 2.5};
  targetGeometry.origin = {-5, -8, -20};
  const Volume target = grid({12, 10, 12}, targetGeometry);

  const Volume resampled = resampleOnto(source, target);
  ASSERT_EQ(resampled.shape, target.shape);
  for (int r = 0; r < 3; ++r) EXPECT_EQ(resampled.geometry.origin[r], targetGeometry.origin[r]);
  for (int64_t k = 0; k < 12; ++k)
    for (int64_t j = 0; j < 10; ++j)
      for (int64_t i = 0; i < 12; ++i) {
        const auto w = worldOf(targetGeometry, i, j, k);
        ASSERT_NEAR(resampled.voxels[(k * 10 + j) * 12 + i], w[0] + 2 * w[2], 1e-3)
            << i << "," << j << "," << k;
      }
}

}  // namespace
}  // namespace seqseg
