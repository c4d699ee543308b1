// seqseg train --init (fine-tuning from an existing model) and --freeze-encoder, end to end: the
// bundled model starts far below random weights and its loss falls; a --config of another model,
// a missing or corrupt model, and a resume from another model are one-line errors (exit 2), a
// voxel skip added by --config starts as the model it was added to; a
// frozen encoder comes out bit for bit as it went in, on one rank and on two; two ranks start
// from the same loss as one; --time-limit stops a fine-tuning run with both checkpoints.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <torch/torch.h>

#include "engine/checkpoint.h"
#include "engine/vit_segmenter.h"
#include "tests/support/test_support.h"
#include "types/sha256.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

size_t lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

double mean(std::vector<double>::const_iterator begin, std::vector<double>::const_iterator end) {
  return std::accumulate(begin, end, 0.0) / static_cast<double>(end - begin);
}

class FineTune : public ::testing::Test {
 protected:
  // Cases of 32^3 voxels, the small model, and a start model trained from it for two steps.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    test::writeFile(*dir_ / "small.json", test::kSmallModelConfig);
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "data", "--cases", "3", "--size", "32", "--seed", "4"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    const CommandResult start =
        test::runCommand(train(*dir_ / "start", 2, {"--config", *dir_ / "small.json"}, "11"));
    ASSERT_EQ(start.exitCode, 0) << start.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string startModel() { return *dir_ / "start/last.pt"; }

