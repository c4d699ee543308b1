// Calibration end to end: training (fresh, resumed, and --epochs 0 from a model) stores a fitted
// temperature that `seqseg info` shows and that leaves masks without --tta as they were;
// `seqseg eval --probabilities` reports the ECE and reliability tables that an independent numpy
// computation (tests/tools/calibration_error.py) agrees with; a missing, 3D or misgridded
// probabilities file is one line naming it, exit 2, and no report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

std::vector<std::string> trainArguments(const std::string& data, const std::string& run,
                                        std::vector<std::string> more) {
  std::vector<std::string> arguments{test::seqsegExecutable(),
                                     "train",
                                     "--data",
                                     data,
                                     "--out",
                                     run,
                                     "--steps-per-epoch",
                                     "10",
                                     "--lr",
                                     "1e-2",
                                     "--batch-size",
                                     "1",
                                     "--threads",
                                     "1",
                                     "--seed",
                                     "5",
                                     "--progress",
                                     "json"};
  arguments.insert(arguments.end(), more.begin(), more.end());
  return arguments;
}

nlohmann::json infoJson(const std::string& checkpoint) {
  const CommandResult info = test::runSeqseg({"info", "--json", checkpoint});
  EXPECT_EQ(info.exitCode, 0) << info.err;
  return nlohmann::json::parse(info.out);
}

class Calibration : public ::testing::Test {
 protected:
  // Four cases of 32^3 voxels; a small model trained for one epoch of ten steps (enough to move
  // its temperature off the ends of the fitted range), validated on half of them.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    test::writeFile(*dir_ / "small.json", test::kSmallModelConfig);
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "data", "--cases", "4", "--size", "32", "--seed", "21"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    train_ = new CommandResult(test::runCommand(trainArguments(
        *dir_ / "data", *dir_ / "run",
        {"--config", *dir_ / "small.json", "--epochs", "1", "--val-fraction", "0.5"})));
    ASSERT_EQ(train_->exitCode, 0) << train_->err;
  }
  static void TearDownTestSuite() {
    delete train_;
    delete dir_;
  }
  static std::string data() { return *dir_ / "data"; }
  static std::string model() { return *dir_ / "run/best.pt"; }

  // The cases' masks and probabilities from `checkpoint`, in `out`.
  static void segment(const std::string& checkpoint, const std::string& out) {
    const CommandResult batch =
        test::runSeqseg({"--batch", "-i", data(), "-o", out, "--model", checkpoint,
                         "--save-probabilities", "--threads", "1", "--progress", "json"});
    ASSERT_EQ(batch.exitCode, 0) << batch.err;
  }

  static TempDir* dir_;
  static CommandResult* train_;
};
TempDir* Calibration::dir_ = nullptr;
CommandResult* Calibration::train_ = nullptr;

TEST_F(Calibration, TrainingStoresATemperatureThatInfoShows) {
  const nlohmann::json info = infoJson(model());
  ASSERT_TRUE(info.contains("temperature"));
  const double temperature = info["temperature"].get<double>();
  EXPECT_GT(temperature, 0);
  EXPECT_GT(std::abs(temperature - 1), 1e-3) << "a fitted temperature of exactly 1";
  EXPECT_GT(temperature, 0.06) << "at the end of the range (0.05 to 20), not a minimum";
  EXPECT_LT(temperature, 19.9) << "at the end of the range (0.05 to 20), not a minimum";
  EXPECT_EQ(info["meta"]["temperature"].get<double>(), temperature);
  EXPECT_EQ(info["meta"]["temperature_fit"]["voxels"].get<int64_t>(), 2 * 2048);  // 2 cases
  EXPECT_EQ(infoJson(*dir_ / "run/last.pt")["temperature"].get<double>(), temperature);
  // The validation's metric event and metrics line carry it.
  bool reported = false;
  std::istringstream events(train_->out);
  for (std::string line; std::getline(events, line);) {
    const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_discarded() && event.value("event", "") == "metric" &&
        event.contains("temperature")) {
      EXPECT_EQ(event["temperature"].get<double>(), temperature);
      reported = true;
    }
  }
  EXPECT_TRUE(reported);
  EXPECT_NE(test::readFile(*dir_ / "run/metrics.jsonl").find("\"temperature\""), std::string::npos);
  const CommandResult text = test::runSeqseg({"info", model()});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("temperature: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("validation voxels"), std::string::npos) << text.out;
  // The bundled model says what it has.
  const nlohmann::json bundled =
      infoJson(std::string(SEQSEG_SOURCE_DIR) + "/resources/models/tiny.pt");
  EXPECT_EQ(bundled["temperature"].get<double>(), bundled["meta"].value("temperature", 1.0));
}

