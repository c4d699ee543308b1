// Jobs under a real single-node Slurm: the suite starts munged (with a key made for it),
// slurmctld and slurmd on unprivileged loopback ports from a temporary slurm.conf, then
// `srun -n 2 seqseg --batch` and `seqseg --batch --ranks 2 --launcher srun` must write the mask
// of `--ranks 1` byte for byte. The services are stopped by process id afterwards.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "tests/support/slurm_cluster.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

using test::CommandResult;
using test::TempDir;

class SlurmJob : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_ = test::SlurmCluster::unavailableReason();
    if (!skip_.empty()) return;
    try {
      cluster_ = new test::SlurmCluster();
    } catch (const std::runtime_error& error) {
      startError_ = error.what();
      return;
    }
    dir_ = new TempDir();
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "cases", "--cases", "1", "--size", "64", "--seed", "5"});
    const CommandResult one =
        test::runSeqseg(test::batchArguments(*dir_ / "cases", *dir_ / "r1", {"--ranks", "1"}));
    reference_ = test::readFile(mask(*dir_ / "r1"));
    if (synth.exitCode != 0 || one.exitCode != 0 || reference_.empty())
      startError_ = "the one-rank reference failed: " + synth.err + one.err;
  }

  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  static std::string mask(const std::string& out) { return out + "/BraTS2021_00000.nii.gz"; }
  static std::string cases() { return *dir_ / "cases"; }

  static test::SlurmCluster* cluster_;
  static TempDir* dir_;
  static std::string skip_, startError_, reference_;
};
test::SlurmCluster* SlurmJob::cluster_ = nullptr;
TempDir* SlurmJob::dir_ = nullptr;
std::string SlurmJob::skip_, SlurmJob::startError_, SlurmJob::reference_;

// Each task of the step is a rank: SLURM_PROCID/NTASKS, and a store address every task derives
// from the step's node list and ids.
TEST_F(SlurmJob, SrunTwoTasksWriteTheOneRankMask) {
  TempDir out;
  std::vector<std::string> argv{cluster_->program("srun"), "-n", "2", "--input=none",
                                test::seqsegExecutable()};
  for (const std::string& a : test::batchArguments(cases(), out / "o")) argv.push_back(a);
  const CommandResult run = test::runCommand(argv);
  ASSERT_EQ(run.exitCode, 0) << run.err;
  EXPECT_EQ(test::readFile(mask(out / "o")), reference_);
  // Only rank 0 reports: one done event.
  EXPECT_NE(run.out.find("\"event\":\"done\""), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("\"event\":\"done\""), run.out.rfind("\"event\":\"done\"")) << run.out;
}

TEST_F(SlurmJob, LauncherSrunRunsTheRanksAsAJobAndWritesTheOneRankMask) {
  TempDir out;
  const int stepsBefore = cluster_->stepsLaunched();
  const CommandResult run = test::runSeqseg(
      test::batchArguments(cases(), out / "o", {"--ranks", "2", "--launcher", "srun"}));
  ASSERT_EQ(run.exitCode, 0) << run.err;
  // The ranks ran as a step of this cluster, not as local processes.
  EXPECT_EQ(cluster_->stepsLaunched(), stepsBefore + 1);
  EXPECT_EQ(test::readFile(mask(out / "o")), reference_);
  EXPECT_NE(run.out.find("\"event\":\"done\""), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("\"event\":\"done\""), run.out.rfind("\"event\":\"done\"")) << run.out;
}

}  // namespace
}  // namespace seqseg
