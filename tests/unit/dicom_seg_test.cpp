// DICOM Segmentation objects on series written by pydicom (oblique, anisotropic, either slice
// order, shuffled file names): what writeDicomSeg writes passes dicom3tools' dciodvfy, reads back
// with pydicom frame for frame onto the mask through the source files it names (no resampling),
// and readDicomSeg reads it back voxel for voxel; a SEG of another series, a mask off the
// series' grid and a file that is no SEG are refused naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <sstream>

#include "io/dicom_seg.h"
#include "io/dicom_series.h"
#include "io/image_writer.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

void makeSeries(const std::string& kind, const std::string& folder) {
  const CommandResult result = test::runCommand(
      {test::systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/make_dicom.py",
       "series", kind, folder});
  ASSERT_EQ(result.exitCode, 0) << result.err;
}

// Labels 0..3 in a pattern without symmetry, so that a flipped, shifted or swapped slice, row or
// column shows; the last slice is left empty.
LabelVolume patternOn(const DicomSeriesInfo& series) {
  LabelVolume mask;
  mask.shape = {series.size[2], series.size[1], series.size[0]};
  mask.geometry = series.geometry;
  mask.labels.resize(static_cast<size_t>(mask.size()));
  for (int64_t k = 0; k < mask.shape[0]; ++k)
    for (int64_t j = 0; j < mask.shape[1]; ++j)
      for (int64_t i = 0; i < mask.shape[2]; ++i) {
        const int64_t value = (7 * i + 3 * j * j + 11 * k) % 6;
        mask.labels[(k * mask.shape[1] + j) * mask.shape[2] + i] =
            k + 1 == mask.shape[0] || value > 3 ? 0 : static_cast<uint8_t>(value);
      }
  return mask;
}

// dciodvfy's lines that report an error (it also warns, and names the IOD and modules it checks).
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

