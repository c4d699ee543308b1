#pragma once
// The sequence-parallel group: rank discovery, a TCPStore bootstrap and a small set of
// collectives over c10d Gloo (docs/architecture.md, "Ranks, launch, jobs").
//
// - Collectives work on dim 0 of contiguous tensors (callers move the split dim to the front).
//   All-gather and reduce-scatter are built from alltoall_base with per-rank counts, so
//   uneven parts need no padding: all-gather sends the local block to every peer, reduce-scatter
//   sends block j to rank j and sums what arrives (the same bytes as a native reduce-scatter).
// - Non-CPU tensors are staged through host memory (Gloo send/recv are CPU-only in 1.13).
// - Every operation has a timeout (Gloo's context timeout plus a bounded wait). A failed or
//   timed-out operation marks the group broken and throws CollectiveError, whose message names
//   the ranks that stopped answering: each rank bumps a heartbeat counter in the store every
//   500 ms from a thread of its own, so after a failure the counters that no longer move name
//   the dead or hung ranks (rank 0 when the store, which it hosts, is gone).
// - size 1 needs no store and no Gloo: every collective is the identity.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace seqseg {

// Where this process sits in the job.
struct RankInfo {
  int rank = 0;
  int size = 1;
  int localRank = 0;
  std::string masterAddr = "127.0.0.1";  // store host (rank 0's address)
  int masterPort = 0;                    // store port; 0 = none (only valid for size 1)
  std::string source = "default";        // flags, openmpi, pmi, slurm, torchrun or default
};

// Values given on the command line; each one overrides the environment.
struct RankFlags {
  std::optional<int> rank, size, localRank, masterPort;
  std::optional<std::string> masterAddr;
};

// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvironment();

// Rank discovery in the order of docs/architecture.md ("Ranks, launch, jobs"): explicit flags;
// OpenMPI (OMPI_COMM_WORLD_RANK/SIZE/ LOCAL_RANK); MPICH/PMI (PMI_RANK/PMI_SIZE, MPI_LOCALRANKID);
// Slurm (SLURM_PROCID/NTASKS/ LOCALID); torchrun (RANK/WORLD_SIZE/LOCAL_RANK). The store address
// comes from the flags, else MASTER_ADDR/MASTER_PORT, else (under srun) the step's first node and a
// port derived from SLURM_JOB_ID and SLURM_STEP_ID, else 127.0.0.1 (a local job). Throws
// std::invalid_argument for a malformed number, rank outside [0, size), or size > 1 without a store
// port.
RankInfo discoverRanks(const RankFlags& flags = {}, const EnvLookup& env = processEnvironment());

// The other side of discoverRanks for a local job: sets this process's environment to that of
// rank `rank` of `ranks` on this machine with the store at 127.0.0.1:`port` (the torchrun
// variables; other launchers' variables, which discovery would prefer, are removed). Called in a
// forked child before it execs the rank's program.
void setLocalRankEnvironment(int rank, int ranks, int port);

// The first host of a Slurm node list ("node[07-09,12],gpu1" -> "node07").
std::string firstSlurmHost(const std::string& nodeList);

// A TCP port on 127.0.0.1 that was free a moment ago, for the store of a local job.
int freeLoopbackPort();

// A collective that failed or timed out; the message names the unresponsive ranks.
class CollectiveError : public std::runtime_error {
 public:
  CollectiveError(const std::string& message, std::vector<int> deadRanks)
      : std::runtime_error(message), deadRanks_(std::move(deadRanks)) {}
  const std::vector<int>& deadRanks() const { return deadRanks_; }

 private:
  std::vector<int> deadRanks_;
};

struct ProcessGroupOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // every operation
  // Address Gloo listens on ("" = this host's name); on several hosts see host_address.h.
  std::string bindHost = "127.0.0.1";
  int glooThreads = 1;
  bool heartbeat = true;  // run the liveness counter thread (needed to name dead ranks)
  int cudaDevice = -1;    // >= 0: ranks on GPUs, collectives over NCCL on this device
};

// An operation started with sendAsync/recvAsync; wait() completes it (throws on failure).
class PendingOp {
 public:
  virtual ~PendingOp() = default;
  virtual void wait() = 0;
};

class ProcessGroup {
 public:
  // Joins the group described by info (rank 0 starts the TCPStore server on masterPort, on every
  // interface; the others wait for it to answer). A store that cannot be started or reached
  // within the timeout, or a bindHost Gloo cannot bind, is std::invalid_argument: one line
  // naming the rank and the address.
  static std::shared_ptr<ProcessGroup> create(const RankInfo& info,
                                              const ProcessGroupOptions& options = {});
  // A group of one: no communication at all.
  static std::shared_ptr<ProcessGroup> single();

  virtual ~ProcessGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // In place: every rank ends with the elementwise sum.
  virtual void allReduceSum(at::Tensor& tensor) = 0;
  // Dim-0 concatenation of every rank's tensor, rank order; counts[r] = rank r's size(0)
  // (counts.size() == size(); the other dims must agree).
  virtual at::Tensor allGather(const at::Tensor& tensor, const std::vector<int64_t>& counts) = 0;
  // tensor holds sum(counts) rows; rank r receives the sum over ranks of rows
  // [offset_r, offset_r + counts[r]).
  virtual at::Tensor reduceScatterSum(const at::Tensor& tensor,
                                      const std::vector<int64_t>& counts) = 0;
  // Sends rows [in offset_j, + sendCounts[j]) to rank j; returns the blocks received, rank
  // order, recvCounts[j] rows from rank j.
  virtual at::Tensor allToAll(const at::Tensor& tensor, const std::vector<int64_t>& sendCounts,
                              const std::vector<int64_t>& recvCounts) = 0;
  virtual void send(const at::Tensor& tensor, int dst, int tag) = 0;
  virtual void recv(at::Tensor& tensor, int src, int tag) = 0;  // into a tensor of the right shape
  virtual std::unique_ptr<PendingOp> sendAsync(const at::Tensor& tensor, int dst, int tag) = 0;
  virtual std::unique_ptr<PendingOp> recvAsync(at::Tensor& tensor, int src, int tag) = 0;
  virtual void barrier() = 0;

  // Every rank's value of a small integer (e.g. a token count).
  std::vector<int64_t> allGatherCounts(int64_t value);

  // Payload bytes this rank has handed to its peers since the group was made (for benchmarks):
  // all-to-all / all-gather / reduce-scatter count the rows sent to other ranks, send counts the
  // tensor, all-reduce counts 2 (R-1)/R of the buffer (the ring algorithm's volume); barriers and
  // the store count nothing.
  uint64_t bytesSent() const { return bytesSent_.load(); }

 protected:
  void countSent(uint64_t bytes) { bytesSent_ += bytes; }

 private:
  std::atomic<uint64_t> bytesSent_{0};
};

}  // namespace seqseg
