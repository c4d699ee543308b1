// seqseg train and seqseg --batch on real files: masks with exact geometry, bad cases named and
// skipped, --skip-existing, a killed training run resumed on the same loss curve, and
// checkpoints that Python's torch.load reads.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

auto seqseg = test::runSeqseg;

std::vector<std::string> trainArguments(const std::string& data, const std::string& run,
                                        const std::string& config, int epochs, int steps) {
  return {test::seqsegExecutable(),
          "train",
          "--data",
          data,
          "--out",
          run,
          "--config",
          config,
          "--epochs",
          std::to_string(epochs),
          "--steps-per-epoch",
          std::to_string(steps),
          "--batch-size",
          "1",
          "--threads",
          "1",
          "--seed",
          "5",
          "--val-fraction",
          "0",
          "--progress",
          "json"};
}

class TrainedModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    test::writeFile(*dir_ / "small.json", test::kSmallModelConfig);
    ASSERT_EQ(
        seqseg({"synth", "--out", *dir_ / "data", "--cases", "4", "--size", "32", "--seed", "21"})
            .exitCode,
        0);
    const CommandResult train =
        test::runCommand(trainArguments(*dir_ / "data", *dir_ / "run", *dir_ / "small.json", 2, 3));
    ASSERT_EQ(train.exitCode, 0) << train.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string model() { return *dir_ / "run/best.pt"; }
  static std::string data() { return *dir_ / "data"; }
  static TempDir* dir_;
};
TempDir* TrainedModel::dir_ = nullptr;

TEST_F(TrainedModel, BatchWritesMasksWithExactGeometryAndNamesTheBadCase) {
  TempDir dir;
  fs::copy(data(), dir / "in", fs::copy_options::recursive);
  // Case 3 becomes corrupt: its FLAIR is cut short.
  const std::string flair = dir / "in/BraTS2021_00003/BraTS2021_00003_flair.nii.gz";
  test::writeFile(flair, test::readFile(flair).substr(0, 500));

  const CommandResult run =
      seqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--model", model(), "--report",
              dir / "report.json", "--report-csv", "--progress", "json", "--threads", "1"});
  EXPECT_EQ(run.exitCode, 1) << run.err;
  std::istringstream lines(run.out);
  int events = 0;
  for (std::string line; std::getline(lines, line); ++events)
    EXPECT_TRUE(nlohmann::json::parse(line).contains("event")) << line;
  EXPECT_GT(events, 4);
  EXPECT_NE(run.out.find(flair + ": truncated"), std::string::npos) << run.out;

  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "report.json"));
  ASSERT_EQ(report["cases"].size(), 4u);
  EXPECT_EQ(report["failed"], 1);
  for (int c = 0; c < 3; ++c) {
    const nlohmann::json& entry = report["cases"][c];
    const std::string id = entry["case"];
    SCOPED_TRACE(id);
    EXPECT_EQ(entry["status"], "ok");
    EXPECT_TRUE(entry.contains("dice")) << "a reference is present, so the report scores it";
    EXPECT_GE(entry["volume_ml"]["WT"].get<double>(), 0.0);
    const nlohmann::json mask = test::niftiFacts(dir / ("out/" + id + ".nii.gz"));
    const nlohmann::json t1 = test::niftiFacts(dir / ("in/" + id + "/" + id + "_t1.nii.gz"));
    EXPECT_EQ(mask["shape"], t1["shape"]);
    EXPECT_EQ(mask["dtype"], "uint8");
    EXPECT_EQ(mask["qform"], t1["qform"]);
    EXPECT_EQ(mask["sform"], t1["sform"]);
    EXPECT_EQ(mask["qform_code"], t1["qform_code"]);
    EXPECT_EQ(mask["sform_code"], t1["sform_code"]);
    EXPECT_LE(mask["max"].get<double>(), 4.0);
  }
  EXPECT_EQ(report["cases"][3]["status"], "failed");
  // The CSV beside the report: three rows per case, the failed one's cells empty.
  std::istringstream csv(test::readFile(dir / "report.csv"));
  std::vector<std::string> rows;
  for (std::string line; std::getline(csv, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 1u + 4 * 3);
  EXPECT_EQ(rows[0].rfind("case,status,region,voxels,volume_ml,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("BraTS2021_00000,ok,WT,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[12], "BraTS2021_00003,failed,ET" + std::string(25, ','));
  EXPECT_FALSE(fs::exists(dir / "out/BraTS2021_00003.nii.gz"));
  for (const auto& entry : fs::directory_iterator(dir / "out"))
    EXPECT_NE(entry.path().filename().string()[0], '.') << "temporary file left: " << entry.path();

  // --skip-existing keeps what is there and redoes only what is missing.
  fs::remove(dir / "out/BraTS2021_00001.nii.gz");
  const CommandResult again =
      seqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--model", model(), "--skip-existing",
              "--progress", "json", "--threads", "1"});
  EXPECT_EQ(again.exitCode, 1);
  const nlohmann::json second = nlohmann::json::parse(test::readFile(dir / "out/report.json"));
  EXPECT_EQ(second["cases"][0]["status"], "skipped");
  EXPECT_EQ(second["cases"][1]["status"], "ok");
  EXPECT_EQ(second["cases"][2]["status"], "skipped");
  EXPECT_EQ(second["cases"][3]["status"], "failed");
}