nlohmann::json segFacts(const std::string& seg, const std::string& series,
                        const std::string& mask) {
  const CommandResult result = test::runCommand(
      {test::systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/dicom_seg_facts.py",
       seg, series, mask});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

class DicomSegRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(DicomSegRoundTrip, PassesDciodvfyAndReadsBackOnTheSeriesGrid) {
  TempDir dir;
  const std::string folder = dir / "series";
  makeSeries(GetParam(), folder);
  const DicomSeriesInfo series = findSingleSeries(folder);
  const LabelVolume mask = patternOn(series);
  const std::string maskPath = dir / "mask.nii.gz";
  writeLabelMap(maskPath, mask);
  const std::string seg = dir / "mask_seg.dcm";
  writeDicomSeg(seg, mask, series, {"/models/brats-tiny.pt", false});

  EXPECT_EQ(dciodvfyErrors(seg), std::vector<std::string>{});

  const nlohmann::json facts = segFacts(seg, folder, maskPath);
  EXPECT_EQ(facts["sop_class"], "1.2.840.10008.5.1.4.1.1.66.4");
  EXPECT_EQ(facts["modality"], "SEG");
  EXPECT_EQ(facts["segmentation_type"], "BINARY");
  EXPECT_EQ(facts["bits_allocated"], 1);
  EXPECT_EQ(facts["rows"], series.size[1]);
  EXPECT_EQ(facts["columns"], series.size[0]);
  for (const char* same :
       {"study_equal", "patient_equal", "frame_of_reference_equal", "series_differs",
        "references_every_source_instance", "orientation_equal"})
    EXPECT_EQ(facts[same], true) << same;
  EXPECT_EQ(facts["referenced_series"], nlohmann::json::array({facts["source_series"]}));
  EXPECT_EQ(facts["frames"], 3 * series.size[2]);
  EXPECT_EQ(facts["frames_on_their_slices"], 3 * series.size[2]);
  EXPECT_GT(facts["mask_labelled_voxels"].get<int64_t>(), mask.size() / 4);
  EXPECT_EQ(facts["mismatched_voxels"], 0);
  const nlohmann::json category = {"49755003", "SCT", "Morphologically Altered Structure"};
  const std::vector<nlohmann::json> types = {{"6574001", "SCT", "Necrosis"},
                                             {"79654002", "SCT", "Edema"},
                                             {"108369006", "SCT", "Neoplasm"}};
  const std::vector<std::string> labels = {"NCR", "ED", "ET"};
  ASSERT_EQ(facts["segments"].size(), 3u);
  for (size_t s = 0; s < 3; ++s) {
    const nlohmann::json& segment = facts["segments"][s];
    EXPECT_EQ(segment["number"], s + 1);
    EXPECT_EQ(segment["label"], labels[s]);
    EXPECT_EQ(segment["category"], category);
    EXPECT_EQ(segment["type"], types[s]);
    EXPECT_EQ(segment["algorithm_type"], "AUTOMATIC");
    EXPECT_EQ(segment["algorithm_name"], "seqseg");
    EXPECT_EQ(segment["cielab"].size(), 3u) << "a colour for viewers";
    EXPECT_EQ(segment["algorithm"]["name"], "seqseg");
    EXPECT_FALSE(segment["algorithm"]["version"].get<std::string>().empty());
    EXPECT_EQ(segment["algorithm"]["parameters"], "model=brats-tiny.pt");
    EXPECT_EQ(segment["algorithm"]["family"],
              nlohmann::json({"123110", "DCM", "Artificial Intelligence"}));
  }

  const LabelVolume back = readDicomSeg(seg, series);
  EXPECT_EQ(back.shape, mask.shape);
  EXPECT_TRUE(back.labels == mask.labels) << "labels differ after the round trip";
}

INSTANTIATE_TEST_SUITE_P(Series, DicomSegRoundTrip,
                         ::testing::Values("axial", "oblique", "oblique-reversed", "negative"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(DicomSeg, RefusesASegmentationOfAnotherSeries) {
  TempDir dir;
  makeSeries("oblique", dir / "a");
  makeSeries("oblique", dir / "b");  // the same grid, its own series and frame of reference
  const DicomSeriesInfo a = findSingleSeries(dir / "a");
  const DicomSeriesInfo b = findSingleSeries(dir / "b");
  const std::string seg = dir / "a_seg.dcm";
  writeDicomSeg(seg, patternOn(a), a, {"", false});
  try {
    readDicomSeg(seg, b);
    FAIL() << "read over another series";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), seg);
    EXPECT_NE(error.problem().find("another series"), std::string::npos) << error.what();
  }
}

// A copy of a series under new series and instance UIDs shares its frame of reference (as a
// second series of one acquisition does): a SEG of the first is still refused over the copy.
TEST(DicomSeg, RefusesASegmentationOfAnotherSeriesInTheSameFrameOfReference) {
  TempDir dir;
  makeSeries("oblique-reversed", dir / "a");
  const CommandResult copy = test::runCommand(
      {test::systemPython(), "-c",
       "import os, sys, pydicom\n"
       "from pydicom.uid import generate_uid\n"
       "source, target = sys.argv[1:3]\n"
       "os.makedirs(target)\n"
       "series = generate_uid()\n"
       "for name in os.listdir(source):\n"
       "    ds = pydicom.dcmread(os.path.join(source, name))\n"
       "    ds.SeriesInstanceUID = series\n"
       "    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()\n"
       "    ds.save_as(os.path.join(target, name))\n",
       dir / "a", dir / "b"});
  ASSERT_EQ(copy.exitCode, 0) << copy.err;
  const DicomSeriesInfo a = findSingleSeries(dir / "a");
  const DicomSeriesInfo b = findSingleSeries(dir / "b");
  const std::string seg = dir / "a_seg.dcm";
  writeDicomSeg(seg, patternOn(a), a, {"", true});
  EXPECT_EQ(readDicomSeg(seg, a).labels, patternOn(a).labels);
  try {
    readDicomSeg(seg, b);
    FAIL() << "read over another series";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), seg);
    EXPECT_NE(error.problem().find("it references series "), std::string::npos) << error.what();
  }
}

TEST(DicomSeg, RefusesAMaskOffTheSeriesGridAndWritesNothing) {
  TempDir dir;
  makeSeries("oblique-reversed", dir / "series");
  const DicomSeriesInfo series = findSingleSeries(dir / "series");
  LabelVolume mask = patternOn(series);
  mask.shape[0] -= 1;
  mask.labels.resize(static_cast<size_t>(mask.size()));
  const std::string seg = dir / "seg.dcm";
  EXPECT_THROW(writeDicomSeg(seg, mask, series, {"", false}), InputError);
  LabelVolume moved = patternOn(series);
  moved.geometry.origin[0] += 2.0;
  EXPECT_THROW(writeDicomSeg(seg, moved, series, {"", false}), InputError);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1)
      << "only the series folder";
}

TEST(DicomSeg, RefusesAFileThatIsNoSegmentation) {
  TempDir dir;
  makeSeries("axial", dir / "series");
  const DicomSeriesInfo series = findSingleSeries(dir / "series");
  try {
    readDicomSeg(series.files.front(), series);
    FAIL() << "read an MR image as a segmentation";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), series.files.front());
    EXPECT_NE(error.problem().find("is not a DICOM Segmentation object"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace seqseg
