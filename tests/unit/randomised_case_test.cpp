// Domain-randomised cases: deterministic per (profile, seed, index), finite intensities inside
// the brain and zero outside, every tumour class across cases, and real variety: other seeds,
// the held-out profiles and other cases differ in contrasts, fields of view and storage. The
// hard held-out profile spans lesion sizes, rim thicknesses and missing tumour parts.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "io/dataset_layout.h"
#include "io/randomised_case.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

const BrainTemplate& colin27() {
  static const BrainTemplate brain = loadBrainTemplate();
  return brain;
}

constexpr std::array<int64_t, 3> kSize{40, 40, 28};

constexpr std::array<RandomisedProfile, 5> kProfiles{
    RandomisedProfile::Training, RandomisedProfile::Heldout, RandomisedProfile::HeldoutHard,
    RandomisedProfile::TrainingWide, RandomisedProfile::TrainingWideContrasts};

TEST(RandomisedCase, SameSeedSameBytesOtherSeedOrProfileOtherCase) {
  for (RandomisedProfile profile : kProfiles) {
    SCOPED_TRACE(randomisedProfileName(profile));
    const SyntheticCase a = synthesizeRandomisedCase(colin27(), kSize, 7, 3, profile);
    const SyntheticCase b = synthesizeRandomisedCase(colin27(), kSize, 7, 3, profile);
    EXPECT_EQ(a.image.voxels, b.image.voxels);
    EXPECT_EQ(a.labels.labels, b.labels.labels);
    EXPECT_EQ(a.image.geometry.direction, b.image.geometry.direction);
    EXPECT_NE(a.image.voxels,
              synthesizeRandomisedCase(colin27(), kSize, 8, 3, profile).image.voxels);
    EXPECT_NE(a.image.voxels,
              synthesizeRandomisedCase(colin27(), kSize, 7, 4, profile).image.voxels);

    test::TempDir one, two;
    writeCase(one.path(), Layout::Brats2021, "C", a.image, &a.labels);
    writeCase(two.path(), Layout::Brats2021, "C", b.image, &b.labels);
    for (const char* file : {"C/C_t1ce.nii.gz", "C/C_seg.nii.gz"})
      EXPECT_EQ(test::readFile(one / file), test::readFile(two / file)) << file;
  }
  EXPECT_NE(
      synthesizeRandomisedCase(colin27(), kSize, 7, 3, RandomisedProfile::Training).image.voxels,
      synthesizeRandomisedCase(colin27(), kSize, 7, 3, RandomisedProfile::Heldout).image.voxels);
  EXPECT_NE(
      synthesizeRandomisedCase(colin27(), kSize, 7, 3, RandomisedProfile::Heldout).image.voxels,
      synthesizeRandomisedCase(colin27(), kSize, 7, 3, RandomisedProfile::HeldoutHard)
          .image.voxels);
}

TEST(RandomisedCase, FiniteInsideTheBrainZeroOutsideAndEveryClassAcrossCases) {
  for (RandomisedProfile profile : kProfiles) {
    SCOPED_TRACE(randomisedProfileName(profile));
    std::array<int, 4> casesWithClass{};
    constexpr int kCases = 12;
    for (int index = 0; index < kCases; ++index) {
      const SyntheticCase c = synthesizeRandomisedCase(colin27(), kSize, 1, index, profile);
      ASSERT_EQ(c.image.shape, (std::array<int64_t, 4>{4, 28, 40, 40}));
      std::array<int64_t, 4> count{};
      int64_t brain = 0;
      for (int64_t v = 0; v < c.labels.size(); ++v) {
        const bool inBrain = c.image.channel(0)[v] > 0;
        brain += inBrain;
        for (int m = 0; m < 4; ++m) {
          const float value = c.image.channel(m)[v];
          ASSERT_TRUE(std::isfinite(value));
          ASSERT_GE(value, 0.0f);
          ASSERT_EQ(value > 0, inBrain) << "every channel shares the brain mask";
        }
        const int label = c.labels.labels[v];
        ASSERT_LE(label, 3);
        if (label > 0) {
          ASSERT_TRUE(inBrain) << "tumour outside the brain";
        }
        ++count[label];
      }
      EXPECT_GT(brain, c.labels.size() / 10) << index;
      EXPECT_GT(count[1] + count[2] + count[3], 0) << "case " << index << " has no tumour";
      for (int label = 1; label < 4; ++label) casesWithClass[label] += count[label] > 0;
      for (double mm : c.image.geometry.spacing) EXPECT_GT(mm, 0);
    }
    // Each class is present in most cases; the necrotic or enhancing part is sometimes absent.
    for (int label = 1; label < 4; ++label)
      EXPECT_GE(casesWithClass[label], kCases / 2) << "class " << label;
  }
}

