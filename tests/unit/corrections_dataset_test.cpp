// The corrections dataset: a kept case reads back as a BraTS 2021 training case with the
// corrected mask, exact geometry and the source images unchanged; its provenance counts what the
// edit changed; keeping again replaces; a folder that cannot be written leaves nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/corrections_dataset.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// A 12 x 10 x 8 (i, j, k) case on an oblique, anisotropic grid with distinct channel values.
Volume smallCase() {
  Volume image;
  image.shape = {4, 8, 10, 12};
  image.geometry.spacing = {0.9, 1.1, 2.5};
  image.geometry.origin = {-40.0, 12.5, 7.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  image.geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  setNiftiFromPlacement(image.geometry);
  image.voxels.resize(static_cast<size_t>(4 * image.voxelsPerChannel()));
  for (size_t n = 0; n < image.voxels.size(); ++n) image.voxels[n] = static_cast<float>(n % 997);
  return image;
}

LabelVolume labelsOf(const Volume& image, uint8_t value, int64_t from, int64_t to) {
  LabelVolume labels;
  labels.shape = {image.shape[1], image.shape[2], image.shape[3]};
  labels.geometry = image.geometry;
  labels.labels.assign(static_cast<size_t>(labels.size()), 0);
  for (int64_t n = from; n < to; ++n) labels.labels[static_cast<size_t>(n)] = value;
  return labels;
}

nlohmann::json readJson(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

TEST(CorrectionsDataset, AKeptCaseReadsBackAsABratsTrainingCase) {
  test::TempDir dir;
  const Volume image = smallCase();
  writeCase(dir / "source", Layout::Brats2021, "Patient 7/b", image, nullptr);
  CorrectionCase correction;
  correction.source = caseFilesFor(dir / "source", Layout::Brats2021, "Patient 7/b");
  correction.image = &image;
  const LabelVolume predicted = labelsOf(image, 2, 100, 300);  // ED
  LabelVolume corrected = predicted;
  for (size_t n = 150; n < 170; ++n) corrected.labels[n] = 3;  // 20 ED -> ET
  for (size_t n = 300; n < 305; ++n) corrected.labels[n] = 1;  // 5 background -> NCR
  correction.started = &predicted;
  correction.corrected = &corrected;
  correction.startedFrom = "model";
  correction.startedPath = "/models/tiny.pt";
  correction.modelSha256 = "ab12";

  const std::string folder = keepCorrectionCase(dir / "corrections", correction);
  EXPECT_EQ(fs::path(folder).filename(), "Patient_7_b");
  const Dataset kept = findCases(dir / "corrections");
  ASSERT_EQ(kept.layout, Layout::Brats2021);
  ASSERT_EQ(kept.cases.size(), 1u);
  ASSERT_FALSE(kept.cases[0].reference.empty());
  for (int m = 0; m < kModalityCount; ++m)  // the sources, byte for byte
    EXPECT_EQ(test::readFile(kept.cases[0].images[m]), test::readFile(correction.source.images[m]));
  const LabelVolume mask = readLabelMap(kept.cases[0].reference);
  EXPECT_EQ(mask.labels, toNativeLabels(corrected, Layout::Brats2021).labels);
  std::string difference;
  EXPECT_TRUE(sameGeometry(mask.geometry, readImage(kept.cases[0].images[0]).geometry, &difference))
      << difference;
  EXPECT_TRUE(sameGeometry(mask.geometry, image.geometry, &difference)) << difference;

  const nlohmann::json provenance = readJson(folder + "/provenance.json");
  EXPECT_EQ(provenance["case"], "Patient_7_b");
  EXPECT_EQ(provenance["source"]["id"], "Patient 7/b");
  EXPECT_EQ(provenance["source"]["images"].size(), 4u);
  EXPECT_EQ(provenance["segmentation_before"]["from"], "model");
  EXPECT_EQ(provenance["segmentation_before"]["sha256"], "ab12");
  EXPECT_EQ(provenance["voxels_changed"]["total"], 25);
  EXPECT_EQ(provenance["voxels_changed"]["ET"]["gained"], 20);
  EXPECT_EQ(provenance["voxels_changed"]["ED"]["lost"], 20);
  EXPECT_EQ(provenance["voxels_changed"]["NCR"]["gained"], 5);
  EXPECT_EQ(provenance["voxels_changed"]["background"]["lost"], 5);
  const double voxelMl = 0.9 * 1.1 * 2.5 / 1000;
  EXPECT_NEAR(provenance["volume_ml_before"]["WT"].get<double>(), 200 * voxelMl, 1e-9);
  EXPECT_NEAR(provenance["volume_ml_after"]["WT"].get<double>(), 205 * voxelMl, 1e-9);
  EXPECT_NEAR(provenance["volume_ml_after"]["ET"].get<double>(), 20 * voxelMl, 1e-9);
  EXPECT_EQ(provenance["kept_at"].get<std::string>().size(), 20u);  // 2026-12-07T10:20:08Z
}

TEST(CorrectionsDataset, KeepingAgainReplacesAndLeavesNothingBeside) {
  test::TempDir dir;
  const Volume image = smallCase();
  // One 4D file (MSD): the channels cannot be copied one by one and are written from memory.
  writeCase(dir / "msd", Layout::Msd, "BRATS_001", image, nullptr);
  CorrectionCase correction;
  correction.source = caseFilesFor(dir / "msd", Layout::Msd, "BRATS_001");
  correction.image = &image;
  const LabelVolume first = labelsOf(image, 1, 0, 50);
  correction.corrected = &first;
  keepCorrectionCase(dir / "corrections", correction);
  const LabelVolume second = labelsOf(image, 3, 10, 20);
  correction.corrected = &second;
  const std::string folder = keepCorrectionCase(dir / "corrections", correction);

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "corrections"))
    names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"BRATS_001"});
  const Dataset kept = findCases(dir / "corrections");
  ASSERT_EQ(kept.cases.size(), 1u);
  EXPECT_EQ(readLabelMap(kept.cases[0].reference).labels,
            toNativeLabels(second, Layout::Brats2021).labels);
  const Volume read = readCase(kept.cases[0]);
  EXPECT_EQ(read.voxels, image.voxels);  // internal channel order kept through the 4D file
  const nlohmann::json provenance = readJson(folder + "/provenance.json");
  EXPECT_EQ(provenance["segmentation_before"]["from"], "none");
  EXPECT_EQ(provenance["voxels_changed"]["ET"]["gained"], 10);
}