  static std::vector<std::string> train(const std::string& run, int steps,
                                        std::vector<std::string> more = {},
                                        const std::string& seed = "3") {
    std::vector<std::string> arguments{test::seqsegExecutable(),
                                       "train",
                                       "--data",
                                       *dir_ / "data",
                                       "--out",
                                       run,
                                       "--epochs",
                                       "1",
                                       "--steps-per-epoch",
                                       std::to_string(steps),
                                       "--batch-size",
                                       "1",
                                       "--threads",
                                       "1",
                                       "--seed",
                                       seed,
                                       "--val-fraction",
                                       "0",
                                       "--progress",
                                       "json"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }

  // Trains from the start model with a frozen encoder on `ranks` ranks: best.pt and last.pt hold
  // the start model's encoder bit for bit and a trained decoder.
  static void expectFrozenEncoderKept(int ranks);

  static TempDir* dir_;
};
TempDir* FineTune::dir_ = nullptr;

// The bundled model on cases of its kind, at its own spacing (taken from the checkpoint): its
// first loss is far below that of the same run from random weights, and falls over six steps at
// a fine-tuning learning rate.
TEST_F(FineTune, BundledModelStartsFarBelowRandomWeightsAndItsLossFalls) {
  TempDir dir;
  ASSERT_EQ(test::runSeqseg({"synth", "--out", dir / "data", "--cases", "2", "--size", "48x48x31",
                             "--seed", "1"})
                .exitCode,
            0);
  const std::string bundled = std::string(SEQSEG_SOURCE_DIR) + "/resources/models/tiny.pt";
  auto run = [&](const std::string& name, int steps, std::vector<std::string> more) {
    std::vector<std::string> arguments{test::seqsegExecutable(),
                                       "train",
                                       "--data",
                                       dir / "data",
                                       "--out",
                                       dir / name,
                                       "--epochs",
                                       "1",
                                       "--steps-per-epoch",
                                       std::to_string(steps),
                                       "--batch-size",
                                       "1",
                                       "--threads",
                                       "2",
                                       "--seed",
                                       "3",
                                       "--augment",
                                       "off",
                                       "--lr",
                                       "3e-4",
                                       "--val-fraction",
                                       "0",
                                       "--progress",
                                       "json"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return test::runCommand(arguments);
  };
  const CommandResult tuned = run("tuned", 6, {"--init", bundled});
  ASSERT_EQ(tuned.exitCode, 0) << tuned.err;
  EXPECT_NE(tuned.out.find("at 2 x 2 x 2 mm, starting from " + bundled), std::string::npos)
      << "the model's own spacing";
  const CommandResult random = run("random", 1, {"--spacing", "2", "2", "2"});
  ASSERT_EQ(random.exitCode, 0) << random.err;
  const std::vector<double> losses = test::stepLosses(dir / "tuned/metrics.jsonl");
  const std::vector<double> randomLosses = test::stepLosses(dir / "random/metrics.jsonl");
  ASSERT_EQ(losses.size(), 6u);
  ASSERT_EQ(randomLosses.size(), 1u);
  EXPECT_LT(losses[0], 0.25 * randomLosses[0]);
  EXPECT_LT(mean(losses.begin() + 3, losses.end()), mean(losses.begin(), losses.begin() + 3));
  EXPECT_LT(losses.back(), losses.front());
}

TEST_F(FineTune, ConfigOfAnotherModelIsOneLineExitTwo) {
  TempDir dir;
  const CommandResult other =
      test::runCommand(train(dir / "other", 1, {"--init", startModel(), "--config", "tiny"}));
  EXPECT_EQ(other.exitCode, 2);
  EXPECT_EQ(other.err,
            "seqseg: error: --config tiny describes another model than --init " + startModel() +
                " (patch [4,4,4], the model's is [8,8,8]); leave --config out to take the "
                "model's\n");
  EXPECT_FALSE(fs::exists(dir / "other"));
  // The same model's config given as well is fine.
  const CommandResult same = test::runCommand(
      train(dir / "same", 1, {"--init", startModel(), "--config", *dir_ / "small.json"}));
  EXPECT_EQ(same.exitCode, 0) << same.err;
}

TEST_F(FineTune, MissingOrCorruptModelIsRefusedNamingIt) {
  TempDir dir;
  const CommandResult missing =
      test::runCommand(train(dir / "run", 1, {"--init", dir / "missing.pt"}));
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_EQ(lines(missing.err), 1u) << missing.err;
  EXPECT_NE(missing.err.find(dir / "missing.pt"), std::string::npos) << missing.err;
  const std::string bytes = test::readFile(startModel());
  test::writeFile(dir / "cut.pt", bytes.substr(0, bytes.size() / 2));
  const CommandResult corrupt = test::runCommand(train(dir / "run", 1, {"--init", dir / "cut.pt"}));
  EXPECT_EQ(corrupt.exitCode, 2);
  EXPECT_EQ(lines(corrupt.err), 1u) << corrupt.err;
  EXPECT_NE(corrupt.err.find(dir / "cut.pt"), std::string::npos) << corrupt.err;
  EXPECT_FALSE(fs::exists(dir / "run/last.pt"));
}

// A resume continues the run its last.pt holds: asked with another model (or from random weights,
// or without the --init it started with) it stops with one line naming the run and both models.
TEST_F(FineTune, ResumeFromAnotherModelIsRefused) {
  TempDir dir;
  ASSERT_EQ(test::runCommand(train(dir / "run", 1, {"--init", startModel()})).exitCode, 0);
  ASSERT_EQ(test::runCommand(train(dir / "fresh", 1, {"--config", *dir_ / "small.json"})).exitCode,
            0);
  const std::string other = dir / "fresh/last.pt";
  const CommandResult another =
      test::runCommand(train(dir / "run", 2, {"--init", other, "--resume"}));
  EXPECT_EQ(another.exitCode, 2);
  EXPECT_EQ(lines(another.err), 1u) << another.err;
  for (const std::string& name : {dir / "run", startModel(), other})
    EXPECT_NE(another.err.find(name), std::string::npos) << name << " in " << another.err;
  const CommandResult fromRandom =
      test::runCommand(train(dir / "fresh", 2, {"--init", startModel(), "--resume"}));
  EXPECT_EQ(fromRandom.exitCode, 2);
  EXPECT_NE(fromRandom.err.find("started from random weights, not from --init " + startModel()),
            std::string::npos)
      << fromRandom.err;
  const CommandResult withoutInit =
      test::runCommand(train(dir / "run", 2, {"--config", *dir_ / "small.json", "--resume"}));
  EXPECT_EQ(withoutInit.exitCode, 2);
  EXPECT_NE(withoutInit.err.find("resume it with --init " + startModel()), std::string::npos)
      << withoutInit.err;
  EXPECT_EQ(test::stepLosses(dir / "run/metrics.jsonl").size(), 1u) << "nothing trained";

  const CommandResult resumed =
      test::runCommand(train(dir / "run", 2, {"--init", startModel(), "--resume"}));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("\"resumed_at_step\":1"), std::string::npos);
  EXPECT_EQ(test::stepLosses(dir / "run/metrics.jsonl").size(), 2u);
}

void FineTune::expectFrozenEncoderKept(int ranks) {
  TempDir dir;
  const CommandResult result = test::runCommand(
      train(dir / "run", 3,
            {"--init", startModel(), "--freeze-encoder", "--ranks", std::to_string(ranks)}));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("encoder frozen"), std::string::npos);
  ViTSegmenter start = loadModel(startModel());
  const auto before = start->named_parameters();
  for (const char* name : {"best.pt", "last.pt"}) {
    SCOPED_TRACE(name);
    Checkpoint info;
    ViTSegmenter trained = loadModel(dir / ("run/" + std::string(name)), &info);
    EXPECT_EQ(info.meta.at("freeze_encoder"), true);
    EXPECT_EQ(info.meta.at("init_sha256"), fileSha256(startModel()));
    size_t encoder = 0, decoder = 0;
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
    EXPECT_GT(encoder, 5u);
    EXPECT_GT(decoder, 5u);
  }
}

