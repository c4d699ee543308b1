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

TEST(DicomStudy, HelpSaysWhatOpens) {
  const CommandResult help = test::runSeqseg({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  for (const char* text : {"DICOM study folder", "convert", "DICOM series folders"})
    EXPECT_NE(help.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace seqseg
