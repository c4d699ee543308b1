#include <gtest/gtest.h>

#include "engine/flops.h"

namespace seqseg {
namespace {

TEST(Flops, HandCountedSmallModel) {
  ModelConfig c;
  c.in_channels = 2;
  c.num_classes = 3;
  c.roi = {8, 8, 4};
  c.patch = {4, 4, 2};  // grid 2x2x2 = 8 tokens; stages: 2 (axes 0, 1), 1 (axis 2)
  c.embed_dim = 8;
  c.depth = 1;
  c.num_heads = 2;
  c.mlp_ratio = 2.0;
  c.decoder_channels = {4, 3, 2};
  const FlopCount f = countFlops(c);
  EXPECT_DOUBLE_EQ(f.patchEmbed, 2.0 * 8 * 8 * (2 * 32));
  EXPECT_DOUBLE_EQ(f.attentionLinear, 2.0 * 8 * 4 * 8 * 8);
  EXPECT_DOUBLE_EQ(f.attentionScores, 4.0 * 8 * 8 * 8);
  EXPECT_DOUBLE_EQ(f.mlp, 4.0 * 8 * 8 * 16);
  // conv in at 2x2x2; stage 1 -> 4x4x4 voxels; stage 2 -> 8x8x4 (axis 2 done after stage 1).
  const double decoder = 2.0 * 8 * 27 * 8 * 4 + (2.0 * 64 * 4 * 3 + 2.0 * 64 * 27 * 3 * 3) +
                         (2.0 * 256 * 3 * 2 + 2.0 * 256 * 27 * 2 * 2) + 2.0 * 256 * 2 * 3;
  EXPECT_DOUBLE_EQ(f.decoder, decoder);
  EXPECT_DOUBLE_EQ(f.trainStep(), 3 * f.forward());
  EXPECT_DOUBLE_EQ(countFlops(c, 3).forward(), 3 * f.forward());
}

TEST(Flops, AttentionScoresGrowQuadratically) {
  ModelConfig c;
  const double before = countFlops(c).attentionScores;
  c.roi = {128, 64, 64};  // twice the tokens
  EXPECT_DOUBLE_EQ(countFlops(c).attentionScores, 4 * before);
}

}  // namespace
}  // namespace seqseg
