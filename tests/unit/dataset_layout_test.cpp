// Every layout is found in a folder, read in internal channel order, and its labels map in and
// out of the internal classes.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

using test::TempDir;

// A small case whose channel c holds 1000 * c + voxel index, with every internal class present.
struct Case {
  Volume image;
  LabelVolume labels;
};

Case makeCase(int salt) {
  Case c;
  c.image.shape = {4, 5, 6, 7};
  c.image.geometry.spacing = {1.0, 1.5, 2.0};
  c.image.geometry.origin = {3.0, -4.0, 5.0 + salt};
  setNiftiFromPlacement(c.image.geometry);
  for (int channel = 0; channel < 4; ++channel)
    for (int v = 0; v < 210; ++v) c.image.voxels.push_back(1000.0f * channel + v + salt);
  c.labels.shape = {5, 6, 7};
  c.labels.geometry = c.image.geometry;
  for (int v = 0; v < 210; ++v) c.labels.labels.push_back(static_cast<uint8_t>((v + salt) % 4));
  return c;
}

struct LayoutCase {
  Layout layout;
  std::vector<std::string> ids;
};

class EveryLayout : public ::testing::TestWithParam<LayoutCase> {};

TEST_P(EveryLayout, WrittenCasesAreFoundReadAndMapped) {
  const LayoutCase& param = GetParam();
  TempDir dir;
  std::vector<Case> cases;
  for (size_t i = 0; i < param.ids.size(); ++i) {
    cases.push_back(makeCase(static_cast<int>(i)));
    writeCase(dir.path(), param.layout, param.ids[i], cases.back().image, &cases.back().labels);
  }
  writeDatasetDescription(dir.path(), param.layout, param.ids);

  const Dataset dataset = findCases(dir.path());
  EXPECT_EQ(dataset.layout, param.layout);
  ASSERT_EQ(dataset.cases.size(), param.ids.size());
  for (size_t i = 0; i < param.ids.size(); ++i) {
    const CaseFiles& files = dataset.cases[i];
    SCOPED_TRACE(files.id);
    EXPECT_EQ(files.id, param.ids[i]);
    const Volume image = readCase(files);
    EXPECT_EQ(image.shape, cases[i].image.shape);
    EXPECT_EQ(image.voxels, cases[i].image.voxels) << "channels must come back in internal order";
    ASSERT_FALSE(files.reference.empty());
    const LabelVolume native = readLabelMap(files.reference);
    EXPECT_EQ(toInternalLabels(native, param.layout, files.reference).labels,
              cases[i].labels.labels);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, EveryLayout,
    ::testing::Values(LayoutCase{Layout::Brats2021, {"BraTS2021_00001", "BraTS2021_00002"}},
                      LayoutCase{Layout::Brats2023, {"BraTS-GLI-00001-000", "BraTS-GLI-00002-000"}},
                      LayoutCase{Layout::Msd, {"BRATS_001", "BRATS_002"}},
                      LayoutCase{Layout::NnUnet, {"BRATS_001", "BRATS_002"}}),
    [](const auto& info) { return layoutName(info.param.layout); });

TEST(DatasetLayout, NativeLabelValuesFollowEachDataset) {
  LabelVolume internal;
  internal.shape = {1, 1, 4};
  internal.labels = {0, 1, 2, 3};  // background, NCR, ED, ET
  EXPECT_EQ(toNativeLabels(internal, Layout::Brats2021).labels, (std::vector<uint8_t>{0, 1, 2, 4}));
  EXPECT_EQ(toNativeLabels(internal, Layout::Brats2023).labels, (std::vector<uint8_t>{0, 1, 2, 3}));
  // MSD Task01: 1 oedema, 2 non-enhancing tumour, 3 enhancing tumour.
  EXPECT_EQ(toNativeLabels(internal, Layout::Msd).labels, (std::vector<uint8_t>{0, 2, 1, 3}));
  EXPECT_EQ(toNativeLabels(internal, Layout::NnUnet).labels, (std::vector<uint8_t>{0, 2, 1, 3}));
}

TEST(DatasetLayout, UnknownNativeLabelsAreNamed) {
  LabelVolume native;
  native.shape = {1, 1, 3};
  native.labels = {0, 3, 7};
  try {
    toInternalLabels(native, Layout::Brats2021, "seg.nii.gz");
    FAIL() << "label 3 is not a BraTS 2021 label";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), "seg.nii.gz");
    EXPECT_NE(error.problem().find("label values 3 7"), std::string::npos) << error.what();
  }
}

