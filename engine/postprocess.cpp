#include "engine/postprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "engine/label_box.h"

namespace seqseg {
namespace {

struct Component {
  int64_t voxels = 0;
  std::array<int64_t, 3> low{}, high{};  // inclusive bounding box, A0..A2
};

// The smallest box holding every voxel of `region` (low > high on some axis when there is none).
Component regionBox(const std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                    Region region) {
  Component box;
  box.low = shape;
  box.high = {-1, -1, -1};
  const int64_t n2 = shape[2];
  for (int64_t a = 0; a < shape[0]; ++a)
    for (int64_t b = 0; b < shape[1]; ++b) {
      const uint8_t* row = labels.data() + (a * shape[1] + b) * n2;
      int64_t first = firstNonZero(row, n2), last = -1;  // background rows are skipped whole
      for (int64_t c = first; c < n2; ++c)
        if (inRegion(region, row[c])) {
          if (last < 0) first = c;
          last = c;
        }
      if (last < 0) continue;
      box.low = {std::min(box.low[0], a), std::min(box.low[1], b), std::min(box.low[2], first)};
      box.high = {std::max(box.high[0], a), std::max(box.high[1], b), std::max(box.high[2], last)};
    }
  return box;
}

// 26-connected components of the voxels of `region`, all inside `box`, numbered from 1 in the
// order of their first voxel in the box. `ids` covers the box with one voxel of margin on each
// side (so that no neighbour needs a bounds check): index ((a + 1) * p1 + b + 1) * p2 + c + 1 for
// box position (a, b, c), p1 and p2 the margined sizes.
struct Labelling {
  std::vector<Component> components;
  std::vector<int32_t> ids;
  int64_t p1 = 0, p2 = 0;
  int64_t at(int64_t a, int64_t b, int64_t c) const { return ((a + 1) * p1 + b + 1) * p2 + c + 1; }
};

Labelling components(const std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                     Region region, const Component& box) {
  const std::array<int64_t, 3> size{box.high[0] - box.low[0] + 1, box.high[1] - box.low[1] + 1,
                                    box.high[2] - box.low[2] + 1};
  Labelling result;
  result.p1 = size[1] + 2;
  result.p2 = size[2] + 2;
  const int64_t plane = result.p1 * result.p2;
  // -1: a voxel of the region not yet numbered; 0: outside the region (the margin included).
  result.ids.assign(static_cast<size_t>((size[0] + 2) * plane), 0);
  for (int64_t a = 0; a < size[0]; ++a)
    for (int64_t b = 0; b < size[1]; ++b) {
      const uint8_t* row =
          labels.data() + ((box.low[0] + a) * shape[1] + box.low[1] + b) * shape[2] + box.low[2];
      int32_t* out = result.ids.data() + result.at(a, b, 0);
      for (int64_t c = 0; c < size[2]; ++c) out[c] = inRegion(region, row[c]) ? -1 : 0;
    }
  std::array<int64_t, 26> neighbours{};
  for (int64_t d0 = -1, n = 0; d0 <= 1; ++d0)
    for (int64_t d1 = -1; d1 <= 1; ++d1)
      for (int64_t d2 = -1; d2 <= 1; ++d2)
        if (d0 || d1 || d2) neighbours[n++] = d0 * plane + d1 * result.p2 + d2;
  std::vector<int64_t> stack;
  for (int64_t a = 0; a < size[0]; ++a)
    for (int64_t b = 0; b < size[1]; ++b)
      for (int64_t c = 0; c < size[2]; ++c) {
        const int64_t seed = result.at(a, b, c);
        if (result.ids[seed] != -1) continue;
        result.components.emplace_back();
        Component& component = result.components.back();
        const int32_t id = static_cast<int32_t>(result.components.size());
        component.low = shape;
        component.high = {-1, -1, -1};
        result.ids[seed] = id;
        stack.assign(1, seed);
        while (!stack.empty()) {
          const int64_t v = stack.back();
          stack.pop_back();
          const std::array<int64_t, 3> position{v / plane - 1, (v / result.p2) % result.p1 - 1,
                                                v % result.p2 - 1};
          ++component.voxels;
          for (int axis = 0; axis < 3; ++axis) {
            component.low[axis] = std::min(component.low[axis], box.low[axis] + position[axis]);
            component.high[axis] = std::max(component.high[axis], box.low[axis] + position[axis]);
          }
          for (const int64_t offset : neighbours)
            if (result.ids[v + offset] == -1) {
              result.ids[v + offset] = id;
              stack.push_back(v + offset);
            }
        }
      }
  return result;
}

// Gap in mm between two bounding boxes (0 when they overlap or touch).
double boxGapMm(const Component& a, const Component& b, const std::array<double, 3>& spacing) {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t gap =
        std::max<int64_t>({0, b.low[axis] - a.high[axis] - 1, a.low[axis] - b.high[axis] - 1});
    const double mm = static_cast<double>(gap) * spacing[2 - axis];  // spacing is i, j, k
    sum += mm * mm;
  }
  return std::sqrt(sum);
}

uint8_t replacementOf(Region region, uint8_t label) {
  switch (region) {
    case Region::WholeTumour:
      return 0;
    case Region::TumourCore:
      return 2;
    case Region::EnhancingTumour:
      return 1;
  }
  return label;
}

double dice(const std::vector<uint8_t>& predicted, const std::vector<uint8_t>& reference,
            Region region) {
  int64_t both = 0, p = 0, r = 0;
  for (size_t v = 0; v < predicted.size(); ++v) {
    const bool a = inRegion(region, predicted[v]), b = inRegion(region, reference[v]);
    both += a && b;
    p += a;
    r += b;
  }
  return p + r == 0 ? 1.0 : 2.0 * static_cast<double>(both) / static_cast<double>(p + r);
}

double meanDice(const std::vector<ValidationPrediction>& cases, const Postprocessing& choice) {
  double total = 0;
  for (const ValidationPrediction& c : cases) {
    std::vector<uint8_t> labels = c.predicted;
    applyPostprocessing(labels, c.shape, c.spacing, choice);
    for (Region region : kRegions) total += dice(labels, c.reference, region);
  }
  return total / (3.0 * static_cast<double>(std::max<size_t>(1, cases.size())));
}

// What is tried per region: drop what is small next to the main lesion or away from it.
const std::vector<ComponentFilter>& candidateFilters() {
  static const std::vector<ComponentFilter> candidates{
      {true, 1.0, -1},   // the largest component only
      {true, 0.1, -1},   // components under 10 % of the largest
      {true, 0.0, 20},   // components more than 20 mm from the largest
      {true, 0.05, 10},  // both, tighter
  };
  return candidates;
}

// ET shares of TC under which ET is relabelled NCR: from a speck in a necrotic core to a thin
// rim around a large one.
constexpr std::array<double, 6> kEnhancingShareCandidates{0.05, 0.1, 0.15, 0.2, 0.25, 0.3};
constexpr const char* kEnhancingShareKey = "et_min_share_of_tc";

}  // namespace

