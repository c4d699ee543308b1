#pragma once
// Helpers shared by the unit, e2e and gui tests: temporary folders, running real programs,
// and asking nibabel (an independent reader) what it sees in a NIfTI file.
#include <nlohmann/json.hpp>

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

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& bytes);

// Overwrites bytes at `offset` of an uncompressed file.
void patchFile(const std::string& path, long offset, const void* bytes, size_t size);

}  // namespace seqseg::test