// --save-probabilities: the class probabilities on the case's grid (checked with nibabel and
// numpy by tests/tools/probability_facts.py): they sum to 1, their argmax is the mask (without
// post-processing), the uncertainty map is their normalised entropy; under --tta they are the
// flip-averaged ones, still the mask's argmax; --uncertainty implies the flips and scores the
// case with the uncertainty map's mean inside the predicted whole tumour.
TEST_F(TrainedModel, BatchSavesProbabilitiesWhoseArgmaxIsTheMask) {
  TempDir dir;
  const std::string script = std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/probability_facts.py";
  std::map<std::string, std::string> probabilityBytes;
  for (const std::string tta : {"", "--tta", "--uncertainty"}) {
    SCOPED_TRACE(tta);
    const std::string out = dir / ("out" + tta);
    std::vector<std::string> arguments{"--batch",
                                       "-i",
                                       data(),
                                       "--case",
                                       "BraTS2021_00001",
                                       "-o",
                                       out,
                                       "--model",
                                       model(),
                                       "--labels",
                                       "internal",
                                       "--no-postprocess",
                                       "--save-probabilities",
                                       "--threads",
                                       "1",
                                       "--progress",
                                       "json"};
    if (!tta.empty()) arguments.push_back(tta);
    const CommandResult run = seqseg(arguments);
    ASSERT_EQ(run.exitCode, 0) << run.err;
    const nlohmann::json report = nlohmann::json::parse(test::readFile(out + "/report.json"));
    EXPECT_EQ(report["probability_channels"],
              nlohmann::json::parse(R"(["background","NCR","ED","ET"])"));
    const nlohmann::json& entry = report["cases"][0];
    ASSERT_EQ(entry["probabilities"], out + "/BraTS2021_00001_probabilities.nii.gz");
    ASSERT_EQ(entry["uncertainty"], out + "/BraTS2021_00001_uncertainty.nii.gz");
    const CommandResult facts =
        test::runCommand({test::systemPython(), script, entry["probabilities"],
                          entry["uncertainty"], entry["mask"]});
    ASSERT_EQ(facts.exitCode, 0) << facts.err;
    const nlohmann::json checked = nlohmann::json::parse(facts.out);
    EXPECT_EQ(checked["shape"], nlohmann::json::parse("[32, 32, 32, 4]"));
    EXPECT_EQ(checked["dtype"], "float32");
    EXPECT_NEAR(checked["sum_min"].get<double>(), 1.0, 1e-5);
    EXPECT_NEAR(checked["sum_max"].get<double>(), 1.0, 1e-5);
    EXPECT_EQ(checked["argmax_differs"], 0);
    EXPECT_LT(checked["uncertainty_max_difference"].get<double>(), 1e-5);
    EXPECT_GT(checked["uncertainty_max"].get<double>(), 0.0) << "a model certain everywhere";
    EXPECT_TRUE(checked["same_affine"].get<bool>());
    probabilityBytes[tta] = test::readFile(entry["probabilities"]);
    EXPECT_EQ(report["tta"], !tta.empty());
    if (tta == "--uncertainty") {
      ASSERT_TRUE(checked["mean_uncertainty_in_whole_tumour"].is_number()) << "no tumour found";
      EXPECT_NEAR(entry["uncertainty_score"].get<double>(),
                  checked["mean_uncertainty_in_whole_tumour"].get<double>(), 1e-6);
    } else {
      EXPECT_FALSE(entry.contains("uncertainty_score"));
    }
  }
  EXPECT_NE(probabilityBytes[""], probabilityBytes["--tta"]) << "--tta averages other passes";
  EXPECT_EQ(probabilityBytes["--tta"], probabilityBytes["--uncertainty"]);
}

