#pragma once
// Starts the ranks of a job and follows it (docs/architecture.md, "Ranks, launch, jobs"): `local` forks
// `seqseg-worker` R times with torchrun-style variables and a store on a free 127.0.0.1 port;
// `mpirun` and `srun` start them through those tools. Rank 0's JSON Lines events are re-emitted
// on `progress`; the other ranks' standard output is discarded, everyone's standard error is
// passed through.
//
// When a rank fails (non-zero exit or a signal) while others still run, the others get SIGTERM
// (SIGKILL after a grace period), an error event names the rank, and temporary files the ranks
// left in `outputFolders` are removed. SIGTERM/SIGINT to this process cancel the job the same
// way. Arguments travel as argv arrays, never through a shell.
#include <string>
#include <vector>

#include "cli/parallel_options.h"
#include "jobs/progress.h"

namespace seqseg {

// workerArguments: the command line of one rank after the program name (e.g. "--batch", ...).
// Returns the job's exit code: 0, the ranks' common code when all failed alike (2 for bad
// input), 1 when a rank failed, 128 + signal when cancelled.
int runRanks(const ParallelRequest& options, const std::vector<std::string>& workerArguments,
             ProgressSink& progress, const std::vector<std::string>& outputFolders);

// The seqseg-worker program next to this executable.
std::string workerProgram();

}  // namespace seqseg
