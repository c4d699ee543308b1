#include "engine/parallel/memory_cap.h"

#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>

#include <c10/util/Exception.h>

namespace seqseg {

void capProcessMemory(int64_t mib) {
  if (mib < 1) throw std::invalid_argument("memory cap must be at least 1 MiB");
  rlimit limit{};
  limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(mib) << 20;
  if (setrlimit(RLIMIT_DATA, &limit) != 0)
    throw std::runtime_error(std::string("setrlimit(RLIMIT_DATA) failed: ") + std::strerror(errno));
}

void returnFreedMemoryPromptly() {
#ifdef __GLIBC__
  // A fixed threshold also stops glibc's dynamic adjustment (and fixes the trim threshold).
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

bool isOutOfMemory(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) return true;
  if (const auto* system = dynamic_cast<const std::system_error*>(&error)) {
    const int code = system->code().value();
    if (system->code().category() == std::generic_category() ||
        system->code().category() == std::system_category())
      if (code == EAGAIN || code == ENOMEM) return true;
  }
  const auto* c10Error = dynamic_cast<const c10::Error*>(&error);
  const std::string text = c10Error ? c10Error->what_without_backtrace() : error.what();
  for (const char* sign : {"not enough memory", "bad_alloc", "Cannot allocate memory"})
    if (text.find(sign) != std::string::npos) return true;
  return false;
}

}  // namespace seqseg
