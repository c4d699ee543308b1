// seqseg train's controls for the desktop wizard: a pause (the file RUN_DIR/pause) checkpoints
// after the current step and stops, and --resume continues the same loss curve, on one rank and
// on two; --skip-unreadable leaves out a corrupt case and names it; --augment off.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

class TrainControl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    test::writeFile(*dir_ / "small.json", test::kSmallModelConfig);
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "data", "--cases", "3", "--size", "32", "--seed", "4"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::vector<std::string> train(const std::string& data, const std::string& run, int epochs,
                                        int steps, std::vector<std::string> more = {}) {
    std::vector<std::string> arguments{test::seqsegExecutable(),
                                       "train",
                                       "--data",
                                       data,
                                       "--out",
                                       run,
                                       "--config",
                                       *dir_ / "small.json",
                                       "--epochs",
                                       std::to_string(epochs),
                                       "--steps-per-epoch",
                                       std::to_string(steps),
                                       "--batch-size",
                                       "1",
                                       "--threads",
                                       "1",
                                       "--seed",
                                       "3",
                                       "--val-fraction",
                                       "0",
                                       "--progress",
                                       "json"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }

  // Runs `arguments` to the end, pausing it (the pause file) once `afterSteps` steps are in
  // metrics.jsonl; then resumes it. Returns the steps done when it paused.
  static size_t pauseAndResume(std::vector<std::string> arguments, const std::string& run,
                               size_t afterSteps) {
    fs::create_directories(run);
    const int pid = test::startCommand(arguments, run + "/../paused.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline &&
           (!fs::exists(run + "/metrics.jsonl") ||
            test::stepLosses(run + "/metrics.jsonl").size() < afterSteps))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    test::writeFile(run + "/pause", "pause\n");
    EXPECT_EQ(test::waitCommand(pid), 0) << test::readFile(run + "/../paused.log");
    const std::string log = test::readFile(run + "/../paused.log");
    EXPECT_NE(log.find(R"("status":"paused")"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(run + "/pause")) << "the request is consumed";
    EXPECT_TRUE(fs::exists(run + "/last.pt"));
    const size_t paused = test::stepLosses(run + "/metrics.jsonl").size();
    arguments.push_back("--resume");
    const CommandResult resumed = test::runCommand(arguments);
    EXPECT_EQ(resumed.exitCode, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("\"resumed_at_step\":" + std::to_string(paused)), std::string::npos)
        << resumed.out.substr(0, 300);
    return paused;
  }

  static TempDir* dir_;
};
TempDir* TrainControl::dir_ = nullptr;

void expectSameCurve(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t step = 0; step < expected.size(); ++step)
    EXPECT_NEAR(actual[step], expected[step], 1e-6 * std::max(1.0, std::abs(expected[step])))
        << "step " << step + 1;
}

