// The training wizard's choices without widgets: the defaults its pages start from, when each
// page may go on and what it says when not, and the plan, config argument and seqseg-bench
// command line they make.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/test_support.h"
#include "types/resource_paths.h"
#include "ui/train_wizard_model.h"

namespace seqseg {
namespace {

using test::TempDir;

const char* const kScratch = "/tmp/seqseg-model-scratch.json";

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A model whose Data page has a readable dataset, as after a survey.
TrainWizardModel surveyedModel() {
  TrainWizardModel model(presetsDir(), kScratch);
  model.data.folder = "/data/brats";
  model.survey.readable = 3;
  return model;
}

TEST(TrainWizardModel, DefaultsMakeTheTinyPresetsPlan) {
  const TrainWizardModel model(presetsDir(), kScratch);
  const TrainPlan plan = model.plan();
  EXPECT_EQ(plan.data, "");
  EXPECT_EQ(plan.validationData, "");
  EXPECT_EQ(plan.validationFraction, 0.2);
  EXPECT_EQ(plan.config, "tiny");
  EXPECT_EQ(plan.ranks, 1);
  EXPECT_EQ(plan.launcher, "local");
  EXPECT_EQ(plan.split, "slab0");
  EXPECT_EQ(plan.attention, "allgather");
  EXPECT_EQ(plan.decoder, "halo");
  EXPECT_EQ(plan.cluster, "");
  EXPECT_EQ(plan.epochs, 20);
  EXPECT_EQ(plan.stepsPerEpoch, 0);
  EXPECT_EQ(plan.batch, 2);
  EXPECT_EQ(plan.learningRate, 1e-3);
  ASSERT_TRUE(plan.spacing.has_value()) << "the tiny preset's proposal, not the cases' median";
  EXPECT_EQ(*plan.spacing, (std::array<double, 3>{3.0, 3.0, 3.0}));
  EXPECT_TRUE(plan.augment);
  EXPECT_FALSE(plan.balanceCropClasses) << "as seqseg train";
  EXPECT_FALSE(plan.regionDice);
  EXPECT_EQ(plan.seed, 0u);
  EXPECT_EQ(plan.threads, 0);
  EXPECT_EQ(plan.runDir, "");
  EXPECT_FALSE(plan.resume);
  EXPECT_EQ(model.training.modelName, "My model");
  EXPECT_EQ(model.modelProblem(), "");
  EXPECT_EQ(model.parallelProblem(), "");
}

TEST(TrainWizardModel, ProposedSpacingLetsTheRoiSeeAWholeTumourUnlessThePersonChoseOne) {
  TrainWizardModel model(presetsDir(), kScratch);
  EXPECT_EQ(model.proposedSpacing().spacing, (std::array<double, 3>{3.0, 3.0, 3.0}));  // tiny
  EXPECT_TRUE(mentions(model.proposedSpacing().reason, "32-voxel ROI then sees 96 mm"))
      << model.proposedSpacing().reason;
  model.model.preset = "base";  // a 128-voxel ROI: 0.75 mm would do, 1 mm is the floor
  EXPECT_EQ(model.proposedSpacing().spacing, (std::array<double, 3>{1.0, 1.0, 1.0}));
  model.model.preset = kCustomPreset;
  model.model.roi = 48;
  model.model.patch = 8;
  model.model.decoderChannels = "32, 16, 8, 8";
  EXPECT_EQ(model.proposedSpacing().spacing, (std::array<double, 3>{2.0, 2.0, 2.0}));
  EXPECT_TRUE(model.applyProposedSpacing());
  EXPECT_EQ(*model.plan().spacing, (std::array<double, 3>{2.0, 2.0, 2.0}));
  model.training.spacing = {1.0, 1.0, 2.5};
  model.training.spacingEdited = true;
  EXPECT_FALSE(model.applyProposedSpacing());
  EXPECT_EQ(*model.plan().spacing, (std::array<double, 3>{1.0, 1.0, 2.5}));
  model.training.medianSpacing = true;
  EXPECT_FALSE(model.plan().spacing.has_value());
}

TEST(TrainWizardModel, FineTuningTakesTheStartModelsShapeSpacingAndShortDefaults) {
  TrainWizardModel model = surveyedModel();
  model.model.startModel = "/models/tiny.pt";
  model.model.startModelName = "Bundled model";
  model.useFineTuningDefaults();
  EXPECT_EQ(model.training.learningRate, 2e-4);
  EXPECT_EQ(model.training.timeLimitMinutes, 10);
  EXPECT_EQ(model.training.modelName, "Bundled model (fine-tuned)");
  model.model.readingStartModel = true;
  EXPECT_EQ(model.modelProblem(), "the start model is being read");
  model.model.readingStartModel = false;
  // As `seqseg info --json` describes the bundled model.
  model.model.start = readStartModelFacts(
      R"({"config":{"decoder_channels":[64,32,16],"depth":4,"embed_dim":96,"in_channels":4,
          "mlp_ratio":4.0,"num_classes":4,"num_heads":4,"patch":[4,4,4],"qkv_bias":true,
          "roi":[32,32,32]},"file":"tiny.pt","format":"seqseg-checkpoint-1",
          "meta":{"best_dice":0.568,"spacing":[2.5,3.0,3.0]},"spacing_mm":[3.0,3.0,2.5]})");
  EXPECT_EQ(model.modelProblem(), "");
  EXPECT_EQ(model.shape().tokens(), 512);
  EXPECT_DOUBLE_EQ(model.model.start->bestDice, 0.568);
  EXPECT_TRUE(model.applyProposedSpacing());
  EXPECT_TRUE(mentions(model.proposedSpacing().reason, "the start model's own"));
  model.model.freezeEncoder = true;
  const TrainPlan plan = model.plan();
  EXPECT_EQ(plan.config, "") << "the config comes from the start model";
  EXPECT_EQ(plan.initModel, "/models/tiny.pt");
  EXPECT_TRUE(plan.freezeEncoder);
  EXPECT_EQ(*plan.spacing, (std::array<double, 3>{3.0, 3.0, 2.5}));
  const std::vector<std::string> arguments = trainArguments(plan);
  const auto has = [&](const std::vector<std::string>& run) {
    return std::search(arguments.begin(), arguments.end(), run.begin(), run.end()) !=
           arguments.end();
  };
  EXPECT_TRUE(has({"--init", "/models/tiny.pt"}));
  EXPECT_TRUE(has({"--freeze-encoder"}));
  EXPECT_TRUE(has({"--time-limit", "10"}));
  EXPECT_FALSE(has({"--config"}));
  EXPECT_FALSE(has({"--balance-crop-classes"}));
  EXPECT_FALSE(has({"--region-dice"}));
  model.training.balanceCropClasses = true;
  model.training.regionDice = true;
  const std::vector<std::string> balanced = trainArguments(model.plan());
  for (const char* flag : {"--balance-crop-classes", "--region-dice"})
    EXPECT_NE(std::find(balanced.begin(), balanced.end(), flag), balanced.end()) << flag;
  EXPECT_EQ(model.probeConfig(), kScratch);
  EXPECT_THROW(readStartModelFacts("not json"), std::invalid_argument);
  model.model.start.reset();
  model.model.startModelError = "cannot read the start model: x.pt: not a checkpoint";
  EXPECT_EQ(model.modelProblem(), model.model.startModelError);
}

