// Probability maps as the desktop application keeps them: a region's probability is the sum of
// its classes', read from real NIfTI files as `seqseg --batch --save-probabilities` names them,
// checked against the case's grid; the session keeps them with the segmentation they describe
// and drops them at the first edit.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "io/image_writer.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"
#include "ui/probability_maps.h"
#include "ui/session_model.h"

namespace seqseg {
namespace {

// A 3x4x5 grid ([A0, A1, A2]) with oblique, anisotropic placement.
Geometry caseGeometry() {
  Geometry geometry;
  geometry.spacing = {0.9, 1.1, 3.0};
  geometry.origin = {10.0, -20.0, 5.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  geometry.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  return geometry;
}

// Class probabilities (background, NCR, ED, ET) that differ at every voxel and sum to 1.
Volume classProbabilities() {
  Volume classes;
  classes.shape = {4, 3, 4, 5};
  classes.geometry = caseGeometry();
  classes.voxels.resize(4 * 60);
  for (int64_t n = 0; n < 60; ++n) {
    const float ncr = 0.1f + 0.002f * n, ed = 0.2f - 0.001f * n, et = 0.003f * n;
    classes.channel(1)[n] = ncr;
    classes.channel(2)[n] = ed;
    classes.channel(3)[n] = et;
    classes.channel(0)[n] = 1.0f - ncr - ed - et;
  }
  return classes;
}

Volume uncertainty() {
  Volume entropy;
  entropy.shape = {1, 3, 4, 5};
  entropy.geometry = caseGeometry();
  entropy.voxels.resize(60);
  for (int64_t n = 0; n < 60; ++n) entropy.voxels[n] = 0.01f * n;
  return entropy;
}

TEST(ProbabilityMaps, ARegionIsTheSumOfItsClasses) {
  const Volume classes = classProbabilities();
  Volume maps = classes;
  const Volume entropy = uncertainty();
  toProbabilityMaps(maps, entropy.voxels.data());
  for (int64_t n = 0; n < 60; ++n) {
    const float ncr = classes.channel(1)[n], ed = classes.channel(2)[n], et = classes.channel(3)[n];
    EXPECT_FLOAT_EQ(maps.channel(0)[n], ncr + ed + et) << n;
    EXPECT_FLOAT_EQ(maps.channel(1)[n], ncr + et) << n;
    EXPECT_FLOAT_EQ(maps.channel(2)[n], et) << n;
    EXPECT_FLOAT_EQ(maps.channel(3)[n], entropy.voxels[n]) << n;
  }
  Volume three = classes;
  three.shape[0] = 3;
  EXPECT_THROW(toProbabilityMaps(three, entropy.voxels.data()), std::invalid_argument);
}

TEST(ProbabilityMaps, AreReadBesideTheMaskOnTheCasesGrid) {
  EXPECT_EQ(classProbabilitiesPath("/o/C_1.nii.gz"), "/o/C_1_probabilities.nii.gz");
  EXPECT_EQ(uncertaintyPath("/o/C_1.nii.gz"), "/o/C_1_uncertainty.nii.gz");

  test::TempDir folder;
  const std::string mask = folder / "C_1.nii.gz";
  EXPECT_THROW(readProbabilityMaps(mask, {3, 4, 5}, caseGeometry()), InputError) << "no files";
  writeImage(classProbabilitiesPath(mask), classProbabilities());
  writeImage(uncertaintyPath(mask), uncertainty());
  const Volume maps = readProbabilityMaps(mask, {3, 4, 5}, caseGeometry());
  ASSERT_EQ(maps.shape, (std::array<int64_t, 4>{kProbabilityMapCount, 3, 4, 5}));
  const Volume classes = classProbabilities();
  for (int64_t n = 0; n < 60; ++n) {
    EXPECT_NEAR(maps.channel(1)[n], classes.channel(1)[n] + classes.channel(3)[n], 1e-6) << n;
    EXPECT_NEAR(maps.channel(3)[n], 0.01f * n, 1e-6) << n;
  }
  EXPECT_EQ(maps.geometry.direction, caseGeometry().direction) << "placed as the case is";

  try {
    readProbabilityMaps(mask, {5, 4, 3}, caseGeometry());
    ADD_FAILURE() << "another grid is refused";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), classProbabilitiesPath(mask));
    EXPECT_NE(std::string(error.what()).find("not the case's 3x4x5"), std::string::npos)
        << error.what();
  }
}

struct ProbabilityRecorder : SessionListener {
  int changes = 0;
  void probabilitiesChanged() override { ++changes; }
};

TEST(ProbabilityMaps, TheSessionKeepsThemUntilAnEdit) {
  SessionModel session;
  ProbabilityRecorder recorder;
  session.addListener(&recorder);
  auto volume = std::make_shared<Volume>();
  volume->shape = {4, 3, 4, 5};
  volume->voxels.assign(4 * 60, 0.0f);
  volume->geometry = caseGeometry();
  session.setCase(volume, CaseFiles{}, "");
  auto labels = std::make_shared<LabelVolume>();
  labels->shape = {3, 4, 5};
  labels->labels.assign(60, 0);
  labels->geometry = caseGeometry();

  auto maps = std::make_shared<Volume>(classProbabilities());
  toProbabilityMaps(*maps, uncertainty().voxels.data());
  auto wrongGrid = std::make_shared<Volume>(*maps);
  wrongGrid->shape = {4, 5, 4, 3};
  EXPECT_THROW(session.setSegmentation(labels, true, {"model", "m.pt"}, wrongGrid),
               std::invalid_argument);
  session.setSegmentation(labels, true, {"model", "m.pt"}, maps);
  EXPECT_EQ(session.probabilities(), maps);
  EXPECT_EQ(recorder.changes, 1);

  session.paint({7}, 2);
  EXPECT_EQ(session.probabilities(), nullptr) << "they describe the model's result, not this";
  EXPECT_TRUE(session.probabilitiesDroppedByEdit());
  EXPECT_EQ(recorder.changes, 2);
  session.paint({8}, 2);
  EXPECT_EQ(recorder.changes, 2) << "heard once";

  session.setSegmentation(labels, false, {"file", "seg.nii.gz"});
  EXPECT_EQ(session.probabilities(), nullptr);
  EXPECT_FALSE(session.probabilitiesDroppedByEdit());
  EXPECT_EQ(recorder.changes, 3) << "a new segmentation, with none";
  session.clearSegmentation();
  EXPECT_EQ(recorder.changes, 4);
  session.removeListener(&recorder);
}

}  // namespace
}  // namespace seqseg
