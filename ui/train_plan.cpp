#include "ui/train_plan.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "types/name_affixes.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

// A double as text that reads back to the same value.
std::string exactText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string gridText(const std::array<long long, 3>& grid) {
  return std::to_string(grid[0]) + "x" + std::to_string(grid[1]) + "x" + std::to_string(grid[2]);
}

}  // namespace

std::array<long long, 3> ModelShape::grid() const {
  return {roi[0] / patch[0], roi[1] / patch[1], roi[2] / patch[2]};
}

long long ModelShape::tokens() const {
  const auto g = grid();
  return g[0] * g[1] * g[2];
}

ModelShape readModelShape(const std::string& presetOrPath, const std::string& presetsDir) {
  // As engine/model_config.h resolves it: a '/' or ".json" makes it a path.
  const bool isPath = presetOrPath.find('/') != std::string::npos ||
                      (presetOrPath.size() > 5 && endsWith(presetOrPath, ".json"));
  const std::string path = isPath ? presetOrPath : presetsDir + "/" + presetOrPath + ".json";
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot read the model config");
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw std::invalid_argument(path + ": not a JSON model config");
  try {
    ModelShape shape;
    for (int axis = 0; axis < 3; ++axis) {
      shape.roi[axis] = json.at("roi").at(axis).get<long long>();
      shape.patch[axis] = json.at("patch").at(axis).get<long long>();
      if (shape.patch[axis] < 1 || shape.roi[axis] < shape.patch[axis])
        throw std::invalid_argument("roi and patch must be positive, roi >= patch");
    }
    shape.embedDim = json.at("embed_dim").get<long long>();
    shape.depth = json.at("depth").get<long long>();
    shape.numHeads = json.at("num_heads").get<long long>();
    if (shape.numHeads < 1) throw std::invalid_argument("num_heads must be positive");
    return shape;
  } catch (const std::exception& error) {
    throw std::invalid_argument(path + ": " + error.what());
  }
}

std::vector<std::string> trainArguments(const TrainPlan& plan) {
  std::vector<std::string> arguments{"train",
                                     "--data",
                                     plan.data,
                                     "--out",
                                     plan.runDir,
                                     "--config",
                                     plan.config,
                                     "--epochs",
                                     std::to_string(plan.epochs),
                                     "--steps-per-epoch",
                                     std::to_string(plan.stepsPerEpoch),
                                     "--batch-size",
                                     std::to_string(plan.batch),
                                     "--lr",
                                     exactText(plan.learningRate),
                                     "--validate-every",
                                     std::to_string(plan.validateEvery),
                                     "--seed",
                                     std::to_string(plan.seed),
                                     "--augment",
                                     plan.augment ? "on" : "off",
                                     "--threads",
                                     std::to_string(plan.threads),
                                     "--progress",
                                     "json",
                                     "--skip-unreadable"};
  if (plan.validationData.empty())
    arguments.insert(arguments.end(), {"--val-fraction", exactText(plan.validationFraction)});
  else
    arguments.insert(arguments.end(), {"--val-data", plan.validationData});
  if (plan.spacing) {
    arguments.push_back("--spacing");
    for (double mm : *plan.spacing) arguments.push_back(exactText(mm));
  }
  if (!plan.cluster.empty())
    arguments.insert(arguments.end(), {"--cluster", plan.cluster, "--split", plan.split,
                                       "--attention", plan.attention, "--decoder", plan.decoder});
  else if (plan.ranks > 1)
    arguments.insert(arguments.end(),
                     {"--ranks", std::to_string(plan.ranks), "--launcher", plan.launcher, "--split",
                      plan.split, "--attention", plan.attention, "--decoder", plan.decoder});
  if (plan.resume) arguments.push_back("--resume");
  return arguments;
}

// The rules of engine/parallel (spatial_split.cpp, checkParallelSettings), which `seqseg train`
// applies when it starts; here they are asked while the page is open.
std::string parallelProblem(const TrainPlan& plan, const ModelShape& shape) {
  const int ranks = plan.ranks;
  if (ranks < 1) return "at least one rank is needed";
  if (ranks == 1) return {};
  const auto grid = shape.grid();
  if (plan.attention == "ulysses" && shape.numHeads % ranks != 0)
    return "ulysses attention needs the ranks (" + std::to_string(ranks) + ") to divide the " +
           std::to_string(shape.numHeads) + " heads of the model";
  if (plan.split.rfind("slab", 0) == 0 && plan.split.size() == 5) {
    const int axis = plan.split[4] - '0';
    if (axis < 0 || axis > 2) return "unknown split '" + plan.split + "'";
    if (grid[axis] < ranks)
      return "split " + plan.split + ": " + std::to_string(ranks) + " ranks need at least " +
             std::to_string(ranks) + " patches along A" + std::to_string(axis) +
             ", the patch grid is " + gridText(grid);
    return {};
  }
  if (plan.split == "blocks") {
    for (long long r0 = 1; r0 <= ranks; ++r0)
      for (long long r1 = 1; r0 * r1 <= ranks; ++r1) {
        if (ranks % (r0 * r1) != 0) continue;
        const long long r2 = ranks / (r0 * r1);
        if (r0 <= grid[0] && r1 <= grid[1] && r2 <= grid[2]) return {};
      }
    return "blocks split: " + std::to_string(ranks) + " ranks do not fit a patch grid of " +
           gridText(grid);
  }
  return "unknown split '" + plan.split + "'";
}

std::string runFolderProblem(const TrainPlan& plan) {
  if (plan.runDir.empty()) return "choose an output folder for the run";
  std::error_code error;
  const fs::path folder(plan.runDir);
  if (plan.resume) {
    if (!fs::exists(folder / "last.pt", error))
      return plan.runDir + ": nothing to resume (no last.pt)";
    return {};
  }
  if (fs::exists(folder, error) && !fs::is_directory(folder, error))
    return plan.runDir + ": not a folder";
  if (fs::is_directory(folder, error) && !fs::is_empty(folder, error))
    return plan.runDir + ": the folder is not empty (choose an empty one, or resume the run in it)";
  return {};
}

}  // namespace seqseg