// Mean brightness of `label`'s voxels in `channel` over that of the whole brain or, with
// `nearby`, of the tumour-free brain inside the tumour's bounding box (where the bias field is
// nearly the same); none without that label.
std::optional<double> classContrast(const SyntheticCase& c, int channel, int label,
                                    bool nearby = false) {
  const auto [nk, nj, ni] = c.labels.shape;
  std::array<int64_t, 3> low{ni, nj, nk}, high{-1, -1, -1};
  for (int64_t k = 0, v = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i, ++v)
        if (c.labels.labels[v] > 0) {
          const std::array<int64_t, 3> at{i, j, k};
          for (int a = 0; a < 3; ++a) {
            low[a] = std::min(low[a], at[a]);
            high[a] = std::max(high[a], at[a]);
          }
        }
  double inLabel = 0, reference = 0;
  int64_t labelCount = 0, referenceCount = 0;
  for (int64_t k = 0, v = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i, ++v) {
        const float value = c.image.channel(channel)[v];
        if (value <= 0) continue;
        if (c.labels.labels[v] == label) {
          inLabel += value;
          ++labelCount;
        }
        const bool inBox = i >= low[0] && i <= high[0] && j >= low[1] && j <= high[1] &&
                           k >= low[2] && k <= high[2];
        if (!nearby || (c.labels.labels[v] == 0 && inBox)) {
          reference += value;
          ++referenceCount;
        }
      }
  if (labelCount == 0 || referenceCount == 0) return std::nullopt;
  return (inLabel / labelCount) / (reference / referenceCount);
}

// T1ce brightness of the enhancing tumour over the brain's; none without enhancing tumour.
std::optional<double> enhancingContrast(const SyntheticCase& c) {
  return classContrast(c, 1, 3);
}

TEST(RandomisedCase, ContrastsFieldsOfViewAndStorageVaryBetweenCases) {
  std::set<std::array<double, 9>> directions;
  std::set<double> spacings;
  std::vector<double> contrasts;  // per case with enhancing tumour
  for (int index = 0; index < 10; ++index) {
    const SyntheticCase c =
        synthesizeRandomisedCase(colin27(), kSize, 2, index, RandomisedProfile::Training);
    directions.insert(c.image.geometry.direction);
    spacings.insert(c.image.geometry.spacing[0]);
    if (const auto contrast = enhancingContrast(c)) contrasts.push_back(*contrast);
  }
  EXPECT_GE(directions.size(), 5u);
  EXPECT_GE(spacings.size(), 8u);
  ASSERT_GE(contrasts.size(), 4u);
  const auto [low, high] = std::minmax_element(contrasts.begin(), contrasts.end());
  EXPECT_GT(*high - *low, 0.15) << "enhancing tumour's brightness should vary between cases";
  EXPECT_GT(*low, 1.0) << "yet enhancing tumour stays brighter than the brain on T1ce";
}

// The enhancing contrasts of 8 cases (seed 5) of `profile`, of those with enhancing tumour.
std::vector<double> enhancingContrasts(RandomisedProfile profile, std::optional<uint64_t> scanner) {
  std::vector<double> contrasts;
  for (int index = 0; index < 8; ++index) {
    const SyntheticCase c = synthesizeRandomisedCase(colin27(), kSize, 5, index, profile, scanner);
    if (const auto contrast = enhancingContrast(c)) contrasts.push_back(*contrast);
  }
  return contrasts;
}