TEST(CorrectionsDataset, AFailedKeepIsAnInputErrorAndLeavesTheEarlierCasesAlone) {
  test::TempDir dir;
  const Volume image = smallCase();
  writeCase(dir / "source", Layout::Brats2021, "case1", image, nullptr);
  CorrectionCase correction;
  correction.source = caseFilesFor(dir / "source", Layout::Brats2021, "case1");
  correction.image = &image;
  const LabelVolume mask = labelsOf(image, 2, 0, 10);
  correction.corrected = &mask;
  keepCorrectionCase(dir / "corrections", correction);
  // A name the file system refuses (over 255 bytes): nothing of it is left behind.
  correction.source.id = std::string(300, 'x');
  try {
    keepCorrectionCase(dir / "corrections", correction);
    FAIL() << "a 300-character folder name was written";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("corrections"), std::string::npos) << error.what();
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir / "corrections"))
    names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"case1"});
  // A corrections "folder" that is a file.
  std::ofstream(dir / "file") << "x";
  EXPECT_THROW(keepCorrectionCase(dir / "file", correction), InputError);
  EXPECT_EQ(test::readFile(dir / "file"), "x");
}

TEST(CorrectionsDataset, SourcesThatAreNoNiftiFilesAreWrittenFromTheImage) {
  test::TempDir dir;
  const Volume image = smallCase();
  CorrectionCase correction;
  correction.source.id = "study";
  correction.source.images = {dir / "t1-series", dir / "t1ce-series", dir / "t2-series",
                              dir / "flair-series"};  // DICOM series folders, say
  for (const std::string& series : correction.source.images) fs::create_directory(series);
  correction.image = &image;
  const LabelVolume mask = labelsOf(image, 2, 0, 10);
  correction.corrected = &mask;
  keepCorrectionCase(dir / "corrections", correction);
  EXPECT_EQ(readCase(findCases(dir / "corrections").cases.at(0)).voxels, image.voxels);
  // A grid that is not the case's is refused before anything is written.
  LabelVolume other = mask;
  other.shape = {1, 2, 3};
  correction.corrected = &other;
  EXPECT_THROW(keepCorrectionCase(dir / "more", correction), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir / "more"));
}

TEST(CorrectionsDataset, LabelChangesCountEachChangedVoxelOnceEachWay) {
  Volume image = smallCase();
  const LabelVolume before = labelsOf(image, 2, 0, 10);
  LabelVolume after = before;
  after.labels[0] = 0;
  after.labels[1] = 3;
  after.labels[20] = 1;
  const LabelChanges changes = countLabelChanges(&before, after);
  EXPECT_EQ(changes.changed, 3);
  EXPECT_EQ(changes.lost[2], 2);
  EXPECT_EQ(changes.gained[0], 1);
  EXPECT_EQ(changes.gained[3], 1);
  EXPECT_EQ(changes.gained[1], 1);
  EXPECT_EQ(changes.lost[0], 1);
  EXPECT_EQ(countLabelChanges(nullptr, before).gained[2], 10);
  LabelVolume other = before;
  other.shape = {1, 1, 1};
  other.labels.resize(1);
  EXPECT_THROW(countLabelChanges(&other, before), std::invalid_argument);
}

}  // namespace
}  // namespace seqseg
