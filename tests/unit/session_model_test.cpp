// The session model without a display: the case, the segmentation with its volumes in mL
// (the formula of `seqseg --batch`'s report), the dirty flag, native labels for saving, and
// what listeners hear.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "types/regions.h"
#include "ui/session_model.h"

namespace seqseg {
namespace {

// A 4-channel 4x5x6 case with 0.5 x 2 x 3 mm voxels (3 mm^3 = 0.003 mL each).
std::shared_ptr<Volume> makeCase() {
  auto volume = std::make_shared<Volume>();
  volume->shape = {4, 4, 5, 6};
  volume->voxels.assign(4 * 4 * 5 * 6, 1.0f);
  volume->geometry.spacing = {0.5, 2.0, 3.0};
  volume->geometry.origin = {1.0, -2.0, 3.5};
  return volume;
}

std::shared_ptr<LabelVolume> makeLabels(const Volume& volume, int ncr, int ed, int et) {
  auto labels = std::make_shared<LabelVolume>();
  labels->shape = {volume.shape[1], volume.shape[2], volume.shape[3]};
  labels->labels.assign(static_cast<size_t>(labels->size()), 0);
  size_t at = 0;
  for (int i = 0; i < ncr; ++i) labels->labels[at++] = 1;
  for (int i = 0; i < ed; ++i) labels->labels[at++] = 2;
  for (int i = 0; i < et; ++i) labels->labels[at++] = 3;
  labels->geometry = volume.geometry;
  return labels;
}

// Records what it hears, in order.
struct Recorder : SessionListener {
  std::vector<std::string> heard;
  void caseChanged() override { heard.push_back("case"); }
  void segmentationChanged() override { heard.push_back("segmentation"); }
  void dirtyChanged(bool dirty) override { heard.push_back(dirty ? "dirty" : "clean"); }
  void jobChanged() override { heard.push_back("job"); }
};

TEST(SessionModel, StartsEmpty) {
  SessionModel session;
  EXPECT_FALSE(session.hasCase());
  EXPECT_EQ(session.segmentation(), nullptr);
  EXPECT_FALSE(session.isDirty());
  EXPECT_EQ(session.job().state, JobState::Idle);
  EXPECT_THROW(session.segmentationForSaving(), std::logic_error);
  auto volume = makeCase();
  EXPECT_THROW(session.setSegmentation(makeLabels(*volume, 1, 0, 0), true), std::invalid_argument)
      << "a segmentation needs its case";
}

TEST(SessionModel, VolumesPerLabelAndRegionInMillilitres) {
  SessionModel session;
  auto volume = makeCase();
  CaseFiles files;
  files.id = "c1";
  files.layout = Layout::Brats2021;
  session.setCase(volume, files, "/data/c1");
  EXPECT_EQ(session.caseFiles().id, "c1");
  EXPECT_EQ(session.caseSource(), "/data/c1");
  session.setSegmentation(makeLabels(*volume, 7, 11, 13), /*unsaved=*/true);

  const double voxelMl = 0.5 * 2.0 * 3.0 / 1000.0;
  const SegmentationVolumes& volumes = session.volumes();
  EXPECT_DOUBLE_EQ(volumes.perLabel[1], 7 * voxelMl);
  EXPECT_DOUBLE_EQ(volumes.perLabel[2], 11 * voxelMl);
  EXPECT_DOUBLE_EQ(volumes.perLabel[3], 13 * voxelMl);
  EXPECT_DOUBLE_EQ(volumes.perLabel[0], (120 - 31) * voxelMl);
  EXPECT_DOUBLE_EQ(volumes.perRegion[0], 31 * voxelMl);  // WT = 1, 2, 3
  EXPECT_DOUBLE_EQ(volumes.perRegion[1], 20 * voxelMl);  // TC = 1, 3
  EXPECT_DOUBLE_EQ(volumes.perRegion[2], 13 * voxelMl);  // ET = 3
  // The same function the batch report uses.
  EXPECT_EQ(volumes.perRegion[1], regionVolumeMl(*session.segmentation(), Region::TumourCore));
}

TEST(SessionModel, RejectsAnotherGridAndNonInternalLabels) {
  SessionModel session;
  auto volume = makeCase();
  session.setCase(volume, CaseFiles{}, "");
  auto wrongGrid = makeLabels(*volume, 1, 1, 1);
  wrongGrid->shape = {4, 6, 5};
  EXPECT_THROW(session.setSegmentation(wrongGrid, true), std::invalid_argument);
  auto nativeEt = makeLabels(*volume, 1, 1, 1);
  nativeEt->labels[50] = 4;  // BraTS 2021's ET, not an internal class
  EXPECT_THROW(session.setSegmentation(nativeEt, true), std::invalid_argument);
  EXPECT_EQ(session.segmentation(), nullptr);
}

TEST(SessionModel, DirtyUntilSavedAndClearedByANewCase) {
  SessionModel session;
  Recorder recorder;
  session.addListener(&recorder);
  auto volume = makeCase();
  session.setCase(volume, CaseFiles{}, "");
  session.setSegmentation(makeLabels(*volume, 1, 2, 3), /*unsaved=*/true);
  EXPECT_TRUE(session.isDirty());
  session.markSaved();
  EXPECT_FALSE(session.isDirty());
  session.setSegmentation(makeLabels(*volume, 1, 2, 3), /*unsaved=*/false);  // read from a file
  EXPECT_FALSE(session.isDirty());
  session.setSegmentation(makeLabels(*volume, 3, 2, 1), /*unsaved=*/true);
  session.setCase(makeCase(), CaseFiles{}, "");
  EXPECT_FALSE(session.isDirty());
  EXPECT_EQ(session.segmentation(), nullptr);
  EXPECT_EQ(session.volumes().perRegion[0], 0.0);
  EXPECT_EQ(recorder.heard,
            (std::vector<std::string>{"case", "segmentation", "dirty", "clean", "segmentation",
                                      "segmentation", "dirty", "case", "segmentation", "clean"}));
  session.removeListener(&recorder);
  session.clearCase();
  EXPECT_EQ(recorder.heard.size(), 10u) << "a removed listener hears nothing";
}

TEST(SessionModel, SavesNativeLabelsWithTheCaseGeometry) {
  SessionModel session;
  auto volume = makeCase();
  volume->geometry.nifti.sform_code = 1;
  volume->geometry.nifti.srow[0] = {0.5f, 0.0f, 0.0f, -1.0f};
  CaseFiles files;
  files.layout = Layout::Brats2021;
  session.setCase(volume, files, "");
  auto labels = makeLabels(*volume, 1, 1, 1);
  labels->geometry = Geometry{};  // e.g. a result whose header was lost: the case's counts
  session.setSegmentation(labels, true);
  const LabelVolume native = session.segmentationForSaving();
  EXPECT_EQ(native.labels[0], 1);
  EXPECT_EQ(native.labels[1], 2);
  EXPECT_EQ(native.labels[2], 4) << "BraTS 2021 writes ET as 4";
  EXPECT_EQ(native.shape, labels->shape);
  EXPECT_EQ(native.geometry.spacing, volume->geometry.spacing);
  EXPECT_EQ(native.geometry.origin, volume->geometry.origin);
  EXPECT_EQ(native.geometry.nifti.sform_code, 1);
  EXPECT_EQ(native.geometry.nifti.srow[0], volume->geometry.nifti.srow[0]);
}

}  // namespace
}  // namespace seqseg
