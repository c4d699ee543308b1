#include "ui/train_wizard_model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace seqseg {
namespace {

// The parts of a comma-separated list that are not empty (blank ones count).
int nonEmptyParts(const std::string& list) {
  int parts = 0;
  size_t begin = 0;
  while (begin <= list.size()) {
    const size_t end = std::min(list.find(',', begin), list.size());
    if (end > begin) ++parts;
    begin = end + 1;
  }
  return parts;
}

}  // namespace

TrainWizardModel::TrainWizardModel(std::string presetsDir, std::string scratchConfigPath)
    : presetsDir_(std::move(presetsDir)), scratchConfigPath_(std::move(scratchConfigPath)) {}

std::string TrainWizardModel::dataProblem() const {
  if (surveying) return "the cases are being read";
  if (survey.readable < 1)
    return survey.error.empty() ? "no case of the folder can be used for training" : survey.error;
  if (data.useValidationFolder && data.validationFolder.empty())
    return "choose the validation folder";
  return {};
}

ModelShape TrainWizardModel::shape() const {
  if (!customModel()) return readModelShape(model.preset, presetsDir_);
  ModelShape shape;
  shape.roi = {model.roi, model.roi, model.roi};
  shape.patch = {model.patch, model.patch, model.patch};
  shape.embedDim = model.embedDim;
  shape.depth = model.depth;
  shape.numHeads = model.heads;
  const int patch = model.patch;
  if (patch < 1 || (patch & (patch - 1)) != 0)
    throw std::invalid_argument("the patch must be a power of two");
  if (model.roi % patch != 0)
    throw std::invalid_argument("the ROI must be a multiple of the patch");
  if (model.heads < 1 || model.embedDim % model.heads != 0)
    throw std::invalid_argument("the heads must divide the embedding");
  // The decoder upsamples by 2 per stage, from the patch grid back to voxels.
  const int stages = static_cast<int>(std::log2(patch));
  if (nonEmptyParts(model.decoderChannels) != stages + 1)
    throw std::invalid_argument("the decoder needs " + std::to_string(stages + 1) +
                                " channel counts (one more than log2 of the patch)");
  return shape;
}

std::string TrainWizardModel::modelProblem() const {
  try {
    shape();
    return {};
  } catch (const std::exception& error) {
    return error.what();
  }
}

std::string TrainWizardModel::parallelProblem() const {
  try {
    return seqseg::parallelProblem(plan(), shape());
  } catch (const std::exception& error) {
    return error.what();
  }
}

std::string TrainWizardModel::trainingProblem() const {
  std::string problem = runFolderProblem(plan());
  if (problem.empty() && training.modelName.empty()) problem = "give the model a name";
  return problem;
}

std::string TrainWizardModel::configArgument() const {
  if (!customModel()) return model.preset;
  if (training.outputFolder.empty()) return scratchConfigPath_;
  return (std::filesystem::absolute(training.outputFolder).lexically_normal() / "model.json")
      .string();
}

TrainPlan TrainWizardModel::plan() const {
  TrainPlan plan;
  plan.data = data.folder;
  if (data.useValidationFolder) plan.validationData = data.validationFolder;
  plan.validationFraction = data.validationFraction;
  plan.config = configArgument();
  plan.ranks = parallel.ranks;
  plan.launcher = parallel.launcher;
  plan.split = parallel.split;
  plan.attention = parallel.attention;
  plan.decoder = parallel.decoder;
  plan.cluster = parallel.cluster;
  plan.epochs = training.epochs;
  plan.stepsPerEpoch = training.stepsPerEpoch;
  plan.batch = training.batch;
  plan.learningRate = training.learningRate;
  if (!training.medianSpacing) plan.spacing = training.spacing;
  plan.augment = training.augment;
  plan.seed = training.seed;
  plan.threads = training.threads;
  plan.runDir = training.outputFolder;
  plan.resume = training.resume;
  return plan;
}

std::vector<std::string> TrainWizardModel::probeArguments() const {
  std::vector<std::string> arguments{"--config", configArgument(), "--mode", "train", "--steps",
                                     "2",        "--warmup",       "1",      "--json"};
  if (parallel.ranks > 1)
    arguments.insert(arguments.end(),
                     {"--ranks", std::to_string(parallel.ranks), "--split", parallel.split,
                      "--attention", parallel.attention, "--decoder", parallel.decoder});
  return arguments;
}

}  // namespace seqseg
