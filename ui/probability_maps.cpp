#include "ui/probability_maps.h"

#include <stdexcept>

#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "types/input_error.h"
#include "types/regions.h"

namespace seqseg {

namespace {

const std::string kMaskSuffix = ".nii.gz";

std::string besideMask(const std::string& maskPath, const std::string& part) {
  const bool suffixed =
      maskPath.size() > kMaskSuffix.size() &&
      maskPath.compare(maskPath.size() - kMaskSuffix.size(), kMaskSuffix.size(), kMaskSuffix) == 0;
  const std::string stem =
      suffixed ? maskPath.substr(0, maskPath.size() - kMaskSuffix.size()) : maskPath;
  return stem + "_" + part + kMaskSuffix;
}

std::string describe(const std::array<int64_t, 3>& grid) {
  // NIfTI i, j, k order, as the status line and `seqseg info` print grids.
  return std::to_string(grid[2]) + "x" + std::to_string(grid[1]) + "x" + std::to_string(grid[0]);
}

void checkGrid(const std::string& path, const Volume& volume, int64_t channels,
               const std::array<int64_t, 3>& grid) {
  const std::array<int64_t, 3> shape{volume.shape[1], volume.shape[2], volume.shape[3]};
  if (shape != grid)
    throw InputError(path, "its grid " + describe(shape) + " is not the case's " + describe(grid));
  if (volume.shape[0] != channels)
    throw InputError(
        path, std::to_string(volume.shape[0]) + " channels, not " + std::to_string(channels));
}

}  // namespace

const char* probabilityMapTitle(ProbabilityMap map) {
  switch (map) {
    case ProbabilityMap::WholeTumour:
      return "WT probability";
    case ProbabilityMap::TumourCore:
      return "TC probability";
    case ProbabilityMap::EnhancingTumour:
      return "ET probability";
    case ProbabilityMap::Uncertainty:
      break;
  }
  return "Uncertainty";
}

std::string classProbabilitiesPath(const std::string& maskPath) {
  return besideMask(maskPath, "probabilities");
}

std::string uncertaintyPath(const std::string& maskPath) {
  return besideMask(maskPath, "uncertainty");
}

void toProbabilityMaps(Volume& classes, const float* uncertainty) {
  if (classes.channels() != kClassCount)
    throw std::invalid_argument("class probabilities need " + std::to_string(kClassCount) +
                                " channels");
  const int64_t voxels = classes.voxelsPerChannel();
  std::array<float*, kClassCount> channel{};
  for (int c = 0; c < kClassCount; ++c) channel[c] = classes.channel(c);
  for (int64_t n = 0; n < voxels; ++n) {
    std::array<float, kClassCount> probability{};
    for (int c = 0; c < kClassCount; ++c) probability[c] = channel[c][n];
    for (size_t r = 0; r < kRegions.size(); ++r) {
      float sum = 0.0f;
      for (int c = 1; c < kClassCount; ++c)
        if (inRegion(kRegions[r], static_cast<uint8_t>(c))) sum += probability[c];
      channel[r][n] = sum;
    }
    channel[kClassCount - 1][n] = uncertainty[n];
  }
}

Volume readProbabilityMaps(const std::string& maskPath, const std::array<int64_t, 3>& grid,
                           const Geometry& geometry) {
  const std::string classesPath = classProbabilitiesPath(maskPath);
  const std::string entropyPath = uncertaintyPath(maskPath);
  Volume maps = readImage(classesPath, ExpectedRank::MultiChannel4D);
  checkGrid(classesPath, maps, kClassCount, grid);
  const Volume entropy = readImage(entropyPath, ExpectedRank::Volume3D);
  checkGrid(entropyPath, entropy, 1, grid);
  toProbabilityMaps(maps, entropy.channel(0));
  maps.geometry = geometry;
  return maps;
}

}  // namespace seqseg
