// A rank that dies or hangs ends the whole job within a bounded time, with an error that names
// it (docs/architecture.md, "Ranks, launch, jobs"): the other ranks' collectives fail (peer gone) or time out (peer hung),
// and the heartbeat counters in the store name the rank that stopped.
#include <gtest/gtest.h>

#include "dist_launch.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

void expectNamed(const std::vector<test::RankRun>& runs, int victim) {
  for (size_t r = 0; r < runs.size(); ++r) {
    if (static_cast<int>(r) == victim) continue;
    EXPECT_EQ(runs[r].exitCode, 3) << "rank " << r << ":\n" << runs[r].log;
    EXPECT_LT(runs[r].seconds, 60.0) << "rank " << r;
    EXPECT_NE(runs[r].log.find("rank " + std::to_string(victim) + " is dead or hung"),
              std::string::npos)
        << "rank " << r << ":\n"
        << runs[r].log;
  }
}

TEST(DistFailure, KilledRankIsNamed) {
  test::TempDir dir;
  const auto runs = test::runRanks(
      {SEQSEG_DIST_RANK_EXE, "--mode", "die", "--victim", "1", "--timeout-ms", "5000"}, 3,
      test::EnvStyle::Torchrun, dir.path(), 90.0);
  EXPECT_EQ(runs[1].exitCode, 128 + 9);
  expectNamed(runs, 1);
}

TEST(DistFailure, HungRankIsNamedAfterTheTimeout) {
  test::TempDir dir;
  const auto runs = test::runRanks(
      {SEQSEG_DIST_RANK_EXE, "--mode", "hang", "--victim", "2", "--timeout-ms", "3000"}, 3,
      test::EnvStyle::Torchrun, dir.path(), 90.0, /*expendable=*/2);
  expectNamed(runs, 2);
}

}  // namespace
}  // namespace seqseg
