#pragma once
// Post-processing of predicted label maps as nnU-Net does it: per evaluation region (WT, then
// TC, then ET) remove connected components that are small next to the region's largest one or
// lie away from it, but only where that helped on the validation cases (decided once, at
// training time, and stored in the checkpoint's meta as "postprocess"). Plain C++ on uint8
// label arrays of internal classes.
//
// Removing a WT component clears it to background; a TC component becomes oedema; an ET
// component becomes necrotic core. Working from WT inwards keeps ET within TC within WT.
//
// Last, as nnU-Net does for BraTS's enhancing tumour (there with a voxel count): when what is
// left of ET is under a share of the tumour core, all of it becomes necrotic core. A case
// without ET scores 0 for any ET at all, and a model's false ET is a small part of a core that
// is mostly necrosis; a share does not depend on the tumour's size, as a volume would.
#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "types/regions.h"

namespace seqseg {

// Which components of one region stay: the largest always; another only when its volume is at
// least `minFraction` of the largest's and the gap between their bounding boxes is at most
// `maxGapMm` (negative: any distance).
struct ComponentFilter {
  bool enabled = false;
  double minFraction = 0;
  double maxGapMm = -1;
  bool operator==(const ComponentFilter& other) const {
    return enabled == other.enabled && minFraction == other.minFraction &&
           maxGapMm == other.maxGapMm;
  }
};

struct Postprocessing {
  std::array<ComponentFilter, 3> regions{};  // in kRegions order: WT, TC, ET
  double minEnhancingShareOfCore = 0;        // ET voxels / TC voxels below it -> NCR; 0: never
  bool any() const {
    return regions[0].enabled || regions[1].enabled || regions[2].enabled ||
           minEnhancingShareOfCore > 0;
  }
};

// The checkpoint's "postprocess" entry; absent or null -> no post-processing.
nlohmann::json postprocessingToJson(const Postprocessing& postprocessing);
Postprocessing postprocessingFromJson(const nlohmann::json& entry);
// "WT: components < 10% of the largest or > 20 mm away removed; TC: none; ET: none", then
// "; ET under 20% of TC relabelled NCR" when that rule is on.
std::string describePostprocessing(const Postprocessing& postprocessing);

// `labels` [A0, A1, A2] (A2 fastest) in internal classes, `spacing` in mm along A2, A1, A0
// (i, j, k). Components are 26-connected.
void filterRegion(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                  const std::array<double, 3>& spacing, Region region,
                  const ComponentFilter& filter);
// All ET becomes NCR when ET is under `minShare` of TC (and there is some TC).
void relabelMinorEnhancing(std::vector<uint8_t>& labels, double minShare);
void applyPostprocessing(std::vector<uint8_t>& labels, const std::array<int64_t, 3>& shape,
                         const std::array<double, 3>& spacing,
                         const Postprocessing& postprocessing);

// One validation case: the prediction and the reference on the same grid.
struct ValidationPrediction {
  std::vector<uint8_t> predicted, reference;
  std::array<int64_t, 3> shape{};
  std::array<double, 3> spacing{1, 1, 1};  // i, j, k
};

// Greedy choice, region by region (WT, TC, ET), then the ET share: each candidate is tried on
// top of the choices so far, and the best one is kept if it raises the mean Dice over the three
// regions (the least change of equal score).
Postprocessing choosePostprocessing(const std::vector<ValidationPrediction>& cases);

}  // namespace seqseg
