// The box of non-zero voxels, against a scan of every voxel, for random sparse volumes of odd
// sizes (rows shorter and longer than the eight-byte steps, set voxels on every border).
#include <gtest/gtest.h>

#include <random>

#include "engine/label_box.h"

namespace seqseg {
namespace {

LabelBox boxByScan(const std::vector<uint8_t>& a, const std::vector<uint8_t>* b,
                   const std::array<int64_t, 3>& shape) {
  LabelBox box;
  box.begin = shape;
  bool any = false;
  for (int64_t i = 0, v = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[1]; ++j)
      for (int64_t k = 0; k < shape[2]; ++k, ++v) {
        if (!a[v] && !(b && (*b)[v])) continue;
        any = true;
        const int64_t at[3] = {i, j, k};
        for (int axis = 0; axis < 3; ++axis) {
          box.begin[axis] = std::min(box.begin[axis], at[axis]);
          box.end[axis] = std::max(box.end[axis], at[axis] + 1);
        }
      }
  return any ? box : LabelBox{};
}

TEST(LabelBox, FirstNonZeroFindsTheFirstSetByteAtEveryOffset) {
  for (int64_t count : {0, 1, 7, 8, 9, 16, 23}) {
    std::vector<uint8_t> bytes(count, 0);
    EXPECT_EQ(firstNonZero(bytes.data(), count), count);
    for (int64_t at = 0; at < count; ++at) {
      std::fill(bytes.begin(), bytes.end(), 0);
      bytes[at] = 3;
      if (at + 1 < count) bytes[count - 1] = 1;
      EXPECT_EQ(firstNonZero(bytes.data(), count), at) << count << " " << at;
    }
  }
}

TEST(LabelBox, NonZeroBoxIsTheBoxOfEverySetVoxelOfEitherVolume) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 60; ++trial) {
    std::uniform_int_distribution<int64_t> side(1, 19);
    const std::array<int64_t, 3> shape{side(random), side(random), side(random)};
    const size_t size = static_cast<size_t>(shape[0] * shape[1] * shape[2]);
    std::vector<uint8_t> a(size, 0), b(size, 0);
    std::uniform_int_distribution<size_t> voxel(0, size - 1);
    std::uniform_int_distribution<int> setCount(0, 3), label(1, 255);
    for (int n = setCount(random); n > 0; --n)
      a[voxel(random)] = static_cast<uint8_t>(label(random));
    for (int n = setCount(random); n > 0; --n)
      b[voxel(random)] = static_cast<uint8_t>(label(random));
    EXPECT_EQ(nonZeroBox(a, &b, shape), boxByScan(a, &b, shape)) << "trial " << trial;
    EXPECT_EQ(nonZeroBox(a, nullptr, shape), boxByScan(a, nullptr, shape)) << "trial " << trial;
    const LabelBox box = nonZeroBox(a, &b, shape);
    if (box.empty()) continue;
    // The crop holds every set voxel: nothing is lost.
    const std::vector<uint8_t> cropped = cropToBox(a, shape, box);
    const auto sum = [](const std::vector<uint8_t>& v) {
      int64_t total = 0;
      for (uint8_t x : v) total += x;
      return total;
    };
    EXPECT_EQ(sum(cropped), sum(a));
    const auto extent = box.size();
    EXPECT_EQ(static_cast<int64_t>(cropped.size()), extent[0] * extent[1] * extent[2]);
  }
}

}  // namespace
}  // namespace seqseg
