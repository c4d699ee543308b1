// seqseg and seqseg-worker are launchers (app/launcher_main.cpp): they exec the program beside
// them ("-real") with the same arguments, exit code and streams, after naming OpenBLAS's kernels
// where OpenBLAS falls back to its SSE3 ones on a CPU it does not know.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;

// The kernel family OpenBLAS reports at start-up ("Core: SkylakeX" with OPENBLAS_VERBOSE=2), or
// "" when the BLAS is not OpenBLAS.
std::string blasCoreOf(const std::string& program, const std::vector<std::string>& environment) {
  std::vector<std::string> argv{"/usr/bin/env", "-u", "OPENBLAS_CORETYPE", "OPENBLAS_VERBOSE=2"};
  argv.insert(argv.end(), environment.begin(), environment.end());
  argv.push_back(program);
  argv.push_back("--version");
  const CommandResult result = test::runCommand(argv);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  std::smatch match;
  const std::string text = result.out + result.err;
  return std::regex_search(text, match, std::regex("Core: ([A-Za-z0-9]+)")) ? match[1].str() : "";
}

std::string realProgram() {
  return test::seqsegExecutable() + "-real";
}

TEST(Launcher, RunsTheProgramBesideItWithItsArgumentsStreamsAndExitCode) {
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"--version"}, {"info", "/nonexistent/t1.nii.gz"}}) {
    std::vector<std::string> viaLauncher{test::seqsegExecutable()}, direct{realProgram()};
    viaLauncher.insert(viaLauncher.end(), arguments.begin(), arguments.end());
    direct.insert(direct.end(), arguments.begin(), arguments.end());
    const CommandResult launched = test::runCommand(viaLauncher);
    const CommandResult real = test::runCommand(direct);
    EXPECT_EQ(launched.exitCode, real.exitCode) << arguments.back();
    EXPECT_EQ(launched.out, real.out);
    EXPECT_EQ(launched.err, real.err);
  }
  EXPECT_EQ(test::runSeqseg({"info", "/nonexistent/t1.nii.gz"}).exitCode, 2);
}

TEST(Launcher, NamesTheKernelsTheCpuSupportsWhereOpenBlasFallsBackToPrescott) {
  const std::string own = blasCoreOf(realProgram(), {});
  if (own.empty()) GTEST_SKIP() << "the BLAS LibTorch loads here is not OpenBLAS";
  std::string expected = own;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (own == "Prescott") {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
      expected = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      expected = "Haswell";
  }
#endif
  EXPECT_EQ(blasCoreOf(test::seqsegExecutable(), {}), expected) << "OpenBLAS alone: " << own;
  const std::string worker = fs::path(test::seqsegExecutable()).parent_path() / "seqseg-worker";
  EXPECT_EQ(blasCoreOf(worker, {}), expected);
}

TEST(Launcher, LeavesAKernelChoiceTheUserMadeAlone) {
  if (blasCoreOf(realProgram(), {}).empty())
    GTEST_SKIP() << "the BLAS LibTorch loads here is not OpenBLAS";
  EXPECT_EQ(blasCoreOf(test::seqsegExecutable(), {"OPENBLAS_CORETYPE=Nehalem"}), "Nehalem");
}

TEST(Launcher, WithoutTheProgramBesideItSaysSoAndExits127) {
  test::TempDir dir;
  const fs::path launcher = fs::path(dir.path()) / "seqseg";
  fs::copy_file(test::seqsegExecutable(), launcher);
  const CommandResult result = test::runCommand({launcher.string(), "--version"});
  EXPECT_EQ(result.exitCode, 127);
  EXPECT_NE(result.err.find("cannot start " + launcher.string() + "-real"), std::string::npos)
      << result.err;
}

// The environment the launcher starts the real program with, seen by /usr/bin/env in its place.
std::string launchedEnvironment(const std::vector<std::string>& environment) {
  test::TempDir dir;
  const fs::path launcher = fs::path(dir.path()) / "seqseg";
  fs::copy_file(test::seqsegExecutable(), launcher);
  fs::create_symlink("/usr/bin/env", launcher.string() + "-real");
  std::vector<std::string> argv{"/usr/bin/env", "-u", "GLIBC_TUNABLES"};
  argv.insert(argv.end(), environment.begin(), environment.end());
  argv.push_back(launcher.string());
  const CommandResult result = test::runCommand(argv);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return "\n" + result.out;
}

TEST(Launcher, AsksForHugePagesWhereTheKernelGivesThemOnRequest) {
  std::string mode;
  std::getline(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"), mode);
  const bool onRequest =
      mode.find("[always]") != std::string::npos || mode.find("[madvise]") != std::string::npos;
  EXPECT_EQ(launchedEnvironment({}).find("\nGLIBC_TUNABLES=glibc.malloc.hugetlb=1\n") !=
                std::string::npos,
            onRequest)
      << mode;
  const std::string own = launchedEnvironment({"GLIBC_TUNABLES=glibc.malloc.check=3"});
  EXPECT_NE(own.find("\nGLIBC_TUNABLES=glibc.malloc.check=3\n"), std::string::npos) << own;
  EXPECT_EQ(own.find("hugetlb"), std::string::npos) << "a setting of the user's replaced";
}

// A one-case batch: the launcher inflates the case's files while the program loads, the program
// takes them, and the masks and report are those of a run without the read-ahead.
TEST(Launcher, ReadsAOneCaseBatchAheadWithTheSameResults) {
  test::TempDir dir;
  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", dir / "in", "--cases", "1", "--size", "64x56x40", "--seed", "5"})
                .exitCode,
            0);
  const auto batch = [&](const std::string& setting, const std::string& out) {
    std::vector<std::string> argv{"/usr/bin/env", "SEQSEG_READ_AHEAD=" + setting,
                                  test::seqsegExecutable()};
    for (const std::string& argument : test::batchArguments(dir / "in", dir / out))
      argv.push_back(argument);
    const CommandResult result = test::runCommand(argv);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return result.err;
  };
  const std::string told = batch("verbose", "ahead"), quiet = batch("0", "plain");
  const std::string caseFolder = fs::canonical(dir / "in").string() + "/BraTS2021_00000/";
  for (const char* file : {"t1", "t1ce", "t2", "flair", "seg"})
    EXPECT_NE(told.find("read-ahead: " + caseFolder + "BraTS2021_00000_" + file + ".nii.gz taken"),
              std::string::npos)
        << told;
  EXPECT_EQ(quiet.find("read-ahead"), std::string::npos) << quiet;
  EXPECT_EQ(test::inflatedFile(dir / "ahead/BraTS2021_00000.nii.gz"),
            test::inflatedFile(dir / "plain/BraTS2021_00000.nii.gz"));
  nlohmann::json ahead = nlohmann::json::parse(test::readFile(dir / "ahead/report.json"));
  nlohmann::json plain = nlohmann::json::parse(test::readFile(dir / "plain/report.json"));
  for (nlohmann::json* report : {&ahead, &plain})
    for (nlohmann::json& entry : (*report)["cases"]) entry.erase("seconds"), entry.erase("mask");
  EXPECT_EQ(ahead["cases"], plain["cases"]);
}

}  // namespace
}  // namespace seqseg
