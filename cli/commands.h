#pragma once
// The subcommands of `seqseg`: each adds itself to the parser and runs when chosen.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/parallel_options.h"

namespace seqseg {

struct BatchOptions {
  bool enabled = false;
  bool worker = false;  // this process is one rank (seqseg-worker)
  std::string input, output, model, report;
  std::string t1, t1ce, t2, flair;   // one case given as four files, instead of --input
  std::vector<std::string> caseIds;  // only these cases of --input (all when empty)
  std::string labels = "native";
  std::string progress = "bar";
  bool skipExisting = false;
  int threads = 0;
  double overlap = 0.5;
  int64_t windowBatch = 2;
  bool testTimeFlips = false;  // --tta: average probabilities over mirrored inputs
  bool noPostprocess = false;  // --no-postprocess: skip the checkpoint's post-processing
  ParallelOptions parallel;
};

// The options of `seqseg --batch` (on the top-level command, as the contract has it).
void addBatchOptions(CLI::App& app, BatchOptions& options);
// Returns 0, or 1 when some cases failed.
int runBatch(const BatchOptions& options);

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
