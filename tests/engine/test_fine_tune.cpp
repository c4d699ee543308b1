// Fine-tuning in the trainer: a run started from a checkpoint (TrainingSchedule::initModel) trains
// that checkpoint's weights, not the seed's random ones: its first loss is the checkpoint's own
// loss on the crop; a frozen encoder keeps every encoder tensor bit for bit; a resume must name
// the model its run started from (by its SHA-256).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "engine/checkpoint.h"
#include "engine/loss.h"
#include "engine/trainer.h"
#include "engine/vit_segmenter.h"
#include "engine_test_env.h"
#include "one_window_case.h"
#include "types/input_error.h"
#include "types/sha256.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// A model small enough to train in a blink (the shape of tests/support's kSmallModelConfig).
// Events kept for the test to read.
class RecordingSink : public ProgressSink {
 public:
  void emit(const nlohmann::json& event) override { events.push_back(event); }
  std::vector<nlohmann::json> events;
};

class FineTune : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("seqseg-fine-tune-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const test::OneWindowCase sphere = test::sphereInNoise();
    image_ = sphere.image;
    labels_ = sphere.labels;
    // The start model: weights from another seed than the run's, so that loading them shows.
    torch::manual_seed(77);
    ViTSegmenter start(test::smallConfig());
    saveCheckpoint(initPath(), start, {{"spacing", {1.0, 1.0, 1.0}}});
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string initPath() const { return (dir_ / "start.pt").string(); }

  TrainingOptions options(const std::string& run, int steps) const {
    TrainingOptions options;
    options.runDir = (dir_ / run).string();
    options.epochs = 1;
    options.stepsPerEpoch = steps;
    options.batch = 1;
    options.seed = 5;
    options.augment = false;
    options.initModel = initPath();
    return options;
  }

  // The start model's loss on the whole case (the crop of a one-window case).
  double initModelLoss() const {
    torch::NoGradGuard noGrad;
    ViTSegmenter start = loadModel(initPath());
    return segmentationLoss(start->forward(image_.unsqueeze(0)), labels_.unsqueeze(0))
        .total.item<double>();
  }

  // The loss of each step, from the metric events.
  static std::vector<double> stepLosses(const RecordingSink& sink) {
    std::vector<double> losses;
    for (const nlohmann::json& event : sink.events)
      if (event.value("event", "") == "metric" && event.contains("loss"))
        losses.push_back(event["loss"].get<double>());
    return losses;
  }

  fs::path dir_;
  at::Tensor image_, labels_;
};

TEST_F(FineTune, FirstLossIsTheInitModelsLossOnTheCrop) {
  RecordingSink sink;
  train(test::smallConfig(), {{"case", image_, labels_}}, {}, options("run", 1), sink);
  const std::vector<double> losses = stepLosses(sink);
  ASSERT_EQ(losses.size(), 1u);

  torch::NoGradGuard noGrad;
  const double expected = initModelLoss();
  EXPECT_NEAR(losses[0], expected, 1e-5);
  // The seed's own random weights give another loss: the test would see them.
  torch::manual_seed(5);
  ViTSegmenter seeded(test::smallConfig());
  const double random = segmentationLoss(seeded->forward(image_.unsqueeze(0)), labels_.unsqueeze(0))
                            .total.item<double>();
  EXPECT_GT(std::abs(random - expected), 1e-3);

  const nlohmann::json meta = readCheckpointInfo((dir_ / "run/last.pt").string()).meta;
  EXPECT_EQ(meta.at("init_model"), initPath());
  EXPECT_EQ(meta.at("init_sha256"), fileSha256(initPath()));
  EXPECT_EQ(meta.at("freeze_encoder"), false);
}

