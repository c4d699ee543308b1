#include <gtest/gtest.h>

#include <torch/torch.h>

#include "engine/vit_segmenter.h"
#include "engine_test_env.h"
#include "types/model_config.h"

namespace seqseg {
namespace {

using torch::indexing::Slice;

// Grid 4x4x4 at the ROI: small enough for fast tests, large enough for offsets on every axis.
ModelConfig smallConfig() {
  ModelConfig c;
  c.roi = {32, 32, 32};
  c.patch = {8, 8, 8};
  c.embed_dim = 32;
  c.depth = 2;
  c.num_heads = 4;
  c.decoder_channels = {16, 8, 8, 8};
  return c;
}

TEST(ViTSegmenter, TinyPresetOutputShape) {
  const ModelConfig tiny = loadModelConfig("tiny", test::presetsDir());
  ViTSegmenter model(tiny);
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({1, tiny.in_channels, tiny.roi[0], tiny.roi[1], tiny.roi[2]});
  const auto y = model(x);
  EXPECT_EQ(y.sizes(),
            torch::IntArrayRef({1, tiny.num_classes, tiny.roi[0], tiny.roi[1], tiny.roi[2]}));
  EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
}

TEST(ViTSegmenter, AnisotropicPatchAndBatchShape) {
  ModelConfig c = smallConfig();
  c.roi = {16, 32, 24};
  c.patch = {2, 8, 4};
  c.decoder_channels = {16, 8, 8, 8};
  ViTSegmenter model(c);
  const auto y = model(torch::randn({2, 4, 16, 32, 24}));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4, 16, 32, 24}));
}

TEST(ViTSegmenter, TokensAreRowMajorWithA2Fastest) {
  ViTSegmenter model(smallConfig());
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({1, 4, 32, 32, 32});
  const auto tokens = model->embed(x);
  const auto patches = model->patchEmbed(x);  // [1, E, 4, 4, 4]
  // Patch (1, 2, 3) is token (1 * 4 + 2) * 4 + 3 = 27.
  const auto expected = patches.index({0, Slice(), 1, 2, 3}) + model->positionTable[27];
  EXPECT_TRUE(torch::allclose(tokens[0][27], expected, 1e-6, 1e-6));
}

TEST(ViTSegmenter, SubGridEmbeddingEqualsRowsOfWholeEmbedding) {
  ViTSegmenter model(smallConfig());
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({1, 4, 32, 32, 32});
  const int64_t e = smallConfig().embed_dim;
  const auto whole = model->embed(x).view({1, 4, 4, 4, e});

  // A part of 2x2x2 patches starting at patch (1, 0, 2) of the 4x4x4 global grid.
  const auto part = x.index({Slice(), Slice(), Slice(8, 24), Slice(0, 16), Slice(16, 32)});
  PatchWindow window;
  window.offset = {1, 0, 2};
  window.global = {4, 4, 4};
  const auto partTokens = model->embed(part, window);
  const auto expected =
      whole.index({Slice(), Slice(1, 3), Slice(0, 2), Slice(2, 4)}).reshape({1, 8, e});
  EXPECT_TRUE(torch::allclose(partTokens, expected, 1e-6, 1e-6));

  // Without the window the part gets the rows of a volume of its own size: different.
  EXPECT_FALSE(torch::allclose(model->embed(part), expected, 1e-4, 1e-4));
}

TEST(ViTSegmenter, SlabPartsConcatenateToTheWholeSequence) {
  // A slab0 split: each part's tokens are a contiguous range of the global sequence.
  ViTSegmenter model(smallConfig());
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({1, 4, 32, 32, 32});
  const auto whole = model->embed(x);
  PatchWindow top, bottom;
  top.global = bottom.global = {4, 4, 4};
  bottom.offset = {1, 0, 0};
  const auto a = model->embed(x.index({Slice(), Slice(), Slice(0, 8)}), top);
  const auto b = model->embed(x.index({Slice(), Slice(), Slice(8, 32)}), bottom);
  EXPECT_TRUE(torch::allclose(torch::cat({a, b}, 1), whole, 1e-6, 1e-6));
}

TEST(ViTSegmenter, OtherInputSizesResampleThePositionTable) {
  ViTSegmenter model(smallConfig());
  torch::NoGradGuard noGrad;
  const auto y = model(torch::randn({1, 4, 48, 32, 16}));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({1, 4, 48, 32, 16}));
}

