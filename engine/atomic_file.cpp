#include "engine/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/input_error.h"

namespace seqseg {

AtomicFile::AtomicFile(std::string finalPath) : finalPath_(std::move(finalPath)) {
  static std::atomic<int> counter{0};
  const std::filesystem::path target(finalPath_);
  // Hidden, and unique per process and writer, so parallel writers never collide.
  const std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                           "-" + std::to_string(counter++);
  temporaryPath_ = (target.parent_path() / name).string();
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temporaryPath_.c_str());
}

void AtomicFile::commit() {
  if (std::rename(temporaryPath_.c_str(), finalPath_.c_str()) != 0)
    throw InputError(finalPath_, std::string("cannot move into place: ") + std::strerror(errno));
  committed_ = true;
}

}  // namespace seqseg
