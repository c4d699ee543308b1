#pragma once
// The BraTS evaluation regions over the internal classes and the volumes they cover. Plain
// C++ (no LibTorch), so that `seqseg --batch`'s report and the desktop application's legend
// compute volumes the same way.
#include <array>
#include <cstdint>

#include "types/volume.h"

namespace seqseg {

// Evaluation regions over the internal classes (1 NCR, 2 ED, 3 ET).
enum class Region { WholeTumour, TumourCore, EnhancingTumour };
constexpr std::array<Region, 3> kRegions{Region::WholeTumour, Region::TumourCore,
                                         Region::EnhancingTumour};
const char* regionName(Region region);  // "WT", "TC", "ET"

// Inline: scoring and post-processing ask once per voxel.
inline bool inRegion(Region region, uint8_t internalLabel) {
  switch (region) {
    case Region::WholeTumour:
      return internalLabel >= 1 && internalLabel <= 3;
    case Region::TumourCore:
      return internalLabel == 1 || internalLabel == 3;
    case Region::EnhancingTumour:
      return internalLabel == 3;
  }
  return false;
}

// Millilitres of one voxel: the product of the spacings (mm^3) / 1000.
double voxelVolumeMl(const Geometry& geometry);

// Voxel count of each value 0..255 of a label map.
std::array<int64_t, 256> labelHistogram(const LabelVolume& labels);

// Volume in mL of `region` (labels in internal classes): voxel count x voxelVolumeMl.
double regionVolumeMl(const LabelVolume& internal, Region region);
double regionVolumeMl(const std::array<int64_t, 256>& histogram, const Geometry& geometry,
                      Region region);

}  // namespace seqseg