TEST(TrainWizardModel, DataPageNeedsAUsableCaseAndANamedValidationFolder) {
  TrainWizardModel model(presetsDir(), kScratch);
  EXPECT_NE(model.dataProblem(), "") << "nothing surveyed";
  model.survey.error = "/empty: no dataset layout found";
  EXPECT_EQ(model.dataProblem(), model.survey.error);

  model = surveyedModel();
  EXPECT_EQ(model.dataProblem(), "");
  model.surveying = true;
  EXPECT_NE(model.dataProblem(), "") << "a folder being read";
  model.surveying = false;

  model.data.validationFolder = "/data/val";
  EXPECT_EQ(model.plan().validationData, "") << "the share is held out unless the folder is chosen";
  model.data.useValidationFolder = true;
  EXPECT_EQ(model.plan().validationData, "/data/val");
  model.data.validationFolder.clear();
  EXPECT_TRUE(mentions(model.dataProblem(), "validation folder"));
}

TEST(TrainWizardModel, CustomModelShapesAreChecked) {
  TrainWizardModel model(presetsDir(), kScratch);
  model.model.preset = kCustomPreset;
  EXPECT_EQ(model.modelProblem(), "") << "the page's custom defaults are a model";
  EXPECT_EQ(model.shape().tokens(), 512);

  model.model.patch = 3;
  EXPECT_TRUE(mentions(model.modelProblem(), "power of two"));
  model.model.patch = 8;
  model.model.roi = 36;
  EXPECT_TRUE(mentions(model.modelProblem(), "is not divisible by patch"));
  model.model.roi = 32;
  model.model.heads = 5;
  EXPECT_TRUE(mentions(model.modelProblem(), "is not divisible by num_heads"));
  model.model.heads = 2;
  EXPECT_TRUE(mentions(model.modelProblem(), "needs 4")) << model.modelProblem();
  model.model.decoderChannels = "16, 8, 8, 8";
  EXPECT_EQ(model.modelProblem(), "");
  model.model.decoderChannels = "16, 8, 8,, 8,";
  EXPECT_EQ(model.modelProblem(), "") << "empty entries are skipped";
  model.model.decoderChannels = "16, 8, 8, 8, ";
  EXPECT_NE(model.modelProblem(), "") << "a blank entry counts";
}

