// Jobs over several ranks through the real command line: `seqseg --batch --ranks 2` (local
// worker processes), `--launcher mpirun` and `mpirun -np 2 seqseg --batch` give the masks of
// `--ranks 1`; `seqseg train --ranks 2` follows the one-rank loss curve; a killed rank or a
// cancelled job ends everything with nothing half-written.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

class RankJob : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_EQ(test::runSeqseg({"synth", "--out", *dir_ / "cases", "--cases", "1", "--size", "64",
                               "--seed", "5"})
                  .exitCode,
              0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string cases() { return *dir_ / "cases"; }
  static std::string mask(const std::string& out) { return out + "/BraTS2021_00000.nii.gz"; }
  static TempDir* dir_;
};
TempDir* RankJob::dir_ = nullptr;

std::string mpirun() {
  return fs::exists("/usr/bin/mpirun") ? "/usr/bin/mpirun" : "mpirun";
}

// Names of the files in a folder (hidden ones too); empty when it does not exist.
std::vector<std::string> filesIn(const std::string& folder) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error))
    names.push_back(entry.path().filename().string());
  return names;
}

TEST_F(RankJob, TwoRanksLocalAndUnderMpirunWriteTheOneRankMask) {
  TempDir out;
  const CommandResult one =
      test::runSeqseg(test::batchArguments(cases(), out / "r1", {"--ranks", "1"}));
  ASSERT_EQ(one.exitCode, 0) << one.err;
  const std::string reference = test::readFile(mask(out / "r1"));

  const CommandResult local =
      test::runSeqseg(test::batchArguments(cases(), out / "local", {"--ranks", "2"}));
  ASSERT_EQ(local.exitCode, 0) << local.err;
  EXPECT_EQ(test::readFile(mask(out / "local")), reference);
  EXPECT_NE(local.out.find("\"event\":\"done\""), std::string::npos) << local.out;

  const CommandResult viaLauncher = test::runSeqseg(
      test::batchArguments(cases(), out / "launcher", {"--ranks", "2", "--launcher", "mpirun"}));
  ASSERT_EQ(viaLauncher.exitCode, 0) << viaLauncher.err;
  EXPECT_EQ(test::readFile(mask(out / "launcher")), reference);

  // Started by mpirun itself: each process is a rank; rank 0's store address goes out by MPI.
  std::vector<std::string> argv{mpirun(), "-np", "2"};
  if (geteuid() == 0) argv.push_back("--allow-run-as-root");
  argv.push_back(test::seqsegExecutable());
  for (const std::string& a : test::batchArguments(cases(), out / "mpirun")) argv.push_back(a);
  const CommandResult underMpirun = test::runCommand(argv);
  ASSERT_EQ(underMpirun.exitCode, 0) << underMpirun.err;
  EXPECT_EQ(test::readFile(mask(out / "mpirun")), reference);
  // Only rank 0 reports: one done event.
  const std::string& events = underMpirun.out;
  EXPECT_EQ(events.find("\"event\":\"done\""), events.rfind("\"event\":\"done\"")) << events;
}

TEST_F(RankJob, ThreeRanksWithOtherSplitsAttentionsAndDecodersWriteTheOneRankMask) {
  TempDir out;
  ASSERT_EQ(test::runSeqseg(test::batchArguments(cases(), out / "r1")).exitCode, 0);
  const std::string reference = test::readFile(mask(out / "r1"));
  const std::vector<std::vector<std::string>> settings{
      {"--ranks", "3", "--split", "slab1", "--attention", "ring", "--decoder", "gather"},
      {"--ranks", "4", "--split", "blocks", "--attention", "ulysses", "--decoder", "halo"}};
  for (size_t i = 0; i < settings.size(); ++i) {
    const std::string folder = out / ("run" + std::to_string(i));
    const CommandResult run = test::runSeqseg(test::batchArguments(cases(), folder, settings[i]));
    ASSERT_EQ(run.exitCode, 0) << run.err;
    EXPECT_EQ(test::readFile(mask(folder)), reference) << settings[i][1] << " ranks";
  }
}

TEST_F(RankJob, SettingsTheRanksCannotRunAreRefusedBeforeAnyStarts) {
  TempDir out;
  // The bundled model has 4 heads: 3 ranks cannot share them out.
  const CommandResult run = test::runSeqseg(
      test::batchArguments(cases(), out / "o", {"--ranks", "3", "--attention", "ulysses"}));
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_NE(run.err.find("ulysses"), std::string::npos) << run.err;
  EXPECT_TRUE(filesIn(out / "o").empty());
}

