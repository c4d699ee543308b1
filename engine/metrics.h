#pragma once
// Segmentation quality per evaluation region (WT, TC, ET), as BraTS reports it: Dice and the
// 95th-percentile Hausdorff distance in millimetres. Plain C++ on label arrays.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "types/regions.h"

namespace seqseg {

// Two definitions of HD95 are in use, and they differ by up to a millimetre or so:
//   Pooled: the 95th percentile of the surface distances of both directions together (medpy's
//           hd95; seqseg's default);
//   Max:    the larger of the two directed 95th percentiles (MONAI's and the BraTS tooling's).
// Percentiles interpolate linearly between order statistics, as numpy.percentile does.
enum class Hd95Definition { Pooled, Max };

// "pooled" or "max" (what --hd95 takes), and back; another name is std::invalid_argument.
const char* hd95DefinitionName(Hd95Definition definition);
Hd95Definition parseHd95Definition(const std::string& name);

struct RegionScore {
  double dice = 0;
  double hd95 = 0;  // mm
  int64_t predictedVoxels = 0;
  int64_t referenceVoxels = 0;
};

// Conventions for empty regions (BraTS's):
//   both empty:     Dice 1, HD95 0
//   one side empty: Dice 0, HD95 = the diagonal of the image in mm (the largest distance
//                   possible; 373.13 mm for BraTS's 240 x 240 x 155 mm grid)
// `shape` is [A0, A1, A2] (A2 fastest), `spacing` is along A2, A1, A0 (i, j, k) in mm.
RegionScore scoreRegion(const std::vector<uint8_t>& predicted,
                        const std::vector<uint8_t>& reference, const std::array<int64_t, 3>& shape,
                        const std::array<double, 3>& spacing, Region region,
                        Hd95Definition hd95 = Hd95Definition::Pooled);

// scoreRegion for each of kRegions (WT, TC, ET), computed concurrently; in kRegions' order.
std::array<RegionScore, 3> scoreRegions(const std::vector<uint8_t>& predicted,
                                        const std::vector<uint8_t>& reference,
                                        const std::array<int64_t, 3>& shape,
                                        const std::array<double, 3>& spacing,
                                        Hd95Definition hd95 = Hd95Definition::Pooled);

// HD95 between two binary masks (both non-empty) by `definition`. A surface voxel is a voxel of
// the mask with a 6-neighbour outside it (the image border counts as outside).
double hausdorff95(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
                   const std::array<int64_t, 3>& shape, const std::array<double, 3>& spacing,
                   Hd95Definition definition = Hd95Definition::Pooled);

}  // namespace seqseg