TEST(RandomisedCase, OneScannersCasesShareItsContrasts) {
  // Two scanners' tables: the cases of each lie together, apart from the other's.
  const std::vector<double> first = enhancingContrasts(RandomisedProfile::Heldout, 3);
  const std::vector<double> second = enhancingContrasts(RandomisedProfile::Heldout, 4);
  ASSERT_GE(first.size(), 4u);
  ASSERT_GE(second.size(), 4u);
  const auto [firstLow, firstHigh] = std::minmax_element(first.begin(), first.end());
  const auto [secondLow, secondHigh] = std::minmax_element(second.begin(), second.end());
  EXPECT_TRUE(*firstHigh < *secondLow || *secondHigh < *firstLow)
      << "scanner 3: " << *firstLow << ".." << *firstHigh << ", scanner 4: " << *secondLow << ".."
      << *secondHigh;
}

// FNV-1a over a case's voxels, labels and geometry: the bytes it would write.
uint64_t fingerprint(const SyntheticCase& c) {
  uint64_t hash = 0xcbf29ce484222325ull;
  const auto mix = [&hash](const void* data, size_t bytes) {
    for (size_t b = 0; b < bytes; ++b) {
      hash ^= static_cast<const unsigned char*>(data)[b];
      hash *= 0x100000001b3ull;
    }
  };
  mix(c.image.voxels.data(), c.image.voxels.size() * sizeof(float));
  mix(c.labels.labels.data(), c.labels.labels.size() * sizeof(c.labels.labels[0]));
  const Geometry& g = c.image.geometry;
  mix(g.direction.data(), sizeof g.direction);
  mix(g.spacing.data(), sizeof g.spacing);
  mix(g.origin.data(), sizeof g.origin);
  return hash;
}

TEST(RandomisedCase, TrainingAndHeldoutKeepTheirBytes) {
  // Fingerprints of the cases these profiles made at d74ffd3 (seed 7, cases 0..2, and scanner
  // 3's case 1): datasets made before must be reproducible. A change here changes every
  // training run and every held-out score. Values of glibc's libm on x86-64 (another libm may
  // round exp and sin otherwise).
  const std::array<uint64_t, 3> training{0x1c956597cba56d35ull, 0xc3d7d12e8a4b8002ull,
                                         0x6675b06a0ca9051dull};
  const std::array<uint64_t, 3> heldout{0xd0992c75608eff16ull, 0xa1ada963813237b3ull,
                                        0xbd3159cb52f76f80ull};
  for (int index = 0; index < 3; ++index) {
    EXPECT_EQ(fingerprint(synthesizeRandomisedCase(colin27(), kSize, 7, index,
                                                   RandomisedProfile::Training)),
              training[index])
        << "training case " << index;
    EXPECT_EQ(fingerprint(
                  synthesizeRandomisedCase(colin27(), kSize, 7, index, RandomisedProfile::Heldout)),
              heldout[index])
        << "held-out case " << index;
  }
  EXPECT_EQ(
      fingerprint(synthesizeRandomisedCase(colin27(), kSize, 7, 1, RandomisedProfile::Heldout, 3)),
      0x7a3715651f48f77eull);
}

// NCR, ED and ET volumes of a case, mL.
struct TumourVolumes {
  double ncr = 0, ed = 0, et = 0;
  double wholeTumour() const { return ncr + ed + et; }
};

TumourVolumes tumourVolumes(const SyntheticCase& c) {
  const auto& mm = c.labels.geometry.spacing;
  const double ml = mm[0] * mm[1] * mm[2] / 1000;
  TumourVolumes volumes;
  for (uint8_t label : c.labels.labels) {
    if (label == 1) volumes.ncr += ml;
    if (label == 2) volumes.ed += ml;
    if (label == 3) volumes.et += ml;
  }
  return volumes;
}

// The share of ET voxels with an NCR voxel beside them (6-neighbours): about 1 for a rim one
// voxel thick, less the thicker the rim.
double enhancingNextToNecrosis(const SyntheticCase& c) {
  const int64_t nk = c.labels.shape[0], nj = c.labels.shape[1], ni = c.labels.shape[2];
  const auto labelAt = [&](int64_t i, int64_t j, int64_t k) {
    if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
    return int{c.labels.labels[(k * nj + j) * ni + i]};
  };
  int64_t enhancing = 0, touching = 0;
  for (int64_t k = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i) {
        if (labelAt(i, j, k) != 3) continue;
        ++enhancing;
        touching += labelAt(i - 1, j, k) == 1 || labelAt(i + 1, j, k) == 1 ||
                    labelAt(i, j - 1, k) == 1 || labelAt(i, j + 1, k) == 1 ||
                    labelAt(i, j, k - 1) == 1 || labelAt(i, j, k + 1) == 1;
      }
  return enhancing == 0 ? 0.0 : static_cast<double>(touching) / static_cast<double>(enhancing);
}

