// Temperature scaling and the reliability table: the fit recovers a known temperature, the
// trainer stores one in its checkpoints, inference applies it, and the ECE is the textbook one.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>

#include "engine/calibration.h"
#include "engine/checkpoint.h"
#include "engine/reliability.h"
#include "engine/segmenter.h"
#include "engine/trainer.h"
#include "one_window_case.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// Logits z of a calibrated model (the labels drawn from softmax(z)), then multiplied by
// `scale`: the temperature that undoes it is `scale`.
std::pair<at::Tensor, at::Tensor> scaledCalibratedLogits(double scale, int64_t voxels,
                                                         uint64_t seed) {
  torch::manual_seed(seed);
  const at::Tensor calibrated = torch::randn({voxels, 4}, at::kDouble) * 2.0;
  const at::Tensor labels = at::multinomial(at::softmax(calibrated, 1), 1).squeeze(1);
  return {calibrated * scale, labels};
}

TEST(Calibration, FitRecoversAKnownTemperature) {
  for (const double scale : {2.5, 0.4, 1.0}) {
    SCOPED_TRACE(scale);
    const auto [logits, labels] = scaledCalibratedLogits(scale, 40000, 11);
    const double fitted = fitTemperature(logits, labels);
    EXPECT_NEAR(fitted / scale, 1.0, 0.03);
    // The fit is the minimum: a step either way along ln T costs likelihood.
    const double nll = meanNegativeLogLikelihood(logits, labels, fitted);
    EXPECT_LT(nll, meanNegativeLogLikelihood(logits, labels, fitted * 1.02));
    EXPECT_LT(nll, meanNegativeLogLikelihood(logits, labels, fitted / 1.02));
  }
}

TEST(Calibration, FitStaysInItsRangeWhenTheLabelsAreSeparable) {
  // Every voxel's label is its largest logit: the likelihood grows as T shrinks.
  torch::manual_seed(3);
  const at::Tensor logits = torch::randn({1000, 4});
  EXPECT_NEAR(fitTemperature(logits, logits.argmax(1)), kMinTemperature, 1e-6);
}

TEST(Calibration, SampleRepeatsForTheSameWindows) {
  torch::manual_seed(5);
  const at::Tensor logits = torch::randn({4, 8, 8, 8});
  const at::Tensor labels = torch::randint(0, 4, {8, 8, 8}, at::kLong);
  TemperatureSample first({}, 100), second({}, 100);
  for (TemperatureSample* sample : {&first, &second}) {
    sample->addWindow(logits, labels);
    sample->addWindow(logits * 2, labels);
  }
  EXPECT_EQ(first.voxels(), 200);
  EXPECT_TRUE(first.logits().equal(second.logits()));
  EXPECT_TRUE(first.labels().equal(second.labels()));
  // Each sampled row is a voxel's logits with that voxel's label.
  const at::Tensor flat = logits.reshape({4, -1}).t();
  const at::Tensor rows = first.logits().slice(0, 0, 100);
  const at::Tensor picked = first.labels().slice(0, 0, 100);
  for (int64_t n = 0; n < 100; ++n) {
    const at::Tensor match = (flat - rows[n]).abs().sum(1).eq(0).nonzero();
    ASSERT_GE(match.size(0), 1);
    EXPECT_EQ(labels.reshape({-1})[match[0][0]].item<int64_t>(), picked[n].item<int64_t>());
  }
}

// Weighted as the sliding window's blend weighs voxels: drawn in proportion to the weights.
TEST(Calibration, SampleDrawsVoxelsInProportionToTheirWeights) {
  at::Tensor weights = torch::zeros({4, 4, 4}, at::kDouble);
  weights.view({-1})[5] = 1.0;
  weights.view({-1})[9] = 3.0;
  const at::Tensor logits = torch::arange(64, at::kFloat).view({1, 4, 4, 4}).expand({4, 4, 4, 4});
  TemperatureSample sample(weights, 4000);
  sample.addWindow(logits, torch::zeros({4, 4, 4}, at::kLong));
  const at::Tensor picked = sample.logits().select(1, 0);
  EXPECT_EQ((picked.eq(5) | picked.eq(9)).sum().item<int64_t>(), 4000);
  EXPECT_NEAR(picked.eq(9).sum().item<double>() / 4000, 0.75, 0.03);
}

TEST(Calibration, ReliabilityTableByHand) {
  ReliabilityTable table;
  table.add(0.05, false);
  table.add(0.05, true);
  table.add(0.95, true);
  table.add(0.5, false);
  table.add(1.2, true);  // clamped to 1: the last bin
  // Bins: [0, 1/15) 2 voxels, confidence 0.05, accuracy 0.5; [7/15, 8/15) 1 voxel, 0.5 vs 0;
  // [14/15, 1] 2 voxels, confidence 0.975, accuracy 1.
  const double expected = 2.0 / 5 * 0.45 + 1.0 / 5 * 0.5 + 2.0 / 5 * 0.025;
  EXPECT_NEAR(table.expectedCalibrationError(), expected, 1e-12);
  const nlohmann::json json = table.toJson();
  EXPECT_EQ(json["voxels"], 5);
  ASSERT_EQ(json["bins"].size(), 15u);
  EXPECT_EQ(json["bins"][0]["voxels"], 2);
  EXPECT_DOUBLE_EQ(json["bins"][0]["accuracy"].get<double>(), 0.5);
  EXPECT_TRUE(json["bins"][1]["confidence"].is_null());
  EXPECT_DOUBLE_EQ(json["bins"][14]["confidence"].get<double>(), 0.975);
  ReliabilityTable twice = table;
  twice.merge(table);
  EXPECT_EQ(twice.voxels(), 10);
  EXPECT_NEAR(twice.expectedCalibrationError(), expected, 1e-12);
}

