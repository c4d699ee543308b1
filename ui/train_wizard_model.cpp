#include "ui/train_wizard_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace seqseg {
namespace {

// "64, 32, 16" -> {64, 32, 16}; empty parts are skipped, blank ones are no number.
std::vector<int64_t> channelCounts(const std::string& list) {
  std::vector<int64_t> counts;
  std::stringstream parts(list);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part.empty()) continue;  // "16,,8": a doubled comma; a blank entry is an error below
    try {
      size_t used = 0;
      counts.push_back(std::stoll(part, &used));
      if (part.find_first_not_of(" \t", used) != std::string::npos) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw std::invalid_argument("the decoder channel counts must be whole numbers");
    }
  }
  return counts;
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
  if (fineTuning()) {
    if (model.start) return model.start->shape;
    if (model.readingStartModel) throw std::invalid_argument("the start model is being read");
    throw std::invalid_argument(model.startModelError.empty() ? "the start model has not been read"
                                                              : model.startModelError);
  }
  if (!customModel()) return readModelShape(model.preset, presetsDir_);
  // The custom shape as a model config, checked by the config's own rules.
  ModelConfig config;
  config.roi = {model.roi, model.roi, model.roi};
  config.patch = {model.patch, model.patch, model.patch};
  config.embed_dim = model.embedDim;
  config.depth = model.depth;
  config.num_heads = model.heads;
  config.decoder_channels = channelCounts(model.decoderChannels);
  config.validate();
  return modelShape(config);
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
  if (fineTuning()) return {};
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
  plan.balanceCropClasses = training.balanceCropClasses;
  plan.regionDice = training.regionDice;
  plan.seed = training.seed;
  plan.threads = training.threads;
  plan.runDir = training.outputFolder;
  plan.resume = training.resume;
  plan.timeLimitMinutes = training.timeLimitMinutes;
  plan.initModel = model.startModel;
  plan.freezeEncoder = fineTuning() && model.freezeEncoder;
  return plan;
}

void TrainWizardModel::useFineTuningDefaults() {
  training.epochs = 30;
  training.learningRate = 2e-4;
  training.timeLimitMinutes = 10;
  training.medianSpacing = false;
  training.spacingEdited = false;  // the start model's own, once read
  if (training.modelName == WizardTrainingChoices().modelName && !model.startModelName.empty())
    training.modelName = model.startModelName + " (fine-tuned)";
  training.changedOutsidePage = true;
}

SpacingProposal TrainWizardModel::proposedSpacing() const {
  const ModelShape chosen = shape();
  SpacingProposal proposal;
  if (fineTuning() && model.start && model.start->spacing) {
    proposal.spacing = *model.start->spacing;
    char text[160];
    std::snprintf(text, sizeof text,
                  "%g x %g x %g mm: the start model's own (it learned at that spacing)",
                  proposal.spacing[0], proposal.spacing[1], proposal.spacing[2]);
    proposal.reason = text;
    return proposal;
  }
  for (size_t axis = 0; axis < 3; ++axis) {
    // roi is stored A0..A2 (k, j, i); the spacing is i, j, k.
    const double roi = static_cast<double>(chosen.roi[2 - axis]);
    proposal.spacing[axis] = std::max(1.0, std::round(2.0 * kProposedRoiFieldOfViewMm / roi) / 2.0);
  }
  char text[200];
  std::snprintf(text, sizeof text,
                "%g mm: the model's %lld-voxel ROI then sees %g mm, a whole tumour with its "
                "oedema (the cases' own spacing may show it too little of one)",
                proposal.spacing[0], chosen.roi[2],
                proposal.spacing[0] * static_cast<double>(chosen.roi[2]));
  proposal.reason = text;
  return proposal;
}

bool TrainWizardModel::applyProposedSpacing() {
  if (training.spacingEdited || training.medianSpacing) return false;
  try {
    training.spacing = proposedSpacing().spacing;
  } catch (const std::exception&) {
    return false;  // no model yet: the Model page says why
  }
  return true;
}

std::string TrainWizardModel::probeConfig() const {
  return fineTuning() ? scratchConfigPath_ : configArgument();
}

std::vector<std::string> TrainWizardModel::probeArguments() const {
  std::vector<std::string> arguments{"--config", probeConfig(), "--mode", "train", "--steps",
                                     "2",        "--warmup",    "1",      "--json"};
  if (parallel.ranks > 1)
    arguments.insert(arguments.end(),
                     {"--ranks", std::to_string(parallel.ranks), "--split", parallel.split,
                      "--attention", parallel.attention, "--decoder", parallel.decoder});
  return arguments;
}

}  // namespace seqseg
