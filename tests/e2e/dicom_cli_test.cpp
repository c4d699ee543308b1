// DICOM series on the command line, on series written by pydicom (independent of ITK/GDCM)
// under shuffled file names: `seqseg convert` agrees with Debian's dcm2niix, read by nibabel,
// voxel for voxel at the same world positions; bad folders get one line and exit code 2; a
// four-series study converts and segments with --batch in the reference series' geometry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "io/image_reader.h"
#include "tests/support/test_support.h"
#include "types/name_affixes.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

void makeDicom(const std::vector<std::string>& arguments) {
  std::vector<std::string> command{test::systemPython(),
                                   std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/make_dicom.py"};
  command.insert(command.end(), arguments.begin(), arguments.end());
  const CommandResult result = test::runCommand(command);
  ASSERT_EQ(result.exitCode, 0) << result.err;
}

// nibabel's comparison of two NIfTI files after reorienting both to the closest canonical
// orientation (see tests/tools/compare_world.py).
nlohmann::json compareInWorld(const std::string& a, const std::string& b) {
  const CommandResult result =
      test::runCommand({test::systemPython(),
                        std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/compare_world.py", a, b});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

// dcm2niix's conversion of `series` as OUT_DIR/NAME.nii.
std::string dcm2niix(const std::string& series, const std::string& outDir,
                     const std::string& name) {
  fs::create_directories(outDir);
  const CommandResult result = test::runCommand(
      {"/usr/bin/dcm2niix", "-z", "n", "-b", "n", "-o", outDir, "-f", name, series});
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  return outDir + "/" + name + ".nii";
}

struct GoodSeries {
  const char* kind;
  float firstVoxel;  // the value at voxel (0, 0, 0): the slice lowest along the normal
};

class DicomConvert : public ::testing::TestWithParam<GoodSeries> {};

TEST_P(DicomConvert, AgreesWithDcm2niixAtEveryWorldPosition) {
  const GoodSeries series = GetParam();
  TempDir dir;
  std::string kind = series.kind;
  std::replace(kind.begin(), kind.end(), '_', '-');
  const std::string folder = dir / kind;
  makeDicom({"series", kind, folder});

  const CommandResult info = test::runSeqseg({"info", folder});
  ASSERT_EQ(info.exitCode, 0) << info.err;
  EXPECT_NE(info.out.find("dimensions:  32 x 32 x 24 (24 DICOM files)"), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("modality:    MR"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("date:        2024-01-31"), std::string::npos) << info.out;

  const std::string ours = dir / "ours.nii.gz";
  const CommandResult convert = test::runSeqseg({"convert", folder, ours});
  ASSERT_EQ(convert.exitCode, 0) << convert.err;
  const nlohmann::json facts = test::niftiFacts(ours);
  EXPECT_EQ(facts["dtype"], "float32");
  EXPECT_EQ(facts["qform_code"], 1);
  EXPECT_EQ(facts["sform_code"], 1);

  const std::string theirs = dcm2niix(folder, dir / "dcm2niix", "theirs");
  const nlohmann::json comparison = compareInWorld(ours, theirs);
  SCOPED_TRACE(comparison.dump());
  ASSERT_EQ(comparison["shape_a"], comparison["shape_b"]);
  EXPECT_LT(comparison["affine_diff"].get<double>(), 1e-3);
  EXPECT_EQ(comparison["value_diff"].get<double>(), 0.0);
  EXPECT_EQ(comparison["range_a"], comparison["range_b"]);

  // Slices in order along the normal, whatever the file names and instance numbers say.
  const Volume volume = readImage(ours);
  EXPECT_EQ(volume.voxels.front(), series.firstVoxel);
}

// Stored value i + 32 j + 1024 k (+ offset); rescale: (value - 3000) * 0.5 - 100.
INSTANTIATE_TEST_SUITE_P(Series, DicomConvert,
                         ::testing::Values(GoodSeries{"axial", 0.0f}, GoodSeries{"oblique", 0.0f},
                                           GoodSeries{"negative", 1024.0f * 23},
                                           GoodSeries{"rescale", -3000 * 0.5f - 100},
                                           GoodSeries{"implicit", 0.0f},
                                           GoodSeries{"stray_files", 0.0f}),
                         [](const auto& info) { return std::string(info.param.kind); });

struct BadSeries {
  const char* kind;
  const char* problem;
};

class DicomRefused : public ::testing::TestWithParam<BadSeries> {};

TEST_P(DicomRefused, WithOneLineNamingTheFolderAndExitCodeTwo) {
  const BadSeries bad = GetParam();
  TempDir dir;
  const std::string folder = dir / bad.kind;
  makeDicom({"series", bad.kind, folder});
  const std::string out = dir / "out.nii.gz";
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"info", folder},
        std::vector<std::string>{"convert", folder, out}}) {
    const CommandResult result = test::runSeqseg(arguments);
    SCOPED_TRACE(arguments.front());
    EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
    EXPECT_EQ(result.err.rfind("seqseg: error: " + folder + ": ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find(bad.problem), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "nothing half-written";
}

INSTANTIATE_TEST_SUITE_P(Series, DicomRefused,
                         ::testing::Values(BadSeries{"missing-slice", "uneven slice spacing"},
                                           BadSeries{"gantry-tilt", "gantry tilt"},
                                           BadSeries{"two-series", "holds 2 series"},
                                           BadSeries{"non-image", "only non-image DICOM objects"},
                                           BadSeries{"truncated", "is truncated or corrupt"},
                                           BadSeries{"corrupt-slice",
                                                     "has an invalid value representation"},
                                           BadSeries{"non-dicom", "is not a DICOM file"}),
                         [](const auto& info) {
                           std::string name = info.param.kind;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// A 4-byte file, an empty file, a README, thumbs.db and DICOMDIR beside a series (as PACS
// exports and CDs carry them): info, convert and --batch skip them and name them in one note.
TEST(DicomStrayFiles, AreSkippedAndNamedInOneNote) {
  TempDir dir;
  const std::string folder = dir / "series";
  makeDicom({"series", "stray-files", folder});
  const std::string note =
      "skipped 5 files that are not a DICOM image: DICOMDIR, EMPTY, IM_FOUR_BYTES, README, "
      "thumbs.db";
  const CommandResult info = test::runSeqseg({"info", folder});
  ASSERT_EQ(info.exitCode, 0) << info.err;
  EXPECT_NE(info.out.find("note:        " + note + "\n"), std::string::npos) << info.out;
  const CommandResult convert = test::runSeqseg({"convert", folder, dir / "t1.nii.gz"});
  ASSERT_EQ(convert.exitCode, 0) << convert.err;
  EXPECT_NE(convert.out.find("note: " + note + "\n"), std::string::npos) << convert.out;

  const CommandResult batch =
      test::runSeqseg({"--batch", "--t1", folder, "--t1ce", folder, "--t2", folder, "--flair",
                       folder, "-o", dir / "masks", "--threads", "1", "--progress", "json"});
  ASSERT_EQ(batch.exitCode, 0) << batch.err;
  int notes = 0;
  std::istringstream lines(batch.out);
  for (std::string line; std::getline(lines, line);)
    if (const nlohmann::json event = nlohmann::json::parse(line);
        event.value("event", "") == "log" && event.value("message", "") == folder + ": " + note)
      ++notes;
  EXPECT_EQ(notes, 4) << "one note per series folder given\n" << batch.out;
  int masks = 0;
  for (const auto& entry : fs::directory_iterator(dir / "masks"))
    masks += endsWith(entry.path().string(), ".nii.gz");
  EXPECT_EQ(masks, 1) << batch.out;
}

TEST(DicomStudy, ConvertsAndSegmentsInTheReferenceSeriesGeometry) {
  TempDir dir;
  const std::string study = dir / "PHANTOM_STUDY";
  makeDicom({"study", study});
  const std::string t1 = dir / "t1.nii.gz";
  ASSERT_EQ(test::runSeqseg({"convert", study + "/s1", t1}).exitCode, 0);

  // The study folder holds four series: not one series to convert.
  const CommandResult whole = test::runSeqseg({"convert", study, dir / "whole.nii.gz"});
  EXPECT_EQ(whole.exitCode, 2);
  EXPECT_NE(whole.err.find("holds 4 series ('t1_se_tra', 'T1 SE tra POST GD'"), std::string::npos)
      << whole.err;

  const CommandResult batch =
      test::runSeqseg({"--batch", "--t1", study + "/s1", "--t1ce", study + "/s2", "--t2",
                       study + "/s3", "--flair", study + "/s4/", "-o", dir / "masks", "--labels",
                       "internal", "--threads", "1", "--progress", "json"});
  ASSERT_EQ(batch.exitCode, 0) << batch.err;
  const std::string mask = dir / "masks/PHANTOM_STUDY.nii.gz";
  ASSERT_TRUE(fs::exists(mask)) << batch.out;
  const nlohmann::json maskFacts = test::niftiFacts(mask);
  const nlohmann::json t1Facts = test::niftiFacts(t1);
  EXPECT_EQ(maskFacts["dtype"], "uint8");
  EXPECT_EQ(maskFacts["shape"], t1Facts["shape"]);
  for (const char* field : {"qform", "sform", "qform_code", "sform_code", "pixdim"})
    EXPECT_EQ(maskFacts[field], t1Facts[field]) << field;
}

// dciodvfy's lines that report an error (it also warns, and names the modules it checks).
std::vector<std::string> dciodvfyErrors(const std::string& path) {
  const CommandResult result = test::runCommand({"/usr/bin/dciodvfy", path});
  std::vector<std::string> errors;
  std::istringstream lines(result.out + result.err);
  bool checkedAsSegmentation = false;  // it names the IOD it checked the object against
  for (std::string line; std::getline(lines, line);) {
    if (line.find("Error") != std::string::npos) errors.push_back(line);
    checkedAsSegmentation = checkedAsSegmentation || line == "Segmentation";
  }
  if (!checkedAsSegmentation) errors.push_back("not checked as a Segmentation: " + result.err);
  return errors;
}

// --dicom-seg on a case of DICOM series, oblique, anisotropic (0.9 x 0.7 x 3 mm), with positions
// decreasing from file to file: CASE_seg.dcm beside the mask, named in the report; dciodvfy
// finds no error in it; pydicom places every frame through the source file it names onto the
// mask's own grid (no resampling), and the segments rebuilt so equal the mask. The model is
// trained for 3 steps, so that its mask labels part of the series (the bundled model finds no
// tumour in this phantom).
TEST(DicomSeg, BatchWritesTheMaskAsASegmentationOfTheT1Series) {
  TempDir dir;
  const std::string series = dir / "OBLIQUE_STUDY/t1";
  makeDicom({"series", "oblique-reversed", series});
  test::writeFile(dir / "small.json", test::kSmallModelConfig);
  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", dir / "data", "--cases", "2", "--size", "32", "--seed", "4"})
                .exitCode,
            0);
  const CommandResult train = test::runSeqseg({"train",
                                               "--data",
                                               dir / "data",
                                               "--out",
                                               dir / "run",
                                               "--config",
                                               dir / "small.json",
                                               "--epochs",
                                               "1",
                                               "--steps-per-epoch",
                                               "3",
                                               "--batch-size",
                                               "1",
                                               "--threads",
                                               "1",
                                               "--seed",
                                               "11",
                                               "--val-fraction",
                                               "0",
                                               "--progress",
                                               "json"});
  ASSERT_EQ(train.exitCode, 0) << train.err;
  const CommandResult batch = test::runSeqseg({"--batch",
                                               "--t1",
                                               series,
                                               "--t1ce",
                                               series,
                                               "--t2",
                                               series,
                                               "--flair",
                                               series,
                                               "-o",
                                               dir / "masks",
                                               "--model",
                                               dir / "run/last.pt",
                                               "--no-postprocess",
                                               "--labels",
                                               "internal",
                                               "--threads",
                                               "1",
                                               "--progress",
                                               "json",
                                               "--dicom-seg"});
  ASSERT_EQ(batch.exitCode, 0) << batch.err;
  const std::string mask = dir / "masks/OBLIQUE_STUDY.nii.gz";
  const std::string seg = dir / "masks/OBLIQUE_STUDY_seg.dcm";
  ASSERT_TRUE(fs::exists(seg)) << batch.out;
  const nlohmann::json report = nlohmann::json::parse(test::readFile(dir / "masks/report.json"));
  EXPECT_EQ(report["cases"][0]["dicom_seg"], seg);

  EXPECT_EQ(dciodvfyErrors(seg), std::vector<std::string>{});

  const CommandResult read = test::runCommand(
      {test::systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/dicom_seg_facts.py",
       seg, series, mask});
  ASSERT_EQ(read.exitCode, 0) << read.err;
  const nlohmann::json facts = nlohmann::json::parse(read.out);
  EXPECT_EQ(facts["modality"], "SEG");
  EXPECT_EQ(facts["segmentation_type"], "BINARY");
  for (const char* same :
       {"study_equal", "patient_equal", "frame_of_reference_equal", "series_differs",
        "references_every_source_instance", "orientation_equal"})
    EXPECT_EQ(facts[same], true) << same;
  EXPECT_EQ(facts["referenced_series"], nlohmann::json::array({facts["source_series"]}));
  EXPECT_EQ(facts["frames"], 3 * 24);
  EXPECT_EQ(facts["frames_on_their_slices"], 3 * 24);
  EXPECT_GT(facts["mask_labelled_voxels"].get<int64_t>(), 0) << "an empty mask shows little";
  EXPECT_EQ(facts["mismatched_voxels"], 0);
  const std::string version = test::runSeqseg({"--version"}).out;
  const std::vector<std::string> types = {"6574001", "79654002", "108369006"};
  ASSERT_EQ(facts["segments"].size(), 3u);
  for (size_t s = 0; s < 3; ++s) {
    const nlohmann::json& segment = facts["segments"][s];
    EXPECT_EQ(segment["category"][0], "49755003");
    EXPECT_EQ(segment["type"][0], types[s]);
    EXPECT_EQ(segment["algorithm_type"], "AUTOMATIC");
    EXPECT_EQ(segment["algorithm"]["name"], "seqseg");
    EXPECT_NE(version.find("seqseg " + segment["algorithm"]["version"].get<std::string>() + " "),
              std::string::npos)
        << version;
    EXPECT_EQ(segment["algorithm"]["parameters"], "model=last.pt");
  }
}

// A case of NIfTI files has no series to reference: one line naming the case, exit code 2, and
// nothing written.
TEST(DicomSeg, IsRefusedForACaseWhoseImagesAreNotDicom) {
  TempDir dir;
  makeDicom({"series", "axial", dir / "series"});
  const std::string t1 = dir / "case_t1.nii.gz";
  ASSERT_EQ(test::runSeqseg({"convert", dir / "series", t1}).exitCode, 0);
  const CommandResult batch = test::runSeqseg({"--batch", "--t1", t1, "--t1ce", t1, "--t2", t1,
                                               "--flair", t1, "-o", dir / "masks", "--dicom-seg"});
  EXPECT_EQ(batch.exitCode, 2);
  EXPECT_NE(batch.err.find("--dicom-seg needs a case whose images are DICOM series folders; its "
                           "T1 is " +
                           t1),
            std::string::npos)
      << batch.err;
  EXPECT_EQ(std::count(batch.err.begin(), batch.err.end(), '\n'), 1) << batch.err;
  EXPECT_FALSE(fs::exists(dir / "masks"));
}

TEST(DicomStudy, HelpSaysWhatOpens) {
  const CommandResult help = test::runSeqseg({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  for (const char* text : {"DICOM study folder", "convert", "DICOM series folders"})
    EXPECT_NE(help.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace seqseg
