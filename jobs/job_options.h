#pragma once
// The one reader of the job contract: the command line's option definitions (CLI11), bound to
// the request types. seqseg's own parser uses them (cli/), and so does the launcher to find a
// batch's input files before the program loads. A library of its own beside seqseg_jobs: the
// engine uses the contract's rules and must not pull CLI11 in.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "jobs/job_requests.h"

namespace seqseg {

// --ranks, --launcher, --device, --checkpoint-activations, --split, --attention, --decoder.
void addParallelOptions(CLI::App& app, ParallelRequest& request);
// --cluster NAME (not for ranks: they never start remote jobs).
void addClusterOption(CLI::App& app, ParallelRequest& request);

// seqseg --batch's options, on the top-level command as the command line has them; --batch
// itself sets `enabled`. `worker`: the rank program (no --cluster).
void addSegmentOptions(CLI::App& app, SegmentRequest& request, bool& enabled, bool worker);
// The options of the `train` subcommand.
void addTrainOptions(CLI::App& train, TrainRequest& request, bool worker);
void addSynthOptions(CLI::App& synth, SynthRequest& request);
void addEvalOptions(CLI::App& eval, EvalRequest& request);

// `arguments` (after the executable) read as seqseg reads a --batch command; nullopt when they
// are no batch command (another command, help) or do not parse.
std::optional<SegmentRequest> readSegmentArguments(const std::vector<std::string>& arguments);

}  // namespace seqseg
