#pragma once
// Helpers shared by the unit, e2e and gui tests: temporary folders, running real programs,
// and asking nibabel (an independent reader) what it sees in a NIfTI file.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace seqseg::test {

// A fresh folder under the system temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] with arguments (no shell) and captures its exit code, stdout and stderr.
CommandResult runCommand(const std::vector<std::string>& argv);

// Starts argv[0] with arguments (no shell), stdout and stderr to `logPath`; returns its pid.
int startCommand(const std::vector<std::string>& argv, const std::string& logPath);

// Waits for a started command; returns its exit code (128 + signal when killed).
int waitCommand(int pid);

// An absolute path to a program from PATH or the sbin folders (daemons live there); empty when
// it is not installed.
std::string findProgram(const std::string& name);

// A TCP port nobody listens on right now on 127.0.0.1 (the kernel's pick).
int freePort();

// SIGTERM to a started service, then SIGKILL if it has not gone within 10 s; reaps it.
void stopService(int pid);

// True while the process exists and is not a zombie (an ended child nobody reaped yet).
bool processAlive(int pid);

// Polls `condition` every 200 ms for up to `seconds`; true once it holds.
bool waitFor(const std::function<bool()>& condition, int seconds);

// The seqseg executable of this build.
std::string seqsegExecutable();

// Runs this build's seqseg with `arguments`.
CommandResult runSeqseg(std::vector<std::string> arguments);

// The arguments of `seqseg --batch -i IN -o OUT --labels internal --threads 1 --progress json`,
// then `more`: a batch job whose masks compare byte for byte between runs.
std::vector<std::string> batchArguments(const std::string& in, const std::string& out,
                                        const std::vector<std::string>& more = {});

// Debian's python3 (with nibabel), whatever python3 comes first on PATH.
std::string systemPython();

// nibabel's view of a NIfTI file (see tests/tools/nifti_facts.py).
nlohmann::json niftiFacts(const std::string& path);

// Writes a NIfTI fixture with nibabel (see tests/tools/make_fixture.py).
void makeFixture(const std::string& kind, const std::string& path);

// A model small enough to train in seconds on 32^3 synthetic cases (a config JSON).
inline constexpr const char* kSmallModelConfig = R"({"in_channels": 4, "num_classes": 4,
  "roi": [32, 32, 32], "patch": [8, 8, 8], "embed_dim": 32, "depth": 1, "num_heads": 2,
  "mlp_ratio": 2.0, "qkv_bias": true, "decoder_channels": [16, 8, 8, 8]})";

// The training loss of each step in a run's metrics.jsonl, in order. A last line still being
// written (no newline yet, while the run goes on) is not read.
std::vector<double> stepLosses(const std::string& metricsPath);

std::string readFile(const std::string& path);
// A gzip file's content, inflated (zlib; an uncompressed file as it is).
std::string inflatedFile(const std::string& path);
void writeFile(const std::string& path, const std::string& bytes);

// Overwrites bytes at `offset` of an uncompressed file.
void patchFile(const std::string& path, long offset, const void* bytes, size_t size);

}  // namespace seqseg::test
