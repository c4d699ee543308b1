#include "engine/uncertainty.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdint>

#include "types/regions.h"

namespace seqseg {

at::Tensor normalisedEntropy(const at::Tensor& probabilities) {
  const at::Tensor p = probabilities.to(at::kFloat);
  // xlogy: 0 ln 0 is 0, as the entropy's limit is.
  return at::xlogy(p, p).sum(0).neg_().div_(std::log(static_cast<double>(p.size(0))));
}

double meanEntropyInWholeTumour(const at::Tensor& entropy, const at::Tensor& labels) {
  const at::Tensor values = entropy.to(at::kFloat).contiguous();
  const at::Tensor classes = labels.to(at::kByte).contiguous();
  const float* value = values.data_ptr<float>();
  const uint8_t* label = classes.data_ptr<uint8_t>();
  double sum = 0;
  int64_t voxels = 0;
  for (int64_t v = 0; v < classes.numel(); ++v)
    if (inRegion(Region::WholeTumour, label[v])) {
      sum += value[v];
      ++voxels;
    }
  return voxels == 0 ? std::nan("") : sum / static_cast<double>(voxels);
}

}  // namespace seqseg
