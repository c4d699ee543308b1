#pragma once
// Dense voxel arrays exchanged between io/, engine/ and ui/ without any library types.
#include <array>
#include <cstdint>
#include <vector>

#include "types/geometry.h"

namespace seqseg {

// A multi-channel image: float32, shape [C, A0, A1, A2] with A2 (NIfTI i) fastest.
struct Volume {
  std::array<int64_t, 4> shape{};
  std::vector<float> voxels;
  Geometry geometry;

  int64_t channels() const { return shape[0]; }
  int64_t voxelsPerChannel() const { return shape[1] * shape[2] * shape[3]; }
  const float* channel(int64_t c) const { return voxels.data() + c * voxelsPerChannel(); }
  float* channel(int64_t c) { return voxels.data() + c * voxelsPerChannel(); }
};

// A label map: uint8, shape [A0, A1, A2] with A2 fastest.
struct LabelVolume {
  std::array<int64_t, 3> shape{};
  std::vector<uint8_t> labels;
  Geometry geometry;

  int64_t size() const { return shape[0] * shape[1] * shape[2]; }
};

}  // namespace seqseg
