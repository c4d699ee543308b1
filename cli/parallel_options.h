#pragma once
// The options that place a job on ranks (DESIGN.md, "Ranks, launch, jobs"), shared by
// `seqseg --batch` and `seqseg train`, and how one process joins its job as a rank.
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/model_execution.h"
#include "engine/parallel/parallel_execution.h"
#include "engine/parallel/process_group.h"

namespace seqseg {

struct ParallelOptions {
  int ranks = 1;
  std::string launcher = "local";      // local, mpirun or srun
  std::string device = "cpu";          // cpu or cuda (one GPU per rank, LOCAL_RANK picks it)
  bool checkpointActivations = false;  // recompute encoder blocks in backward
  std::string cluster;                 // run as a remote job on this cluster profile
  ParallelSettings settings;
};

// Adds --ranks, --launcher, --device, --checkpoint-activations, --split, --attention and
// --decoder.
void addParallelOptions(CLI::App& app, ParallelOptions& options);

// Adds --cluster NAME (not for ranks: they never start remote jobs).
void addClusterOption(CLI::App& app, ParallelOptions& options);

// The same options as command-line arguments, for the ranks' own command lines.
std::vector<std::string> parallelArguments(const ParallelOptions& options);

// Refuses --device cuda where this build or machine has no CUDA (std::invalid_argument, one
// line); commands call it before reading any data.
void checkDevice(const ParallelOptions& options);

// Refuses what the ranks would refuse (std::invalid_argument), before any starts.
void checkParallelOptions(const ParallelOptions& options, const ModelConfig& config);

// True when this process was started as one rank of a multi-rank job (mpirun, srun, torchrun
// or seqseg's own local launcher): it then runs its share instead of launching ranks.
bool startedAsRank();

// This process's place in its job. A process that is not one of several ranks gets a group of
// one and an empty factory (the model runs locally). Under MPI without MASTER_PORT, rank 0's
// store address is broadcast with MPI. Throws std::invalid_argument when the job's size is not
// --ranks (unless --ranks was left at 1); the settings are checked when the model first runs.
struct JobRank {
  std::shared_ptr<ProcessGroup> group;
  ExecutionFactory execution;
  int localRanks = 1;  // ranks on this machine, to share its cores
};
JobRank joinJob(const ParallelOptions& options);

}  // namespace seqseg