// (step, loss) and (step, mean validation Dice) from a run's metrics.jsonl.
std::pair<std::map<int, double>, std::map<int, double>> runMetrics(const std::string& run) {
  std::map<int, double> losses, dice;
  std::istringstream lines(test::readFile(run + "/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.contains("loss")) losses[entry["step"]] = entry["loss"];
    if (entry.contains("val_dice_mean")) dice[entry["step"]] = entry["val_dice_mean"];
  }
  return {losses, dice};
}

// The paper's claim: sequence parallelism does not change training. The same seed on 1 and 2
// ranks gives the same loss at every step (float rounding apart) and the same validation Dice.
TEST(RankTraining, TwoRanksFollowTheOneRankLossCurveAndValidationDice) {
  TempDir dir;
  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", dir / "data", "--cases", "4", "--size", "64", "--seed", "11"})
                .exitCode,
            0);
  auto train = [&](const std::string& ranks, const std::string& epochs, bool resume) {
    std::vector<std::string> arguments{"train",
                                       "--data",
                                       dir / "data",
                                       "--out",
                                       dir / ("run" + ranks),
                                       "--config",
                                       "tiny",
                                       "--epochs",
                                       epochs,
                                       "--steps-per-epoch",
                                       "10",
                                       "--validate-every",
                                       "2",
                                       "--seed",
                                       "3",
                                       "--threads",
                                       "1",
                                       "--progress",
                                       "json",
                                       "--ranks",
                                       ranks};
    if (resume) arguments.push_back("--resume");
    const CommandResult run = test::runSeqseg(arguments);
    ASSERT_EQ(run.exitCode, 0) << run.err;
  };
  for (const std::string ranks : {"1", "2"}) ASSERT_NO_FATAL_FAILURE(train(ranks, "2", false));
  const auto [losses1, dice1] = runMetrics(dir / "run1");
  const auto [losses2, dice2] = runMetrics(dir / "run2");
  ASSERT_EQ(losses1.size(), 20u);
  ASSERT_EQ(losses2.size(), 20u);
  for (const auto& [step, loss] : losses1) EXPECT_NEAR(losses2.at(step), loss, 1e-3) << step;
  // Training moved: the curve is not flat, so equal curves mean something.
  EXPECT_LT(losses1.at(20), losses1.at(1) - 0.5);
  ASSERT_EQ(dice1.size(), 1u);
  EXPECT_NEAR(dice2.at(20), dice1.at(20), 0.01);

  // Resumed from last.pt, the 2-rank run (whose AdamW moments are sharded and gathered into the
  // checkpoint) continues the 1-rank curve.
  for (const std::string ranks : {"1", "2"}) ASSERT_NO_FATAL_FAILURE(train(ranks, "3", true));
  const auto resumed1 = runMetrics(dir / "run1").first;
  const auto resumed2 = runMetrics(dir / "run2").first;
  ASSERT_EQ(resumed1.size(), 30u);
  ASSERT_EQ(resumed2.size(), 30u);
  for (int step = 21; step <= 30; ++step)
    EXPECT_NEAR(resumed2.at(step), resumed1.at(step), 1e-3) << step;
}

// The pids of the processes whose parent is `parent`, by their RANK variable.
std::map<int, int> ranksOf(int parent) {
  std::map<int, int> ranks;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 2));
    char state;
    int ppid = 0;
    fields >> state >> ppid;
    if (ppid != parent) continue;
    std::ifstream environ(entry.path() / "environ");
    std::string variables((std::istreambuf_iterator<char>(environ)), {});
    const size_t at = variables.find(std::string("\0RANK=", 6));
    if (at != std::string::npos) ranks[std::stoi(variables.substr(at + 6))] = std::stoi(name);
  }
  return ranks;
}

// Starts a long batch job over 2 local ranks and waits until its windows are running.
int startLongJob(const std::string& in, const std::string& out, const std::string& log) {
  std::vector<std::string> argv{test::seqsegExecutable()};
  for (const std::string& a : test::batchArguments(in, out, {"--ranks", "2", "--overlap", "0.9"}))
    argv.push_back(a);
  const int pid = test::startCommand(argv, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (test::readFile(log).find("windows_done") == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "the job never reported a window: " << test::readFile(log);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pid;
}

TEST_F(RankJob, AKilledRankEndsTheJobWithAnErrorNamingItAndNoOutput) {
  TempDir out;
  const int pid = startLongJob(cases(), out / "o", out / "log");
  ASSERT_GT(pid, 0);
  const std::map<int, int> ranks = ranksOf(pid);
  ASSERT_EQ(ranks.size(), 2u);
  const auto killed = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(ranks.at(1), SIGKILL), 0);
  const int code = test::waitCommand(pid);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  EXPECT_NE(code, 0);
  EXPECT_LT(seconds, 60.0);
  const std::string log = test::readFile(out / "log");
  EXPECT_NE(log.find("\"rank\":1"), std::string::npos) << log;
  EXPECT_NE(log.find("\"status\":\"failed\""), std::string::npos) << log;
  EXPECT_TRUE(filesIn(out / "o").empty()) << filesIn(out / "o").front();
  EXPECT_NE(kill(ranks.at(0), 0), 0) << "rank 0 still runs";
}

TEST_F(RankJob, CancellingTheLauncherStopsEveryRankAndLeavesNoOutput) {
  TempDir out;
  const int pid = startLongJob(cases(), out / "o", out / "log");
  ASSERT_GT(pid, 0);
  const std::map<int, int> ranks = ranksOf(pid);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(test::waitCommand(pid), 128 + SIGTERM);
  EXPECT_NE(test::readFile(out / "log").find("\"status\":\"cancelled\""), std::string::npos);
  EXPECT_TRUE(filesIn(out / "o").empty());
  for (const auto& [rank, rankPid] : ranks) EXPECT_NE(kill(rankPid, 0), 0) << "rank " << rank;
}

}  // namespace
}  // namespace seqseg