TEST_F(FineTune, FrozenEncoderKeepsEveryEncoderTensorBitForBit) {
  expectFrozenEncoderKept(1);
}

// Two ranks: the encoder's parameters take no part in the sharded AdamW (whose weight decay would
// shrink them) nor in the gradient reduction.
TEST_F(FineTune, FrozenEncoderKeepsEveryEncoderTensorBitForBitOnTwoRanks) {
  expectFrozenEncoderKept(2);
}

// Every rank loads the same weights: two ranks follow one rank's loss curve from its first step.
TEST_F(FineTune, TwoRanksStartFromTheSameLossAsOne) {
  TempDir dir;
  ASSERT_EQ(test::runCommand(train(dir / "one", 2, {"--init", startModel()})).exitCode, 0);
  const CommandResult two =
      test::runCommand(train(dir / "two", 2, {"--init", startModel(), "--ranks", "2"}));
  ASSERT_EQ(two.exitCode, 0) << two.err;
  const std::vector<double> expected = test::stepLosses(dir / "one/metrics.jsonl");
  const std::vector<double> actual = test::stepLosses(dir / "two/metrics.jsonl");
  ASSERT_EQ(expected.size(), 2u);
  ASSERT_EQ(actual.size(), 2u);
  for (size_t step = 0; step < 2; ++step)
    EXPECT_NEAR(actual[step], expected[step], 1e-6 * std::max(1.0, std::abs(expected[step])))
        << "step " << step + 1;
}

// A voxel skip added to the --init model by --config starts at zero: its first loss is the start
// model's, on one rank and on two (the skip reads each rank's part of the image); it then trains,
// and `seqseg info` names it.
TEST_F(FineTune, AVoxelSkipAddedByConfigStartsAsTheInitModelOnOneRankAndTwo) {
  TempDir dir;
  std::string config = test::kSmallModelConfig;
  config.insert(config.rfind('}'), ", \"voxel_skip_channels\": 4");
  test::writeFile(dir / "skip.json", config);
  ASSERT_EQ(test::runCommand(train(dir / "plain", 2, {"--init", startModel()})).exitCode, 0);
  const std::vector<double> plain = test::stepLosses(dir / "plain/metrics.jsonl");
  ASSERT_EQ(plain.size(), 2u);
  for (const std::string ranks : {"1", "2"}) {
    SCOPED_TRACE(ranks + " ranks");
    const std::string run = dir / ("skip" + ranks);
    const CommandResult skip = test::runCommand(
        train(run, 2, {"--init", startModel(), "--config", dir / "skip.json", "--ranks", ranks}));
    ASSERT_EQ(skip.exitCode, 0) << skip.err;
    const std::vector<double> losses = test::stepLosses(run + "/metrics.jsonl");
    ASSERT_EQ(losses.size(), 2u);
    EXPECT_NEAR(losses[0], plain[0], 1e-6 * std::max(1.0, std::abs(plain[0])));
    EXPECT_NE(losses[1], plain[1]) << "the skip trained in the first step";
    const CommandResult info = test::runSeqseg({"info", run + "/last.pt"});
    EXPECT_EQ(info.exitCode, 0) << info.err;
    EXPECT_NE(info.out.find("decoder 16-8-8-8, voxel skip 4"), std::string::npos) << info.out;
  }
}