TEST_F(TrainedModel, BatchRefusesAMissingModelOrInput) {
  TempDir dir;
  const CommandResult noModel =
      seqseg({"--batch", "-i", data(), "-o", dir / "out", "--model", dir / "none.pt"});
  EXPECT_EQ(noModel.exitCode, 2);
  EXPECT_NE(noModel.err.find(dir / "none.pt"), std::string::npos) << noModel.err;
  test::writeFile(dir / "bogus.pt", "not a checkpoint");
  const CommandResult bogus =
      seqseg({"--batch", "-i", data(), "-o", dir / "out", "--model", dir / "bogus.pt"});
  EXPECT_EQ(bogus.exitCode, 2);
  EXPECT_NE(bogus.err.find("not a seqseg model checkpoint"), std::string::npos) << bogus.err;
  EXPECT_EQ(
      seqseg({"--batch", "-i", dir / "missing", "-o", dir / "out", "--model", model()}).exitCode,
      2);
  EXPECT_EQ(seqseg({"--batch", "-i", data()}).exitCode, 2);
}

TEST_F(TrainedModel, BatchCaseOptionSegmentsOnlyTheNamedCaseOfAnMsdFolder) {
  TempDir dir;
  ASSERT_EQ(seqseg({"synth", "--out", dir / "msd", "--cases", "2", "--size", "32", "--layout",
                    "msd", "--seed", "8"})
                .exitCode,
            0);
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(dir / "msd/imagesTr"))
    ids.push_back(
        entry.path().filename().string().substr(0, entry.path().filename().string().find('.')));
  ASSERT_EQ(ids.size(), 2u);
  const CommandResult one = seqseg({"--batch", "-i", dir / "msd", "-o", dir / "out", "--model",
                                    model(), "--case", ids[1], "--progress", "json"});
  ASSERT_EQ(one.exitCode, 0) << one.err;
  EXPECT_TRUE(fs::exists(dir / ("out/" + ids[1] + ".nii.gz")));
  EXPECT_FALSE(fs::exists(dir / ("out/" + ids[0] + ".nii.gz")));

  const CommandResult unknown = seqseg(
      {"--batch", "-i", dir / "msd", "-o", dir / "none", "--model", model(), "--case", "NOPE"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("no case 'NOPE'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(dir / "none"));
}

TEST_F(TrainedModel, CheckpointLoadsInPythonTorch) {
  const std::string script =
      "import json, sys, torch\n"
      "d = torch.load(sys.argv[1])\n"
      "assert d['format'] == 'seqseg-checkpoint-1', d['format']\n"
      "config = json.loads(d['config'])\n"
      "shapes = sorted(tuple(t.shape) for t in d['model'].values())\n"
      "print(json.dumps({'embed_dim': config['embed_dim'], 'tensors': len(shapes),\n"
      "                  'patch_embed': [list(s) for s in shapes if len(s) == 5 and s[1] == "
      "4]}))\n";
  const CommandResult python = test::runCommand({test::systemPython(), "-c", script, model()});
  ASSERT_EQ(python.exitCode, 0) << python.err;
  const nlohmann::json facts = nlohmann::json::parse(python.out);
  EXPECT_EQ(facts["embed_dim"], 32);
  EXPECT_GT(facts["tensors"].get<int>(), 10);
  EXPECT_EQ(facts["patch_embed"], nlohmann::json::parse("[[32, 4, 8, 8, 8]]"));
}

TEST_F(TrainedModel, KilledTrainingResumesOnTheSameLossCurve) {
  TempDir dir;
  const std::string config = TrainedModel::dir_->path() + "/small.json";
  const auto whole = test::runCommand(trainArguments(data(), dir / "whole", config, 4, 15));
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  const std::vector<double> expected = test::stepLosses(dir / "whole/metrics.jsonl");
  ASSERT_EQ(expected.size(), 60u);

  // Kill the same run in its second epoch, after the first checkpoint.
  const int pid =
      test::startCommand(trainArguments(data(), dir / "killed", config, 4, 15), dir / "killed.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline &&
         !(fs::exists(dir / "killed/last.pt") &&
           test::stepLosses(dir / "killed/metrics.jsonl").size() >= 20))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  ASSERT_EQ(test::waitCommand(pid), 128 + SIGKILL) << "the run ended before it could be killed";
  const size_t stepsBeforeKill = test::stepLosses(dir / "killed/metrics.jsonl").size();
  EXPECT_LT(stepsBeforeKill, 60u);

  std::vector<std::string> resume = trainArguments(data(), dir / "killed", config, 4, 15);
  resume.push_back("--resume");
  const CommandResult resumed = test::runCommand(resume);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("\"resumed_at_epoch\":1"), std::string::npos)
      << resumed.out.substr(0, 300);
  const std::vector<double> actual = test::stepLosses(dir / "killed/metrics.jsonl");
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t step = 0; step < expected.size(); ++step)
    EXPECT_NEAR(actual[step], expected[step], 1e-6 * std::max(1.0, std::abs(expected[step])))
        << "step " << step + 1;
}

