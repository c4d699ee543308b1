#pragma once
// The probabilities of a segmentation as the desktop application shows them: per region (WT,
// TC, ET) the sum of its classes' probabilities, and the voxel uncertainty, read from the
// files `seqseg --batch --save-probabilities` writes beside a mask. Qt-free.
#include <array>
#include <cstdint>
#include <string>

#include "types/volume.h"

namespace seqseg {

// The channels of a probability maps volume: the regions in kRegions order, then the
// uncertainty (voxel entropy / ln 4). All are 0..1.
enum class ProbabilityMap { WholeTumour, TumourCore, EnhancingTumour, Uncertainty };
constexpr int kProbabilityMapCount = 4;
const char* probabilityMapTitle(ProbabilityMap map);  // "WT probability", ... "Uncertainty"

// Beside the mask OUT/CASE.nii.gz: OUT/CASE_probabilities.nii.gz (4D float32: background, NCR,
// ED, ET) and OUT/CASE_uncertainty.nii.gz, as `seqseg --batch --save-probabilities` names them.
std::string classProbabilitiesPath(const std::string& maskPath);
std::string uncertaintyPath(const std::string& maskPath);

// Turns `classes` (4 channels: background, NCR, ED, ET) into probability maps in place: channel
// r becomes region r's probability, the last channel `uncertainty` (one value per voxel).
// Throws std::invalid_argument for another channel count.
void toProbabilityMaps(Volume& classes, const float* uncertainty);

// Reads the two files beside `maskPath` as probability maps on a case's grid `grid` ([A0, A1,
// A2]), placed by `geometry` (the case's: the maps are drawn exactly where its voxels are).
// Throws InputError naming the file that is missing, unreadable or on another grid.
Volume readProbabilityMaps(const std::string& maskPath, const std::array<int64_t, 3>& grid,
                           const Geometry& geometry);

}  // namespace seqseg
