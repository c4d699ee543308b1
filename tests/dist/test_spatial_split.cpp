#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "engine/parallel/spatial_split.h"

namespace seqseg {
namespace {

TEST(SpatialSplit, SlabsCutOneAxisUnevenly) {
  const SpatialSplit split({4, 6, 8}, 4, SplitMethod::Slab1);
  EXPECT_EQ(split.layout(), (Grid3{1, 4, 1}));
  std::vector<int64_t> extents, offsets;
  for (int r = 0; r < 4; ++r) {
    extents.push_back(split.patchBox(r).extent[1]);
    offsets.push_back(split.patchBox(r).offset[1]);
  }
  EXPECT_EQ(extents, (std::vector<int64_t>{2, 2, 1, 1}));
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 2, 4, 5}));
  EXPECT_EQ(split.tokenCounts(), (std::vector<int64_t>{64, 64, 32, 32}));
  EXPECT_EQ(split.window(2).offset, (Grid3{0, 4, 0}));
  EXPECT_EQ(split.window(2).global, (Grid3{4, 6, 8}));
  EXPECT_EQ(split.voxelBox(3, {4, 4, 4}).offset, (Grid3{0, 20, 0}));
}

TEST(SpatialSplit, BlocksFactoriseToSmallFaces) {
  EXPECT_EQ(blockLayout({4, 6, 8}, 4), (Grid3{1, 2, 2}));
  EXPECT_EQ(blockLayout({8, 8, 8}, 8), (Grid3{2, 2, 2}));
  EXPECT_EQ(blockLayout({8, 8, 8}, 2), (Grid3{2, 1, 1}));  // ties go to A0
  EXPECT_EQ(blockLayout({4, 6, 8}, 3), (Grid3{1, 1, 3}));
  EXPECT_THROW(blockLayout({1, 1, 2}, 3), std::invalid_argument);
}

TEST(SpatialSplit, NeighboursFollowTheLattice) {
  const SpatialSplit split({4, 6, 8}, 4, SplitMethod::Blocks);  // 1 x 2 x 2, A2 fastest
  EXPECT_EQ(split.latticeIndex(3), (Grid3{0, 1, 1}));
  EXPECT_EQ(split.neighbour(0, 2, +1), 1);
  EXPECT_EQ(split.neighbour(0, 1, +1), 2);
  EXPECT_EQ(split.neighbour(3, 1, -1), 1);
  EXPECT_EQ(split.neighbour(3, 2, +1), -1);
  EXPECT_EQ(split.neighbour(0, 0, -1), -1);
}

TEST(SpatialSplit, TooManyRanksForAnAxisIsRefused) {
  try {
    SpatialSplit({4, 6, 8}, 5, SplitMethod::Slab0);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("along A0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parseSplitMethod("cubes"), std::invalid_argument);
}

TEST(SpatialSplit, PartsReassembleAndTokensReorder) {
  for (const auto method :
       {SplitMethod::Slab0, SplitMethod::Slab1, SplitMethod::Slab2, SplitMethod::Blocks}) {
    const SpatialSplit split({4, 6, 8}, 3, method);
    const at::Tensor volume = at::randn({2, 3, 8, 12, 16});
    std::vector<at::Tensor> parts;
    for (int r = 0; r < 3; ++r) parts.push_back(takeBox(volume, split.voxelBox(r, {2, 2, 2})));
    EXPECT_TRUE(assembleParts(parts, split, {2, 2, 2}).equal(volume));

    // Global token ids gathered rank-major come back in global order.
    const at::Tensor ids = at::arange(4 * 6 * 8, at::kLong).view({1, 1, 4, 6, 8});
    std::vector<at::Tensor> rankMajor;
    for (int r = 0; r < 3; ++r) rankMajor.push_back(takeBox(ids, split.patchBox(r)).reshape({-1}));
    const at::Tensor ordered = at::cat(rankMajor).index_select(0, split.globalOrder());
    EXPECT_TRUE(ordered.equal(at::arange(4 * 6 * 8, at::kLong))) << splitMethodName(method);
  }
}

}  // namespace
}  // namespace seqseg
