// The command-line contract on real files: synth and info for every layout, one-line errors
// with exit code 2 for every class of bad input, and deterministic synthetic data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "io/image_writer.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"
#include "types/resource_paths.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

auto seqseg = test::runSeqseg;

std::vector<std::string> niftiFilesUnder(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.path().string().find(".nii") != std::string::npos)
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Cli, VersionAndHelp) {
  const CommandResult version = seqseg({"--version"});
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_NE(version.out.find("seqseg 0."), std::string::npos) << version.out;
  const CommandResult help = seqseg({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  for (const char* command : {"info", "synth"})
    EXPECT_NE(help.out.find(command), std::string::npos);
}

TEST(Cli, WithoutADisplayTheDesktopAppSaysSo) {
  const CommandResult result =
      test::runCommand({"/usr/bin/env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", "-u",
                        "QT_QPA_PLATFORM", test::seqsegExecutable()});
  EXPECT_EQ(result.exitCode, 2);
  // A GUI build names the missing display; a build without the GUI says it has none.
  EXPECT_TRUE(result.err.find("no display") != std::string::npos ||
              result.err.find("no desktop application") != std::string::npos)
      << result.err;
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(seqseg({"--no-such-option"}).exitCode, 2);
  EXPECT_EQ(seqseg({"info"}).exitCode, 2);
  TempDir dir;
  const CommandResult size = seqseg({"synth", "--out", dir / "out", "--size", "3"});
  EXPECT_EQ(size.exitCode, 2);
  EXPECT_NE(size.err.find("--size"), std::string::npos) << size.err;
  EXPECT_EQ(seqseg({"synth", "--out", dir / "out", "--layout", "dicom"}).exitCode, 2);
  EXPECT_FALSE(fs::exists(dir / "out")) << "a refused command must not create its output folder";
  test::writeFile(dir / "file", "x");
  EXPECT_EQ(seqseg({"synth", "--out", dir / "file/sub", "--size", "16"}).exitCode, 2);
}

class SynthLayout : public ::testing::TestWithParam<std::string> {};

TEST_P(SynthLayout, WritesCasesThatInfoDescribes) {
  TempDir dir;
  const CommandResult synth = seqseg({"synth", "--out", dir / "data", "--cases", "2", "--layout",
                                      GetParam(), "--size", "24", "--seed", "3"});
  ASSERT_EQ(synth.exitCode, 0) << synth.err;
  const std::vector<std::string> files = niftiFilesUnder(dir / "data");
  const size_t filesPerCase = GetParam() == "msd" ? 2 : 5;
  ASSERT_EQ(files.size(), 2 * filesPerCase);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const CommandResult info = seqseg({"info", file});
    ASSERT_EQ(info.exitCode, 0) << info.err;
    const nlohmann::json facts = test::niftiFacts(file);
    const bool label = facts["dtype"] == "uint8";
    const bool fourD = facts["shape"].size() == 4;
    EXPECT_NE(
        info.out.find(fourD ? "dimensions:  24 x 24 x 24 x 4 (4D)" : "dimensions:  24 x 24 x 24\n"),
        std::string::npos)
        << info.out;
    EXPECT_NE(info.out.find(label ? "voxel type:  uint8" : "voxel type:  float32"),
              std::string::npos);
    EXPECT_NE(info.out.find("orientation: " + facts["axcodes"].get<std::string>()),
              std::string::npos);
    EXPECT_EQ(facts["axcodes"], "LPS");
    EXPECT_NE(info.out.find("spacing:     10 x 10 x 6.45833 mm"), std::string::npos) << info.out;
  }
  if (GetParam() == "msd" || GetParam() == "nnunet") {
    EXPECT_TRUE(fs::exists(dir / "data/dataset.json"));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, SynthLayout,
                         ::testing::Values("brats2021", "brats2023", "msd", "nnunet"));

TEST(Cli, InfoDescribesACheckpointForPeopleAndAsJson) {
  const std::string model = bundledModelPath();
  const CommandResult text = seqseg({"info", model});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("seqseg model checkpoint"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ROI 32x32x32, patch 4x4x4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("spacing: 2 x 2 x 2 mm (i, j, k)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("post-processing: WT:"), std::string::npos) << text.out;
  const CommandResult json = seqseg({"info", "--json", model});
  ASSERT_EQ(json.exitCode, 0) << json.err;
  const nlohmann::json parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["spacing_mm"], nlohmann::json({2.0, 2.0, 2.0}));
  EXPECT_EQ(parsed["config"]["roi"], nlohmann::json({32, 32, 32}));
  EXPECT_TRUE(parsed["meta"].contains("epoch"));

  TempDir dir;
  test::writeFile(dir / "broken.pt", "PK not a checkpoint");
  const CommandResult broken = seqseg({"info", dir / "broken.pt"});
  EXPECT_EQ(broken.exitCode, 2);
  EXPECT_NE(broken.err.find(dir / "broken.pt"), std::string::npos) << broken.err;
  ASSERT_EQ(seqseg({"synth", "--out", dir / "c", "--size", "16"}).exitCode, 0);
  const CommandResult notModel =
      seqseg({"info", "--json", dir / "c/BraTS2021_00000/BraTS2021_00000_t1.nii.gz"});
  EXPECT_EQ(notModel.exitCode, 2);
  EXPECT_NE(notModel.err.find("--json is for checkpoints"), std::string::npos) << notModel.err;
}

TEST(Cli, SynthSameSeedSameBytes) {
  TempDir dir;
  for (const char* run : {"a", "b"})
    ASSERT_EQ(seqseg({"synth", "--out", dir / run, "--cases", "2", "--size", "20", "--seed", "9"})
                  .exitCode,
              0);
  ASSERT_EQ(seqseg({"synth", "--out", dir / "c", "--cases", "2", "--size", "20", "--seed", "10"})
                .exitCode,
            0);
  const auto a = niftiFilesUnder(dir / "a");
  ASSERT_EQ(a.size(), 10u);
  bool anyDifferent = false;
  for (const std::string& file : a) {
    const std::string relative = fs::relative(file, dir / "a").string();
    EXPECT_EQ(test::readFile(file), test::readFile(dir / ("b/" + relative))) << relative;
    anyDifferent |= test::readFile(file) != test::readFile(dir / ("c/" + relative));
  }
  EXPECT_TRUE(anyDifferent) << "another seed must give other cases";
}

// Each class of bad input: `seqseg info` prints one line naming the file, exits 2, and prints
// nothing on stdout.
class BadInputCli : public ::testing::Test {
 protected:
  std::string goodFile(const std::string& name, std::array<int64_t, 4> shape = {1, 6, 7, 8}) {
    Volume image;
    image.shape = shape;
    image.voxels.assign(shape[0] * shape[1] * shape[2] * shape[3], 1.0f);
    setNiftiFromPlacement(image.geometry);
    writeImage(dir_ / name, image);
    return dir_ / name;
  }
  void expectOneLineError(const std::string& file, const std::string& phrase) {
    const CommandResult result = seqseg({"info", file});
    EXPECT_EQ(result.exitCode, 2) << file;
    EXPECT_TRUE(result.out.empty()) << result.out;
    EXPECT_EQ(result.err.rfind("seqseg: error: " + file + ": ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find(phrase), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  TempDir dir_;
};

TEST_F(BadInputCli, EveryClassGivesOneLineAndExitTwo) {
  expectOneLineError(dir_ / "missing.nii.gz", "file not found");
  test::writeFile(dir_ / "empty.nii.gz", "");
  expectOneLineError(dir_ / "empty.nii.gz", "empty file");
  test::writeFile(dir_ / "text.nii", std::string(500, 'a'));
  expectOneLineError(dir_ / "text.nii", "not a NIfTI file");

  std::string bytes = test::readFile(goodFile("big.nii.gz", {1, 30, 30, 30}));
  test::writeFile(dir_ / "cut.nii.gz", bytes.substr(0, bytes.size() / 2));
  expectOneLineError(dir_ / "cut.nii.gz", "truncated");
  // Damaged data whose stream still decodes to the end: its checksum (the CRC-32 before the
  // size in the gzip trailer) no longer matches. (Damage inside the stream reads as one of the
  // two: the checksum's failure, or a stream that ends short, as the cut file above.)
  for (size_t i = bytes.size() - 8; i < bytes.size() - 4; ++i) bytes[i] ^= 0x5a;
  test::writeFile(dir_ / "corrupt.nii.gz", bytes);
  expectOneLineError(dir_ / "corrupt.nii.gz", "corrupted gzip data");

  const std::array<int16_t, 8> absurd{4, 32000, 32000, 32000, 32000, 1, 1, 1};
  test::patchFile(goodFile("absurd.nii"), 40, absurd.data(), sizeof absurd);
  expectOneLineError(dir_ / "absurd.nii", "more than the limit");

  const float zero = 0;
  test::patchFile(goodFile("zero.nii"), 80, &zero, sizeof zero);
  expectOneLineError(dir_ / "zero.nii", "must be positive");

  const std::array<int16_t, 8> flat{2, 8, 7, 1, 1, 1, 1, 1};
  test::patchFile(goodFile("flat.nii"), 40, flat.data(), sizeof flat);
  expectOneLineError(dir_ / "flat.nii", "is 2D");
  const std::array<int16_t, 8> five{5, 8, 7, 6, 1, 2, 1, 1};
  test::patchFile(goodFile("five.nii", {2, 6, 7, 8}), 40, five.data(), sizeof five);
  expectOneLineError(dir_ / "five.nii", "is 5D");

  const int16_t sformOnly[2] = {0, 1};
  const float shear[4] = {1.0f, 0.5f, 0.0f, 0.0f};
  test::patchFile(goodFile("shear.nii"), 252, sformOnly, sizeof sformOnly);
  test::patchFile(dir_ / "shear.nii", 280, shear, sizeof shear);
  expectOneLineError(dir_ / "shear.nii", "not orthonormal");

  const float nan = std::numeric_limits<float>::quiet_NaN();
  test::patchFile(goodFile("nan.nii"), 352 + 4 * 10, &nan, sizeof nan);
  expectOneLineError(dir_ / "nan.nii", "NaN or infinite (first at i=2 j=1 k=0)");

  // A folder is read as a DICOM series; this one holds only the NIfTI files above.
  expectOneLineError(dir_.path(), "holds no readable DICOM image series");
}

}  // namespace
}  // namespace seqseg

namespace seqseg {
namespace {

TEST(CliEval, ScoresMasksAgainstADatasetAndNamesMissingCases) {
  TempDir dir;
  ASSERT_EQ(seqseg({"synth", "--out", dir / "data", "--cases", "2", "--size", "24", "--seed", "4"})
                .exitCode,
            0);
  fs::create_directories(dir / "pred");
  fs::copy_file(dir / "data/BraTS2021_00000/BraTS2021_00000_seg.nii.gz",
                dir / "pred/BraTS2021_00000.nii.gz");

  const CommandResult missing = seqseg(
      {"eval", "--pred", dir / "pred", "--ref", dir / "data", "--report", dir / "report.json"});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.err.find("BraTS2021_00001.nii.gz: no prediction"), std::string::npos)
      << missing.err;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "report.json"));
  EXPECT_EQ(report["scored"], 1);
  EXPECT_EQ(report["failed"], 1);
  EXPECT_DOUBLE_EQ(report["cases"][0]["WT"]["dice"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(report["cases"][0]["ET"]["hd95_mm"].get<double>(), 0.0);

  // A plain folder of reference masks works too, in the labels it is told.
  fs::create_directories(dir / "ref");
  fs::copy_file(dir / "data/BraTS2021_00000/BraTS2021_00000_seg.nii.gz",
                dir / "ref/BraTS2021_00000.nii.gz");
  const CommandResult plain = seqseg({"eval", "--pred", dir / "pred", "--ref", dir / "ref"});
  EXPECT_EQ(plain.exitCode, 0) << plain.err;
  EXPECT_NE(plain.out.find("mean                          1.0000   1.0000   1.0000"),
            std::string::npos)
      << plain.out;
  // Read as BraTS 2023 labels, the value 4 is unknown: named, exit 1.
  const CommandResult wrongLabels =
      seqseg({"eval", "--pred", dir / "pred", "--ref", dir / "ref", "--labels", "brats2023"});
  EXPECT_EQ(wrongLabels.exitCode, 1);
  EXPECT_NE(wrongLabels.err.find("label values 4"), std::string::npos) << wrongLabels.err;
}

// Both HD95 definitions (--hd95 pooled, the default, and max) against scipy's distance
// transforms (tests/tools/hd95_reference.py), on a prediction made to tell them apart: a stray
// blob far from the tumour makes the prediction's directed distances long and the reference's
// short.
TEST(CliEval, Hd95PooledAndMaxMatchScipy) {
  TempDir dir;
  ASSERT_EQ(seqseg({"synth", "--out", dir / "data", "--cases", "1", "--size", "48", "--seed", "4"})
                .exitCode,
            0);
  fs::create_directories(dir / "pred");
  const std::string script = std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/hd95_reference.py";
  const std::string reference = dir / "data/BraTS2021_00000/BraTS2021_00000_seg.nii.gz";
  const std::string prediction = dir / "pred/BraTS2021_00000.nii.gz";
  const CommandResult made =
      test::runCommand({test::systemPython(), script, "predict", reference, prediction});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  const CommandResult scipy =
      test::runCommand({test::systemPython(), script, "score", prediction, reference});
  ASSERT_EQ(scipy.exitCode, 0) << scipy.err;
  const nlohmann::json expected = nlohmann::json::parse(scipy.out);
  for (const std::string definition : {"pooled", "max"}) {
    const std::string reportPath = dir / (definition + ".json");
    const CommandResult eval = seqseg({"eval", "--pred", dir / "pred", "--ref", dir / "data",
                                       "--hd95", definition, "--report", reportPath});
    ASSERT_EQ(eval.exitCode, 0) << eval.err;
    const nlohmann::json report = nlohmann::json::parse(test::readFile(reportPath));
    EXPECT_EQ(report["hd95"], definition);
    for (const char* region : {"WT", "TC", "ET"})
      EXPECT_NEAR(report["cases"][0][region]["hd95_mm"].get<double>(),
                  expected[region][definition].get<double>(), 1e-6)
          << region << " " << definition;
  }
  // The prediction tells the two apart (otherwise this test could not fail on a swap).
  EXPECT_GT(expected["WT"]["max"].get<double>(), expected["WT"]["pooled"].get<double>() + 10);
  const CommandResult unknown =
      seqseg({"eval", "--pred", dir / "pred", "--ref", dir / "data", "--hd95", "mean"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("--hd95"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace seqseg

namespace seqseg {
namespace {

// A reference of nested balls on a 64^3 grid of 1 mm voxels (BraTS 2021 labels: 2 ED out to
// `wholeMm`, 4 ET inside `enhancingMm`, 1 NCR inside `necroticMm`; 0 leaves a class out), and the
// same moved `shift` voxels along i as the prediction.
void writeBallCase(const fs::path& ref, const fs::path& pred, const std::string& id, double wholeMm,
                   double enhancingMm, double necroticMm, int shift) {
  for (const bool prediction : {false, true}) {
    const int offset = prediction ? shift : 0;
    LabelVolume labels;
    labels.shape = {64, 64, 64};
    labels.geometry.spacing = {1, 1, 1};
    setNiftiFromPlacement(labels.geometry);
    labels.labels.assign(64 * 64 * 64, 0);
    for (int k = 0; k < 64; ++k)
      for (int j = 0; j < 64; ++j)
        for (int i = 0; i < 64; ++i) {
          const double r = std::hypot(i - 31.5 - offset, j - 31.5, k - 31.5);
          uint8_t& label = labels.labels[(k * 64 + j) * 64 + i];
          label = r < necroticMm ? 1 : r < enhancingMm ? 4 : r < wholeMm ? 2 : 0;
        }
    writeLabelMap((prediction ? pred : ref) / (id + ".nii.gz"), labels);
  }
}

// Scores by lesion size: each case falls in the bin of its reference's whole-tumour volume, each
// bin's mean is the mean of its cases, and the references without NCR or ET are counted.
TEST(CliEval, MeansPerLesionSizeBinAndCountsReferencesWithoutNecrosisOrEnhancement) {
  TempDir dir;
  fs::create_directories(dir / "ref");
  fs::create_directories(dir / "pred");
  // WT volumes 4/3 pi r^3: 7.2, 33.5, 24.4 and 73.6 mL.
  writeBallCase(dir / "ref", dir / "pred", "small", 12, 8, 0, 0);     // no NCR
  writeBallCase(dir / "ref", dir / "pred", "medium", 20, 12, 6, 2);   //
  writeBallCase(dir / "ref", dir / "pred", "medium2", 18, 0, 10, 1);  // no ET
  writeBallCase(dir / "ref", dir / "pred", "large", 26, 16, 8, 3);    //
  const CommandResult eval = seqseg(
      {"eval", "--pred", dir / "pred", "--ref", dir / "ref", "--report", dir / "report.json"});
  ASSERT_EQ(eval.exitCode, 0) << eval.err;
  EXPECT_NE(eval.out.find("references without NCR: 1 of 4; without ET: 1 of 4"), std::string::npos)
      << eval.out;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "report.json"));
  const std::map<std::string, std::pair<double, std::string>> expected{
      {"small", {4.0 / 3 * M_PI * 12 * 12 * 12 / 1000, "WT < 15 mL"}},
      {"medium", {4.0 / 3 * M_PI * 20 * 20 * 20 / 1000, "WT 15-60 mL"}},
      {"medium2", {4.0 / 3 * M_PI * 18 * 18 * 18 / 1000, "WT 15-60 mL"}},
      {"large", {4.0 / 3 * M_PI * 26 * 26 * 26 / 1000, "WT > 60 mL"}}};
  std::map<std::string, std::vector<const nlohmann::json*>> casesOfBin;
  for (const nlohmann::json& entry : report["cases"]) {
    const auto& [volume, bin] = expected.at(entry["case"]);
    EXPECT_NEAR(entry["reference_volume_ml"]["WT"].get<double>(), volume, 0.03 * volume)
        << entry["case"];
    EXPECT_EQ(entry["lesion_size_bin"], bin) << entry["case"];
    casesOfBin[bin].push_back(&entry);
  }
  ASSERT_EQ(report["by_lesion_size"].size(), 3u);
  for (const nlohmann::json& bin : report["by_lesion_size"]) {
    const auto& cases = casesOfBin[bin["bin"]];
    ASSERT_EQ(bin["cases"], cases.size()) << bin["bin"];
    for (const char* region : {"WT", "TC", "ET"})
      for (const char* score : {"dice", "hd95_mm"}) {
        double sum = 0;
        for (const nlohmann::json* entry : cases) sum += (*entry)[region][score].get<double>();
        EXPECT_NEAR(bin["mean"][region][score].get<double>(), sum / cases.size(), 1e-12)
            << bin["bin"] << " " << region << " " << score;
      }
  }
  EXPECT_EQ(report["references_without"]["NCR"], 1);
  EXPECT_EQ(report["references_without"]["ET"], 1);
  // The shifted predictions score below 1: the bins' means are not all the same number.
  EXPECT_DOUBLE_EQ(report["by_lesion_size"][0]["mean"]["WT"]["dice"].get<double>(), 1.0);
  EXPECT_LT(report["by_lesion_size"][2]["mean"]["WT"]["dice"].get<double>(), 0.95);
}

}  // namespace
}  // namespace seqseg