TEST_F(Calibration, AResumedRunFitsItsOwnTemperature) {
  TempDir dir;
  fs::copy(*dir_ / "run", dir / "run", fs::copy_options::recursive);
  const CommandResult resumed = test::runCommand(trainArguments(
      data(), dir / "run",
      {"--config", *dir_ / "small.json", "--epochs", "2", "--val-fraction", "0.5", "--resume"}));
  ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
  const nlohmann::json last = infoJson(dir / "run/last.pt");
  EXPECT_EQ(last["meta"]["epoch"], 2);
  ASSERT_TRUE(last["meta"].contains("temperature"));
  EXPECT_NE(last["temperature"].get<double>(), infoJson(model())["temperature"].get<double>())
      << "the resumed run's weights changed, its temperature with them";
}

// Every rank sees every window's logits and fits the same temperature; rank 0's checkpoint has
// the one-rank run's (the runs' weights agree to float rounding).
TEST_F(Calibration, TwoRanksFitTheTemperatureOfOne) {
  TempDir dir;
  const CommandResult run =
      test::runCommand(trainArguments(data(), dir / "run",
                                      {"--config", *dir_ / "small.json", "--epochs", "1",
                                       "--val-fraction", "0.5", "--ranks", "2"}));
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const nlohmann::json two = infoJson(dir / "run/best.pt");
  const nlohmann::json one = infoJson(model());
  EXPECT_NEAR(two["temperature"].get<double>(), one["temperature"].get<double>(),
              1e-3 * one["temperature"].get<double>());
  EXPECT_EQ(two["meta"]["temperature_fit"]["voxels"], one["meta"]["temperature_fit"]["voxels"]);
}

TEST_F(Calibration, EpochsZeroFitsOnlyTheTemperatureAndKeepsTheMasks) {
  TempDir dir;
  // A model trained without validation cases has no temperature (T = 1): it is calibrated.
  const CommandResult plainRun = test::runCommand(
      trainArguments(data(), dir / "run",
                     {"--config", *dir_ / "small.json", "--epochs", "1", "--val-fraction", "0"}));
  ASSERT_EQ(plainRun.exitCode, 0) << plainRun.err;
  // Nor a best validation Dice to report.
  EXPECT_NE(plainRun.out.find("no validation cases: best.pt is the last step"), std::string::npos)
      << plainRun.out;
  EXPECT_EQ(plainRun.out.find("best mean validation Dice -1"), std::string::npos) << plainRun.out;
  fs::copy_file(dir / "run/best.pt", dir / "plain.pt");
  ASSERT_EQ(infoJson(dir / "plain.pt")["temperature"].get<double>(), 1.0);
  const CommandResult plainText = test::runSeqseg({"info", dir / "plain.pt"});
  EXPECT_NE(plainText.out.find("temperature: 1 (not calibrated)"), std::string::npos)
      << plainText.out;

  const CommandResult calibrate =
      test::runSeqseg({"train", "--init", dir / "plain.pt", "--epochs", "0", "--val-data", data(),
                       "--out", dir / "calibrated", "--threads", "1", "--progress", "json"});
  ASSERT_EQ(calibrate.exitCode, 0) << calibrate.err;
  nlohmann::json plain = infoJson(dir / "plain.pt");
  nlohmann::json calibrated = infoJson(dir / "calibrated/best.pt");
  EXPECT_GT(std::abs(calibrated["temperature"].get<double>() - 1), 1e-3);
  EXPECT_EQ(calibrated["meta"]["temperature_fit"]["voxels"].get<int64_t>(), 4 * 2048);
  // The rest of the record is the model's own; the post-processing is chosen again.
  ASSERT_TRUE(calibrated["meta"].contains("postprocess"));
  for (nlohmann::json* meta : {&calibrated["meta"], &plain["meta"]})
    for (const char* fitted :
         {"temperature", "temperature_fit", "postprocess", "val_dice_postprocessed"})
      meta->erase(fitted);
  EXPECT_EQ(calibrated["meta"], plain["meta"]);

  segment(dir / "plain.pt", dir / "plain");
  segment(dir / "calibrated/best.pt", dir / "calibrated-out");
  for (const std::string id :
       {"BraTS2021_00000", "BraTS2021_00001", "BraTS2021_00002", "BraTS2021_00003"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(test::inflatedFile(dir / ("plain/" + id + ".nii.gz")),
              test::inflatedFile(dir / ("calibrated-out/" + id + ".nii.gz")));
    EXPECT_NE(test::inflatedFile(dir / ("plain/" + id + "_probabilities.nii.gz")),
              test::inflatedFile(dir / ("calibrated-out/" + id + "_probabilities.nii.gz")));
  }

  // Without a model to start from, or without validation cases: one line, exit 2.
  const CommandResult noInit = test::runSeqseg(
      {"train", "--data", data(), "--epochs", "0", "--out", dir / "x", "--progress", "json"});
  EXPECT_EQ(noInit.exitCode, 2);
  EXPECT_NE(noInit.err.find("--init"), std::string::npos) << noInit.err;
  const CommandResult noValidation =
      test::runSeqseg({"train", "--init", model(), "--epochs", "0", "--out", dir / "y",
                       "--randomise", "--progress", "json"});
  EXPECT_EQ(noValidation.exitCode, 2);
  EXPECT_NE(noValidation.err.find("validation cases"), std::string::npos) << noValidation.err;
}

TEST_F(Calibration, EvalReportsTheCalibrationThatNumpyComputes) {
  TempDir dir;
  segment(model(), dir / "out");
  const CommandResult eval =
      test::runSeqseg({"eval", "--pred", dir / "out", "--ref", data(), "--probabilities",
                       dir / "out", "--report", dir / "report.json"});
  ASSERT_EQ(eval.exitCode, 0) << eval.err;
  EXPECT_NE(eval.out.find("WT reliability: ECE "), std::string::npos) << eval.out;
  // For people: a row per bin and region.
  size_t rows = 0;
  for (size_t at = eval.out.find("\n  0."); at != std::string::npos;
       at = eval.out.find("\n  0.", at + 1))
    ++rows;
  EXPECT_EQ(rows, 45u) << eval.out;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "report.json"));

  std::vector<std::string> arguments{
      test::systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/calibration_error.py",
      "1", "2", "4"};
  for (const nlohmann::json& entry : report["cases"]) {
    const std::string id = entry["case"];
    arguments.push_back(dir / ("out/" + id + "_probabilities.nii.gz"));
    arguments.push_back(data() + "/" + id + "/" + id + "_seg.nii.gz");
  }
  const CommandResult numpy = test::runCommand(arguments);
  ASSERT_EQ(numpy.exitCode, 0) << numpy.err;
  const nlohmann::json expected = nlohmann::json::parse(numpy.out);
  ASSERT_EQ(report["calibration"]["bins"], 15);
  for (const char* region : {"WT", "TC", "ET"}) {
    SCOPED_TRACE(region);
    const nlohmann::json& table = report["calibration"][region];
    EXPECT_EQ(table["voxels"], expected[region]["voxels"]);
    EXPECT_GT(table["voxels"].get<int64_t>(), 0);
    EXPECT_NEAR(table["ece"].get<double>(), expected[region]["ece"].get<double>(), 1e-6);
    ASSERT_EQ(table["bins"].size(), 15u);
    for (size_t b = 0; b < 15; ++b) {
      const nlohmann::json &got = table["bins"][b], &want = expected[region]["bins"][b];
      EXPECT_EQ(got["voxels"], want["voxels"]) << "bin " << b;
      for (const char* column : {"confidence", "accuracy"})
        if (want[column].is_null())
          EXPECT_TRUE(got[column].is_null()) << "bin " << b << " " << column;
        else
          EXPECT_NEAR(got[column].get<double>(), want[column].get<double>(), 1e-6)
              << "bin " << b << " " << column;
    }
    for (size_t c = 0; c < report["cases"].size(); ++c)
      EXPECT_NEAR(report["cases"][c][region]["ece"].get<double>(),
                  expected["cases"][c][region].get<double>(), 1e-6);
  }
}

