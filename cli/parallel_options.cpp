#include "cli/parallel_options.h"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>

#include "engine/parallel/host_address.h"
#include "engine/runtime.h"

namespace seqseg {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

int environmentInt(const char* name, int fallback) {
  const auto value = environment(name);
  return value ? std::atoi(value->c_str()) : fallback;
}

// Ranks of this job on this machine, as each launcher tells it.
int localRankCount(int worldSize) {
  for (const char* name : {"LOCAL_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS",
                           "SLURM_NTASKS_PER_NODE"})
    if (const int count = environmentInt(name, 0); count > 0) return count;
  return worldSize;
}

// Under MPI (mpirun without MASTER_PORT): rank 0 picks a free port for the store and broadcasts
// it with the addresses it can be reached at (MASTER_ADDR when given, else GLOO_SOCKET_IFNAME's
// address or all of its own). Then MPI steps aside; the collectives use c10d.
void storeAddressFromMpi(RankFlags& flags, bool allLocal) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(nullptr, nullptr);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char message[4096] = {};
  if (rank == 0) {
    std::string addresses = "127.0.0.1";
    if (const auto given = environment("MASTER_ADDR")) {
      addresses = *given;
    } else if (!allLocal) {
      addresses.clear();
      for (const std::string& address : storeAddressCandidates())
        addresses += (addresses.empty() ? "" : ",") + address;
    }
    const int port = allLocal ? freeLoopbackPort() : freeStorePort();
    std::snprintf(message, sizeof message, "%s %d", addresses.c_str(), port);
  }
  MPI_Bcast(message, sizeof message, MPI_CHAR, 0, MPI_COMM_WORLD);
  char addresses[4000] = {};
  int port = 0;
  const bool received = std::sscanf(message, "%3999s %d", addresses, &port) == 2;
  std::vector<std::string> candidates;
  std::istringstream list(addresses);
  for (std::string address; std::getline(list, address, ',');) candidates.push_back(address);
  // Ranks on other hosts take the first offered address on a network of theirs; rank 0 and the
  // ranks on its host (for which any of its addresses works) take the one those ranks chose.
  const std::vector<std::string> own = hostAddresses();
  const bool besideRankZero =
      rank == 0 || std::any_of(candidates.begin(), candidates.end(), [&](const std::string& a) {
        return std::find(own.begin(), own.end(), a) != own.end();
      });
  const int noChoice = std::numeric_limits<int>::max();
  const int choice = besideRankZero || candidates.empty()
                         ? noChoice
                         : static_cast<int>(std::find(candidates.begin(), candidates.end(),
                                                      reachableAddress(candidates)) -
                                            candidates.begin());
  int chosen = noChoice;
  MPI_Allreduce(&choice, &chosen, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  MPI_Finalize();
  if (!received || candidates.empty())
    throw std::runtime_error("MPI: could not receive the store address from rank 0");
  flags.masterAddr = candidates.at(besideRankZero ? (chosen == noChoice ? 0 : chosen) : choice);
  flags.masterPort = port;
}

std::string hostName() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

void checkDevice(const ParallelRequest& options) {
  resolveDevice(options.device);
}

void checkParallelRequest(const ParallelRequest& request, const ModelConfig& config) {
  checkParallelSettings({request.split, request.attention, request.decoder}, config, request.ranks);
}

bool startedAsRank() {
  const RankInfo info = discoverRanks();
  return info.source != "default" && info.size > 1;
}

JobRank joinJob(const ParallelRequest& options) {
  RankFlags flags;
  const bool underMpi = environment("OMPI_COMM_WORLD_SIZE").has_value();
  const int mpiSize = environmentInt("OMPI_COMM_WORLD_SIZE", 1);
  // One machine: the store and Gloo stay on 127.0.0.1; several: the addresses that reach rank 0.
  const int worldSize = environmentInt("WORLD_SIZE", 1);
  const bool allLocal = environmentInt("OMPI_COMM_WORLD_LOCAL_SIZE", mpiSize) == mpiSize &&
                        environmentInt("LOCAL_WORLD_SIZE", worldSize) == worldSize &&
                        environmentInt("SLURM_STEP_NUM_NODES", 1) <= 1 &&
                        environmentInt("SLURM_NNODES", 1) <= 1;
  if (underMpi && mpiSize > 1 && !environment("MASTER_PORT")) storeAddressFromMpi(flags, allLocal);
  const RankInfo info = discoverRanks(flags);
  if (options.ranks > 1 && info.size != options.ranks)
    throw std::invalid_argument("--ranks " + std::to_string(options.ranks) + " but the " +
                                info.source + " job has " + std::to_string(info.size) + " ranks");
  JobRank job;
  job.localRanks = std::min(localRankCount(info.size), info.size);
  const c10::Device device = resolveDevice(options.device, info.localRank);
  ComputeOptions compute;
  compute.device = options.device;
  compute.checkpointActivations = options.checkpointActivations;
  const bool placed = device.is_cuda() || compute.checkpointActivations;
  if (info.size == 1) {
    job.group = ProcessGroup::single();
    if (placed) job.execution = onDevice(nullptr, device, compute);
    return job;
  }
  ProcessGroupOptions groupOptions;
  if (!allLocal) {
    // Ranks on several hosts: Gloo binds the address of the interface that reaches rank 0.
    const std::string self = "rank " + std::to_string(info.rank) + " of " +
                             std::to_string(info.size) + " on " + hostName();
    try {
      groupOptions.bindHost = glooBindAddress(info);
      // One write, so that launchers gathering several ranks' output do not split the line.
      const std::string line = "seqseg: " + self + ": store at " + resolveIpv4(info.masterAddr) +
                               ":" + std::to_string(info.masterPort) + ", Gloo bound to " +
                               groupOptions.bindHost + "\n";
      [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, line.data(), line.size());
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(self + ": " + error.what());
    }
  }
  // NCCL needs a GPU of its own per rank; ranks sharing a GPU exchange CUDA tensors over Gloo.
  const int lastLocal = job.localRanks - 1;
  if (device.is_cuda() && resolveDevice(options.device, lastLocal).index() == lastLocal)
    groupOptions.cudaDevice = device.index();
  job.group = ProcessGroup::create(info, groupOptions);
  ParallelSettings settings{options.split, options.attention, options.decoder};
  settings.fusedAttention = device.is_cuda();
  job.execution = sequenceParallelExecution(job.group, settings);
  if (placed) job.execution = onDevice(job.execution, device, compute);
  return job;
}

}  // namespace seqseg
