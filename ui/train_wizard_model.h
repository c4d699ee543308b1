#pragma once
// What the training wizard's pages collect (ui/train_wizard.h), with the defaults they show,
// whether each page may go on (and why not), and the TrainPlan it all makes. The pages write into
// it as their fields change; the text fields arrive trimmed. No Qt: unit-tested without a
// display.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ui/dataset_survey.h"
#include "ui/train_plan.h"

namespace seqseg {

// The Model page's choice beside the presets: a model of the page's own shape.
inline constexpr const char* kCustomPreset = "custom";

struct WizardDataChoices {
  std::string folder;
  bool useValidationFolder = false;  // else validationFraction of `folder`, seeded
  std::string validationFolder;
  double validationFraction = 0.2;
};

struct WizardModelChoices {
  std::string preset = "tiny";  // a preset's name, or kCustomPreset
  // A custom model: cubic ROI and patch (voxels per side).
  int roi = 32;
  int patch = 4;
  int embedDim = 96;
  int depth = 4;
  int heads = 4;
  std::string decoderChannels = "64, 32, 16";  // channel counts, comma-separated
  // Start from: a model's checkpoint (fine-tuning: its shape and spacing are taken, the preset
  // and custom shape are not used); empty: random weights.
  std::string startModel;
  std::string startModelName;  // as the models list names it
  bool readingStartModel = false;
  std::string startModelError;           // why it could not be read
  std::optional<StartModelFacts> start;  // once read (`seqseg info --json`)
  bool freezeEncoder = false;
};

struct WizardParallelChoices {
  std::string cluster;  // a cluster profile's name; empty: this computer
  int ranks = 1;
  std::string launcher = "local";
  std::string split = "slab0";
  std::string attention = "allgather";
  std::string decoder = "halo";
};

struct WizardTrainingChoices {
  int epochs = 20;
  int stepsPerEpoch = 0;  // 0: cases / batch
  int batch = 2;
  double learningRate = 1e-3;
  // The cases' median spacing, or `spacing`. Off by default: the median of BraTS-like cases is
  // 1 mm, at which a small preset's ROI sees too little (see proposedSpacing).
  bool medianSpacing = false;
  std::array<double, 3> spacing{3.0, 3.0, 3.0};  // mm along i, j, k
  bool spacingEdited = false;                    // by the person: proposals no longer replace it
  bool augment = true;
  // Off by default, as seqseg train: crops centred on NCR, ED and ET alike, and the Dice loss
  // over the regions BraTS scores (WT, TC, ET), for small cores and thin enhancing rims.
  bool balanceCropClasses = false;
  bool regionDice = false;
  unsigned long long seed = 0;
  int threads = 0;  // per rank; 0: all cores
  std::string outputFolder;
  bool resume = false;
  std::string modelName = "My model";
  double timeLimitMinutes = 0;  // 0: none (--time-limit)
  // Set when the choices changed behind the Training page (fine-tuning defaults): it shows them
  // again.
  bool changedOutsidePage = false;
};

// The spacing the Training page proposes, and why (a sentence for people).
struct SpacingProposal {
  std::array<double, 3> spacing{};
  std::string reason;
};

// The field of view (mm) a ROI should cover when the wizard proposes a spacing: a whole tumour
// with its oedema (the bundled tiny model: a 32-voxel ROI at 3 mm).
inline constexpr double kProposedRoiFieldOfViewMm = 96.0;

class TrainWizardModel {
 public:
  // Presets are read from `presetsDir`. A custom model's config is written in the run folder;
  // before there is one (for the Model page's estimate) at `scratchConfigPath`.
  TrainWizardModel(std::string presetsDir, std::string scratchConfigPath);

  WizardDataChoices data;
  DatasetSurvey survey;    // of data.folder, once read
  bool surveying = false;  // while it is being read
  WizardModelChoices model;
  WizardParallelChoices parallel;
  WizardTrainingChoices training;

  // Why each page cannot go on; empty when it can.
  std::string dataProblem() const;
  std::string modelProblem() const;
  std::string parallelProblem() const;  // the model's problem first
  std::string trainingProblem() const;

  const std::string& presetsDir() const { return presetsDir_; }
  bool customModel() const { return model.startModel.empty() && model.preset == kCustomPreset; }
  bool fineTuning() const { return !model.startModel.empty(); }
  // Fine-tuning's defaults, as a start model is chosen: a short run (ten minutes at most) at a
  // fifth of the learning rate, at the model's own spacing, named after it.
  void useFineTuningDefaults();
  // The chosen model's shape; throws std::invalid_argument saying why it is not one.
  ModelShape shape() const;
  // --config: the preset's name, or the custom model's config file; empty when fine-tuning
  // (the start model's own).
  std::string configArgument() const;
  TrainPlan plan() const;
  // The config seqseg-bench measures: configArgument(), or for a start model its config written
  // to the scratch file (the Model page writes it when the model is read).
  std::string probeConfig() const;
  const std::string& scratchConfigPath() const { return scratchConfigPath_; }
  // The spacing for the chosen model: one at which its ROI covers about
  // kProposedRoiFieldOfViewMm, in 0.5 mm steps and at least 1 mm. Throws as shape() does.
  SpacingProposal proposedSpacing() const;
  // Takes proposedSpacing() into training.spacing unless the person has edited it (or chose the
  // median). Returns whether it did.
  bool applyProposedSpacing();
  // seqseg-bench's arguments for the Model page's estimate: a few training steps of the model,
  // with the Parallel page's ranks and split when there are several.
  std::vector<std::string> probeArguments() const;

 private:
  std::string presetsDir_;
  std::string scratchConfigPath_;
};

}  // namespace seqseg
