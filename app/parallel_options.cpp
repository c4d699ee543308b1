#include "app/parallel_options.h"

#include <mpi.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

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

// Under MPI (mpirun without MASTER_ADDR/PORT): rank 0 picks a free port for the store and
// broadcasts "host port" to the others, then MPI steps aside; the collectives use c10d.
void storeAddressFromMpi(RankFlags& flags, bool allLocal) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(nullptr, nullptr);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char address[256] = {};
  if (rank == 0) {
    char host[200] = "127.0.0.1";
    if (!allLocal) gethostname(host, sizeof host - 1);
    std::snprintf(address, sizeof address, "%s %d", host, freeLoopbackPort());
  }
  MPI_Bcast(address, sizeof address, MPI_CHAR, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  char host[256] = {};
  int port = 0;
  if (std::sscanf(address, "%255s %d", host, &port) != 2)
    throw std::runtime_error("MPI: could not receive the store address from rank 0");
  flags.masterAddr = host;
  flags.masterPort = port;
}

}  // namespace

void addParallelOptions(CLI::App& app, ParallelOptions& options) {
  app.add_option("--ranks", options.ranks,
                 "Ranks (processes) the volume is split across; attention spans all of them")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--launcher", options.launcher,
                 "How --ranks > 1 start: local (processes on this machine), mpirun or srun "
                 "(ignored when this command is itself started by mpirun or srun)")
      ->check(CLI::IsMember({"local", "mpirun", "srun"}))
      ->capture_default_str();
  app.add_option("--device", options.device,
                 "cpu, or cuda: model and data on this rank's GPU, bfloat16 autocast, fused "
                 "attention, NCCL between ranks")
      ->check(CLI::IsMember({"cpu", "cuda"}))
      ->capture_default_str();
  app.add_flag("--checkpoint-activations", options.checkpointActivations,
               "Recompute each encoder block in backward instead of keeping its activations "
               "(longer sequences fit in memory, about a third more compute)");
  app.add_option("--split", options.settings.split, "Spatial split: slab0, slab1, slab2, blocks")
      ->check(CLI::IsMember({"slab0", "slab1", "slab2", "blocks"}))
      ->capture_default_str();
  app.add_option("--attention", options.settings.attention,
                 "Attention across ranks: allgather, ring, ulysses")
      ->check(CLI::IsMember({"allgather", "ring", "ulysses"}))
      ->capture_default_str();
  app.add_option("--decoder", options.settings.decoder,
                 "Decoder across ranks: halo (exact), gather (exact), nogather (the paper's)")
      ->check(CLI::IsMember({"halo", "gather", "nogather"}))
      ->capture_default_str();
}

void addClusterOption(CLI::App& app, ParallelOptions& options) {
  app.add_option("--cluster", options.cluster,
                 "Run as a job on this cluster profile (clusters.json in the config folder): "
                 "inputs uploaded, ranks and launcher from the profile, outputs downloaded");
}

std::vector<std::string> parallelArguments(const ParallelOptions& options) {
  std::vector<std::string> arguments{
      "--ranks",   std::to_string(options.ranks), "--device",    options.device,
      "--split",   options.settings.split,        "--attention", options.settings.attention,
      "--decoder", options.settings.decoder};
  if (options.checkpointActivations) arguments.push_back("--checkpoint-activations");
  return arguments;
}

void checkDevice(const ParallelOptions& options) {
  resolveDevice(options.device);
}

void checkParallelOptions(const ParallelOptions& options, const ModelConfig& config) {
  checkParallelSettings(options.settings, config, options.ranks);
}

bool startedAsRank() {
  const RankInfo info = discoverRanks();
  return info.source != "default" && info.size > 1;
}

JobRank joinJob(const ParallelOptions& options) {
  RankFlags flags;
  const bool underMpi = environment("OMPI_COMM_WORLD_SIZE").has_value();
  const int mpiSize = environmentInt("OMPI_COMM_WORLD_SIZE", 1);
  // One machine: the store and Gloo stay on 127.0.0.1; several: this host's name.
  const bool allLocal = environmentInt("OMPI_COMM_WORLD_LOCAL_SIZE", mpiSize) == mpiSize &&
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
  if (!allLocal) groupOptions.bindHost = "";
  // NCCL needs a GPU of its own per rank; ranks sharing a GPU exchange CUDA tensors over Gloo.
  const int lastLocal = job.localRanks - 1;
  if (device.is_cuda() && resolveDevice(options.device, lastLocal).index() == lastLocal)
    groupOptions.cudaDevice = device.index();
  job.group = ProcessGroup::create(info, groupOptions);
  ParallelSettings settings = options.settings;
  settings.fusedAttention = device.is_cuda();
  job.execution = sequenceParallelExecution(job.group, settings);
  if (placed) job.execution = onDevice(job.execution, device, compute);
  return job;
}

}  // namespace seqseg