TEST_F(FineTune, FrozenEncoderKeepsItsTensorsBitForBitAndTheDecoderTrains) {
  TrainingOptions frozen = options("frozen", 3);
  frozen.freezeEncoder = true;
  RecordingSink sink;
  train(test::smallConfig(), {{"case", image_, labels_}}, {}, frozen, sink);
  ASSERT_EQ(stepLosses(sink).size(), 3u);
  ViTSegmenter start = loadModel(initPath());
  for (const char* name : {"last.pt", "best.pt"}) {
    SCOPED_TRACE(name);
    Checkpoint info;
    ViTSegmenter trained = loadModel((dir_ / "frozen" / name).string(), &info);
    EXPECT_EQ(info.meta.at("freeze_encoder"), true);
    const auto before = start->named_parameters();
    int encoder = 0, decoder = 0;
    for (const auto& item : trained->named_parameters()) {
      const bool same = torch::equal(item.value(), before[item.key()]);
      if (isEncoderParameter(item.key())) {
        EXPECT_TRUE(same) << item.key();
        ++encoder;
      } else {
        EXPECT_FALSE(same) << item.key();
        ++decoder;
      }
    }
    EXPECT_GT(encoder, 5);
    EXPECT_GT(decoder, 5);
  }
}

TEST_F(FineTune, ResumeMustNameTheModelItsRunStartedFrom) {
  RecordingSink sink;
  train(test::smallConfig(), {{"case", image_, labels_}}, {}, options("run", 1), sink);
  TrainingOptions again = options("run", 2);
  again.resume = true;
  again.initModel.clear();
  EXPECT_THROW(checkResumeMatchesStart(again), InputError);
  again.initModel = (dir_ / "run/last.pt").string();  // another file, another digest
  try {
    train(test::smallConfig(), {{"case", image_, labels_}}, {}, again, sink);
    FAIL() << "resumed from another model";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), again.runDir);
    EXPECT_NE(error.problem().find(initPath()), std::string::npos) << error.what();
    EXPECT_NE(error.problem().find(again.initModel), std::string::npos) << error.what();
  }
  again.initModel = initPath();
  again.freezeEncoder = true;
  EXPECT_THROW(checkResumeMatchesStart(again), InputError);
  again.freezeEncoder = false;
  EXPECT_NO_THROW(train(test::smallConfig(), {{"case", image_, labels_}}, {}, again, sink));
  EXPECT_EQ(readCheckpointInfo((dir_ / "run/last.pt").string()).meta.at("step"), 2);
}

TEST_F(FineTune, RestoreWeightsRefusesAnotherModelNamingTheField) {
  ModelConfig wider = test::smallConfig();
  wider.embed_dim = 64;
  ViTSegmenter model(wider);
  try {
    restoreWeights(initPath(), model);
    FAIL() << "loaded weights of another shape";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), initPath());
    EXPECT_NE(error.problem().find("embed_dim is 32, not 64"), std::string::npos) << error.what();
  }
}

TEST_F(FineTune, AVoxelSkipAddedToTheInitModelStartsAsThatModelAndTrains) {
  ModelConfig withSkip = test::smallConfig();
  withSkip.voxel_skip_channels = 8;
  RecordingSink sink;
  train(withSkip, {{"case", image_, labels_}}, {}, options("run", 2), sink);
  const std::vector<double> losses = stepLosses(sink);
  ASSERT_EQ(losses.size(), 2u);
  torch::NoGradGuard noGrad;
  const double expected = initModelLoss();
  EXPECT_NEAR(losses[0], expected, 1e-5) << "the skip starts at zero";

  Checkpoint trained;
  ViTSegmenter model = loadModel((dir_ / "run/last.pt").string(), &trained);
  EXPECT_EQ(trained.config, withSkip);
  EXPECT_GT(model->decoder->skipOut->weight.abs().sum().item<double>(), 0.0) << "it trained";

  // Back the other way a skip would be dropped: refused, naming the field.
  ViTSegmenter plain(test::smallConfig());
  try {
    restoreWeights((dir_ / "run/last.pt").string(), plain);
    FAIL() << "loaded a model with a voxel skip into one without";
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("voxel_skip_channels is 8, not 0"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace seqseg
