#include "types/regions.h"

namespace seqseg {

const char* regionName(Region region) {
  switch (region) {
    case Region::WholeTumour:
      return "WT";
    case Region::TumourCore:
      return "TC";
    case Region::EnhancingTumour:
      return "ET";
  }
  return "?";
}

double voxelVolumeMl(const Geometry& geometry) {
  return geometry.spacing[0] * geometry.spacing[1] * geometry.spacing[2] / 1000.0;
}

std::array<int64_t, 256> labelHistogram(const LabelVolume& labels) {
  std::array<int64_t, 256> counts{};
  for (uint8_t label : labels.labels) ++counts[label];
  return counts;
}

double regionVolumeMl(const std::array<int64_t, 256>& histogram, const Geometry& geometry,
                      Region region) {
  int64_t voxels = 0;
  for (int label = 0; label < 256; ++label)
    if (inRegion(region, static_cast<uint8_t>(label))) voxels += histogram[label];
  return static_cast<double>(voxels) * voxelVolumeMl(geometry);
}

double regionVolumeMl(const LabelVolume& internal, Region region) {
  return regionVolumeMl(labelHistogram(internal), internal.geometry, region);
}

}  // namespace seqseg
