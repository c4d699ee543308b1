#include "types/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "types/input_error.h"

namespace seqseg {
namespace {

// Temporary paths of writes in progress, readable from a signal handler: fixed storage, slots
// claimed and released with atomics, unlink() only (async-signal-safe).
constexpr int kSlots = 32;
constexpr size_t kPathCapacity = 4096;
char slotPaths[kSlots][kPathCapacity];
std::atomic<bool> slotUsed[kSlots];

int claimSlot(const std::string& path) {
  if (path.size() >= kPathCapacity) return -1;
  for (int slot = 0; slot < kSlots; ++slot) {
    bool expected = false;
    if (slotUsed[slot].compare_exchange_strong(expected, true)) {
      std::memcpy(slotPaths[slot], path.c_str(), path.size() + 1);
      return slot;
    }
  }
  return -1;  // more concurrent writes than slots: that write is just not cleaned on signals
}

void releaseSlot(int slot) {
  if (slot >= 0) slotUsed[slot].store(false);
}

extern "C" void removeTemporariesAndExit(int signal) {
  for (int slot = 0; slot < kSlots; ++slot)
    if (slotUsed[slot].load()) ::unlink(slotPaths[slot]);
  _exit(128 + signal);
}

}  // namespace

void removeTemporaryFilesOnSignals() {
  struct sigaction action {};
  action.sa_handler = removeTemporariesAndExit;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal, &action, nullptr);
}

// Hidden, and unique per process and writer, so parallel writers never collide:
// ".NAME.tmp-PID-N".
static std::string temporaryMarker(int pid) {
  return ".tmp-" + std::to_string(pid) + "-";
}

AtomicFile::AtomicFile(std::string finalPath) : finalPath_(std::move(finalPath)) {
  static std::atomic<int> counter{0};
  const std::filesystem::path target(finalPath_);
  const std::string name =
      "." + target.filename().string() + temporaryMarker(::getpid()) + std::to_string(counter++);
  temporaryPath_ = (target.parent_path() / name).string();
  signalSlot_ = claimSlot(temporaryPath_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temporaryPath_.c_str());
  releaseSlot(signalSlot_);
}

int removeTemporaryFilesOf(const std::string& folder, int pid) {
  std::error_code error;
  int removed = 0;
  const std::string marker = pid < 0 ? std::string(".tmp-") : temporaryMarker(pid);
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(marker) != std::string::npos &&
        std::filesystem::remove(entry.path(), error))
      ++removed;
  }
  return removed;
}

void AtomicFile::commit() {
  if (std::rename(temporaryPath_.c_str(), finalPath_.c_str()) != 0)
    throw InputError(finalPath_, std::string("cannot move into place: ") + std::strerror(errno));
  committed_ = true;
}

void checkFolderWritable(const std::string& folder) {
  const std::string probe =
      (std::filesystem::path(folder) / (".seqseg-write-probe" + temporaryMarker(::getpid()) + "0"))
          .string();
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    throw InputError(
        folder, std::string("the output folder is not writable (") + std::strerror(errno) + ")");
  ::close(fd);
  ::unlink(probe.c_str());
}

void writeFileAtomically(const std::string& path, const std::string& text) {
  AtomicFile out(path);
  {
    std::ofstream stream(out.temporaryPath(), std::ios::binary);
    stream << text;
    stream.close();  // a full disk often shows only when the buffer is flushed
    if (!stream) throw InputError(path, "write failed (disk full or not writable?)");
  }
  out.commit();
}

}  // namespace seqseg
