// Crop, normalise, resample and pad a case, then bring predictions back onto its exact grid;
// sliding windows that cover every voxel and blend to the exact per-voxel result.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <ATen/ATen.h>

#include "engine/preprocessing.h"
#include "engine/sliding_window.h"
#include "engine/uncertainty.h"

namespace seqseg {
namespace {

at::Tensor brainLikeImage() {
  at::Tensor image = at::zeros({2, 20, 24, 30});
  image.slice(1, 3, 17).slice(2, 5, 21).slice(3, 4, 26).uniform_(100, 200);
  return image;
}

TEST(Preprocessing, CropsToForegroundAndNormalisesNonZeroVoxels) {
  const at::Tensor image = brainLikeImage();
  const CropBox box = foregroundBox(image);
  EXPECT_EQ(box.begin, (std::array<int64_t, 3>{3, 5, 4}));
  EXPECT_EQ(box.end, (std::array<int64_t, 3>{17, 21, 26}));
  const at::Tensor normalised = normaliseNonZero(applyCrop(image, box));
  EXPECT_NEAR(normalised[0].mean().item<double>(), 0.0, 1e-4);
  EXPECT_NEAR(normalised[1].std().item<double>(), 1.0, 1e-2);
}

TEST(Preprocessing, PadsToTheModelGrid) {
  const PreparedImage prepared = prepareImage(brainLikeImage(), {8, 8, 8}, {16, 16, 16});
  EXPECT_EQ(prepared.image.sizes(), at::IntArrayRef({2, 16, 16, 24}));
  EXPECT_EQ(prepared.resampledShape, (std::array<int64_t, 3>{14, 16, 22}));
}

TEST(Preprocessing, ResamplesToTheTargetSpacing) {
  EXPECT_EQ(resampledShape({14, 16, 22}, {1.0, 1.0, 1.0}, {2.0, 2.0, 1.0}),
            (std::array<int64_t, 3>{7, 8, 22}));
  EXPECT_EQ(resampledShape({14, 16, 22}, {1.0, 1.0, 1.0}, {}),
            (std::array<int64_t, 3>{14, 16, 22}));
  const PreparedImage prepared =
      prepareImage(brainLikeImage(), {4, 4, 4}, {4, 4, 4}, {1, 1, 1}, {2, 2, 2});
  EXPECT_EQ(prepared.resampledShape, (std::array<int64_t, 3>{7, 8, 11}));
  EXPECT_EQ(prepared.image.sizes(), at::IntArrayRef({2, 8, 8, 12}));
  EXPECT_EQ(prepared.image.slice(1, 7).abs().max().item<float>(), 0.0f) << "padding is zero";
}

TEST(Preprocessing, NormalisationIsBitForBitTheOutOfPlaceFormula) {
  at::manual_seed(3);
  at::Tensor image = at::randn({3, 9, 10, 11}) * 50 + 20;
  image.masked_fill_(at::rand({3, 9, 10, 11}).lt(0.3), 0);
  image[2].zero_();                                                 // an empty channel stays zero
  const at::Tensor cropped = image.slice(1, 1, 8).slice(3, 2, 10);  // a view, as in prepareImage
  const at::Tensor normalised = normaliseNonZero(cropped);
  for (int64_t c = 0; c < 2; ++c) {
    const at::Tensor channel = cropped[c], mask = channel.ne(0);
    const at::Tensor values = channel.masked_select(mask).to(at::kDouble);
    const double mean = values.mean().item<double>();
    const double std = std::max(values.std().item<double>(), 1e-8);
    const at::Tensor expected = at::where(mask, (channel - mean) / std, at::zeros_like(channel));
    EXPECT_EQ(std::memcmp(normalised[c].contiguous().data_ptr<float>(),
                          expected.contiguous().data_ptr<float>(), expected.numel() * 4),
              0);
  }
  EXPECT_EQ(normalised[2].abs().max().item<float>(), 0.0f);
}

// prepareImage with plain ATen operations (its formula before the fused passes): the result
// must be the same bytes.
at::Tensor preparedWithAten(const at::Tensor& image, const Spacing& spacing,
                            const Spacing& target) {
  const at::Tensor any = image.ne(0).any(0);
  std::array<int64_t, 3> begin{}, end{};
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<int64_t> others;
    for (int other = 0; other < 3; ++other)
      if (other != axis) others.push_back(other);
    const at::Tensor indices = any.any(others[1]).any(others[0]).nonzero().flatten();
    begin[axis] = indices.min().item<int64_t>();
    end[axis] = indices.max().item<int64_t>() + 1;
  }
  const at::Tensor cropped =
      image.slice(1, begin[0], end[0]).slice(2, begin[1], end[1]).slice(3, begin[2], end[2]);
  at::Tensor normalised = at::zeros_like(cropped);
  for (int64_t c = 0; c < cropped.size(0); ++c) {
    const at::Tensor channel = cropped[c], mask = channel.ne(0);
    if (mask.sum().item<int64_t>() < 2) continue;
    const at::Tensor values = channel.masked_select(mask).to(at::kDouble);
    const double mean = values.mean().item<double>();
    const double std = std::max(values.std().item<double>(), 1e-8);
    normalised[c].copy_(at::where(mask, (channel - mean) / std, at::zeros_like(channel)));
  }
  const at::Tensor brain = cropped.ne(0).any(0, true).to(at::kFloat);
  const std::array<int64_t, 3> shape =
      resampledShape({end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]}, spacing, target);
  return resample(normalised, shape, false) * resample(brain, shape, true);
}

