// seqseg and seqseg-worker as started by people, scripts, mpirun and srun: a small program that
// prepares the environment the real program (the same path with "-real" appended) must be
// loaded with, then replaces itself with it (same process, arguments and standard streams).
//
// What it prepares: OpenBLAS's kernels. Debian's OpenBLAS (0.3.21) picks them by CPU model
// and falls back to its SSE3 "Prescott" kernels on models newer than itself (Intel Sapphire and
// Emerald Rapids, AMD Zen 4), where the encoder's matrix products run 2-4x slower. It reads
// OPENBLAS_CORETYPE once, in its library constructor, which runs before any code of the real
// program, so the variable has to be in the environment the program starts with. Only when the
// user has not set it and OpenBLAS's own choice is Prescott on a CPU with AVX2 or AVX-512 is it
// set, to the kernel family the CPU and the OS support; otherwise nothing changes.
//
// Then transparent huge pages for malloc's large blocks (glibc's glibc.malloc.hugetlb=1 tunable,
// read by the loader at start): a case's volumes, tensors and masks are hundreds of MB, and
// faulting them in 4 KiB pages cost a tenth of a `--batch` case's time. Only where the kernel
// offers huge pages on request and the user has not set GLIBC_TUNABLES.
//
// And, for a one-rank `--batch` over a few .nii.gz files (one case), it starts inflating them
// while the real program loads (io/nifti_read_ahead.h). SEQSEG_READ_AHEAD=0 turns that off;
// SEQSEG_READ_AHEAD=verbose says on standard error what the program took.
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "io/nifti_read_ahead.h"
#include "jobs/job_options.h"

namespace {

// Sets (value) or removes (nullptr) an environment variable until the end of the scope.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, hadOld_ = true;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedVariable() {
    if (hadOld_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::string old_;
  bool hadOld_ = false;
};

// The kernel family OpenBLAS should use here, or nullptr to leave its choice alone.
const char* betterBlasCore() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (std::getenv("OPENBLAS_CORETYPE")) return nullptr;  // the user's choice
  __builtin_cpu_init();
  const char* core = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    core = "SkylakeX";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    core = "Haswell";
  if (!core) return nullptr;
  // Ask the BLAS LibTorch loads (Debian's alternative libblas.so.3) which kernels it chose: one
  // thread (no thread pool) and silent (its OPENBLAS_VERBOSE line is the real program's to
  // print). Not OpenBLAS: nothing to choose.
  const ScopedVariable threads("OPENBLAS_NUM_THREADS", "1");
  const ScopedVariable quiet("OPENBLAS_VERBOSE", nullptr);
  const char* chosen = nullptr;
  if (void* blas = dlopen("libblas.so.3", RTLD_NOW | RTLD_LOCAL)) {
    using CoreName = char* (*)();
    if (auto coreName = reinterpret_cast<CoreName>(dlsym(blas, "openblas_get_corename")))
      chosen = coreName();
  }
  if (!chosen || strcasecmp(chosen, "Prescott") != 0) return nullptr;
  return core;
#else
  return nullptr;
#endif
}

// The .nii.gz files a one-rank `--batch` will read first: those of --t1/--t1ce/--t2/--flair, or
// every one in the -i folder when it holds few enough to be one case. Empty when the command is
// anything else (the GUI, ranks, a cluster job, help).
std::vector<std::string> batchInputFiles(char** argv) {
  std::vector<std::string> arguments;
  for (char** arg = argv + 1; *arg; ++arg) arguments.push_back(*arg);
  const std::optional<seqseg::SegmentRequest> request = seqseg::readSegmentArguments(arguments);
  // Ranks and cluster jobs read their cases elsewhere; --skip-existing may read none of them.
  if (!request || request->parallel.ranks > 1 || request->parallel.launcher != "local" ||
      !request->parallel.cluster.empty() || request->skipExisting)
    return {};
  std::vector<std::string> files;
  if (request->caseAsFiles()) files = {request->t1, request->t1ce, request->t2, request->flair};
  namespace fs = std::filesystem;
  if (!request->input.empty()) {
    std::error_code error;
    fs::recursive_directory_iterator entry(request->input, error), end;
    for (; !error && entry != end; entry.increment(error)) {
      if (entry.depth() >= 3) entry.disable_recursion_pending();
      const std::string path = entry->path().string();
      if (seqseg::isGzippedNiftiName(path) && entry->is_regular_file(error)) files.push_back(path);
      if (files.size() > static_cast<size_t>(seqseg::kReadAheadMaxFiles)) return {};
    }
  }
  return files;
}

// "[always]" or "[madvise]": the kernel gives a region huge pages when malloc asks for them.
bool hugePagesOnRequest() {
  std::FILE* file = std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!file) return false;
  char line[128] = "";
  const bool read = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  return read && (std::strstr(line, "[always]") || std::strstr(line, "[madvise]"));
}

void startBatchReadAhead(char** argv) {
  const char* setting = std::getenv("SEQSEG_READ_AHEAD");
  if (setting && std::strcmp(setting, "0") == 0) return;
  const std::vector<std::string> files = batchInputFiles(argv);
  if (!files.empty())
    seqseg::startReadAhead(files, setting && std::strcmp(setting, "verbose") == 0);
}

}  // namespace

int main(int, char** argv) {
  char self[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0) {
    std::fprintf(stderr, "%s: cannot find its own executable (/proc/self/exe): %s\n", argv[0],
                 std::strerror(errno));
    return 127;
  }
  const std::string program = std::string(self, static_cast<size_t>(length)) + "-real";
  startBatchReadAhead(argv);
  if (const char* core = betterBlasCore()) setenv("OPENBLAS_CORETYPE", core, 1);
  if (!std::getenv("GLIBC_TUNABLES") && hugePagesOnRequest())
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
  execv(program.c_str(), argv);
  std::fprintf(stderr, "%s: cannot start %s: %s\n", argv[0], program.c_str(), std::strerror(errno));
  return 127;
}