TEST_F(Calibration, EvalRefusesABadProbabilitiesFileNamingIt) {
  TempDir dir;
  segment(model(), dir / "out");
  const std::string victim = dir / "out/BraTS2021_00002_probabilities.nii.gz";
  const std::string saved = dir / "saved.nii.gz";
  fs::copy_file(victim, saved);
  auto expectRefused = [&](const std::string& problem) {
    const CommandResult eval =
        test::runSeqseg({"eval", "--pred", dir / "out", "--ref", data(), "--probabilities",
                         dir / "out", "--report", dir / "report.json"});
    EXPECT_EQ(eval.exitCode, 2) << eval.err;
    EXPECT_EQ(std::count(eval.err.begin(), eval.err.end(), '\n'), 1) << eval.err;
    EXPECT_NE(eval.err.find(victim + ": "), std::string::npos) << eval.err;
    EXPECT_NE(eval.err.find(problem), std::string::npos) << eval.err;
    EXPECT_FALSE(fs::exists(dir / "report.json"));
  };
  fs::remove(victim);
  expectRefused("no probabilities for this case");
  fs::copy_file(dir / "out/BraTS2021_00002_uncertainty.nii.gz", victim);  // 3D: one channel
  expectRefused("has 1 channels; 4 expected");
  fs::remove(victim);
  // Another case's probabilities of another grid: 32^3 cut to 32x32x30 by nibabel.
  const CommandResult cut = test::runCommand(
      {test::systemPython(), "-c",
       "import sys, nibabel as nib\n"
       "i = nib.load(sys.argv[1])\n"
       "nib.save(nib.Nifti1Image(i.get_fdata(dtype='float32')[:, :, :30], i.affine), sys.argv[2])",
       saved, victim});
  ASSERT_EQ(cut.exitCode, 0) << cut.err;
  expectRefused("grid differs from the reference");
}

}  // namespace
}  // namespace seqseg
