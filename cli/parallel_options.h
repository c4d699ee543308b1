#pragma once
// How one process of `seqseg --batch` or `seqseg train` joins its job as a rank, from the job's
// parallel request (jobs/job_requests.h; docs/architecture.md, "Ranks, launch, jobs").
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/model_execution.h"
#include "engine/parallel/parallel_execution.h"
#include "engine/parallel/process_group.h"
#include "jobs/job_requests.h"

namespace seqseg {

// Refuses --device cuda where this build or machine has no CUDA (std::invalid_argument, one
// line); commands call it before reading any data.
void checkDevice(const ParallelRequest& options);

// Refuses what the ranks would refuse (std::invalid_argument), before any starts.
void checkParallelRequest(const ParallelRequest& options, const ModelConfig& config);

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
JobRank joinJob(const ParallelRequest& options);

}  // namespace seqseg
