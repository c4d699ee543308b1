// Post-processing on hand-made label maps: small or distant components go, the main lesion
// stays, ET stays within TC within WT, and the validation-time choice only keeps what helps.
#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
}  // namespace seqseg
