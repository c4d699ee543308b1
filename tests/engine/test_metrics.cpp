// Dice and HD95 against hand-computed cases, including the empty-region conventions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/metrics.h"

namespace seqseg {
namespace {

struct Grid {
  std::array<int64_t, 3> shape;
  std::vector<uint8_t> labels;
  explicit Grid(std::array<int64_t, 3> s) : shape(s), labels(s[0] * s[1] * s[2], 0) {}
  uint8_t& at(int64_t a0, int64_t a1, int64_t a2) {
    return labels[(a0 * shape[1] + a1) * shape[2] + a2];
  }
};

TEST(Metrics, IdenticalMasksScorePerfectly) {
  Grid a({6, 6, 6});
  for (int i = 1; i < 4; ++i) a.at(2, 2, i) = 2, a.at(3, 2, i) = 3;
  for (Region region : kRegions) {
    const RegionScore score = scoreRegion(a.labels, a.labels, a.shape, {1, 1, 1}, region);
    EXPECT_DOUBLE_EQ(score.dice, 1.0) << regionName(region);
    EXPECT_DOUBLE_EQ(score.hd95, 0.0) << regionName(region);
  }
}

TEST(Metrics, EmptyRegionConventions) {
  Grid empty({155, 24, 24}), ed({155, 24, 24});
  ed.at(10, 10, 10) = 2;                           // oedema only: WT present, TC and ET empty
  const std::array<double, 3> spacing{10, 10, 1};  // a 240 x 240 x 155 mm field of view
  const RegionScore bothEmpty =
      scoreRegion(ed.labels, ed.labels, ed.shape, spacing, Region::TumourCore);
  EXPECT_DOUBLE_EQ(bothEmpty.dice, 1.0);
  EXPECT_DOUBLE_EQ(bothEmpty.hd95, 0.0);
  const RegionScore missed =
      scoreRegion(empty.labels, ed.labels, ed.shape, spacing, Region::WholeTumour);
  EXPECT_DOUBLE_EQ(missed.dice, 0.0);
  EXPECT_NEAR(missed.hd95, 373.13, 0.01);  // BraTS's worst case: the field-of-view diagonal
  const RegionScore spurious =
      scoreRegion(ed.labels, empty.labels, ed.shape, spacing, Region::WholeTumour);
  EXPECT_DOUBLE_EQ(spurious.dice, 0.0);
  EXPECT_NEAR(spurious.hd95, 373.13, 0.01);
}

TEST(Metrics, DiceCountsOverlap) {
  Grid predicted({4, 4, 4}), reference({4, 4, 4});
  for (int i = 0; i < 4; ++i) predicted.at(1, 1, i) = 1;  // 4 voxels
  reference.at(1, 1, 1) = 1, reference.at(1, 1, 2) = 1;   // 2 voxels, both predicted
  const RegionScore score = scoreRegion(predicted.labels, reference.labels, predicted.shape,
                                        {1, 1, 1}, Region::TumourCore);
  EXPECT_NEAR(score.dice, 2.0 * 2 / 6, 1e-12);
  EXPECT_EQ(score.predictedVoxels, 4);
  EXPECT_EQ(score.referenceVoxels, 2);
  // Oedema is not tumour core; enhancing tumour is.
  EXPECT_TRUE(inRegion(Region::TumourCore, 3));
  EXPECT_FALSE(inRegion(Region::TumourCore, 2));
  EXPECT_TRUE(inRegion(Region::WholeTumour, 2));
}

TEST(Metrics, Hd95UsesSpacingOnEveryAxis) {
  Grid a({8, 8, 8}), b({8, 8, 8});
  a.at(1, 1, 1) = 1;
  b.at(1, 1, 5) = 1;  // 4 voxels along A2 (i), 2 mm each
  EXPECT_DOUBLE_EQ(hausdorff95(a.labels, b.labels, a.shape, {2.0, 3.0, 1.5}), 8.0);
  Grid c({8, 8, 8});
  c.at(4, 1, 1) = 1;  // 3 voxels along A0 (k), 1.5 mm each
  EXPECT_DOUBLE_EQ(hausdorff95(a.labels, c.labels, a.shape, {2.0, 3.0, 1.5}), 4.5);
  Grid d({8, 8, 8});
  d.at(1, 5, 4) = 1;  // 4 voxels along A1 (j) at 3 mm and 3 along i at 2 mm: hypotenuse
  EXPECT_NEAR(hausdorff95(a.labels, d.labels, a.shape, {2.0, 3.0, 1.5}), std::hypot(12.0, 6.0),
              1e-9);
}

TEST(Metrics, Hd95IsThe95thPercentileOfBothDirections) {
  // Surface distances: from a's voxels {0, 10} mm, from b's voxel {0}: sorted {0, 0, 10};
  // numpy's 95th percentile interpolates at position 1.9: 0 + 0.9 * 10 = 9.
  Grid a({1, 1, 12}), b({1, 1, 12});
  a.at(0, 0, 0) = 1, a.at(0, 0, 10) = 1;
  b.at(0, 0, 0) = 1;
  EXPECT_NEAR(hausdorff95(a.labels, b.labels, a.shape, {1, 1, 1}), 9.0, 1e-12);
  // The larger directed one: a's {0, 10} interpolate at position 0.95: 9.5; b's {0}: 0.
  EXPECT_NEAR(hausdorff95(a.labels, b.labels, a.shape, {1, 1, 1}, Hd95Definition::Max), 9.5, 1e-12);
}

TEST(Metrics, Hd95DefinitionsHaveTheirNames) {
  for (Hd95Definition definition : {Hd95Definition::Pooled, Hd95Definition::Max})
    EXPECT_EQ(parseHd95Definition(hd95DefinitionName(definition)), definition);
  EXPECT_STREQ(hd95DefinitionName(Hd95Definition::Pooled), "pooled");
  EXPECT_THROW(parseHd95Definition("mean"), std::invalid_argument);
}

TEST(Metrics, Hd95OfShiftedCubeIsTheShift) {
  // Every surface voxel of a cube shifted by 2 voxels along j is at most 2 voxels away from the
  // other cube's surface; those on the leading and trailing faces are exactly 2 away.
  Grid a({12, 12, 12}), b({12, 12, 12});
  for (int x = 3; x < 8; ++x)
    for (int y = 3; y < 8; ++y)
      for (int z = 3; z < 8; ++z) a.at(x, y, z) = 1, b.at(x, y + 2, z) = 1;
  const double hd = hausdorff95(a.labels, b.labels, a.shape, {1.0, 1.0, 1.0});
  EXPECT_GT(hd, 1.0);
  EXPECT_LE(hd, 2.0 + 1e-12);
}

// numpy.percentile(values, 95) with its default linear interpolation.
double numpyPercentile95(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const double position = 0.95 * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(position), high = std::min(low + 1, values.size() - 1);
  return values[low] + (position - static_cast<double>(low)) * (values[high] - values[low]);
}

// The 95th percentile by brute force: every surface voxel against every surface voxel.
double bruteForceHd95(Grid& a, Grid& b, const std::array<double, 3>& spacing,
                      Hd95Definition definition) {
  auto surfacePoints = [](Grid& g) {
    std::vector<std::array<int64_t, 3>> points;
    const auto& s = g.shape;
    for (int64_t x = 0; x < s[0]; ++x)
      for (int64_t y = 0; y < s[1]; ++y)
        for (int64_t z = 0; z < s[2]; ++z) {
          if (!g.at(x, y, z)) continue;
          const bool edge = x == 0 || y == 0 || z == 0 || x == s[0] - 1 || y == s[1] - 1 ||
                            z == s[2] - 1 || !g.at(x - 1, y, z) || !g.at(x + 1, y, z) ||
                            !g.at(x, y - 1, z) || !g.at(x, y + 1, z) || !g.at(x, y, z - 1) ||
                            !g.at(x, y, z + 1);
          if (edge) points.push_back({x, y, z});
        }
    return points;
  };
  const auto pa = surfacePoints(a), pb = surfacePoints(b);
  auto nearest = [&](const std::array<int64_t, 3>& p, const decltype(pa)& others) {
    double best = INFINITY;
    for (const auto& q : others) {
      const double d0 = (p[0] - q[0]) * spacing[2], d1 = (p[1] - q[1]) * spacing[1],
                   d2 = (p[2] - q[2]) * spacing[0];
      best = std::min(best, d0 * d0 + d1 * d1 + d2 * d2);
    }
    return std::sqrt(best);
  };
  std::vector<double> fromA, fromB;
  for (const auto& p : pa) fromA.push_back(nearest(p, pb));
  for (const auto& p : pb) fromB.push_back(nearest(p, pa));
  if (definition == Hd95Definition::Max)
    return std::max(numpyPercentile95(fromA), numpyPercentile95(fromB));
  fromA.insert(fromA.end(), fromB.begin(), fromB.end());
  return numpyPercentile95(fromA);
}

TEST(Metrics, Hd95MatchesBruteForceForBlobsAnywhereInTheImage) {
  // Random blobs, some touching the image border, in an image much larger than them (HD95 works
  // on the box around both masks): the same as comparing every pair of surface voxels.
  std::mt19937 random(7);
  for (int trial = 0; trial < 12; ++trial) {
    Grid a({23, 19, 29}), b({23, 19, 29});
    for (Grid* g : {&a, &b}) {
      const int blobs = 1 + trial % 3;
      for (int blob = 0; blob < blobs; ++blob) {
        std::uniform_int_distribution<int> c0(0, 22), c1(0, 18), c2(0, 28), r(1, 4);
        const int x0 = c0(random), y0 = c1(random), z0 = c2(random), radius = r(random);
        for (int x = 0; x < 23; ++x)
          for (int y = 0; y < 19; ++y)
            for (int z = 0; z < 29; ++z)
              if ((x - x0) * (x - x0) + (y - y0) * (y - y0) + (z - z0) * (z - z0) <=
                  radius * radius)
                g->at(x, y, z) = 1;
      }
    }
    const std::array<double, 3> spacing{0.9, 1.3, 2.2};
    for (Hd95Definition definition : {Hd95Definition::Pooled, Hd95Definition::Max})
      EXPECT_NEAR(hausdorff95(a.labels, b.labels, a.shape, spacing, definition),
                  bruteForceHd95(a, b, spacing, definition), 1e-9)
          << "trial " << trial << " " << hd95DefinitionName(definition);
  }
}

TEST(Metrics, ScoreRegionsEqualsEachRegionScoredAlone) {
  Grid predicted({9, 11, 13}), reference({9, 11, 13});
  for (int x = 1; x < 7; ++x)
    for (int y = 2; y < 9; ++y)
      for (int z = 3; z < 11; ++z) {
        predicted.at(x, y, z) = static_cast<uint8_t>(1 + (x + y + z) % 3);
        reference.at(x, y + 1, z) = static_cast<uint8_t>(1 + (x * y + z) % 3);
      }
  const std::array<double, 3> spacing{1.0, 1.2, 2.0};
  const auto scores = scoreRegions(predicted.labels, reference.labels, predicted.shape, spacing);
  for (size_t r = 0; r < kRegions.size(); ++r) {
    const RegionScore alone =
        scoreRegion(predicted.labels, reference.labels, predicted.shape, spacing, kRegions[r]);
    EXPECT_EQ(scores[r].dice, alone.dice) << r;
    EXPECT_EQ(scores[r].hd95, alone.hd95) << r;
    EXPECT_EQ(scores[r].predictedVoxels, alone.predictedVoxels) << r;
  }
}

TEST(Metrics, ScoresDoNotDependOnTheBackgroundAroundTheLabels) {
  // The labels of a small grid placed inside a large one: Dice and HD95 are the same, and an
  // empty side's HD95 is the diagonal of the image it is in.
  std::mt19937 random(13);
  for (int trial = 0; trial < 6; ++trial) {
    Grid predicted({9, 11, 13}), reference({9, 11, 13});
    std::uniform_int_distribution<int> label(0, 3);
    for (int x = 2; x < 7; ++x)
      for (int y = 1; y < 10; ++y)
        for (int z = 3; z < 12; ++z) {
          predicted.at(x, y, z) = static_cast<uint8_t>(label(random) % (trial == 5 ? 3 : 4));
          reference.at(x, y, z) = static_cast<uint8_t>(label(random));
        }
    Grid bigPredicted({40, 31, 50}), bigReference({40, 31, 50});
    for (int x = 0; x < 9; ++x)
      for (int y = 0; y < 11; ++y)
        for (int z = 0; z < 13; ++z) {
          bigPredicted.at(x + 17, y + 5, z + 30) = predicted.at(x, y, z);
          bigReference.at(x + 17, y + 5, z + 30) = reference.at(x, y, z);
        }
    const std::array<double, 3> spacing{0.8, 1.1, 1.9};
    const auto small = scoreRegions(predicted.labels, reference.labels, predicted.shape, spacing);
    const auto big =
        scoreRegions(bigPredicted.labels, bigReference.labels, bigPredicted.shape, spacing);
    for (size_t r = 0; r < kRegions.size(); ++r) {
      EXPECT_EQ(big[r].dice, small[r].dice) << trial << " " << r;
      EXPECT_EQ(big[r].predictedVoxels, small[r].predictedVoxels);
      EXPECT_EQ(big[r].referenceVoxels, small[r].referenceVoxels);
      if (small[r].predictedVoxels > 0 && small[r].referenceVoxels > 0) {
        EXPECT_EQ(big[r].hd95, small[r].hd95) << trial << " " << r;
      } else if (small[r].predictedVoxels + small[r].referenceVoxels > 0) {
        EXPECT_DOUBLE_EQ(big[r].hd95, std::sqrt(50 * 0.8 * 50 * 0.8 + 31 * 1.1 * 31 * 1.1 +
                                                40 * 1.9 * 40 * 1.9));
      }
    }
  }
}

}  // namespace
}  // namespace seqseg
