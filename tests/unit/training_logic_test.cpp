// The training wizard's logic without widgets: the `seqseg train` command line it builds and
// the plans it refuses, the curves it draws from JSON lines and metrics.jsonl, the dataset
// survey of its Data page, and the models registry kept in the user's settings.
#include <gtest/gtest.h>

#include <QSettings>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "io/dataset_layout.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"
#include "types/resource_paths.h"
#include "ui/dataset_survey.h"
#include "ui/model_registry.h"
#include "ui/train_plan.h"
#include "ui/training_curves.h"
#include "ui/training_run.h"

namespace seqseg {
namespace {

using test::TempDir;

bool contains(const std::vector<std::string>& arguments, const std::vector<std::string>& run) {
  return std::search(arguments.begin(), arguments.end(), run.begin(), run.end()) != arguments.end();
}

TEST(TrainPlan, ArgumentsCarryEveryChoice) {
  TrainPlan plan;
  plan.data = "/d";
  plan.runDir = "/r";
  plan.config = "base";
  plan.epochs = 3;
  plan.stepsPerEpoch = 7;
  plan.batch = 1;
  plan.learningRate = 0.1;
  plan.augment = false;
  plan.seed = 42;
  plan.spacing = std::array<double, 3>{1.0, 1.5, 2.0};
  plan.validationFraction = 0.25;
  std::vector<std::string> arguments = trainArguments(plan);
  EXPECT_EQ(arguments.front(), "train");
  for (const std::vector<std::string>& run : {std::vector<std::string>{"--data", "/d"},
                                              {"--out", "/r"},
                                              {"--config", "base"},
                                              {"--epochs", "3"},
                                              {"--steps-per-epoch", "7"},
                                              {"--batch-size", "1"},
                                              {"--lr", "0.10000000000000001"},
                                              {"--augment", "off"},
                                              {"--seed", "42"},
                                              {"--spacing", "1", "1.5", "2"},
                                              {"--progress", "json"},
                                              {"--val-fraction", "0.25"}})
    EXPECT_TRUE(contains(arguments, run)) << run.front();
  EXPECT_TRUE(contains(arguments, {"--skip-unreadable"}));
  EXPECT_FALSE(contains(arguments, {"--resume"}));
  EXPECT_FALSE(contains(arguments, {"--ranks"})) << "one rank: the defaults";

  plan.validationData = "/v";
  plan.ranks = 2;
  plan.launcher = "mpirun";
  plan.split = "blocks";
  plan.attention = "ring";
  plan.resume = true;
  arguments = trainArguments(plan);
  EXPECT_TRUE(contains(arguments, {"--val-data", "/v"}));
  EXPECT_FALSE(contains(arguments, {"--val-fraction"}));
  // Settings at their default are left out (the command reads them back the same).
  EXPECT_TRUE(contains(arguments, {"--ranks", "2", "--launcher", "mpirun", "--split", "blocks",
                                   "--attention", "ring"}));
  EXPECT_FALSE(contains(arguments, {"--decoder"}));
  EXPECT_TRUE(contains(arguments, {"--resume"}));

  // On a cluster profile: its ranks and launcher, the plan's split, attention and decoder.
  plan.cluster = "lab";
  arguments = trainArguments(plan);
  EXPECT_TRUE(
      contains(arguments, {"--split", "blocks", "--attention", "ring", "--cluster", "lab"}));
  EXPECT_FALSE(contains(arguments, {"--ranks"}));
  EXPECT_FALSE(contains(arguments, {"--launcher"}));
}

TEST(TrainPlan, PresetsAreReadAndImpossibleParallelSettingsRefused) {
  const ModelShape tiny = readModelShape("tiny", presetsDir());
  EXPECT_EQ(tiny.tokens(), 512);  // 32^3 ROI, 4^3 patches
  EXPECT_EQ(tiny.numHeads, 4);
  EXPECT_THROW(readModelShape("/nonexistent/model.json", presetsDir()), std::invalid_argument);

  TrainPlan plan;
  plan.ranks = 3;
  plan.attention = "ulysses";
  EXPECT_NE(parallelProblem(plan, tiny).find("divide the 4 heads"), std::string::npos);
  plan.ranks = 2;
  EXPECT_EQ(parallelProblem(plan, tiny), "");
  plan.attention = "allgather";
  plan.ranks = 9;  // 8 patches along A0
  EXPECT_NE(parallelProblem(plan, tiny).find("at least 9 patches along A0"), std::string::npos);
  plan.split = "blocks";
  EXPECT_EQ(parallelProblem(plan, tiny), "");  // 9 = 3 x 3 x 1
  plan.ranks = 1024;
  EXPECT_NE(parallelProblem(plan, tiny).find("do not fit"), std::string::npos);
  plan.ranks = 1;
  plan.attention = "ulysses";
  EXPECT_EQ(parallelProblem(plan, tiny), "") << "one rank runs every setting";
}

TEST(TrainPlan, RunFolderMustBeEmptyUnlessResumed) {
  TempDir dir;
  TrainPlan plan;
  EXPECT_NE(runFolderProblem(plan), "");
  plan.runDir = dir / "new";
  EXPECT_EQ(runFolderProblem(plan), "");
  plan.runDir = dir.path();
  EXPECT_EQ(runFolderProblem(plan), "") << "an empty folder";
  test::writeFile(dir / "metrics.jsonl", "{}\n");
  EXPECT_NE(runFolderProblem(plan).find("not empty"), std::string::npos);
  plan.resume = true;
  EXPECT_NE(runFolderProblem(plan).find("nothing to resume"), std::string::npos);
  test::writeFile(dir / "last.pt", "x");
  EXPECT_EQ(runFolderProblem(plan), "");
}

TEST(TrainingCurves, EventsAndMetricsLinesGiveTheSamePoints) {
  const std::vector<std::string> lines{
      R"({"event":"start","job":"train","total":4,"resumed_at_epoch":0,"resumed_at_step":0})",
      R"({"event":"metric","step":1,"epoch":1,"loss":1.5,"lr":0.001,"tokens_per_s":900,"elapsed_s":0.5})",
      R"({"event":"progress","label":"train","done":1,"total":4,"eta_s":3.5})",
      R"({"event":"metric","step":2,"epoch":1,"loss":1.25,"lr":0.002,"tokens_per_s":1000,"elapsed_s":1})",
      R"({"event":"metric","step":2,"epoch":1,"val_dice_wt":0.5,"val_dice_tc":0.25,"val_dice_et":0.125,"val_dice_mean":0.2916})",
      R"j({"event":"error","case":"bad","message":"bad/t1.nii.gz: not a NIfTI (case left out)"})j",
      "not json",
      R"({"event":"done","status":"paused","step":2})"};
  TrainingCurves curves;
  for (const std::string& line : lines) applyTrainingLine(line, curves);
  EXPECT_EQ(curves.totalSteps, 4);
  ASSERT_EQ(curves.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(curves.steps[1].loss, 1.25);
  EXPECT_DOUBLE_EQ(curves.steps[1].learningRate, 0.002);
  EXPECT_DOUBLE_EQ(curves.steps[1].tokensPerSecond, 1000);
  ASSERT_EQ(curves.validations.size(), 1u);
  EXPECT_DOUBLE_EQ(curves.validations[0].et, 0.125);
  EXPECT_DOUBLE_EQ(curves.etaSeconds, 3.5);
  EXPECT_EQ(curves.doneStatus, JobState::Paused);
  ASSERT_EQ(curves.leftOutCases.size(), 1u);
  EXPECT_EQ(curves.leftOutCases[0].rfind("bad: ", 0), 0u);

  // A resume from step 1 rewrites step 2 on.
  applyTrainingLine(
      R"({"event":"start","job":"train","total":4,"resumed_at_epoch":0,"resumed_at_step":1})",
      curves);
  EXPECT_FALSE(curves.doneStatus.has_value());
  EXPECT_EQ(curves.steps.size(), 1u);
  EXPECT_TRUE(curves.validations.empty());
  applyTrainingLine(R"({"event":"metric","step":2,"epoch":1,"loss":1.0,"lr":0.002})", curves);
  ASSERT_EQ(curves.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(curves.steps[1].loss, 1.0);

  // metrics.jsonl holds the metric lines: the same points.
  TempDir dir;
  std::ofstream(dir / "metrics.jsonl") << lines[1] << "\n" << lines[3] << "\n" << lines[4] << "\n";
  const TrainingCurves fromFile = readMetricsLog(dir / "metrics.jsonl");
  ASSERT_EQ(fromFile.steps.size(), 2u);
  EXPECT_DOUBLE_EQ(fromFile.steps[0].loss, 1.5);
  EXPECT_DOUBLE_EQ(fromFile.validations.at(0).wt, 0.5);
  EXPECT_TRUE(readMetricsLog(dir / "missing.jsonl").steps.empty());
}

TEST(TrainingCurves, ValidationProgressShowsUntilTheValidationsResult) {
  TrainingCurves curves;
  applyTrainingLine(R"({"event":"metric","step":3,"epoch":1,"loss":1.5,"lr":0.001})", curves);
  EXPECT_FALSE(curves.validating.has_value());
  applyTrainingLine(
      R"({"event":"progress","label":"validation","case":"BraTS_7","case_index":1,"cases":2,"done":13,"total":40})",
      curves);
  ASSERT_TRUE(curves.validating.has_value());
  EXPECT_EQ(curves.validating->caseIndex, 1);
  EXPECT_EQ(curves.validating->cases, 2);
  EXPECT_EQ(curves.validating->window, 13);
  EXPECT_EQ(curves.validating->windows, 40);
  EXPECT_EQ(curves.validating->caseId, "BraTS_7");
  EXPECT_EQ(curves.etaSeconds, -1) << "a validation's progress is no training ETA";
  applyTrainingLine(
      R"({"event":"metric","step":3,"epoch":1,"val_dice_wt":0.5,"val_dice_tc":0.2,"val_dice_et":0.1,"val_dice_mean":0.26})",
      curves);
  EXPECT_FALSE(curves.validating.has_value());
}

TEST(TrainingRun, APausedRunCanBeCancelledAndStaysCancelledWhenReopened) {
  TempDir dir;
  TrainPlan plan;
  plan.data = "/data";
  plan.runDir = dir / "run";
  std::filesystem::create_directories(plan.runDir);
  {
    // A run that paused: its plan, as start() writes it, and its events.
    TrainingRun writer;
    writer.setExecutable("/bin/false");
    ASSERT_TRUE(writer.start(plan));
    // Its process (nice, then /bin/false) must be gone before the events are written: while it
    // lives, the run is running, whatever its events say.
    for (int n = 0; n < 1000 && writer.running(); ++n)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_FALSE(writer.running());
  }
  std::ofstream(dir / "run/events.jsonl", std::ios::trunc)
      << R"({"event":"start","job":"train","total":4,"resumed_at_epoch":0,"resumed_at_step":0})"
      << "\n"
      << R"({"event":"metric","step":2,"epoch":1,"loss":1.25,"lr":0.002,"elapsed_s":7.5})"
      << "\n"
      << R"({"event":"done","job":"train","status":"paused","step":2})"
      << "\n";
  std::ofstream(dir / "run/metrics.jsonl", std::ios::trunc)
      << R"({"step":2,"epoch":1,"loss":1.25,"lr":0.002,"elapsed_s":7.5})"
      << "\n";
  TrainingRun run;
  ASSERT_TRUE(run.attach(QString::fromStdString(dir / "run")));
  ASSERT_FALSE(run.running());
  EXPECT_EQ(run.curves().doneStatus, JobState::Paused);
  EXPECT_DOUBLE_EQ(run.elapsedSeconds(), 7.5) << "not running: the last step's";
  run.cancel();
  EXPECT_EQ(run.curves().doneStatus, JobState::Cancelled);
  TrainingRun reopened;
  ASSERT_TRUE(reopened.attach(QString::fromStdString(dir / "run")));
  EXPECT_EQ(reopened.curves().doneStatus, JobState::Cancelled);
  // Only a paused run: a cancelled one is not cancelled again.
  const std::string events = test::readFile(dir / "run/events.jsonl");
  reopened.cancel();
  EXPECT_EQ(test::readFile(dir / "run/events.jsonl"), events);
}

// A small BraTS 2021 case whose labels use the native values 0, 1, 2 and 4.
void writeSmallCase(const std::string& root, const std::string& id) {
  Volume image;
  image.shape = {4, 6, 6, 6};
  image.geometry.spacing = {1.0, 1.0, 1.0};
  setNiftiFromPlacement(image.geometry);
  for (int v = 0; v < 4 * 216; ++v) image.voxels.push_back(static_cast<float>(v % 17));
  LabelVolume labels;
  labels.shape = {6, 6, 6};
  labels.geometry = image.geometry;
  const uint8_t classes[4] = {0, 1, 2, 3};
  for (int v = 0; v < 216; ++v) labels.labels.push_back(classes[v % 4]);
  writeCase(root, Layout::Brats2021, id, image, &labels);
}

TEST(DatasetSurvey, CountsCasesAndListsTheUnreadableWithTheirReason) {
  TempDir dir;
  for (const char* id : {"BraTS2021_00001", "BraTS2021_00002", "BraTS2021_00003"})
    writeSmallCase(dir.path(), id);
  test::writeFile(dir / "BraTS2021_00002/BraTS2021_00002_t2.nii.gz", "not a NIfTI file at all");
  const DatasetSurvey survey = surveyDataset(dir.path());
  EXPECT_EQ(survey.error, "");
  EXPECT_EQ(survey.layout, "brats2021");
  EXPECT_EQ(survey.cases, 3);
  EXPECT_EQ(survey.labelled, 3);
  EXPECT_EQ(survey.readable, 2);
  EXPECT_EQ(survey.labelValues, (std::set<int>{0, 1, 2, 4}));
  ASSERT_EQ(survey.unreadable.size(), 1u);
  EXPECT_EQ(survey.unreadable[0].id, "BraTS2021_00002");
  EXPECT_NE(survey.unreadable[0].reason.find("BraTS2021_00002_t2.nii.gz"), std::string::npos)
      << survey.unreadable[0].reason;

  const DatasetSurvey none = surveyDataset(dir / "missing");
  EXPECT_NE(none.error, "");
  EXPECT_EQ(none.cases, 0);
}

TEST(ModelRegistry, AddRenameRemoveAndPersist) {
  TempDir dir;
  const QString file = QString::fromStdString(dir / "settings.ini");
  {
    QSettings settings(file, QSettings::IniFormat);
    ModelRegistry registry = ModelRegistry::load(settings, "/bundled/tiny.pt");
    ASSERT_EQ(registry.entries().size(), 1);
    EXPECT_EQ(registry.entries()[0].kind, "bundled");
    EXPECT_EQ(registry.add({"Glioma", "/runs/a/best.pt", "trained",
                            QJsonObject{{"best_dice", 0.5}, {"preset", "tiny"}}}),
              "Glioma");
    EXPECT_EQ(registry.add({"Glioma", "/runs/b/best.pt", "trained", {}}), "Glioma (2)");
    EXPECT_EQ(registry.add({"Other", "/x/imported.pt", "imported", {}}), "Other");
    EXPECT_FALSE(registry.rename("Glioma", "Other")) << "taken";
    EXPECT_FALSE(registry.rename(registry.entries()[0].name, "Mine")) << "bundled";
    EXPECT_TRUE(registry.rename("Glioma (2)", "Second"));
    EXPECT_TRUE(registry.remove("Other"));
    EXPECT_FALSE(registry.remove(registry.entries()[0].name));
    EXPECT_NE(ModelRegistry::describe(*registry.find("Glioma")).indexOf("0.500"), -1);
    registry.save(settings);
  }
  QSettings settings(file, QSettings::IniFormat);
  const ModelRegistry again = ModelRegistry::load(settings, "/bundled/tiny.pt");
  ASSERT_EQ(again.entries().size(), 3);
  EXPECT_EQ(again.entries()[1].name, "Glioma");
  EXPECT_EQ(again.entries()[1].card["preset"].toString(), "tiny");
  EXPECT_EQ(again.entries()[2].name, "Second");
  EXPECT_EQ(again.entries()[2].path, "/runs/b/best.pt");
}

}  // namespace
}  // namespace seqseg
