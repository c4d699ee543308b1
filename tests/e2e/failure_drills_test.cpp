// Failure drills on the real command line: a full output file system, a read-only output
// folder, corrupt and truncated checkpoints, and the desktop application killed with SIGKILL
// while its Segment job runs. Mount-based drills need CAP_SYS_ADMIN (root on this machine) and
// are skipped with the reason otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"
#include "types/resource_paths.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

constexpr const char* kFirst = "BraTS2021_00000";
constexpr const char* kSecond = "BraTS2021_00001";

// A tmpfs mounted on `where` for the life of the object.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& where, const std::string& options) : where_(where) {
    fs::create_directories(where);
    if (::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0)
      mounted_ = true;
    else
      error_ = std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string where_;
  bool mounted_ = false;
  std::string error_;
};

std::vector<std::string> namesIn(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

int lineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

class FailureDrill : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_EQ(test::runSeqseg({"synth", "--out", *dir_ / "cases", "--cases", "2", "--size", "32",
                               "--seed", "11"})
                  .exitCode,
              0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string cases() { return *dir_ / "cases"; }
  static TempDir* dir_;
  TempDir work_;
};
TempDir* FailureDrill::dir_ = nullptr;

// The output file system fills up at the second case: that case fails with a clear error and
// leaves neither its mask nor a temporary file; the first case's mask is untouched; exit 1.
TEST_F(FailureDrill, FullOutputFileSystemFailsTheCaseAndKeepsTheOthers) {
  const std::string out = work_ / "out";
  TmpfsMount tmpfs(out, "size=1m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();

  const CommandResult first = test::runSeqseg(
      test::batchArguments(cases(), out, {"--case", kFirst, "--report", work_ / "first.json"}));
  ASSERT_EQ(first.exitCode, 0) << first.err;
  const std::string firstMask = out + "/" + kFirst + ".nii.gz";
  const std::string firstBytes = test::readFile(firstMask);

  {  // Fill every remaining byte.
    std::ofstream filler(out + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) {
    }
  }
  const CommandResult all = test::runSeqseg(
      test::batchArguments(cases(), out, {"--skip-existing", "--report", work_ / "report.json"}));
  EXPECT_EQ(all.exitCode, 1) << all.err;
  EXPECT_NE(all.out.find("\"event\":\"error\""), std::string::npos) << all.out;
  EXPECT_NE(all.out.find(std::string(kSecond) + ".nii.gz: write failed (disk full"),
            std::string::npos)
      << all.out;
  EXPECT_EQ(namesIn(out), (std::vector<std::string>{std::string(kFirst) + ".nii.gz", "filler"}))
      << "no partial mask and no temporary file may stay";
  EXPECT_EQ(test::readFile(firstMask), firstBytes);
  const auto report = nlohmann::json::parse(test::readFile(work_ / "report.json"));
  ASSERT_EQ(report["cases"].size(), 2u);
  EXPECT_EQ(report["cases"][0]["status"], "skipped");
  EXPECT_EQ(report["cases"][1]["status"], "failed");
  EXPECT_EQ(report["failed"], 1);
}

// The float images (--save-probabilities) take their own, streamed write: when the file system
// fills up in the middle of one, the case fails naming it, and no partial file or temporary
// file stays.
TEST_F(FailureDrill, FullFileSystemWhileWritingProbabilitiesLeavesNothingHalfWritten) {
  const std::string out = work_ / "out";
  // Room for the mask (a few kB) but not for the 524 kB of four class probabilities, which
  // deflate to about half.
  TmpfsMount tmpfs(out, "size=128k");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();

  const CommandResult result = test::runSeqseg(
      test::batchArguments(cases(), out, {"--case", kFirst, "--save-probabilities"}));
  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_NE(result.out.find(std::string(kFirst) + "_probabilities.nii.gz: write failed (disk full"),
            std::string::npos)
      << result.out;
  for (const std::string& name : namesIn(out))
    EXPECT_EQ(name.find("probabilities"), std::string::npos) << name << " must not stay";
  for (const std::string& name : namesIn(out))
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << name << " must not stay";
}

// A read-only output folder is refused before the model is loaded or any case is read.
TEST_F(FailureDrill, ReadOnlyOutputFolderIsRefusedBeforeAnyWork) {
  const std::string out = work_ / "readonly";
  TmpfsMount tmpfs(out, "size=1m,mode=0755");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << tmpfs.error();
  ASSERT_EQ(::mount("tmpfs", out.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << std::strerror(errno);

  const CommandResult result = test::runSeqseg(test::batchArguments(cases(), out));
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(result.err, "seqseg: error: " + out +
                            ": the output folder is not writable (Read-only file system)\n");
  EXPECT_EQ(result.out.find("\"event\":\"start\""), std::string::npos)
      << "no work may start: " << result.out;
  EXPECT_TRUE(namesIn(out).empty());
}

// A truncated or corrupted checkpoint gives one line naming it and exit 2, for --batch and for
// train --resume.
TEST_F(FailureDrill, CorruptOrTruncatedCheckpointGivesOneLine) {
  const std::string bytes = test::readFile(bundledModelPath());
  ASSERT_GT(bytes.size(), 4096u);
  std::string corrupt = bytes;
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 256; ++i) corrupt[i] ^= 0x5a;
  const std::vector<std::pair<std::string, std::string>> models{
      {work_ / "truncated.pt", bytes.substr(0, bytes.size() / 2)},
      {work_ / "header-only.pt", bytes.substr(0, 100)},
      {work_ / "corrupt.pt", corrupt},
      {work_ / "noise.pt", std::string(5000, '\x93')}};
  for (const auto& [path, content] : models) {
    test::writeFile(path, content);
    const CommandResult result =
        test::runSeqseg(test::batchArguments(cases(), work_ / "out", {"--model", path}));
    EXPECT_EQ(result.exitCode, 2) << path << ": " << result.err;
    EXPECT_EQ(result.err.rfind("seqseg: error: " + path + ": ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("checkpoint"), std::string::npos) << result.err;
    EXPECT_EQ(lineCount(result.err), 1) << result.err;
    EXPECT_FALSE(fs::exists(work_ / "out/" + kFirst + ".nii.gz"));
  }
  // Well-formed pickles of the wrong shape (made by Python's torch.save, as a stranger's file
  // would be): a format of another type, no weights, weights that are not a dict.
  const std::string makeOdd =
      "import sys, torch\n"
      "config = open(sys.argv[1]).read()\n"
      "torch.save({'format': 5}, sys.argv[2] + '/format-int.pt')\n"
      "torch.save({'format': 'seqseg-checkpoint-1', 'config': config, 'meta': '{}'},\n"
      "           sys.argv[2] + '/no-weights.pt')\n"
      "torch.save({'format': 'seqseg-checkpoint-1', 'config': config, 'meta': '{}', 'model': 7},\n"
      "           sys.argv[2] + '/weights-int.pt')\n";
  const CommandResult made = test::runCommand(
      {test::systemPython(), "-c", makeOdd,
       std::string(SEQSEG_SOURCE_DIR) + "/resources/presets/tiny.json", work_.path()});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  for (const char* name : {"format-int.pt", "no-weights.pt", "weights-int.pt"}) {
    const std::string path = work_ / name;
    const CommandResult result =
        test::runSeqseg(test::batchArguments(cases(), work_ / "out", {"--model", path}));
    EXPECT_EQ(result.exitCode, 2) << path << ": " << result.err;
    EXPECT_EQ(result.err.rfind("seqseg: error: " + path + ": ", 0), 0u) << result.err;
    EXPECT_EQ(lineCount(result.err), 1) << result.err;
  }
  // train --resume from a truncated last.pt.
  const std::string run = work_ / "run";
  fs::create_directories(run);
  test::writeFile(run + "/last.pt", bytes.substr(0, bytes.size() / 3));
  const CommandResult resume =
      test::runSeqseg({"train", "--data", cases(), "--out", run, "--config", "tiny", "--epochs",
                       "1", "--steps-per-epoch", "1", "--threads", "1", "--resume"});
  EXPECT_EQ(resume.exitCode, 2) << resume.err;
  EXPECT_NE(resume.err.find(run + "/last.pt"), std::string::npos) << resume.err;
  EXPECT_EQ(lineCount(resume.err), 1) << resume.err;
}

// The other side of the drill above: the bundled model loaded and saved again by Python's
// torch.save (its dicts are pickled as Dict[Any, Any]) is a valid checkpoint, and segments the
// same mask byte for byte.
TEST_F(FailureDrill, CheckpointResavedByPythonSegmentsTheSameMask) {
  const std::string resaved = work_ / "resaved.pt";
  const CommandResult made =
      test::runCommand({test::systemPython(), "-c",
                        "import sys, torch\ntorch.save(torch.load(sys.argv[1]), sys.argv[2])\n",
                        bundledModelPath(), resaved});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  const std::string original = work_ / "original", python = work_ / "python";
  const CommandResult first = test::runSeqseg(test::batchArguments(cases(), original));
  ASSERT_EQ(first.exitCode, 0) << first.err;
  const CommandResult second =
      test::runSeqseg(test::batchArguments(cases(), python, {"--model", resaved}));
  ASSERT_EQ(second.exitCode, 0) << second.err;
  const std::string mask = "/" + std::string(kFirst) + ".nii.gz";
  EXPECT_EQ(test::readFile(python + mask), test::readFile(original + mask));
}

struct ProcessEntry {
  int pid = 0;
  int parent = 0;
  bool zombie = false;
};

std::vector<ProcessEntry> allProcesses() {
  std::vector<ProcessEntry> processes;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    ProcessEntry process;
    process.pid = std::stoi(name);
    rest >> state >> process.parent;
    process.zombie = state == "Z";
    processes.push_back(process);
  }
  return processes;
}

// `root` and every live process below it.
std::vector<int> liveTree(int root) {
  const std::vector<ProcessEntry> processes = allProcesses();
  std::vector<int> tree;
  std::vector<int> frontier{root};
  while (!frontier.empty()) {
    const int pid = frontier.back();
    frontier.pop_back();
    for (const ProcessEntry& process : processes) {
      if (process.pid == pid && !process.zombie) tree.push_back(pid);
      if (process.parent == pid) frontier.push_back(process.pid);
    }
  }
  return tree;
}

// Which of `pids` still run (zombies have ended).
std::vector<int> stillRunning(const std::vector<int>& pids) {
  std::vector<int> running;
  for (const ProcessEntry& process : allProcesses())
    if (!process.zombie && std::find(pids.begin(), pids.end(), process.pid) != pids.end())
      running.push_back(process.pid);
  return running;
}

// SIGKILL of the desktop application while its Segment job runs on two ranks: the batch
// process and both workers end at once (they die with their parent), and no mask appears.
// tests/e2e/segment_job_host.cpp runs the application's own SegmentationJob.
TEST_F(FailureDrill, KilledDesktopApplicationLeavesNoWorkerRunning) {
  const std::string log = work_ / "host.log";
  const int host =
      test::startCommand({std::string(SEQSEG_BINARY_DIR) + "/tests/e2e/seqseg_segment_job_host",
                          cases() + "/" + kFirst, "2"},
                         log);
  int batch = 0;
  std::string outputFolder;
  std::vector<int> job;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  // Wait until the job runs on both ranks (the batch process and two workers).
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log);
    std::string word;
    while (in >> word) {
      if (word == "batch") in >> batch;
      if (word == "output") in >> outputFolder;
    }
    if (batch > 0 && (job = liveTree(batch)).size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(job.size(), 3u) << test::readFile(log);

  ASSERT_EQ(::kill(host, SIGKILL), 0);
  EXPECT_EQ(test::waitCommand(host), 128 + SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  while (!stillRunning(job).empty() &&
         std::chrono::steady_clock::now() - killed < std::chrono::seconds(15))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::vector<int> left = stillRunning(job);
  for (int pid : left) ::kill(pid, SIGKILL);  // do not leave them to the next test
  EXPECT_TRUE(left.empty()) << left.size() << " processes of the job outlived the application";
  // They were stopped, not left to finish: the job's private folder holds no mask.
  ASSERT_FALSE(outputFolder.empty());
  EXPECT_FALSE(fs::exists(outputFolder + "/" + kFirst + ".nii.gz"));
  std::error_code ignored;
  fs::remove_all(outputFolder, ignored);  // the killed application could not remove it
}

}  // namespace
}  // namespace seqseg