TEST(Preprocessing, PreparedImageIsBitForBitTheAtenFormula) {
  at::manual_seed(5);
  for (int trial = 0; trial < 3; ++trial) {
    at::Tensor image = at::randn({4, 40, 36, 30}) * 80 + 30;
    image.masked_fill_(at::rand({4, 40, 36, 30}).lt(0.4), 0);
    image.slice(1, 0, 3 + trial).zero_();  // background to crop away
    image.slice(3, 27 - trial).zero_();
    image[1].slice(0, 0, 20).zero_();  // channels differ in their foreground
    if (trial == 2) image[3].zero_();  // an empty channel
    const Spacing spacing{1.0, 1.2, 0.8}, target{2.0, 2.0, 2.0};
    const PreparedImage prepared = prepareImage(image, {1, 1, 1}, {1, 1, 1}, spacing, target);
    const at::Tensor expected = preparedWithAten(image, spacing, target).contiguous();
    ASSERT_EQ(prepared.image.sizes(), expected.sizes());
    EXPECT_EQ(std::memcmp(prepared.image.contiguous().data_ptr<float>(), expected.data_ptr<float>(),
                          expected.numel() * 4),
              0)
        << "trial " << trial;
  }
}

TEST(Preprocessing, RestoredLabelsLandOnTheInputGrid) {
  // Labels constant over 2-voxel blocks of the crop (which starts at 3, 5, 4). Without
  // resampling they come back exactly; through a 2x coarser model grid, trilinear interpolation
  // of one-hot probabilities may only lose block corners.
  const at::Tensor image = brainLikeImage();
  at::Tensor labels = at::zeros({20, 24, 30}, at::kLong);
  labels.slice(0, 5, 11).slice(1, 7, 15).slice(2, 8, 18).fill_(2);
  labels.slice(0, 5, 9).slice(1, 9, 13).slice(2, 10, 14).fill_(3);
  for (const Spacing& target : {Spacing{}, Spacing{2, 2, 2}}) {
    const PreparedImage prepared = prepareImage(image, {4, 4, 4}, {4, 4, 4}, {1, 1, 1}, target);
    const at::Tensor onModelGrid =
        padTo(
            resample(applyCrop(labels, prepared.crop).unsqueeze(0), prepared.resampledShape, true),
            {prepared.image.size(1), prepared.image.size(2), prepared.image.size(3)})
            .squeeze(0);
    const at::Tensor probabilities =
        at::one_hot(onModelGrid, 4).permute({3, 0, 1, 2}).to(at::kFloat);
    const at::Tensor restored = restoreLabels(probabilities, prepared);
    ASSERT_EQ(restored.sizes(), labels.sizes());
    if (target[0] == 0) {
      EXPECT_TRUE(restored.to(at::kLong).equal(labels));
      continue;
    }
    for (int64_t label : {2, 3}) {
      const at::Tensor a = restored.to(at::kLong).ge(label), b = labels.ge(label);
      const double dice = 2.0 * (a & b).sum().item<double>() / (a.sum() + b.sum()).item<double>();
      EXPECT_GT(dice, 0.9) << "label " << label;
    }
    EXPECT_EQ(restored.slice(0, 0, 3).max().item<int>(), 0) << "nothing outside the crop";
  }
}

TEST(Preprocessing, RestoredLabelsAreAtArgmaxOfTheResampledProbabilities) {
  // restoreLabels picks the class itself; it must pick what at::argmax picks, ties (the first
  // maximum wins) and NaN included, with and without resampling.
  const at::Tensor image = brainLikeImage();
  for (const Spacing& target : {Spacing{}, Spacing{2, 1.5, 3}}) {
    const PreparedImage prepared = prepareImage(image, {4, 4, 4}, {4, 4, 4}, {1, 1, 1}, target);
    at::manual_seed(7);
    // Values in quarters: many exact ties between classes.
    at::Tensor probabilities =
        at::randint(0, 4,
                    {4, prepared.image.size(1), prepared.image.size(2), prepared.image.size(3)},
                    at::kFloat) /
        4;
    probabilities[2][1][1][1] = std::numeric_limits<float>::quiet_NaN();
    probabilities[3][1][1][1] = std::numeric_limits<float>::quiet_NaN();
    const auto& shape = prepared.resampledShape;
    const at::Tensor unpadded =
        probabilities.slice(1, 0, shape[0]).slice(2, 0, shape[1]).slice(3, 0, shape[2]);
    at::Tensor expected = at::zeros({20, 24, 30}, at::kByte);
    applyCrop(expected, prepared.crop)
        .copy_(resample(unpadded, prepared.crop.size(), false).argmax(0).to(at::kByte));
    const at::Tensor restored = restoreLabels(probabilities, prepared);
    EXPECT_TRUE(restored.equal(expected));
    EXPECT_GT(expected.eq(2).sum().item<int64_t>(), 0);
  }
}