// --region-dice: the Dice over WT, TC and ET trains on one rank and on two (the same losses: the
// region sums are all-reduced like the class sums), recorded in both checkpoints; a loss that
// differs from the class Dice's on the same steps.
TEST_F(FineTune, RegionDiceTrainsTheSameOnTwoRanksAndIsRecorded) {
  TempDir dir;
  const CommandResult classes =
      test::runCommand(train(dir / "classes", 2, {"--init", startModel()}));
  ASSERT_EQ(classes.exitCode, 0) << classes.err;
  const CommandResult one =
      test::runCommand(train(dir / "one", 2, {"--init", startModel(), "--region-dice"}));
  ASSERT_EQ(one.exitCode, 0) << one.err;
  const CommandResult two = test::runCommand(
      train(dir / "two", 2, {"--init", startModel(), "--region-dice", "--ranks", "2"}));
  ASSERT_EQ(two.exitCode, 0) << two.err;
  const std::vector<double> byClass = test::stepLosses(dir / "classes/metrics.jsonl");
  const std::vector<double> expected = test::stepLosses(dir / "one/metrics.jsonl");
  const std::vector<double> actual = test::stepLosses(dir / "two/metrics.jsonl");
  ASSERT_EQ(expected.size(), 2u);
  ASSERT_EQ(actual.size(), 2u);
  EXPECT_GT(std::abs(expected[0] - byClass.at(0)), 1e-3) << "the region Dice is another loss";
  for (size_t step = 0; step < 2; ++step)
    EXPECT_NEAR(actual[step], expected[step], 1e-6 * std::max(1.0, std::abs(expected[step])))
        << "step " << step + 1;
  for (const char* name : {"one/best.pt", "one/last.pt", "two/last.pt"}) {
    Checkpoint info;
    loadModel(dir / name, &info);
    EXPECT_EQ(info.meta.value("dice_terms", ""), "regions") << name;
  }
  Checkpoint plain;
  loadModel(dir / "classes/last.pt", &plain);
  EXPECT_FALSE(plain.meta.contains("dice_terms"));
  // A resume keeps the loss it began with: dropping or adding the flag is refused, named.
  const CommandResult dropped =
      test::runCommand(train(dir / "one", 2, {"--init", startModel(), "--resume"}));
  EXPECT_EQ(dropped.exitCode, 2);
  EXPECT_EQ(lines(dropped.err), 1u) << dropped.err;
  EXPECT_NE(dropped.err.find("started with --region-dice; resume it with it"), std::string::npos)
      << dropped.err;
  const CommandResult added = test::runCommand(
      train(dir / "classes", 2, {"--init", startModel(), "--region-dice", "--resume"}));
  EXPECT_EQ(added.exitCode, 2);
  EXPECT_NE(added.err.find("started without --region-dice; resume it without it"),
            std::string::npos)
      << added.err;
}

// Fine-tuning "for ten minutes", in short: the run stops at the first step after 1.2 s, validated,
// with best.pt and last.pt, both recording the model it started from.
TEST_F(FineTune, TimeLimitStopsAFineTuningRunWithBothCheckpoints) {
  TempDir dir;
  std::vector<std::string> arguments =
      train(dir / "run", 2, {"--init", startModel(), "--time-limit", "0.02"});
  *(std::find(arguments.begin(), arguments.end(), "--epochs") + 1) = "1000";
  *(std::find(arguments.begin(), arguments.end(), "--val-fraction") + 1) = "0.34";
  const CommandResult result = test::runCommand(arguments);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find(R"("time_limit_reached":true)"), std::string::npos) << result.out;
  EXPECT_LT(test::stepLosses(dir / "run/metrics.jsonl").size(), 2000u);
  for (const char* name : {"best.pt", "last.pt"}) {
    ASSERT_TRUE(fs::exists(dir / ("run/" + std::string(name)))) << name;
    const nlohmann::json meta = readCheckpointInfo(dir / ("run/" + std::string(name))).meta;
    EXPECT_EQ(meta.at("init_model"), startModel()) << name;
  }
}

}  // namespace
}  // namespace seqseg
