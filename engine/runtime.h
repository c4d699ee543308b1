#pragma once
// Process-wide LibTorch settings and version facts.
#include <string>

namespace seqseg {

std::string torchVersion();

// Debian's libtorch starts with one intra-op thread whatever the core count; set it explicitly.
// threads <= 0 means all cores of this machine divided among `localRanks` processes.
int configureThreads(int threads, int localRanks = 1);

}  // namespace seqseg
