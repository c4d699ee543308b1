#include <gtest/gtest.h>

#include <torch/torch.h>

#include "engine/loss.h"

namespace seqseg {
namespace {

using torch::indexing::Slice;

torch::Tensor randomLabels(int64_t n = 2, int64_t side = 8) {
  return torch::randint(0, 4, {n, side, side, side}, torch::kLong);
}

// Logits that put (almost) all probability on the labelled class.
torch::Tensor perfectLogits(const torch::Tensor& labels) {
  return torch::one_hot(labels, 4).permute({0, 4, 1, 2, 3}).to(torch::kFloat) * 40.0;
}

TEST(Loss, PerfectPredictionIsNearZero) {
  const auto labels = randomLabels();
  const auto loss = segmentationLoss(perfectLogits(labels), labels);
  EXPECT_LT(loss.dice.item<double>(), 1e-6);
  EXPECT_LT(loss.ce.item<double>(), 1e-6);
  EXPECT_LT(loss.total.item<double>(), 1e-6);
}

TEST(Loss, WrongPredictionIsLarge) {
  const auto labels = randomLabels();
  const auto wrong = (labels + 1) % 4;
  const auto loss = segmentationLoss(perfectLogits(wrong), labels);
  EXPECT_GT(loss.dice.item<double>(), 0.9);
  EXPECT_GT(loss.ce.item<double>(), 30.0);
}

TEST(Loss, UniformPredictionKnownValues) {
  // p = 1/4 everywhere: CE = log 4; Dice_c = 2 * n_c / 4 / (V/4 * ... ) computed directly.
  const auto labels = randomLabels(1, 6);
  const auto loss = segmentationLoss(torch::zeros({1, 4, 6, 6, 6}), labels);
  EXPECT_NEAR(loss.ce.item<double>(), std::log(4.0), 1e-6);
  double diceSum = 0;
  for (int c = 0; c < 4; ++c) {
    const double nc = (labels == c).sum().item<double>();
    diceSum += (2 * 0.25 * nc + 1e-5) / (0.25 * 216 + nc + 1e-5);
  }
  EXPECT_NEAR(loss.dice.item<double>(), 1 - diceSum / 4, 1e-6);
}

TEST(Loss, GradientIsFinite) {
  const auto labels = randomLabels();
  const auto logits = torch::randn({2, 4, 8, 8, 8}, torch::requires_grad());
  segmentationLoss(logits, labels).total.backward();
  EXPECT_TRUE(torch::isfinite(logits.grad()).all().item<bool>());
  EXPECT_GT(logits.grad().abs().sum().item<double>(), 0.0);
}

TEST(Loss, SummedTermsOfPartsGiveTheWholeLoss) {
  // What the distributed trainer does: split the volume, add the parts' sums, form the loss.
  const auto labels = randomLabels(2, 8);
  const auto logits = torch::randn({2, 4, 8, 8, 8});
  const auto whole = segmentationLoss(logits, labels);
  const auto a = lossTerms(logits.index({Slice(), Slice(), Slice(0, 3)}),
                           labels.index({Slice(), Slice(0, 3)}));
  const auto b = lossTerms(logits.index({Slice(), Slice(), Slice(3, 8)}),
                           labels.index({Slice(), Slice(3, 8)}));
  LossTerms sum{a.intersection + b.intersection, a.cardinality + b.cardinality, a.ceSum + b.ceSum,
                a.voxels + b.voxels};
  const auto merged = lossFromTerms(sum);
  EXPECT_NEAR(merged.total.item<double>(), whole.total.item<double>(), 1e-5);
  EXPECT_NEAR(merged.dice.item<double>(), whole.dice.item<double>(), 1e-6);
}

TEST(Loss, BadLabelsAreClearErrors) {
  const auto logits = torch::zeros({1, 4, 4, 4, 4});
  EXPECT_THROW(lossTerms(logits, torch::full({1, 4, 4, 4}, 4, torch::kLong)),
               std::invalid_argument);
  EXPECT_THROW(lossTerms(logits, torch::zeros({1, 4, 4, 5}, torch::kLong)), std::invalid_argument);
  EXPECT_THROW(lossTerms(logits, torch::zeros({1, 4, 4, 4})), std::invalid_argument);
  EXPECT_NO_THROW(lossTerms(logits, torch::zeros({1, 4, 4, 4}, torch::kUInt8)));
}

}  // namespace
}  // namespace seqseg