class CalibratedModel : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("seqseg-calibration-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const test::OneWindowCase sphere = test::sphereInNoise();
    image_ = sphere.image;
    labels_ = sphere.labels;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  at::Tensor image_, labels_;
};

TEST_F(CalibratedModel, CheckpointCarriesItsTemperature) {
  torch::manual_seed(1);
  ViTSegmenter model(test::smallConfig());
  saveCheckpoint(path("plain.pt"), model, {{"spacing", {1.0, 1.0, 1.0}}});
  saveCheckpoint(path("warm.pt"), model, {{"spacing", {1.0, 1.0, 1.0}}, {"temperature", 1.7}});
  saveCheckpoint(path("bad.pt"), model, {{"temperature", -2}});
  EXPECT_EQ(readCheckpointInfo(path("plain.pt")).temperature, 1.0);
  EXPECT_EQ(readCheckpointInfo(path("warm.pt")).temperature, 1.7);
  try {
    readCheckpointInfo(path("bad.pt"));
    FAIL() << "a negative temperature was read";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path("bad.pt"));
  }
}

TEST_F(CalibratedModel, InferenceDividesTheLogitsByTheTemperature) {
  torch::manual_seed(1);
  ViTSegmenter model(test::smallConfig());
  saveCheckpoint(path("plain.pt"), model, {{"spacing", {1.0, 1.0, 1.0}}});
  saveCheckpoint(path("warm.pt"), model, {{"spacing", {1.0, 1.0, 1.0}}, {"temperature", 2.0}});
  Segmenter plain(path("plain.pt")), warm(path("warm.pt"));
  plain.setPostprocessing(false);
  warm.setPostprocessing(false);
  const Segmenter::Result one = plain.segmentWithProbabilities(image_, {1, 1, 1});
  const Segmenter::Result two = warm.segmentWithProbabilities(image_, {1, 1, 1});
  // One window: the probabilities are the softmax itself, and ln p = z - logsumexp(z), so
  // softmax(ln p1 / 2) = softmax(z / 2).
  const at::Tensor expected = at::softmax(one.probabilities.full().to(at::kDouble).log() / 2.0, 0);
  EXPECT_LT((two.probabilities.full().to(at::kDouble) - expected).abs().max().item<double>(), 1e-5);
  EXPECT_GT((two.probabilities.full() - one.probabilities.full()).abs().max().item<double>(), 1e-3);
  EXPECT_TRUE(two.labels.equal(one.labels));  // no flips: the argmax is T's to keep
}

TEST_F(CalibratedModel, TrainingStoresTheTemperatureOfEveryValidation) {
  TrainingOptions options;
  options.runDir = path("run");
  options.epochs = 2;
  options.stepsPerEpoch = 2;
  options.validateEvery = 1;
  options.batch = 1;
  options.seed = 5;
  options.augment = false;
  options.targetSpacing = {1, 1, 1};
  NullSink sink;
  const std::vector<TrainingCase> cases{{"case", image_, labels_}};
  train(test::smallConfig(), cases, cases, options, sink);
  const Checkpoint last = readCheckpointInfo(path("run/last.pt"));
  ASSERT_TRUE(last.meta.contains("temperature"));
  EXPECT_NE(last.temperature, 1.0);
  EXPECT_EQ(last.meta["temperature_fit"]["voxels"], 2048);  // one window of one case
  EXPECT_LE(last.meta["temperature_fit"]["nll"].get<double>(),
            last.meta["temperature_fit"]["nll_at_1"].get<double>());
  EXPECT_TRUE(readCheckpointInfo(path("run/best.pt")).meta.contains("temperature"));

  // --epochs 0 from it: the same weights and record, the temperature fitted again (the same
  // validation, the same sample: the same temperature).
  TrainingOptions calibrate = options;
  calibrate.runDir = path("calibrated");
  calibrate.epochs = 0;
  calibrate.initModel = path("run/last.pt");
  train(test::smallConfig(), {}, cases, calibrate, sink);
  const Checkpoint calibrated = readCheckpointInfo(path("calibrated/best.pt"));
  EXPECT_NEAR(calibrated.temperature, last.temperature, 1e-9);
  EXPECT_EQ(calibrated.meta["epoch"], last.meta["epoch"]);
  ViTSegmenter trained = loadModel(path("run/last.pt"));
  ViTSegmenter copied = loadModel(path("calibrated/best.pt"));
  for (const auto& item : trained->named_parameters())
    EXPECT_TRUE(item.value().equal(copied->named_parameters()[item.key()]));

  TrainingOptions withoutInit = calibrate;
  withoutInit.initModel.clear();
  EXPECT_THROW(train(test::smallConfig(), cases, cases, withoutInit, sink), std::invalid_argument);
}

}  // namespace
}  // namespace seqseg