// --time-limit (fine-tuning "for ten minutes"): a run of 1000 epochs stops at the first step after
// 3 s, validates there, and leaves best.pt and last.pt; its done event says ok and why it ended.
TEST_F(TrainControl, TimeLimitStopsAtTheNextStepWithBothCheckpoints) {
  const std::string run = *dir_ / "time-limited";
  std::vector<std::string> arguments =
      train(*dir_ / "data", run, 1000, 2, {"--time-limit", "0.05"});
  const auto validationShare = std::find(arguments.begin(), arguments.end(), "--val-fraction");
  ASSERT_NE(validationShare, arguments.end());
  *(validationShare + 1) = "0.34";  // one of the three cases validates
  const CommandResult result = test::runCommand(arguments);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find(R"("status":"ok")"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(R"("time_limit_reached":true)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("stopped at the time limit after step"), std::string::npos);
  EXPECT_TRUE(fs::exists(run + "/best.pt"));
  EXPECT_TRUE(fs::exists(run + "/last.pt"));
  const size_t steps = test::stepLosses(run + "/metrics.jsonl").size();
  EXPECT_GT(steps, 0u);
  EXPECT_LT(steps, 2000u);
  // The last line of the metrics is the validation made at the step it stopped after.
  std::istringstream lines(test::readFile(run + "/metrics.jsonl"));
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  EXPECT_NE(last.find("val_dice_mean"), std::string::npos) << last;
  EXPECT_NE(last.find("\"step\":" + std::to_string(steps)), std::string::npos) << last;

  const CommandResult negative =
      test::runCommand(train(*dir_ / "data", *dir_ / "never", 1, 1, {"--time-limit", "-1"}));
  EXPECT_EQ(negative.exitCode, 2);
  EXPECT_NE(negative.err.find("--time-limit"), std::string::npos) << negative.err;
}

TEST_F(TrainControl, PauseMidEpochThenResumeGivesTheUninterruptedCurve) {
  TempDir dir;
  const CommandResult whole = test::runCommand(train(*dir_ / "data", dir / "whole", 2, 5));
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  const std::vector<double> expected = test::stepLosses(dir / "whole/metrics.jsonl");
  ASSERT_EQ(expected.size(), 10u);

  const size_t paused = pauseAndResume(train(*dir_ / "data", dir / "run", 2, 5), dir / "run", 2);
  EXPECT_GE(paused, 2u);
  EXPECT_LT(paused, 10u);
  expectSameCurve(test::stepLosses(dir / "run/metrics.jsonl"), expected);
}

TEST_F(TrainControl, TwoRanksPauseAtTheSameStepAndResumeOnTheSameCurve) {
  TempDir dir;
  const std::vector<std::string> ranks{"--ranks", "2"};
  const CommandResult whole = test::runCommand(train(*dir_ / "data", dir / "whole", 1, 6, ranks));
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  const std::vector<double> expected = test::stepLosses(dir / "whole/metrics.jsonl");
  ASSERT_EQ(expected.size(), 6u);
  const size_t paused =
      pauseAndResume(train(*dir_ / "data", dir / "run", 1, 6, ranks), dir / "run", 1);
  EXPECT_LT(paused, 6u);
  expectSameCurve(test::stepLosses(dir / "run/metrics.jsonl"), expected);
}

TEST_F(TrainControl, SkipUnreadableLeavesOutACorruptCaseAndNamesIt) {
  TempDir dir;
  fs::copy(*dir_ / "data", dir / "data", fs::copy_options::recursive);
  std::string corrupt;
  for (const auto& entry : fs::directory_iterator(dir / "data"))
    if (entry.is_directory()) corrupt = entry.path().filename().string();
  ASSERT_FALSE(corrupt.empty());
  const std::string file = dir / ("data/" + corrupt + "/" + corrupt + "_flair.nii.gz");
  ASSERT_TRUE(fs::exists(file));
  test::writeFile(file, "this is not a NIfTI file");

  const CommandResult strict = test::runCommand(train(dir / "data", dir / "strict", 1, 1));
  EXPECT_EQ(strict.exitCode, 2);
  EXPECT_NE(strict.err.find(corrupt + "_flair.nii.gz"), std::string::npos) << strict.err;

  const CommandResult lenient =
      test::runCommand(train(dir / "data", dir / "lenient", 1, 2, {"--skip-unreadable"}));
  ASSERT_EQ(lenient.exitCode, 0) << lenient.err;
  EXPECT_NE(lenient.out.find(R"("case":")" + corrupt + "\""), std::string::npos) << lenient.out;
  EXPECT_NE(lenient.out.find("training on 2 cases"), std::string::npos) << lenient.out;
  EXPECT_EQ(test::stepLosses(dir / "lenient/metrics.jsonl").size(), 2u);
}

TEST_F(TrainControl, AugmentOffTrainsOnPlainCropsAndOtherValuesAreRefused) {
  TempDir dir;
  const CommandResult on = test::runCommand(train(*dir_ / "data", dir / "on", 1, 3));
  const CommandResult off =
      test::runCommand(train(*dir_ / "data", dir / "off", 1, 3, {"--augment", "off"}));
  ASSERT_EQ(on.exitCode, 0) << on.err;
  ASSERT_EQ(off.exitCode, 0) << off.err;
  const std::vector<double> withFlips = test::stepLosses(dir / "on/metrics.jsonl");
  const std::vector<double> plain = test::stepLosses(dir / "off/metrics.jsonl");
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_NE(plain, withFlips);
  const CommandResult bad =
      test::runCommand(train(*dir_ / "data", dir / "bad", 1, 1, {"--augment", "maybe"}));
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("--augment"), std::string::npos) << bad.err;
}

TEST_F(TrainControl, StepMetricsCarryThroughputAndElapsedTime) {
  TempDir dir;
  ASSERT_EQ(test::runCommand(train(*dir_ / "data", dir / "run", 1, 2)).exitCode, 0);
  std::istringstream lines(test::readFile(dir / "run/metrics.jsonl"));
  std::string first;
  std::getline(lines, first);
  const auto metric = nlohmann::json::parse(first);
  EXPECT_GT(metric.at("tokens_per_s").get<double>(), 0);
  EXPECT_GE(metric.at("elapsed_s").get<double>(), 0);
}

}  // namespace
}  // namespace seqseg
