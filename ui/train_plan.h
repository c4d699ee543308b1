#pragma once
// What the training wizard collects, as the `seqseg train` command line it runs, and the checks
// that refuse a plan before it starts. No Qt: unit-tested without a display.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "jobs/job_requests.h"
#include "types/model_config.h"

namespace seqseg {

// The numbers of a model config that the wizard shows and checks (types/model_config.h holds
// the whole config; this is read from the same JSON).
struct ModelShape {
  std::array<long long, 3> roi{32, 32, 32};
  std::array<long long, 3> patch{4, 4, 4};
  long long embedDim = 96;
  long long depth = 4;
  long long numHeads = 4;
  std::array<long long, 3> grid() const;  // patches per axis at the ROI
  long long tokens() const;               // tokens per window
};

// The numbers of `config` the wizard shows.
ModelShape modelShape(const ModelConfig& config);

// Reads a preset (by name, from `presetsDir`) or a config JSON file; throws
// std::invalid_argument naming the file when it cannot.
ModelShape readModelShape(const std::string& presetOrPath, const std::string& presetsDir);

// What `seqseg info --json MODEL.pt` says of a model to start from that the wizard needs.
struct StartModelFacts {
  ModelShape shape;
  std::string configJson;                        // the model's config, as a config file holds it
  std::optional<std::array<double, 3>> spacing;  // mm along i, j, k it was trained at
  double bestDice = -1;                          // its best mean validation Dice; -1 unknown
};

// Reads the JSON line of `seqseg info --json`; throws std::invalid_argument saying what is wrong.
StartModelFacts readStartModelFacts(const std::string& infoJson);

struct TrainPlan {
  std::string data;            // dataset folder
  std::string validationData;  // a second folder; empty: validationFraction of `data`
  double validationFraction = 0.2;
  std::string config = "tiny";  // preset name or config JSON path
  int ranks = 1;
  std::string launcher = "local";
  std::string split = "slab0";
  std::string attention = "allgather";
  std::string decoder = "halo";
  int epochs = 2;
  int stepsPerEpoch = 0;
  int batch = 2;
  double learningRate = 1e-3;
  std::optional<std::array<double, 3>> spacing;  // mm along i, j, k; none: the cases' median
  bool augment = true;
  bool balanceCropClasses = false;  // --balance-crop-classes
  bool regionDice = false;          // --region-dice
  unsigned long long seed = 0;
  int validateEvery = 1;
  int threads = 0;
  // A cluster profile to train on (--cluster: its ranks and launcher, not `ranks` and
  // `launcher`); empty: this computer.
  std::string cluster;
  std::string runDir;
  bool resume = false;
  // Fine-tuning: the checkpoint to start from (its config then comes from it: `config` is empty);
  // empty: random weights.
  std::string initModel;
  bool freezeEncoder = false;
  double timeLimitMinutes = 0;  // --time-limit; 0: none
};

// The plan as the train command's request (jobs/job_requests.h): JSON Lines progress, unreadable
// cases left out and named.
TrainRequest trainRequest(const TrainPlan& plan);
// Its arguments after the executable (jobs/job_arguments.h writes them).
std::vector<std::string> trainArguments(const TrainPlan& plan);

// Why `ranks` ranks cannot run `shape` with these settings (as `seqseg train` would refuse:
// a split that leaves a rank without patches, ulysses with ranks not dividing the heads);
// empty when they can.
std::string parallelProblem(const TrainPlan& plan, const ModelShape& shape);

// Why the run folder cannot take this plan (a non-empty folder that is not being resumed, or
// nothing to resume); empty when it can.
std::string runFolderProblem(const TrainPlan& plan);

}  // namespace seqseg