nlohmann::json postprocessingToJson(const Postprocessing& postprocessing) {
  nlohmann::json entry = nlohmann::json::object();
  for (size_t r = 0; r < kRegions.size(); ++r) {
    const ComponentFilter& filter = postprocessing.regions[r];
    entry[regionName(kRegions[r])] =
        filter.enabled
            ? nlohmann::json{{"min_fraction", filter.minFraction}, {"max_gap_mm", filter.maxGapMm}}
            : nlohmann::json(nullptr);
  }
  if (postprocessing.minEnhancingShareOfCore > 0)
    entry[kEnhancingShareKey] = postprocessing.minEnhancingShareOfCore;
  return entry;
}

Postprocessing postprocessingFromJson(const nlohmann::json& entry) {
  Postprocessing postprocessing;
  if (!entry.is_object()) return postprocessing;
  for (size_t r = 0; r < kRegions.size(); ++r) {
    const auto found = entry.find(regionName(kRegions[r]));
    if (found == entry.end() || !found->is_object()) continue;
    ComponentFilter& filter = postprocessing.regions[r];
    filter.enabled = true;
    filter.minFraction = found->value("min_fraction", 0.0);
    filter.maxGapMm = found->value("max_gap_mm", -1.0);
  }
  postprocessing.minEnhancingShareOfCore = entry.value(kEnhancingShareKey, 0.0);
  return postprocessing;
}

