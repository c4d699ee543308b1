#pragma once
// The subcommands of `seqseg`: each adds itself to the parser and runs when chosen.
#include <CLI/CLI.hpp>

#include "jobs/job_requests.h"

namespace seqseg {

// seqseg --batch (its options: jobs/job_options.h). `worker`: this process is one rank
// (seqseg-worker). Returns 0, or 1 when some cases failed.
int runBatch(const SegmentRequest& request, bool worker);

void addInfoCommand(CLI::App& app);
void addConvertCommand(CLI::App& app);
void addSynthCommand(CLI::App& app);

// Sets `exitCode` to 1 when some cases could not be scored.
void addEvalCommand(CLI::App& app, int& exitCode);
// seqseg jobs [--cluster NAME] | jobs attach ID | jobs cancel ID. Sets `exitCode` to the
// attached job's.
void addJobsCommand(CLI::App& app, int& exitCode);

// worker: this process is one rank (seqseg-worker).
void addTrainCommand(CLI::App& app, int& exitCode, bool worker);

}  // namespace seqseg
