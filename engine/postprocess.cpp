#include "engine/postprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

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
  for (int64_t a = 0, v = 0; a < shape[0]; ++a)
    for (int64_t b = 0; b < shape[1]; ++b)
      for (int64_t c = 0; c < shape[2]; ++c, ++v)
        if (inRegion(region, labels[v])) {
          box.low = {std::min(box.low[0], a), std::min(box.low[1], b), std::min(box.low[2], c)};
          box.high = {std::max(box.high[0], a), std::max(box.high[1], b), std::max(box.high[2], c)};
        }
  return box;
}

// 26-connected components of the voxels of `region`, all inside `box`; `ids` gets 1-based
// component numbers over the box (a tumour's box is a few percent of the image).
std::vector<Component> components(const std::vector<uint8_t>& labels,
                                  const std::array<int64_t, 3>& shape, Region region,
                                  const Component& box, std::vector<int32_t>& ids) {
  const int64_t n1 = shape[1], n2 = shape[2];
  const std::array<int64_t, 3> size{box.high[0] - box.low[0] + 1, box.high[1] - box.low[1] + 1,
                                    box.high[2] - box.low[2] + 1};
  auto full = [&](const std::array<int64_t, 3>& at) {  // image index of a box position
    return ((box.low[0] + at[0]) * n1 + box.low[1] + at[1]) * n2 + box.low[2] + at[2];
  };
  ids.assign(static_cast<size_t>(size[0] * size[1] * size[2]), 0);
  std::vector<Component> found;
  std::vector<int64_t> stack;
  for (int64_t seed = 0; seed < static_cast<int64_t>(ids.size()); ++seed) {
    const std::array<int64_t, 3> seedAt{seed / (size[1] * size[2]), (seed / size[2]) % size[1],
                                        seed % size[2]};
    if (ids[seed] || !inRegion(region, labels[full(seedAt)])) continue;
    found.emplace_back();
    Component& component = found.back();
    const int32_t id = static_cast<int32_t>(found.size());
    component.low = shape;
    component.high = {-1, -1, -1};
    ids[seed] = id;
    stack.assign(1, seed);
    while (!stack.empty()) {
      const int64_t v = stack.back();
      stack.pop_back();
      const std::array<int64_t, 3> at{v / (size[1] * size[2]), (v / size[2]) % size[1],
                                      v % size[2]};
      ++component.voxels;
      for (int a = 0; a < 3; ++a) {
        component.low[a] = std::min(component.low[a], box.low[a] + at[a]);
        component.high[a] = std::max(component.high[a], box.low[a] + at[a]);
      }
      for (int64_t d0 = -1; d0 <= 1; ++d0)
        for (int64_t d1 = -1; d1 <= 1; ++d1)
          for (int64_t d2 = -1; d2 <= 1; ++d2) {
            const std::array<int64_t, 3> next{at[0] + d0, at[1] + d1, at[2] + d2};
            if (next[0] < 0 || next[0] >= size[0] || next[1] < 0 || next[1] >= size[1] ||
                next[2] < 0 || next[2] >= size[2])
              continue;  // outside the box: not in the region
            const int64_t w = (next[0] * size[1] + next[1]) * size[2] + next[2];
            if (ids[w] || !inRegion(region, labels[full(next)])) continue;
            ids[w] = id;
            stack.push_back(w);
          }
    }
  }
  return found;
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
    else if (f.maxGapMm < 0)
      std::snprintf(rule, sizeof rule, "components < %g%% of the largest removed",
                    100 * f.minFraction);
    else
      std::snprintf(rule, sizeof rule,
                    "components < %g%% of the largest or > %g mm from it removed",
                    100 * f.minFraction, f.maxGapMm);
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
  std::vector<int32_t> ids;
  const std::vector<Component> found = components(labels, shape, region, box, ids);
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
  for (int64_t a = box.low[0], i = 0; a <= box.high[0]; ++a)
    for (int64_t b = box.low[1]; b <= box.high[1]; ++b)
      for (int64_t c = box.low[2]; c <= box.high[2]; ++c, ++i)
        if (ids[i] && !keep[ids[i] - 1]) {
          uint8_t& label = labels[(a * n1 + b) * n2 + c];
          label = replacementOf(region, label);
        }
}

void applyPostprocessing(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                         const std::array<double, 3>& spacing,
                         const Postprocessing& postprocessing) {
  for (size_t r = 0; r < kRegions.size(); ++r)
    filterRegion(labels, shape, spacing, kRegions[r], postprocessing.regions[r]);
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
  return chosen;
}

}  // namespace seqseg
