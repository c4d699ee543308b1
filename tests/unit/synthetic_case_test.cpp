// Synthetic cases: deterministic per seed, anatomically plausible, all tumour classes present.
#include <gtest/gtest.h>

#include <algorithm>

#include "io/dataset_layout.h"
#include "io/synthetic_case.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

const BrainTemplate& colin27() {
  static const BrainTemplate brain = loadBrainTemplate();
  return brain;
}

TEST(SyntheticCase, SameSeedSameBytesOtherSeedOtherCase) {
  const std::array<int64_t, 3> size{32, 32, 24};
  const SyntheticCase a = synthesizeCase(colin27(), size, 11, 0);
  const SyntheticCase b = synthesizeCase(colin27(), size, 11, 0);
  const SyntheticCase otherSeed = synthesizeCase(colin27(), size, 12, 0);
  const SyntheticCase otherIndex = synthesizeCase(colin27(), size, 11, 1);
  EXPECT_EQ(a.image.voxels, b.image.voxels);
  EXPECT_EQ(a.labels.labels, b.labels.labels);
  EXPECT_NE(a.labels.labels, otherSeed.labels.labels);
  EXPECT_NE(a.labels.labels, otherIndex.labels.labels);

  test::TempDir one, two;
  writeCase(one.path(), Layout::Brats2021, "C", a.image, &a.labels);
  writeCase(two.path(), Layout::Brats2021, "C", b.image, &b.labels);
  for (const char* file : {"C/C_t1.nii.gz", "C/C_flair.nii.gz", "C/C_seg.nii.gz"})
    EXPECT_EQ(test::readFile(one / file), test::readFile(two / file)) << file;
}

TEST(SyntheticCase, GridSpansTheBratsFieldOfView) {
  const SyntheticCase c = synthesizeCase(colin27(), {48, 40, 31}, 1, 0);
  EXPECT_EQ(c.image.shape, (std::array<int64_t, 4>{4, 31, 40, 48}));
  EXPECT_EQ(c.labels.shape, (std::array<int64_t, 3>{31, 40, 48}));
  EXPECT_DOUBLE_EQ(c.image.geometry.spacing[0], 5.0);
  EXPECT_DOUBLE_EQ(c.image.geometry.spacing[1], 6.0);
  EXPECT_DOUBLE_EQ(c.image.geometry.spacing[2], 5.0);
}

TEST(SyntheticCase, TumourHasEveryClassInsideTheBrainWithItsContrast) {
  for (int index = 0; index < 4; ++index) {
    SCOPED_TRACE(index);
    const SyntheticCase c = synthesizeCase(colin27(), {48, 48, 48}, 5, index);
    std::array<int64_t, 4> count{};
    std::array<std::array<double, 4>, 4> mean{};  // [class][modality]
    int64_t tumourOutsideBrain = 0, brain = 0;
    for (int64_t v = 0; v < c.labels.size(); ++v) {
      const int label = c.labels.labels[v];
      const bool inBrain = c.image.channel(0)[v] > 0 || c.image.channel(2)[v] > 0;
      brain += inBrain;
      if (label > 0 && !inBrain) ++tumourOutsideBrain;
      ++count[label];
      for (int m = 0; m < 4; ++m) mean[label][m] += c.image.channel(m)[v];
    }
    for (int label = 0; label < 4; ++label) {
      ASSERT_GT(count[label], 0) << "class " << label << " missing";
      for (double& m : mean[label]) m /= static_cast<double>(count[label]);
    }
    EXPECT_EQ(tumourOutsideBrain, 0);
    EXPECT_GT(brain, c.labels.size() / 8) << "the brain fills a good part of the field of view";
    // Enhancing tumour is the brightest class on T1ce; oedema outshines the necrotic core on FLAIR.
    EXPECT_GT(mean[3][1], 1.3 * mean[1][1]);
    EXPECT_GT(mean[3][1], 1.3 * mean[2][1]);
    EXPECT_GT(mean[2][3], 1.2 * mean[1][3]);
  }
}

}  // namespace
}  // namespace seqseg
