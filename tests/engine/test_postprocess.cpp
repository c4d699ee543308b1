// Post-processing on hand-made label maps: small or distant components go, the main lesion
// stays, ET stays within TC within WT, and the validation-time choice only keeps what helps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/postprocess.h"

namespace seqseg {
namespace {

struct Grid {
  std::array<int64_t, 3> shape{24, 24, 24};
  std::vector<uint8_t> labels = std::vector<uint8_t>(24 * 24 * 24, 0);
  uint8_t& at(int64_t a, int64_t b, int64_t c) { return labels[(a * 24 + b) * 24 + c]; }
  // Fills the box [low, high) with `label`.
  void box(std::array<int64_t, 3> low, std::array<int64_t, 3> high, uint8_t label) {
    for (int64_t a = low[0]; a < high[0]; ++a)
      for (int64_t b = low[1]; b < high[1]; ++b)
        for (int64_t c = low[2]; c < high[2]; ++c) at(a, b, c) = label;
  }
  int64_t count(uint8_t label) const { return std::count(labels.begin(), labels.end(), label); }
};

// A lesion: oedema around a core of necrosis ringed by enhancing tumour.
Grid lesion() {
  Grid g;
  g.box({4, 4, 4}, {16, 16, 16}, 2);
  g.box({6, 6, 6}, {14, 14, 14}, 3);
  g.box({8, 8, 8}, {12, 12, 12}, 1);
  return g;
}

constexpr std::array<double, 3> kOneMm{1, 1, 1};

TEST(Postprocess, SmallIslandOfWholeTumourIsRemovedAndTheLesionKept) {
  Grid g = lesion();
  const Grid original = g;
  g.box({20, 20, 20}, {22, 21, 21}, 2);  // 2 voxels of "oedema" far away
  filterRegion(g.labels, g.shape, kOneMm, Region::WholeTumour, {true, 0.1, -1});
  EXPECT_EQ(g.labels, original.labels);
}

TEST(Postprocess, DistantComponentGoesOnlyWithADistanceLimit) {
  Grid base = lesion();
  base.box({4, 18, 18}, {16, 24, 24}, 2);  // half the lesion's size, 2 voxels beyond its box
  Grid bySize = base;
  filterRegion(bySize.labels, bySize.shape, kOneMm, Region::WholeTumour, {true, 0.1, -1});
  EXPECT_EQ(bySize.labels, base.labels) << "large enough: kept by the size rule";
  Grid near = base;
  filterRegion(near.labels, near.shape, kOneMm, Region::WholeTumour, {true, 0.0, 5});
  EXPECT_EQ(near.labels, base.labels) << "under 3 mm away: within 5 mm";
  Grid farAtCoarseSpacing = base;
  filterRegion(farAtCoarseSpacing.labels, farAtCoarseSpacing.shape, {4, 4, 4}, Region::WholeTumour,
               {true, 0.0, 5});
  EXPECT_EQ(farAtCoarseSpacing.labels, lesion().labels) << "11 mm away at 4 mm voxels";
}

TEST(Postprocess, RemovingACoreComponentTakesItsEnhancingPartAlongAndKeepsTheNesting) {
  Grid g = lesion();
  g.box({18, 2, 2}, {22, 6, 6}, 2);  // a second lesion: oedema around a small core with ET
  g.box({19, 3, 3}, {21, 5, 5}, 3);
  g.at(19, 3, 3) = 1;
  filterRegion(g.labels, g.shape, kOneMm, Region::TumourCore, {true, 1.0, -1});
  Grid expected = lesion();
  expected.box({18, 2, 2}, {22, 6, 6}, 2);  // the small core became oedema: still WT, not TC
  EXPECT_EQ(g.labels, expected.labels);
}

TEST(Postprocess, RemovedEnhancingIslandBecomesNecroticCore) {
  Grid g = lesion();
  g.at(9, 9, 9) = 3;  // an enhancing speck inside the necrosis: its own ET component
  filterRegion(g.labels, g.shape, kOneMm, Region::EnhancingTumour, {true, 0.1, -1});
  EXPECT_EQ(g.labels, lesion().labels);
  EXPECT_EQ(g.at(9, 9, 9), 1);
}

TEST(Postprocess, DisabledFilterAndSingleComponentChangeNothing) {
  Grid g = lesion();
  g.box({20, 20, 20}, {22, 22, 22}, 2);
  const Grid before = g;
  applyPostprocessing(g.labels, g.shape, kOneMm, Postprocessing{});
  EXPECT_EQ(g.labels, before.labels);
  Grid single = lesion();
  filterRegion(single.labels, single.shape, kOneMm, Region::WholeTumour, {true, 1.0, -1});
  EXPECT_EQ(single.labels, lesion().labels);
}

TEST(Postprocess, JsonRoundTripAndOldCheckpointsMeanNone) {
  Postprocessing p;
  p.regions[0] = {true, 0.1, 20};
  p.regions[2] = {true, 1.0, -1};
  const Postprocessing back = postprocessingFromJson(postprocessingToJson(p));
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(back.regions[r] == p.regions[r]) << r;
  EXPECT_FALSE(postprocessingFromJson(nlohmann::json()).any());
  EXPECT_FALSE(postprocessingFromJson(nlohmann::json::object()).any());
  EXPECT_NE(describePostprocessing(p).find("ET: largest component only"), std::string::npos);
  EXPECT_EQ(describePostprocessing(p).find("relabelled"), std::string::npos);
  p.regions[1] = {true, 0.0, 20};
  EXPECT_NE(describePostprocessing(p).find("TC: components > 20 mm from the largest removed;"),
            std::string::npos)
      << describePostprocessing(p);

  p.minEnhancingShareOfCore = 0.15;
  EXPECT_EQ(postprocessingFromJson(postprocessingToJson(p)).minEnhancingShareOfCore, 0.15);
  EXPECT_NE(describePostprocessing(p).find("; ET under 15% of TC relabelled NCR"),
            std::string::npos)
      << describePostprocessing(p);
  Postprocessing onlyTheShare;
  onlyTheShare.minEnhancingShareOfCore = 0.1;
  EXPECT_TRUE(onlyTheShare.any());
}

// A core of 512 voxels: 64 of necrosis inside 448 of enhancing rim, or all necrosis.
Grid coreWithEnhancing(int64_t enhancingVoxels) {
  Grid g;
  g.box({6, 6, 6}, {14, 14, 14}, 1);
  for (int64_t v = 0; v < enhancingVoxels; ++v) g.at(6 + v / 64, 6 + (v / 8) % 8, 6 + v % 8) = 3;
  return g;
}

TEST(Postprocess, EnhancingUnderItsShareOfTheCoreBecomesNecrosis) {
  Grid minor = coreWithEnhancing(40);  // 7.8 % of the core
  relabelMinorEnhancing(minor.labels, 0.1);
  EXPECT_EQ(minor.count(3), 0);
  EXPECT_EQ(minor.count(1), 512) << "the core keeps its size: TC unchanged";

  Grid major = coreWithEnhancing(64);  // 12.5 %
  const Grid before = major;
  relabelMinorEnhancing(major.labels, 0.1);
  EXPECT_EQ(major.labels, before.labels);
  relabelMinorEnhancing(major.labels, 0);
  EXPECT_EQ(major.labels, before.labels) << "0: the rule is off";

  Grid none = coreWithEnhancing(0);
  relabelMinorEnhancing(none.labels, 0.3);
  EXPECT_EQ(none.labels, coreWithEnhancing(0).labels);
}

ValidationPrediction predictionOf(const Grid& predicted, const Grid& reference) {
  ValidationPrediction prediction;
  prediction.predicted = predicted.labels;
  prediction.reference = reference.labels;
  prediction.shape = reference.shape;
  return prediction;
}

TEST(Postprocess, ValidationChoosesTheSmallestEnhancingShareThatHelps) {
  // A core without enhancing tumour, called 6 % enhancing; and a true 20 % rim found exactly.
  const ValidationPrediction falseEnhancing =
      predictionOf(coreWithEnhancing(32), coreWithEnhancing(0));
  const ValidationPrediction trueRim = predictionOf(coreWithEnhancing(102), coreWithEnhancing(102));
  const Postprocessing chosen = choosePostprocessing({falseEnhancing, trueRim});
  EXPECT_EQ(chosen.minEnhancingShareOfCore, 0.1) << "0.05 keeps the false ET; 0.25 drops the rim";

  // A true 8 % rim found exactly: relabelling it would only hurt.
  const ValidationPrediction thinRim = predictionOf(coreWithEnhancing(40), coreWithEnhancing(40));
  EXPECT_EQ(choosePostprocessing({thinRim}).minEnhancingShareOfCore, 0);
}

TEST(Postprocess, ValidationChoiceKeepsOnlyWhatHelps) {
  ValidationPrediction withIsland;
  Grid reference = lesion(), predicted = lesion();
  predicted.box({19, 19, 19}, {22, 22, 22}, 2);  // false oedema away from the lesion
  withIsland.reference = reference.labels;
  withIsland.predicted = predicted.labels;
  withIsland.shape = reference.shape;
  const Postprocessing chosen = choosePostprocessing({withIsland});
  EXPECT_TRUE(chosen.regions[0].enabled);
  std::vector<uint8_t> cleaned = withIsland.predicted;
  applyPostprocessing(cleaned, withIsland.shape, withIsland.spacing, chosen);
  EXPECT_EQ(cleaned, reference.labels);

  // A true second lesion: removing it would hurt, so nothing is chosen.
  ValidationPrediction twoLesions;
  Grid both = lesion();
  both.box({19, 19, 19}, {22, 22, 22}, 2);
  twoLesions.reference = twoLesions.predicted = both.labels;
  twoLesions.shape = both.shape;
  EXPECT_FALSE(choosePostprocessing({twoLesions}).any());
}

// The rule written plainly over the whole image (26-connected flood fill with bounds checks,
// components numbered in raster order): the oracle for filterRegion's faster version.
void filterRegionPlainly(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                         const std::array<double, 3>& spacing, Region region,
                         const ComponentFilter& filter) {
  struct Found {
    int64_t voxels = 0;
    std::array<int64_t, 3> low{}, high{};
  };
  std::vector<int32_t> ids(labels.size(), 0);
  std::vector<Found> found;
  const auto index = [&](int64_t a, int64_t b, int64_t c) {
    return (a * shape[1] + b) * shape[2] + c;
  };
  for (int64_t a = 0; a < shape[0]; ++a)
    for (int64_t b = 0; b < shape[1]; ++b)
      for (int64_t c = 0; c < shape[2]; ++c) {
        if (ids[index(a, b, c)] || !inRegion(region, labels[index(a, b, c)])) continue;
        found.push_back({0, {a, b, c}, {a, b, c}});
        const int32_t id = static_cast<int32_t>(found.size());
        std::vector<std::array<int64_t, 3>> stack{{a, b, c}};
        ids[index(a, b, c)] = id;
        while (!stack.empty()) {
          const auto at = stack.back();
          stack.pop_back();
          Found& f = found[id - 1];
          ++f.voxels;
          for (int axis = 0; axis < 3; ++axis) {
            f.low[axis] = std::min(f.low[axis], at[axis]);
            f.high[axis] = std::max(f.high[axis], at[axis]);
          }
          for (int64_t d0 = -1; d0 <= 1; ++d0)
            for (int64_t d1 = -1; d1 <= 1; ++d1)
              for (int64_t d2 = -1; d2 <= 1; ++d2) {
                const std::array<int64_t, 3> next{at[0] + d0, at[1] + d1, at[2] + d2};
                bool inside = true;
                for (int axis = 0; axis < 3; ++axis)
                  inside = inside && next[axis] >= 0 && next[axis] < shape[axis];
                if (!inside) continue;
                const int64_t v = index(next[0], next[1], next[2]);
                if (ids[v] || !inRegion(region, labels[v])) continue;
                ids[v] = id;
                stack.push_back(next);
              }
        }
      }
  if (!filter.enabled || found.size() < 2) return;
  size_t largest = 0;
  for (size_t c = 1; c < found.size(); ++c)
    if (found[c].voxels > found[largest].voxels) largest = c;
  for (size_t c = 0; c < found.size(); ++c) {
    if (c == largest) continue;
    double gap = 0;
    for (int axis = 0; axis < 3; ++axis) {
      const int64_t voxels =
          std::max<int64_t>({0, found[largest].low[axis] - found[c].high[axis] - 1,
                             found[c].low[axis] - found[largest].high[axis] - 1});
      gap += std::pow(static_cast<double>(voxels) * spacing[2 - axis], 2);
    }
    const bool small = static_cast<double>(found[c].voxels) <
                       filter.minFraction * static_cast<double>(found[largest].voxels);
    const bool far = filter.maxGapMm >= 0 && std::sqrt(gap) > filter.maxGapMm;
    if (!(small || far)) continue;
    for (size_t v = 0; v < labels.size(); ++v)
      if (ids[v] == static_cast<int32_t>(c + 1))
        labels[v] = region == Region::WholeTumour ? 0 : region == Region::TumourCore ? 2 : 1;
  }
}

TEST(Postprocess, EveryFilterDoesWhatThePlainRuleDoesOnRandomLesions) {
  std::mt19937 random(17);
  const std::vector<ComponentFilter> filters{
      {true, 1.0, -1}, {true, 0.1, -1}, {true, 0.0, 20}, {true, 0.05, 10}};
  for (int trial = 0; trial < 40; ++trial) {
    std::uniform_int_distribution<int64_t> side(6, 30);
    const std::array<int64_t, 3> shape{side(random), side(random), side(random)};
    std::vector<uint8_t> labels(static_cast<size_t>(shape[0] * shape[1] * shape[2]), 0);
    std::uniform_int_distribution<int> blobs(1, 6), label(1, 3);
    for (int n = blobs(random); n > 0; --n) {  // boxes of random labels, some on the border
      std::array<int64_t, 3> low{}, high{};
      for (int axis = 0; axis < 3; ++axis) {
        std::uniform_int_distribution<int64_t> at(0, shape[axis] - 1);
        low[axis] = at(random);
        high[axis] = std::min(shape[axis], low[axis] + 1 + at(random) % 5);
      }
      const uint8_t value = static_cast<uint8_t>(label(random));
      for (int64_t a = low[0]; a < high[0]; ++a)
        for (int64_t b = low[1]; b < high[1]; ++b)
          for (int64_t c = low[2]; c < high[2]; ++c)
            labels[(a * shape[1] + b) * shape[2] + c] = value;
    }
    const std::array<double, 3> spacing{1.0, 1.5, 3.0};
    for (Region region : kRegions)
      for (const ComponentFilter& filter : filters) {
        std::vector<uint8_t> fast = labels, plain = labels;
        filterRegion(fast, shape, spacing, region, filter);
        filterRegionPlainly(plain, shape, spacing, region, filter);
        ASSERT_EQ(fast, plain) << "trial " << trial << ", " << regionName(region) << ", filter "
                               << filter.minFraction << "/" << filter.maxGapMm;
      }
  }
}

}  // namespace
}  // namespace seqseg