// The profiles with sized lesions (held-out-hard, and training-wide for training): whole tumours
// of every size, thin and thick rims, cases without NCR or ET.
void expectLesionsOfEverySize(RandomisedProfile profile) {
  constexpr std::array<int64_t, 3> kHardSize{96, 96, 62};  // 2.5 mm voxels
  constexpr int kCases = 30;
  double smallest = 1e9, largest = 0, thinnestRim = 0, thickestRim = 1;
  int under15 = 0, over60 = 0, withoutNcr = 0, withoutEt = 0;
  for (int index = 0; index < kCases; ++index) {
    const SyntheticCase c = synthesizeRandomisedCase(colin27(), kHardSize, 1, index, profile);
    const TumourVolumes v = tumourVolumes(c);
    smallest = std::min(smallest, v.wholeTumour());
    largest = std::max(largest, v.wholeTumour());
    under15 += v.wholeTumour() < 15;
    over60 += v.wholeTumour() > 60;
    withoutNcr += v.ncr == 0;
    withoutEt += v.et == 0;
    if (v.ncr > 0 && v.et > 0) {
      const double share = enhancingNextToNecrosis(c);
      thinnestRim = std::max(thinnestRim, share);
      thickestRim = std::min(thickestRim, share);
    }
  }
  // Whole tumours from a few mL to over 100 mL, small and large ones both common.
  EXPECT_LT(smallest, 5.0);
  EXPECT_GT(largest, 100.0);
  EXPECT_GE(under15, 5);
  EXPECT_GE(over60, 5);
  // Some cases without NCR, some without ET; most have both.
  EXPECT_GE(withoutNcr, 2);
  EXPECT_GE(withoutEt, 2);
  EXPECT_LE(withoutNcr + withoutEt, kCases / 2);
  // Rims one voxel thick (nearly every ET voxel touches the NCR) and rims of several voxels.
  EXPECT_GT(thinnestRim, 0.9);
  EXPECT_LT(thickestRim, 0.5);
}

TEST(RandomisedCase, HeldoutHardSpansSizesRimsAndMissingParts) {
  expectLesionsOfEverySize(RandomisedProfile::HeldoutHard);
}

TEST(RandomisedCase, TrainingWideSpansSizesRimsAndMissingPartsWithTheTrainingContrasts) {
  expectLesionsOfEverySize(RandomisedProfile::TrainingWide);
  // Not the held-out-hard profile's cases: another salt, other contrasts.
  const SyntheticCase wide =
      synthesizeRandomisedCase(colin27(), kSize, 5, 0, RandomisedProfile::TrainingWide);
  const SyntheticCase hard =
      synthesizeRandomisedCase(colin27(), kSize, 5, 0, RandomisedProfile::HeldoutHard);
  EXPECT_NE(wide.image.voxels, hard.image.voxels);
  EXPECT_NE(wide.labels.labels, hard.labels.labels);
}