TEST_F(TrainedModel, ResumeWithoutACheckpointIsRefused) {
  TempDir dir;
  std::vector<std::string> arguments =
      trainArguments(data(), dir / "empty", TrainedModel::dir_->path() + "/small.json", 1, 1);
  arguments.push_back("--resume");
  const CommandResult result = test::runCommand(arguments);
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("nothing to resume"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace seqseg

namespace seqseg {
namespace {

TEST(BundledModel, SegmentsAFullSizeSyntheticCase) {
  // The default model, a BraTS-sized 1 mm case (resampled to the model's spacing and back), and
  // a tumour it has never seen: the whole tumour must be found where it is.
  TempDir dir;
  ASSERT_EQ(test::runSeqseg({"synth", "--out", dir / "in", "--cases", "1", "--size", "240x240x155",
                             "--seed", "77"})
                .exitCode,
            0);
  const CommandResult run =
      test::runSeqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--progress", "json"});
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "out/report.json"));
  const nlohmann::json& entry = report["cases"][0];
  EXPECT_GT(entry["dice"]["WT"].get<double>(), 0.75) << entry.dump();
  EXPECT_GT(entry["volume_ml"]["WT"].get<double>(), 1.0);
  const nlohmann::json mask = test::niftiFacts(dir / "out/BraTS2021_00000.nii.gz");
  EXPECT_EQ(mask["shape"], nlohmann::json::parse("[240, 240, 155]"));
}

// The bundled model on three named cases of its card's held-out-hard set (`synth --randomise
// --heldout-hard --seed 4000`, 240x240x155, each made alone with --first: case 0, a 3.2 mL
// tumour; case 9, 49 mL; case 16, 89 mL without enhancing tumour, where the model calls some, so
// BraTS's empty-region rule scores its ET 0), scored by `seqseg eval`: each region's mean Dice at
// most 0.05 below the card's mean over all 24 cases.
TEST(BundledModel, HoldsItsCardOnThreeHeldoutHardCases) {
  constexpr double kCardMeanDice[3] = {0.786, 0.788, 0.549};  // resources/models/README.md
  TempDir dir;
  fs::create_directories(dir / "in");
  for (const char* first : {"0", "9", "16"}) {
    const CommandResult made = test::runSeqseg(
        {"synth", "--randomise", "--heldout-hard", "--seed", "4000", "--size", "240x240x155",
         "--first", first, "--cases", "1", "--out", dir / ("made" + std::string(first))});
    ASSERT_EQ(made.exitCode, 0) << made.err;
    for (const auto& entry : fs::directory_iterator(dir / ("made" + std::string(first))))
      if (entry.is_directory())
        fs::rename(entry.path(), dir / ("in/" + entry.path().filename().string()));
  }
  const CommandResult run =
      test::runSeqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--progress", "json"});
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const CommandResult scored = test::runSeqseg(
      {"eval", "--pred", dir / "out", "--ref", dir / "in", "--report", dir / "eval.json"});
  ASSERT_EQ(scored.exitCode, 0) << scored.err;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "eval.json"));
  ASSERT_EQ(report["scored"], 3);
  const char* regions[3] = {"WT", "TC", "ET"};
  for (int r = 0; r < 3; ++r)
    EXPECT_GE(report["mean"][regions[r]]["dice"].get<double>(), kCardMeanDice[r] - 0.05)
        << regions[r] << ": " << scored.out;
}