TEST(DatasetLayout, AFolderThatIsOneBratsCase) {
  TempDir dir;
  const Case c = makeCase(0);
  writeCase(dir.path(), Layout::Brats2023, "BraTS-GLI-00009-000", c.image, nullptr);
  const Dataset dataset = findCases(dir / "BraTS-GLI-00009-000");
  ASSERT_EQ(dataset.cases.size(), 1u);
  EXPECT_EQ(dataset.cases[0].id, "BraTS-GLI-00009-000");
  EXPECT_TRUE(dataset.cases[0].reference.empty());
  EXPECT_EQ(readCase(dataset.cases[0]).voxels, c.image.voxels);
}

TEST(DatasetLayout, CaseTooLargeForTheMemoryIsRefusedNamingItsSize) {
  TempDir dir;
  const Case c = makeCase(0);
  writeCase(dir.path(), Layout::Brats2021, "BraTS2021_00001", c.image, nullptr);
  const CaseFiles files = findCases(dir.path()).cases.at(0);
  // Four float32 channels, and half as much again while the case is read and shown.
  const int64_t expected = static_cast<int64_t>(c.image.voxels.size() * sizeof(float) * 3 / 2);
  EXPECT_EQ(caseOpeningBytes(files), expected);
  EXPECT_NO_THROW(checkCaseFitsMemory(files, expected));
  try {
    checkCaseFitsMemory(files, expected - 1);
    FAIL() << "a case larger than the available memory was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), files.images[0]);
    EXPECT_NE(error.problem().find("takes about 0.0 GB of memory"), std::string::npos)
        << error.what();
    EXPECT_NE(error.problem().find("only 0.0 GB is available"), std::string::npos) << error.what();
  }
}

TEST(DatasetLayout, NnUnetImagesFolderGivenDirectly) {
  TempDir dir;
  const Case c = makeCase(0);
  writeCase(dir.path(), Layout::NnUnet, "BRATS_004", c.image, &c.labels);
  const Dataset dataset = findCases(dir / "imagesTr");
  ASSERT_EQ(dataset.cases.size(), 1u);
  EXPECT_EQ(dataset.layout, Layout::NnUnet);
  EXPECT_EQ(readCase(dataset.cases[0]).voxels, c.image.voxels);
}

TEST(DatasetLayout, ChannelOrderComesFromDatasetJson) {
  TempDir dir;
  const Case c = makeCase(0);
  writeCase(dir.path(), Layout::NnUnet, "BRATS_001", c.image, nullptr);
  // Relabel the files' channels: file 0000 now claims to be T1 (it holds FLAIR).
  test::writeFile(dir / "dataset.json",
                  R"({"channel_names": {"0": "T1", "1": "FLAIR", "2": "T1ce", "3": "T2"}})");
  const Volume image = readCase(findCases(dir.path()).cases.at(0));
  EXPECT_EQ(image.channel(0)[0], c.image.channel(3)[0]);  // file 0000 holds FLAIR's data
  EXPECT_EQ(image.channel(3)[0], c.image.channel(0)[0]);  // file 0001 holds T1's data
}

TEST(DatasetLayout, MissingModalityNamesTheFile) {
  TempDir dir;
  const Case c = makeCase(0);
  writeCase(dir.path(), Layout::Brats2021, "BraTS2021_00005", c.image, nullptr);
  const std::string t2 = dir / "BraTS2021_00005/BraTS2021_00005_t2.nii.gz";
  std::filesystem::remove(t2);
  const Dataset dataset = findCases(dir.path());
  ASSERT_EQ(dataset.cases.size(), 1u);
  try {
    readCase(dataset.cases[0]);
    FAIL() << "a case without T2 was read";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), t2);
    EXPECT_EQ(error.problem(), "file not found");
  }
}

TEST(DatasetLayout, ExplicitCaseIsNamedAfterItsFiles) {
  const CaseFiles files = explicitCase("/d/P01_t1.nii.gz", "/d/P01_t1ce.nii.gz", "/d/P01_t2.nii.gz",
                                       "/d/P01_flair.nii.gz");
  EXPECT_EQ(files.id, "P01");
  EXPECT_EQ(files.images.size(), 4u);
  EXPECT_EQ(files.layout, Layout::Explicit);
}

TEST(DatasetLayout, NothingRecognisableListsTheLayoutsTried) {
  TempDir dir;
  test::writeFile(dir / "readme.txt", "no images here");
  try {
    findCases(dir.path());
    FAIL() << "an empty folder gave cases";
  } catch (const InputError& error) {
    for (const char* layout : {"BraTS 2021", "BraTS 2023", "MSD Task01", "nnU-Net"})
      EXPECT_NE(error.problem().find(layout), std::string::npos) << error.what();
  }
  EXPECT_THROW(findCases(dir / "absent"), InputError);
  EXPECT_THROW(findCases(dir / "readme.txt"), InputError);
}

}  // namespace
}  // namespace seqseg