TEST(RandomisedCase, TrainingWideContrastsDrawsContrastsWidelyYetKeepsWhatRealScansKeep) {
  // Per case, a tumour class's brightness over the healthy brain's around the tumour.
  const auto spread = [](RandomisedProfile profile, int channel, int label) {
    std::vector<double> values;
    for (int index = 0; index < 16; ++index) {
      const SyntheticCase c = synthesizeRandomisedCase(colin27(), {80, 80, 52}, 9, index, profile);
      if (const auto contrast = classContrast(c, channel, label, true)) values.push_back(*contrast);
    }
    return values;
  };
  const auto range = [](const std::vector<double>& values) {
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    return *high - *low;
  };
  constexpr int kT1 = 0, kT1ce = 1, kFlair = 3;
  const std::vector<double> wideT1 = spread(RandomisedProfile::TrainingWideContrasts, kT1, 2);
  const std::vector<double> trainingT1 = spread(RandomisedProfile::TrainingWide, kT1, 2);
  ASSERT_GE(wideT1.size(), 8u);
  ASSERT_GE(trainingT1.size(), 8u);
  EXPECT_GT(range(wideT1), 1.3 * range(trainingT1)) << "the oedema's T1 varies far more";
  // Yet the enhancing tumour stays brighter than the healthy brain on T1ce and the oedema on
  // FLAIR, in every case that has them.
  const std::vector<double> enhancing = spread(RandomisedProfile::TrainingWideContrasts, kT1ce, 3);
  const std::vector<double> oedema = spread(RandomisedProfile::TrainingWideContrasts, kFlair, 2);
  ASSERT_GE(enhancing.size(), 8u);
  ASSERT_GE(oedema.size(), 8u);
  for (double contrast : enhancing) EXPECT_GT(contrast, 1.05);
  for (double contrast : oedema) EXPECT_GT(contrast, 1.05);
  EXPECT_GT(range(enhancing), 0.15) << "by varying margins";
}

TEST(RandomisedCase, HeldoutHardHasItsOwnLook) {
  // Its intensity scale lies above the held-out profile's, every case's.
  double heldoutHighest = 0, hardLowest = 1e9;
  for (int index = 0; index < 8; ++index)
    for (RandomisedProfile profile : {RandomisedProfile::Heldout, RandomisedProfile::HeldoutHard}) {
      const SyntheticCase c = synthesizeRandomisedCase(colin27(), kSize, 5, index, profile);
      double sum = 0;
      int64_t count = 0;
      for (int64_t v = 0; v < c.labels.size(); ++v)
        if (const float value = c.image.channel(0)[v]; value > 0) {
          sum += value;
          ++count;
        }
      const double mean = sum / static_cast<double>(count);
      if (profile == RandomisedProfile::Heldout) heldoutHighest = std::max(heldoutHighest, mean);
      if (profile == RandomisedProfile::HeldoutHard) hardLowest = std::min(hardLowest, mean);
    }
  EXPECT_GT(hardLowest, heldoutHighest);
  // Its contrast table: enhancing tumour stands out less on T1ce than in the held-out profile,
  // yet it still stands out.
  const auto mean = [](const std::vector<double>& values) {
    double sum = 0;
    for (double v : values) sum += v;
    return sum / static_cast<double>(values.size());
  };
  const std::vector<double> heldout = enhancingContrasts(RandomisedProfile::Heldout, {});
  const std::vector<double> hard = enhancingContrasts(RandomisedProfile::HeldoutHard, {});
  ASSERT_GE(heldout.size(), 4u);
  ASSERT_GE(hard.size(), 4u);
  EXPECT_LT(mean(hard), mean(heldout) - 0.1);
  EXPECT_GT(mean(hard), 1.2);
}

TEST(RandomisedCase, ProfileNamesReadBackUnknownOnesAreRefused) {
  for (RandomisedProfile profile : kProfiles)
    EXPECT_EQ(parseRandomisedProfile(randomisedProfileName(profile)), profile);
  EXPECT_STREQ(randomisedProfileName(RandomisedProfile::HeldoutHard), "heldout-hard");
  EXPECT_STREQ(randomisedProfileName(RandomisedProfile::TrainingWide), "training-wide");
  EXPECT_STREQ(randomisedProfileName(RandomisedProfile::TrainingWideContrasts),
               "training-wide-contrasts");
  EXPECT_THROW(parseRandomisedProfile("validation"), std::invalid_argument);
}

TEST(RandomisedCase, TrainingFlagsNameTheirProfileWideContrastsImplyingWideLesions) {
  EXPECT_EQ(trainingProfileOf(false, false), RandomisedProfile::Training);
  EXPECT_EQ(trainingProfileOf(true, false), RandomisedProfile::TrainingWide);
  EXPECT_EQ(trainingProfileOf(false, true), RandomisedProfile::TrainingWideContrasts);
  EXPECT_EQ(trainingProfileOf(true, true), RandomisedProfile::TrainingWideContrasts);
}

}  // namespace
}  // namespace seqseg