std::string describePostprocessing(const Postprocessing& postprocessing) {
  std::string text;
  for (size_t r = 0; r < kRegions.size(); ++r) {
    const ComponentFilter& f = postprocessing.regions[r];
    text += std::string(r ? "; " : "") + regionName(kRegions[r]) + ": ";
    char rule[128];
    if (!f.enabled)
      std::snprintf(rule, sizeof rule, "none");
    else if (f.minFraction >= 1)
      std::snprintf(rule, sizeof rule, "largest component only");
    else if (f.minFraction <= 0)
      std::snprintf(rule, sizeof rule, "components > %g mm from the largest removed", f.maxGapMm);
    else if (f.maxGapMm < 0)
      std::snprintf(rule, sizeof rule, "components < %g%% of the largest removed",
                    100 * f.minFraction);
    else
      std::snprintf(rule, sizeof rule,
                    "components < %g%% of the largest or > %g mm from it removed",
                    100 * f.minFraction, f.maxGapMm);
    text += rule;
  }
  if (postprocessing.minEnhancingShareOfCore > 0) {
    char rule[96];
    std::snprintf(rule, sizeof rule, "; ET under %g%% of TC relabelled NCR",
                  100 * postprocessing.minEnhancingShareOfCore);
    text += rule;
  }
  return text;
}

void filterRegion(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                  const std::array<double, 3>& spacing, Region region,
                  const ComponentFilter& filter) {
  if (!filter.enabled) return;
  const Component box = regionBox(labels, shape, region);
  if (box.high[0] < 0) return;  // the region is empty
  const Labelling labelling = components(labels, shape, region, box);
  const std::vector<Component>& found = labelling.components;
  if (found.size() < 2) return;
  size_t largest = 0;
  for (size_t c = 1; c < found.size(); ++c)
    if (found[c].voxels > found[largest].voxels) largest = c;
  std::vector<uint8_t> keep(found.size(), 1);
  for (size_t c = 0; c < found.size(); ++c) {
    if (c == largest) continue;
    const bool small = static_cast<double>(found[c].voxels) <
                       filter.minFraction * static_cast<double>(found[largest].voxels);
    const bool far =
        filter.maxGapMm >= 0 && boxGapMm(found[c], found[largest], spacing) > filter.maxGapMm;
    keep[c] = !(small || far);
  }
  const int64_t n1 = shape[1], n2 = shape[2];
  for (int64_t a = box.low[0]; a <= box.high[0]; ++a)
    for (int64_t b = box.low[1]; b <= box.high[1]; ++b)
      for (int64_t c = box.low[2]; c <= box.high[2]; ++c) {
        const int32_t id =
            labelling.ids[labelling.at(a - box.low[0], b - box.low[1], c - box.low[2])];
        if (id > 0 && !keep[id - 1]) {
          uint8_t& label = labels[(a * n1 + b) * n2 + c];
          label = replacementOf(region, label);
        }
      }
}

void relabelMinorEnhancing(std::vector<uint8_t>& labels, double minShare) {
  if (minShare <= 0) return;
  int64_t enhancing = 0, core = 0;
  for (const uint8_t label : labels) {
    enhancing += label == 3;
    core += label == 1 || label == 3;
  }
  if (enhancing == 0 || static_cast<double>(enhancing) >= minShare * static_cast<double>(core))
    return;
  for (uint8_t& label : labels)
    if (label == 3) label = 1;
}

void applyPostprocessing(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                         const std::array<double, 3>& spacing,
                         const Postprocessing& postprocessing) {
  for (size_t r = 0; r < kRegions.size(); ++r)
    filterRegion(labels, shape, spacing, kRegions[r], postprocessing.regions[r]);
  relabelMinorEnhancing(labels, postprocessing.minEnhancingShareOfCore);
}

Postprocessing choosePostprocessing(const std::vector<ValidationPrediction>& cases) {
  Postprocessing chosen;
  if (cases.empty()) return chosen;
  double best = meanDice(cases, chosen);
  for (size_t r = 0; r < kRegions.size(); ++r) {
    ComponentFilter bestFilter = chosen.regions[r];
    for (const ComponentFilter& candidate : candidateFilters()) {
      Postprocessing trial = chosen;
      trial.regions[r] = candidate;
      const double score = meanDice(cases, trial);
      if (score > best + 1e-6) {
        best = score;
        bestFilter = candidate;
      }
    }
    chosen.regions[r] = bestFilter;
  }
  double bestShare = 0;
  for (const double share : kEnhancingShareCandidates) {
    Postprocessing trial = chosen;
    trial.minEnhancingShareOfCore = share;
    const double score = meanDice(cases, trial);
    if (score > best + 1e-6) {
      best = score;
      bestShare = share;
    }
  }
  chosen.minEnhancingShareOfCore = bestShare;
  return chosen;
}

}  // namespace seqseg
