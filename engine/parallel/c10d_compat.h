#pragma once
// Every c10d difference between Debian's libtorch 1.13 (CPU build) and PyTorch 2.x's libtorch
// (GPU build) that engine/parallel depends on lives here (engine/torch_compat.h holds the
// non-distributed ones):
// - 1.13: ProcessGroupGloo derives from c10d::ProcessGroup; 2.x: from c10d::Backend. The
//   parallel runtime therefore holds the concrete ProcessGroupGloo and never the base class.
// - Gloo 1.13 has no reduce_scatter and no flat _allgather_base. Both builds use only
//   alltoall_base (also ~2.5x faster than list-form allgather on loopback), allreduce,
//   send/recv and barrier, which exist with the same signatures in both.
// - 2.x adds a lazyInit flag (defaulted) to createDeviceForHostname.
// The c10d Gloo header compiles only with USE_C10D_GLOO defined; libtorch's own build defines
// it, users must define it themselves.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "engine/torch_compat.h"

namespace seqseg::compat {

using GlooGroup = c10d::ProcessGroupGloo;
using GlooWork = c10::intrusive_ptr<c10d::Work>;

inline c10::intrusive_ptr<GlooGroup::Options> glooOptions(const std::string& bindHost,
                                                          std::chrono::milliseconds timeout,
                                                          int threads) {
  auto options = GlooGroup::Options::create(timeout);
  options->devices.push_back(bindHost.empty() ? GlooGroup::createDefaultDevice()
                                              : GlooGroup::createDeviceForHostname(bindHost));
  options->threads = threads;
  return options;
}

inline c10::intrusive_ptr<c10d::TCPStore> tcpStore(const std::string& host, int port, bool isServer,
                                                   int worldSize,
                                                   std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(port);
  options.isServer = isServer;
  options.numWorkers = static_cast<std::size_t>(worldSize);
  options.waitWorkers = false;  // the Gloo rendezvous waits for every rank anyway
  options.timeout = timeout;
  return c10::make_intrusive<c10d::TCPStore>(host, options);
}

}  // namespace seqseg::compat
