// seqseg-bench --max-memory: a rank process that runs out of memory under the cap fails with one
// clear line and a non-zero exit (not an abort or a backtrace), and the same job under a cap it
// fits trains. Two ranks, the tiny preset, one step.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/sanitizer.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

// The cap is RLIMIT_DATA; AddressSanitizer's allocator maps regions larger than any cap tried
// here and ends the process ("Failed to mmap") instead of failing the allocation.
constexpr const char* kSanitizerReason = "AddressSanitizer's allocator cannot run under the cap";

test::CommandResult benchWithCap(const std::string& mib) {
  return test::runCommand({SEQSEG_BENCH_EXE, "--config", "tiny", "--presets",
                           std::string(SEQSEG_SOURCE_DIR) + "/resources/presets", "--mode", "train",
                           "--steps", "1", "--warmup", "0", "--ranks", "2", "--attention", "ring",
                           "--max-memory", mib, "--json"});
}

TEST(BenchMemoryCap, RankOutOfMemoryIsOneClearLine) {
  if (kAddressSanitizer) GTEST_SKIP() << kSanitizerReason;
  // 32 MiB: less than a LibTorch process has mapped after start-up, so the first tensors fail.
  const test::CommandResult run = benchWithCap("32");
  EXPECT_NE(run.exitCode, 0) << run.err;
  EXPECT_LT(run.exitCode, 128) << "killed by a signal:\n" << run.err;
  // Whichever rank runs out first says so; the launcher then stops the other.
  EXPECT_NE(run.err.find(": out of memory under --max-memory 32 MiB\n"), std::string::npos)
      << run.err;
  for (const char* crash : {"terminate called", "Exception raised from", "Aborted", "core dumped"})
    EXPECT_EQ(run.err.find(crash), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("\"step_time_s_median\""), std::string::npos) << run.out;
}

TEST(BenchMemoryCap, JobThatFitsTheCapTrains) {
  if (kAddressSanitizer) GTEST_SKIP() << kSanitizerReason;
  const test::CommandResult run = benchWithCap("4096");
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const auto result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result.at("max_memory_mib"), 4096);
  EXPECT_EQ(result.at("ranks"), 2);
  EXPECT_EQ(result.at("optimizer"), "sharded");
}

}  // namespace
}  // namespace seqseg
