#include "engine/uncertainty.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "types/regions.h"

namespace seqseg {
namespace {

// The normalised entropy of the K probabilities at `p`, `stride` apart. 0 ln 0 is 0, as the
// entropy's limit is; 1 ln 1 is 0 too, and skipping both spares certain voxels the logarithms.
float normalisedEntropyAt(const float* p, int64_t stride, int64_t classes) {
  float sum = 0;
  for (int64_t k = 0; k < classes; ++k) {
    const float value = p[k * stride];
    if (value != 0.0f && value != 1.0f) sum -= value * std::log(value);
  }
  return sum / std::log(static_cast<float>(classes));
}

}  // namespace

void EntropyRows::fill(int64_t a0, int64_t a1, float* row) {
  const CropBox& box = probabilities_.box;
  const int64_t length = probabilities_.shape[2];
  std::fill(row, row + length, 0.0f);
  if (a0 < box.begin[0] || a0 >= box.end[0] || a1 < box.begin[1] || a1 >= box.end[1]) return;
  if (a0 != plane_) {
    // xlogy: 0 ln 0 is 0, as the entropy's limit is.
    const at::Tensor p = probabilities_.crop.select(1, a0 - box.begin[0]);
    entropy_ = at::xlogy(p, p).sum(0).mul_(-1.0 / std::log(static_cast<double>(p.size(0))));
    plane_ = a0;
  }
  const float* from = entropy_.data_ptr<float>() + (a1 - box.begin[1]) * entropy_.size(1);
  std::copy(from, from + entropy_.size(1), row + box.begin[2]);
}

double meanEntropyInWholeTumour(const InputGridProbabilities& probabilities,
                                const at::Tensor& labels) {
  const at::Tensor classes = labels.to(at::kByte).contiguous();
  const uint8_t* label = classes.data_ptr<uint8_t>();
  const CropBox& box = probabilities.box;
  const std::array<int64_t, 3> size = box.size();
  const std::array<int64_t, 3>& shape = probabilities.shape;
  const int64_t stride = size[0] * size[1] * size[2];
  const float* crop = probabilities.crop.data_ptr<float>();
  double sum = 0;
  int64_t voxels = 0;
  for (int64_t a0 = 0; a0 < shape[0]; ++a0)
    for (int64_t a1 = 0; a1 < shape[1]; ++a1)
      for (int64_t a2 = 0; a2 < shape[2]; ++a2) {
        if (!inRegion(Region::WholeTumour, label[(a0 * shape[1] + a1) * shape[2] + a2])) continue;
        ++voxels;  // outside the brain's box the entropy is 0
        if (a0 < box.begin[0] || a0 >= box.end[0] || a1 < box.begin[1] || a1 >= box.end[1] ||
            a2 < box.begin[2] || a2 >= box.end[2])
          continue;
        const int64_t at =
            ((a0 - box.begin[0]) * size[1] + a1 - box.begin[1]) * size[2] + a2 - box.begin[2];
        sum += normalisedEntropyAt(crop + at, stride, probabilities.classes());
      }
  return voxels == 0 ? std::nan("") : sum / static_cast<double>(voxels);
}

}  // namespace seqseg
