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
// - NCCL (CUDA builds of 2.x only): ProcessGroupNCCL, also a Backend, with native
//   _reduce_scatter_base / _allgather_base and send/recv coalescing.
// The c10d Gloo header compiles only with USE_C10D_GLOO defined; libtorch's own build defines
// it, users must define it themselves.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
// NCCL: only in CUDA builds of LibTorch 2.x (whose own build defines USE_C10D_NCCL).
#if SEQSEG_TORCH_HAS_CUDA
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

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

#if SEQSEG_TORCH_HAS_CUDA
using NcclGroup = c10d::ProcessGroupNCCL;
using NcclWork = c10::intrusive_ptr<c10d::Work>;

// A group of one needs no TCP store: an in-process one serves NCCL's unique-id exchange.
inline c10::intrusive_ptr<NcclGroup> ncclGroup(const std::string& host, int port, int rank,
                                               int size, std::chrono::milliseconds timeout) {
  c10::intrusive_ptr<c10d::Store> store;
  if (size == 1)
    store = c10::make_intrusive<c10d::HashStore>();
  else
    store = tcpStore(host, port, rank == 0, size, timeout);
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>("seqseg/nccl", store);
  auto options = NcclGroup::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<NcclGroup>(prefixed, rank, size, options);
}
#endif

}  // namespace seqseg::compat
