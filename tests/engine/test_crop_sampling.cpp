// Where training crops are centred: on any tumour voxel (mostly oedema, the largest class), or
// with balanced classes on each of NCR, ED and ET about equally often, whatever their sizes.
#include <gtest/gtest.h>

#include <array>

#include <ATen/ATen.h>

#include "engine/crop_sampling.h"

namespace seqseg {
namespace {

// A 48^3 case: a 16^3 oedema block with a 2^3 necrotic and a 3^3 enhancing block inside it, all
// far enough from the edges that a 16^3 crop centred on any of them is not clamped, so the
// crop's centre voxel is the voxel the crop was centred on.
TrainingCase blocksCase() {
  TrainingCase c;
  c.id = "blocks";
  c.image = at::zeros({1, 48, 48, 48});
  c.labels = at::zeros({48, 48, 48}, at::kLong);
  c.labels.slice(0, 16, 32).slice(1, 16, 32).slice(2, 16, 32).fill_(2);
  c.labels.slice(0, 20, 22).slice(1, 20, 22).slice(2, 20, 22).fill_(1);
  c.labels.slice(0, 26, 29).slice(1, 26, 29).slice(2, 26, 29).fill_(3);
  return c;
}

// How often each label lies at the centre of `crops` tumour-centred 16^3 crops of `c`.
std::array<int, 4> centreLabels(const TrainingCase& c, bool balance, int crops) {
  ModelConfig config;
  config.roi = {16, 16, 16};
  TrainingOptions options;
  options.foregroundCropFraction = 1.0;
  options.augment = false;
  options.balanceCropClasses = balance;
  const CropCentres centres = cropCentres(c.labels, balance);
  Sampler sampler(11);
  std::array<int, 4> counts{};
  for (int n = 0; n < crops; ++n)
    ++counts[sampleCrop(c, centres, config, options, sampler).second[8][8][8].item<int64_t>()];
  return counts;
}

TEST(CropSampling, TumourCentredCropsLandMostlyInTheOedema) {
  const std::array<int, 4> counts = centreLabels(blocksCase(), false, 3000);
  EXPECT_EQ(counts[0], 0);
  // Voxel shares: ED 4061, NCR 8, ET 27 of 4096.
  EXPECT_GT(counts[2], 2900);
  EXPECT_LT(counts[1] + counts[3], 60);
}

TEST(CropSampling, BalancedClassesCentreOnEachTumourClassAlike) {
  const std::array<int, 4> counts = centreLabels(blocksCase(), true, 3000);
  EXPECT_EQ(counts[0], 0);
  for (int k = 1; k <= 3; ++k) EXPECT_NEAR(counts[k], 1000, 100) << "class " << k;
}

TEST(CropSampling, BalancedClassesDrawOnlyAmongTheClassesPresent) {
  TrainingCase c = blocksCase();
  c.labels.masked_fill_(c.labels.eq(1), 2);  // no necrosis
  const std::array<int, 4> counts = centreLabels(c, true, 1000);
  EXPECT_EQ(counts[0] + counts[1], 0);
  EXPECT_NEAR(counts[2], 500, 70);
  EXPECT_NEAR(counts[3], 500, 70);
}

}  // namespace
}  // namespace seqseg