// The report's measurements (and --report-csv's rows) against an independent computation from
// the written mask (tests/tools/measure_reference.py: nibabel's affine, scipy's convex hull), on
// a randomised case stored in another orientation.
TEST(BundledModel, ReportsMeasurementsThatAnIndependentComputationConfirms) {
  TempDir dir;
  ASSERT_EQ(test::runSeqseg({"synth", "--out", dir / "in", "--cases", "1", "--size", "96",
                             "--randomise", "--seed", "31"})
                .exitCode,
            0);
  const CommandResult run =
      test::runSeqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--labels", "internal",
                       "--report-csv", "--progress", "json"});
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "out/report.json"));
  const nlohmann::json& entry = report["cases"][0];
  const std::string script = std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/measure_reference.py";
  const CommandResult reference =
      test::runCommand({test::systemPython(), script, entry["mask"].get<std::string>()});
  ASSERT_EQ(reference.exitCode, 0) << reference.err;
  const nlohmann::json expected = nlohmann::json::parse(reference.out);
  ASSERT_GT(expected["WT"]["voxels"].get<int>(), 100) << "the model found no tumour to measure";

  // CSV rows: case, status, region, then the columns its header names.
  std::istringstream csv(test::readFile(dir / "out/report.csv"));
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> header;
  for (std::istringstream cells(line); std::getline(cells, line, ',');) header.push_back(line);
  std::map<std::string, std::map<std::string, std::string>> rows;  // region -> column -> cell
  while (std::getline(csv, line)) {
    std::istringstream cells(line);
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < header.size() && std::getline(cells, line, ','); ++c)
      row[header[c]] = line;
    rows[row["region"]] = row;
  }
  ASSERT_EQ(rows.size(), 3u);

  for (const char* region : {"WT", "TC", "ET"}) {
    SCOPED_TRACE(region);
    const nlohmann::json& measured = entry["measurements"][region];
    const nlohmann::json& truth = expected[region];
    const auto& row = rows[region];
    EXPECT_EQ(row.at("case"), entry["case"].get<std::string>());
    EXPECT_EQ(row.at("status"), "ok");
    ASSERT_EQ(measured["voxels"], truth["voxels"]);
    if (truth["voxels"] == 0) continue;
    // The file's affine is single precision: millionths apart.
    EXPECT_NEAR(measured["volume_ml"].get<double>(), truth["volume_ml"].get<double>(),
                1e-6 * truth["volume_ml"].get<double>());
    EXPECT_EQ(measured["volume_ml"].get<double>(), entry["volume_ml"][region].get<double>());
    for (int a = 0; a < 3; ++a) {
      EXPECT_NEAR(measured["centroid_ras_mm"][a].get<double>(),
                  truth["centroid_ras_mm"][a].get<double>(), 1e-3);
      EXPECT_EQ(measured["bounding_box"]["first_index"][a], truth["first_index"][a]);
      EXPECT_EQ(measured["bounding_box"]["last_index"][a], truth["last_index"][a]);
      EXPECT_NEAR(measured["bounding_box"]["low_ras_mm"][a].get<double>(),
                  truth["low_ras_mm"][a].get<double>(), 1e-3);
      EXPECT_NEAR(measured["bounding_box"]["high_ras_mm"][a].get<double>(),
                  truth["high_ras_mm"][a].get<double>(), 1e-3);
    }
    // At least cos(2 degrees) of the exact farthest pair (types/region_measurements.cpp).
    const double diameter = measured["largest_diameter"]["length_mm"].get<double>();
    const double exact = truth["largest_diameter_mm"].get<double>();
    EXPECT_LE(diameter, exact + 1e-3);
    EXPECT_GE(diameter, 0.9994 * exact);
    // The axial measure lies on one patient-axial plane, within the region's S extent.
    const nlohmann::json& axial = measured["axial_bidimensional"];
    ASSERT_TRUE(axial.is_object());
    const double plane = axial["plane_s_mm"].get<double>();
    EXPECT_EQ(axial["longest"]["from_ras_mm"][2].get<double>(), plane);
    EXPECT_EQ(axial["perpendicular"]["to_ras_mm"][2].get<double>(), plane);
    const double halfVoxel = 0.5 * 240.0 / 96 * std::sqrt(3.0);
    EXPECT_GE(plane, truth["low_ras_mm"][2].get<double>() - halfVoxel);
    EXPECT_LE(plane, truth["high_ras_mm"][2].get<double>() + halfVoxel);
    EXPECT_LE(axial["longest"]["length_mm"].get<double>(), exact + 2 * halfVoxel);
    EXPECT_LE(axial["perpendicular"]["length_mm"].get<double>(),
              axial["longest"]["length_mm"].get<double>() + 1e-9);
    // The CSV holds the report's numbers.
    EXPECT_EQ(std::stoll(row.at("voxels")), measured["voxels"].get<int64_t>());
    EXPECT_EQ(std::stod(row.at("largest_diameter_mm")), diameter);
    EXPECT_EQ(std::stod(row.at("axial_product_mm2")), axial["product_mm2"].get<double>());
    EXPECT_EQ(std::stod(row.at("centroid_s_mm")), measured["centroid_ras_mm"][2].get<double>());
  }
}

}  // namespace
}  // namespace seqseg