// The probabilities on the input grid, row by row as a writer takes them: the crop's inside the
// brain's box, the certain background outside it; their entropy is -sum p ln p / ln K, 0 outside.
TEST(Preprocessing, InputGridProbabilityAndEntropyRowsAreTheUncroppedTensors) {
  const PreparedImage prepared = prepareImage(brainLikeImage(), {4, 4, 4}, {4, 4, 4}, {1, 1, 1});
  at::manual_seed(3);
  const auto size = prepared.crop.size();
  const at::Tensor crop = at::softmax(at::randn({4, size[0], size[1], size[2]}) * 3, 0);
  const InputGridProbabilities probabilities = probabilitiesOnInputGrid(crop, prepared);

  at::Tensor expected = at::zeros({4, 20, 24, 30});
  expected[0].fill_(1);
  applyCrop(expected, prepared.crop).copy_(crop);
  const at::Tensor full = probabilities.full();
  EXPECT_TRUE(full.equal(expected));
  const at::Tensor entropy = at::xlogy(expected, expected).sum(0).neg() / std::log(4.0);

  EntropyRows entropyRows(probabilities);
  std::vector<float> row(30);
  for (int64_t a0 = 0; a0 < 20; ++a0)
    for (int64_t a1 = 0; a1 < 24; ++a1) {
      for (int64_t k = 0; k < 4; ++k) {
        probabilities.fillRow(k, a0, a1, row.data());
        ASSERT_TRUE(at::from_blob(row.data(), {30}).equal(expected[k][a0][a1]))
            << k << " " << a0 << " " << a1;
      }
      entropyRows.fill(a0, a1, row.data());
      ASSERT_TRUE(at::from_blob(row.data(), {30}).allclose(entropy[a0][a1], 0, 1e-6))
          << a0 << " " << a1;
    }
  EXPECT_GT(entropy.max().item<float>(), 0.5f);
  EXPECT_EQ(entropy[0].abs().max().item<float>(), 0.0f) << "outside the brain's box";
}

TEST(SlidingWindow, StartsCoverTheAxisEvenly) {
  EXPECT_EQ(windowStarts(64, 64, 0.5), (std::vector<int64_t>{0}));
  EXPECT_EQ(windowStarts(96, 64, 0.5), (std::vector<int64_t>{0, 32}));
  EXPECT_EQ(windowStarts(100, 64, 0.5), (std::vector<int64_t>{0, 18, 36}));
  EXPECT_THROW(windowStarts(32, 64, 0.5), std::invalid_argument);
}

TEST(SlidingWindow, GaussianWeightsPeakAtTheCentreAndNeverVanish) {
  const at::Tensor weights = gaussianWeights({8, 8, 8});
  EXPECT_FLOAT_EQ(weights.max().item<float>(), 1.0f);
  EXPECT_GT(weights.min().item<float>(), 0.0f);
  EXPECT_GT(weights[4][4][4].item<float>(), weights[0][4][4].item<float>());
}

TEST(SlidingWindow, BlendingAVoxelwiseModelIsExact) {
  // A "model" whose logits depend on each voxel alone gives the same answer from every window,
  // so the blend must equal the direct per-voxel result everywhere.
  const at::Tensor image = at::randn({2, 20, 17, 23});
  auto voxelwise = [](const at::Tensor& batch) {
    return at::cat({batch.narrow(1, 0, 1) * 2, batch.narrow(1, 1, 1) - 1, batch.sum(1, true)}, 1);
  };
  int64_t calls = 0, total = 0;
  const at::Tensor blended =
      slidingWindowProbabilities(voxelwise, image, {8, 8, 8}, {0.5, 3},
                                 [&](int64_t, int64_t windows) { ++calls, total = windows; });
  const at::Tensor direct = at::softmax(voxelwise(image.unsqueeze(0)), 1).squeeze(0);
  EXPECT_TRUE(at::allclose(blended, direct, 1e-5, 1e-6));
  EXPECT_EQ(total, 4 * 4 * 5);
  EXPECT_EQ(calls, (total + 2) / 3);
}

}  // namespace
}  // namespace seqseg
