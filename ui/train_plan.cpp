#include "ui/train_plan.h"

#include <cstdio>
#include <stdexcept>

#include "jobs/job_arguments.h"
#include "jobs/parallel_rules.h"
#include "jobs/run_folder.h"
#include "types/model_config.h"

#include <nlohmann/json.hpp>

namespace seqseg {

std::array<long long, 3> ModelShape::grid() const {
  return {roi[0] / patch[0], roi[1] / patch[1], roi[2] / patch[2]};
}

long long ModelShape::tokens() const {
  const auto g = grid();
  return g[0] * g[1] * g[2];
}

ModelShape readModelShape(const std::string& presetOrPath, const std::string& presetsDir) {
  return modelShape(loadModelConfig(presetOrPath, presetsDir));
}

ModelShape modelShape(const ModelConfig& config) {
  ModelShape shape;
  for (int axis = 0; axis < 3; ++axis) {
    shape.roi[axis] = config.roi[axis];
    shape.patch[axis] = config.patch[axis];
  }
  shape.embedDim = config.embed_dim;
  shape.depth = config.depth;
  shape.numHeads = config.num_heads;
  return shape;
}

StartModelFacts readStartModelFacts(const std::string& infoJson) {
  const nlohmann::json info = nlohmann::json::parse(infoJson, nullptr, false);
  if (info.is_discarded() || !info.is_object() || !info.contains("config"))
    throw std::invalid_argument("not a model checkpoint's description");
  StartModelFacts facts;
  facts.shape = modelShape(ModelConfig::fromJson(info["config"]));
  facts.configJson = info["config"].dump(2);
  if (info.contains("spacing_mm") && info["spacing_mm"].size() == 3)
    facts.spacing = info["spacing_mm"].get<std::array<double, 3>>();
  if (info.contains("meta") && info["meta"].contains("best_dice"))
    facts.bestDice = info["meta"]["best_dice"].get<double>();
  return facts;
}

TrainRequest trainRequest(const TrainPlan& plan) {
  TrainRequest request;
  request.data = plan.data;
  request.validationData = plan.validationData;
  request.validationFraction = plan.validationFraction;
  request.config = plan.config;
  request.progress = "json";
  request.skipUnreadable = true;  // the wizard names the cases it cannot read; the run goes on
  request.threads = plan.threads;
  if (plan.spacing) request.spacing.assign(plan.spacing->begin(), plan.spacing->end());
  TrainingSchedule& schedule = request.schedule;
  schedule.runDir = plan.runDir;
  schedule.epochs = plan.epochs;
  schedule.stepsPerEpoch = plan.stepsPerEpoch;
  schedule.batch = plan.batch;
  schedule.learningRate = plan.learningRate;
  schedule.validateEvery = plan.validateEvery;
  schedule.seed = plan.seed;
  schedule.augment = plan.augment;
  schedule.balanceCropClasses = plan.balanceCropClasses;
  schedule.regionDice = plan.regionDice;
  schedule.resume = plan.resume;
  schedule.initModel = plan.initModel;
  schedule.freezeEncoder = plan.freezeEncoder;
  schedule.timeLimitMinutes = plan.timeLimitMinutes;
  ParallelRequest& parallel = request.parallel;
  parallel.split = plan.split;
  parallel.attention = plan.attention;
  parallel.decoder = plan.decoder;
  if (!plan.cluster.empty()) {
    parallel.cluster = plan.cluster;  // its ranks and launcher are the profile's
  } else {
    parallel.ranks = plan.ranks;
    parallel.launcher = plan.launcher;
  }
  return request;
}

std::vector<std::string> trainArguments(const TrainPlan& plan) {
  return trainArguments(trainRequest(plan));
}

std::string parallelProblem(const TrainPlan& plan, const ModelShape& shape) {
  if (plan.ranks < 1) return "at least one rank is needed";
  if (plan.ranks == 1) return {};
  const auto grid = shape.grid();
  return seqseg::parallelProblem(plan.split, plan.attention, plan.decoder, plan.ranks,
                                 {grid[0], grid[1], grid[2]}, shape.numHeads);
}

std::string runFolderProblem(const TrainPlan& plan) {
  return RunFolder(plan.runDir).startProblem(plan.resume);
}

}  // namespace seqseg