namespace seqseg {
namespace {

class BatchLayout : public TrainedModel, public ::testing::WithParamInterface<std::string> {};

TEST_P(BatchLayout, MasksCarryTheImageGeometryAndNativeLabels) {
  TempDir dir;
  ASSERT_EQ(test::runSeqseg({"synth", "--out", dir / "in", "--cases", "1", "--size", "32",
                             "--layout", GetParam(), "--seed", "8"})
                .exitCode,
            0);
  const CommandResult run =
      test::runSeqseg({"--batch", "-i", dir / "in", "-o", dir / "out", "--model", model(),
                       "--progress", "json", "--threads", "1"});
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "out/report.json"));
  EXPECT_EQ(report["layout"], GetParam());
  const std::string id = report["cases"][0]["case"];
  const std::map<std::string, std::string> firstImage{
      {"brats2021", id + "/" + id + "_t1.nii.gz"},
      {"brats2023", id + "/" + id + "-t1n.nii.gz"},
      {"msd", "imagesTr/" + id + ".nii.gz"},
      {"nnunet", "imagesTr/" + id + "_0000.nii.gz"}};
  const nlohmann::json image = test::niftiFacts(dir / ("in/" + firstImage.at(GetParam())));
  const nlohmann::json mask = test::niftiFacts(dir / ("out/" + id + ".nii.gz"));
  EXPECT_EQ(mask["shape"], nlohmann::json::parse("[32, 32, 32]"));
  EXPECT_EQ(mask["qform"], image["qform"]);
  EXPECT_EQ(mask["sform"], image["sform"]);
  EXPECT_EQ(mask["sform_code"], image["sform_code"]);
  EXPECT_LE(mask["max"].get<double>(), GetParam() == "brats2021" ? 4.0 : 3.0);
}

INSTANTIATE_TEST_SUITE_P(Layouts, BatchLayout,
                         ::testing::Values("brats2021", "brats2023", "msd", "nnunet"));

}  // namespace
}  // namespace seqseg
