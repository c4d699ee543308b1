// ITK's region grow, slice hole filling and slice interpolation for the label editor, on
// synthetic volumes whose answer is known voxel by voxel (or within a voxel).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
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

// An empty label map of n0 x n1 x n2 (k, j, i) with `spacing` (i, j, k).
LabelVolume emptyLabels(int64_t n0, int64_t n1, int64_t n2, std::array<double, 3> spacing) {
  LabelVolume labels;
  labels.shape = {n0, n1, n2};
  labels.labels.assign(static_cast<size_t>(n0 * n1 * n2), 0);
  labels.geometry.spacing = spacing;
  return labels;
}

// The linear index of the voxel at in-plane position (a, b) of slice `index` along `axis`
// (the in-plane axes in index order, as interpolateSlices takes them).
int64_t inSlice(const LabelVolume& labels, int axis, int64_t index, int64_t a, int64_t b) {
  std::array<int64_t, 3> ijk{};
  ijk[axis] = index;
  ijk[axis == 0 ? 1 : 0] = a;
  ijk[axis == 2 ? 1 : 2] = b;
  return (ijk[2] * labels.shape[1] + ijk[1]) * labels.shape[2] + ijk[0];
}

// Discs of radius 10 (slice 10), 20 (slice 20) and 15 (slice 25) about the same centre: each
// slice between two of them gets a disc whose radius moves linearly from one to the other
// (within a voxel), and nothing else changes; along each of the three axes.
TEST(LabelFilters, InterpolatedSlicesBetweenDiscsAreDiscsOfLinearRadius) {
  for (int axis = 0; axis < 3; ++axis) {
    std::array<int64_t, 3> size{56, 56, 56};  // i j k
    size[axis] = 32;
    LabelVolume labels = emptyLabels(size[2], size[1], size[0], {1.0, 1.0, 1.0});
    const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;
    auto radiusAt = [](int64_t index) -> double {
      return index <= 20 ? 10.0 + (index - 10) : 20.0 - (index - 20);
    };
    for (int64_t index : {10, 20, 25})
      for (int64_t b = 0; b < size[v]; ++b)
        for (int64_t a = 0; a < size[u]; ++a)
          if (std::hypot(a - 28, b - 28) <= radiusAt(index))
            labels.labels[inSlice(labels, axis, index, a, b)] = 3;
    const std::vector<int64_t> filled = interpolateSlices(labels, 3, axis);
    ASSERT_TRUE(std::is_sorted(filled.begin(), filled.end()));
    std::vector<uint8_t> set(labels.labels.size(), 0);
    for (int64_t voxel : filled) set[voxel] = 1;
    int64_t checked = 0;
    for (int64_t index = 0; index < size[axis]; ++index) {
      const bool between = (index > 10 && index < 20) || (index > 20 && index < 25);
      int64_t area = 0;
      for (int64_t b = 0; b < size[v]; ++b)
        for (int64_t a = 0; a < size[u]; ++a) {
          const int64_t voxel = inSlice(labels, axis, index, a, b);
          area += set[voxel];
          if (!between) {
            ASSERT_EQ(set[voxel], 0) << "axis " << axis << " slice " << index;
            continue;
          }
          const double r = std::hypot(a - 28, b - 28), radius = radiusAt(index);
          if (r <= radius - 1.0) {
            ++checked;
            EXPECT_EQ(set[voxel], 1) << "axis " << axis << " slice " << index << " r " << r;
          } else if (r > radius + 1.0) {
            EXPECT_EQ(set[voxel], 0) << "axis " << axis << " slice " << index << " r " << r;
          }
        }
      if (between) {
        EXPECT_NEAR(area, 3.14159 * radiusAt(index) * radiusAt(index),
                    2 * 3.14159 * radiusAt(index))
            << "axis " << axis << " slice " << index;
      }
    }
    EXPECT_GT(checked, 5000);
  }
}

