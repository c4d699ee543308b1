// ITK's region grow and slice hole filling for the label editor, on synthetic volumes whose
// answer is known voxel by voxel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "io/label_filters.h"

namespace seqseg {
namespace {

// One channel of 20 x 24 x 28 (k, j, i) at 100, with a bright ball (radius 5 voxels, 300) and,
// apart from it, a second bright ball (radius 3) of the same brightness.
Volume twoLesions() {
  Volume volume;
  volume.shape = {1, 20, 24, 28};
  volume.voxels.assign(20 * 24 * 28, 100.0f);
  for (int64_t k = 0; k < 20; ++k)
    for (int64_t j = 0; j < 24; ++j)
      for (int64_t i = 0; i < 28; ++i) {
        const double first = std::hypot(i - 8, j - 10, k - 10);
        const double second = std::hypot(i - 22, j - 12, k - 10);
        if (first <= 5 || second <= 3) volume.voxels[(k * 24 + j) * 28 + i] = 300.0f;
      }
  return volume;
}

TEST(LabelFilters, RegionGrowTakesTheSeedsLesionOnly) {
  const Volume volume = twoLesions();
  const std::vector<int64_t> grown = growRegion(volume, 0, {8, 10, 10}, 250.0f, 350.0f);
  std::vector<int64_t> expected;
  for (int64_t k = 0; k < 20; ++k)
    for (int64_t j = 0; j < 24; ++j)
      for (int64_t i = 0; i < 28; ++i)
        if (std::hypot(i - 8, j - 10, k - 10) <= 5) expected.push_back((k * 24 + j) * 28 + i);
  EXPECT_EQ(grown, expected);
  EXPECT_TRUE(growRegion(volume, 0, {0, 0, 0}, 250.0f, 350.0f).empty()) << "seed out of range";
  EXPECT_EQ(growRegion(volume, 0, {0, 0, 0}, 50.0f, 150.0f).size(),
            volume.voxels.size() - std::count(volume.voxels.begin(), volume.voxels.end(), 300.0f));
  EXPECT_THROW(growRegion(volume, 1, {8, 10, 10}, 0, 1), std::out_of_range);
  EXPECT_THROW(growRegion(volume, 0, {28, 10, 10}, 0, 1), std::out_of_range);
}

TEST(LabelFilters, HolesInASliceAreTheUnlabelledVoxelsTheLabelEncloses) {
  LabelVolume labels;
  labels.shape = {6, 12, 14};  // k, j, i
  labels.labels.assign(6 * 12 * 14, 0);
  auto at = [&](int64_t i, int64_t j, int64_t k) -> uint8_t& {
    return labels.labels[(k * 12 + j) * 14 + i];
  };
  // On slice k = 2: a ring of ET (3) from i, j = 2..9 with a hole of 6 x 6 holding one
  // necrosis voxel (1), and a C open to the outside at i, j = 11..13 (no hole).
  for (int64_t j = 2; j <= 9; ++j)
    for (int64_t i = 2; i <= 9; ++i)
      if (i == 2 || i == 9 || j == 2 || j == 9) at(i, j, 2) = 3;
  at(5, 5, 2) = 1;
  for (int64_t j = 0; j <= 3; ++j) at(11, j, 2) = 3;
  const std::vector<int64_t> holes = holesInSlice(labels, 3, 2, 2);
  std::vector<int64_t> expected;
  for (int64_t j = 3; j <= 8; ++j)
    for (int64_t i = 3; i <= 8; ++i)
      if (!(i == 5 && j == 5)) expected.push_back((2 * 12 + j) * 14 + i);
  EXPECT_EQ(holes, expected) << "the necrosis inside stays";
  EXPECT_TRUE(holesInSlice(labels, 3, 2, 3).empty()) << "another slice has no ring";
  // The same ring seen along j (a slice of fixed j = 5 crosses it as two segments: no hole).
  EXPECT_TRUE(holesInSlice(labels, 3, 1, 5).empty());
  EXPECT_THROW(holesInSlice(labels, 3, 2, 6), std::out_of_range);
}

}  // namespace
}  // namespace seqseg
