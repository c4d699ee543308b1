#include "engine/runtime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <thread>

namespace seqseg {

std::string torchVersion() {
  return TORCH_VERSION;
}

int configureThreads(int threads, int localRanks) {
  if (threads <= 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max(1, cores / std::max(1, localRanks));
  }
  at::set_num_threads(threads);
  return threads;
}

}  // namespace seqseg