TEST(TrainWizardModel, PresetsAreReadAndAnUnknownOneIsRefused) {
  TrainWizardModel model(presetsDir(), kScratch);
  model.model.preset = "base";
  EXPECT_EQ(model.shape().tokens(), readModelShape("base", presetsDir()).tokens());
  model.model.roi = 30;  // the custom fields do not matter for a preset
  EXPECT_EQ(model.modelProblem(), "");
  model.model.preset = "no-such-preset";
  EXPECT_TRUE(mentions(model.modelProblem(), "no-such-preset"));
  EXPECT_EQ(model.parallelProblem(), model.modelProblem()) << "the model's problem first";
}

TEST(TrainWizardModel, ParallelPageRefusesWhatSeqsegTrainWould) {
  TrainWizardModel model(presetsDir(), kScratch);
  model.parallel.ranks = 3;
  model.parallel.attention = "ulysses";
  EXPECT_TRUE(mentions(model.parallelProblem(), "divide the 4 heads"));
  model.parallel.attention = "ring";
  EXPECT_EQ(model.parallelProblem(), "");
  model.parallel.ranks = 9;  // 8 patches along A0
  EXPECT_TRUE(mentions(model.parallelProblem(), "at least 9 patches"));

  model.parallel.cluster = "lab";
  EXPECT_EQ(model.plan().cluster, "lab");
}

TEST(TrainWizardModel, TrainingPageNeedsAFitRunFolderAndAName) {
  TempDir dir;
  TrainWizardModel model = surveyedModel();
  EXPECT_NE(model.trainingProblem(), "") << "no run folder";
  model.training.outputFolder = dir.path();
  EXPECT_EQ(model.trainingProblem(), "");
  test::writeFile(dir / "metrics.jsonl", "{}\n");
  EXPECT_TRUE(mentions(model.trainingProblem(), "not empty"));
  model.training.resume = true;
  EXPECT_TRUE(mentions(model.trainingProblem(), "nothing to resume"));
  test::writeFile(dir / "last.pt", "x");
  EXPECT_EQ(model.trainingProblem(), "");
  model.training.modelName.clear();
  EXPECT_EQ(model.trainingProblem(), "give the model a name");

  model.training.medianSpacing = false;
  model.training.spacing = {1.0, 1.5, 2.0};
  model.training.seed = 42;
  const TrainPlan plan = model.plan();
  ASSERT_TRUE(plan.spacing.has_value());
  EXPECT_EQ(*plan.spacing, (std::array<double, 3>{1.0, 1.5, 2.0}));
  EXPECT_EQ(plan.seed, 42u);
  EXPECT_EQ(plan.runDir, dir.path());
  EXPECT_TRUE(plan.resume);
  EXPECT_EQ(plan.data, "/data/brats");
}

TEST(TrainWizardModel, CustomConfigLivesInTheRunFolderOrTheScratchFile) {
  TrainWizardModel model(presetsDir(), kScratch);
  EXPECT_EQ(model.configArgument(), "tiny");
  model.model.preset = kCustomPreset;
  EXPECT_EQ(model.configArgument(), kScratch) << "no run folder yet";
  model.training.outputFolder = "/runs/a/../b/";
  EXPECT_EQ(model.configArgument(), "/runs/b/model.json");
  model.training.outputFolder = "runs/c";
  EXPECT_EQ(model.configArgument(),
            (std::filesystem::current_path() / "runs/c/model.json").string());
  EXPECT_EQ(model.plan().config, model.configArgument());
}

TEST(TrainWizardModel, ProbeRunsAFewStepsWithTheParallelPagesRanks) {
  TrainWizardModel model(presetsDir(), kScratch);
  const std::vector<std::string> oneRank{"--config", "tiny",     "--mode", "train", "--steps",
                                         "2",        "--warmup", "1",      "--json"};
  EXPECT_EQ(model.probeArguments(), oneRank);
  model.parallel.ranks = 2;
  model.parallel.split = "blocks";
  model.parallel.attention = "ring";
  model.parallel.decoder = "gather";
  std::vector<std::string> twoRanks = oneRank;
  twoRanks.insert(twoRanks.end(), {"--ranks", "2", "--split", "blocks", "--attention", "ring",
                                   "--decoder", "gather"});
  EXPECT_EQ(model.probeArguments(), twoRanks);
}

}  // namespace
}  // namespace seqseg