// On a grid of 1 x 0.5 x 2 mm voxels (i, j, k), a bar across (4 mm high, 24 mm long) on one
// slice and the same bar upright two slices on: the slice between holds a cross whose arms
// reach as far in mm along i as along j (4 mm: the bars' half widths added), as the distances
// are in mm; distances in voxels would make it 6 mm along i and 3 mm along j.
TEST(LabelFilters, InterpolationMeasuresDistancesInMillimetres) {
  LabelVolume labels = emptyLabels(9, 81, 41, {1.0, 0.5, 2.0});
  auto at = [&](int64_t i, int64_t j, int64_t k) -> uint8_t& {
    return labels.labels[(k * 81 + j) * 41 + i];
  };
  for (int64_t j = 0; j < 81; ++j)
    for (int64_t i = 0; i < 41; ++i) {
      const double x = i - 20.0, y = 0.5 * (j - 40);  // mm from the centre
      if (std::abs(x) <= 12.0 && std::abs(y) <= 2.0) at(i, j, 3) = 1;
      if (std::abs(x) <= 2.0 && std::abs(y) <= 12.0) at(i, j, 5) = 1;
    }
  const std::vector<int64_t> filled = interpolateSlices(labels, 1, 2);
  std::vector<uint8_t> set(labels.labels.size(), 0);
  for (int64_t voxel : filled) set[voxel] = 1;
  for (int64_t voxel : filled) EXPECT_EQ(voxel / (81 * 41), 4) << "only the slice between";
  double alongI = 0, alongJ = 0;  // how far the cross reaches from the centre, mm
  for (int64_t i = 20; i < 41 && set[(4 * 81 + 40) * 41 + i]; ++i) alongI = i - 20.0;
  for (int64_t j = 40; j < 81 && set[(4 * 81 + j) * 41 + 20]; ++j) alongJ = 0.5 * (j - 40);
  EXPECT_NEAR(alongI, 4.0, 0.5);
  EXPECT_NEAR(alongJ, 4.0, 0.5);
}

TEST(LabelFilters, InterpolationNeedsTwoSlicesWithAGapAndKeepsOtherLabels) {
  LabelVolume labels = emptyLabels(12, 20, 20, {1.0, 1.0, 1.0});
  auto at = [&](int64_t i, int64_t j, int64_t k) -> uint8_t& {
    return labels.labels[(k * 20 + j) * 20 + i];
  };
  auto square = [&](int64_t k, uint8_t value) {
    for (int64_t j = 5; j < 15; ++j)
      for (int64_t i = 5; i < 15; ++i) at(i, j, k) = value;
  };
  square(2, 1);
  EXPECT_TRUE(interpolateSlices(labels, 1, 2).empty()) << "one slice";
  square(3, 1);
  EXPECT_TRUE(interpolateSlices(labels, 1, 2).empty()) << "adjacent slices";
  EXPECT_TRUE(interpolateSlices(labels, 2, 2).empty()) << "a label not painted";
  // Slice 7 too: slices 4..6 get the square, but for an ET voxel (3) and an oedema voxel (2).
  square(7, 1);
  at(9, 9, 5) = 3;
  at(5, 14, 4) = 2;
  const std::vector<int64_t> filled = interpolateSlices(labels, 1, 2);
  std::vector<int64_t> expected;
  for (int64_t k = 4; k <= 6; ++k)
    for (int64_t j = 5; j < 15; ++j)
      for (int64_t i = 5; i < 15; ++i)
        if (at(i, j, k) == 0) expected.push_back((k * 20 + j) * 20 + i);
  EXPECT_EQ(filled, expected);
  EXPECT_EQ(filled.size(), 3u * 100u - 2u);
  // Along i, the label's slices i = 5..14 have no gap.
  EXPECT_TRUE(interpolateSlices(labels, 1, 0).empty());
  EXPECT_THROW(interpolateSlices(labels, 1, 3), std::out_of_range);
  EXPECT_THROW(interpolateSlices(labels, 1, -1), std::out_of_range);
}

}  // namespace
}  // namespace seqseg
