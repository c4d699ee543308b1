#include "engine/uncertainty.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "types/regions.h"

namespace seqseg {

void EntropyRows::fill(int64_t a0, int64_t a1, float* row) {
  const CropBox& box = probabilities_.box;
  const int64_t length = probabilities_.shape[2];
  std::fill(row, row + length, 0.0f);
  if (!probabilities_.rowInBox(a0, a1)) return;
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
  const std::array<int64_t, 3>& shape = probabilities.shape;
  // The uncertainty map's own values, row by row (0 outside the brain's box), for the rows that
  // hold tumour.
  EntropyRows entropy(probabilities);
  std::vector<float> row(static_cast<size_t>(shape[2]));
  double sum = 0;
  int64_t voxels = 0;
  for (int64_t a0 = 0; a0 < shape[0]; ++a0)
    for (int64_t a1 = 0; a1 < shape[1]; ++a1, label += shape[2]) {
      bool filled = false;
      for (int64_t a2 = 0; a2 < shape[2]; ++a2) {
        if (!inRegion(Region::WholeTumour, label[a2])) continue;
        if (!filled) entropy.fill(a0, a1, row.data());
        filled = true;
        sum += row[a2];
        ++voxels;
      }
    }
  return voxels == 0 ? std::nan("") : sum / static_cast<double>(voxels);
}

}  // namespace seqseg
