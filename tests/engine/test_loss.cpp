#include <gtest/gtest.h>
#include <string>

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
  for (DiceTerms dice : {DiceTerms::Classes, DiceTerms::Regions}) {
    const auto whole = segmentationLoss(logits, labels, dice);
    const auto a = lossTerms(logits.index({Slice(), Slice(), Slice(0, 3)}),
                             labels.index({Slice(), Slice(0, 3)}), dice);
    const auto b = lossTerms(logits.index({Slice(), Slice(), Slice(3, 8)}),
                             labels.index({Slice(), Slice(3, 8)}), dice);
    LossTerms sum{a.intersection + b.intersection, a.cardinality + b.cardinality, a.ceSum + b.ceSum,
                  a.voxels + b.voxels};
    const auto merged = lossFromTerms(sum);
    EXPECT_NEAR(merged.total.item<double>(), whole.total.item<double>(), 1e-5);
    EXPECT_NEAR(merged.dice.item<double>(), whole.dice.item<double>(), 1e-6);
  }
}

// Internal labels 1 NCR, 2 ED, 3 ET: the regions are WT = {1, 2, 3}, TC = {1, 3}, ET = {3}.
TEST(Loss, RegionDiceScoresTheRegionsBratsScores) {
  const auto labels = randomLabels();
  const auto perfect = segmentationLoss(perfectLogits(labels), labels, DiceTerms::Regions);
  EXPECT_LT(perfect.dice.item<double>(), 1e-6);
  EXPECT_LT(perfect.ce.item<double>(), 1e-6);

  // NCR and ET swapped: each class's Dice of NCR and ET is 0, yet WT and TC are right, so the
  // region Dice loses only ET.
  const auto swapped = torch::where(labels == 1, 3, torch::where(labels == 3, 1, labels));
  const auto byRegion = segmentationLoss(perfectLogits(swapped), labels, DiceTerms::Regions);
  const auto byClass = segmentationLoss(perfectLogits(swapped), labels, DiceTerms::Classes);
  EXPECT_NEAR(byRegion.dice.item<double>(), 1.0 / 3.0, 1e-5);
  EXPECT_NEAR(byClass.dice.item<double>(), 0.5, 1e-5);
  EXPECT_NEAR(byRegion.ce.item<double>(), byClass.ce.item<double>(), 1e-6);

  // Uniform probabilities: p_WT = 3/4, p_TC = 1/2, p_ET = 1/4 at every voxel.
  const auto one = randomLabels(1, 6);
  const LossTerms terms = lossTerms(torch::zeros({1, 4, 6, 6, 6}), one, DiceTerms::Regions);
  ASSERT_EQ(terms.intersection.sizes().vec(), (std::vector<int64_t>{1, 3}));
  const double wt = (one > 0).sum().item<double>(),
               tc = ((one == 1) + (one == 3)).sum().item<double>(),
               et = (one == 3).sum().item<double>();
  const double expectedIntersection[3] = {0.75 * wt, 0.5 * tc, 0.25 * et};
  const double expectedCardinality[3] = {0.75 * 216 + wt, 0.5 * 216 + tc, 0.25 * 216 + et};
  for (int r = 0; r < 3; ++r) {
    EXPECT_NEAR(terms.intersection[0][r].item<double>(), expectedIntersection[r], 1e-3) << r;
    EXPECT_NEAR(terms.cardinality[0][r].item<double>(), expectedCardinality[r], 1e-3) << r;
  }
  EXPECT_THROW(lossTerms(torch::zeros({1, 3, 4, 4, 4}), torch::zeros({1, 4, 4, 4}, torch::kLong),
                         DiceTerms::Regions),
               std::invalid_argument);
  checkDiceTermsFit(DiceTerms::Classes, 3, "--region-dice");  // class Dice takes any count
  try {
    checkDiceTermsFit(DiceTerms::Regions, 5, "--region-dice");
    ADD_FAILURE() << "5 classes were accepted for region Dice";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()),
              "--region-dice needs 4 classes (background, NCR, ED, ET), not 5");
  }
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