TEST(ViTSegmenter, BadInputsAreClearErrors) {
  ViTSegmenter model(smallConfig());
  torch::NoGradGuard noGrad;
  EXPECT_THROW(model(torch::randn({1, 3, 32, 32, 32})), std::invalid_argument);
  EXPECT_THROW(model(torch::randn({1, 4, 30, 32, 32})), std::invalid_argument);
  EXPECT_THROW(model(torch::randn({4, 32, 32, 32})), std::invalid_argument);
  PatchWindow outside;
  outside.offset = {3, 0, 0};
  outside.global = {4, 4, 4};
  EXPECT_THROW(model->embed(torch::randn({1, 4, 16, 32, 32}), outside), std::invalid_argument);
}

TEST(ViTSegmenter, AttentionBackendsGiveTheSameModel) {
  ViTSegmenter model(smallConfig(), makeLocalAttention("naive"));
  model->eval();
  const auto x = torch::randn({1, 4, 32, 32, 32});
  const auto naiveOut = model(x);
  naiveOut.sum().backward();
  const auto naiveGrad = model->positionTable.grad().clone();
  model->zero_grad();

  model->setAttentionBackend(makeLocalAttention("chunked", {5, 7}));
  for (auto& block : *model->blocks)
    EXPECT_EQ(block->as<EncoderBlock>()->attn->backend()->name(), "chunked");
  const auto chunkedOut = model(x);
  chunkedOut.sum().backward();
  EXPECT_TRUE(torch::allclose(chunkedOut, naiveOut, 1e-4, 1e-5));
  const auto gradError = (model->positionTable.grad() - naiveGrad).norm() / naiveGrad.norm();
  EXPECT_LT(gradError.item<double>(), 1e-4);
}

TEST(ViTSegmenter, EveryParameterGetsAFiniteGradient) {
  ViTSegmenter model(smallConfig());
  const auto y = model(torch::randn({1, 4, 32, 32, 32}));
  (y * torch::randn_like(y)).sum().backward();
  for (const auto& p : model->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(ViTSegmenter, AVoxelSkipStartsAtZeroAndReadsTheImageVoxelByVoxel) {
  torch::manual_seed(5);
  ViTSegmenter plain(smallConfig());
  ModelConfig c = smallConfig();
  c.voxel_skip_channels = 8;
  ViTSegmenter skip(c);
  torch::NoGradGuard noGrad;
  const auto plainParams = plain->named_parameters();
  for (auto& p : skip->named_parameters())
    if (plainParams.contains(p.key())) p.value().copy_(plainParams[p.key()]);
  const auto x = torch::randn({1, 4, 32, 32, 32});
  EXPECT_TRUE(torch::equal(plain(x), skip(x))) << "a new skip leaves the model as it was";

  skip->decoder->skipOut->weight.normal_(0.0, 0.5);
  EXPECT_FALSE(torch::allclose(plain(x), skip(x)));
  // Per voxel, so that a rank's part needs no neighbours' image: a change at one voxel changes
  // the skip's sum there only.
  const auto features = torch::zeros({1, 8, 32, 32, 32});
  auto changed = x.clone();
  changed.index_put_({0, Slice(), 7, 20, 3}, torch::randn({4}) * 3);
  const auto difference =
      (skip->decoder->voxelSkip(changed, features) - skip->decoder->voxelSkip(x, features))
          .abs()
          .sum(1);
  EXPECT_GT(difference[0][7][20][3].item<double>(), 0.0);
  EXPECT_EQ(difference.gt(0).sum().item<int64_t>(), 1);

  try {
    skip->decode(torch::randn({1, 64, 32}), {4, 4, 4});
    FAIL() << "decoded a voxel-skip model without its image";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("decodes with its input image"), std::string::npos)
        << error.what();
  }
}

TEST(ViTSegmenter, ParameterNamesAreStable) {
  // Checkpoints are keyed by these names.
  ViTSegmenter model(smallConfig());
  const auto params = model->named_parameters();
  for (const char* name :
       {"patch_embed.weight", "pos_embed", "blocks.0.norm1.weight", "blocks.1.attn.qkv.weight",
        "blocks.1.attn.proj.bias", "blocks.0.fc1.weight", "norm.weight",
        "decoder.input_conv.weight", "decoder.upsamples.0.weight", "decoder.convs.2.weight",
        "decoder.convs.2.bias", "decoder.head.weight"})
    EXPECT_NE(params.find(name), nullptr) << name;
}

}  // namespace
}  // namespace seqseg
