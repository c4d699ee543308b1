#include "engine/uncertainty.h"

#include <ATen/ATen.h>

#include <cmath>

namespace seqseg {

at::Tensor normalisedEntropy(const at::Tensor& probabilities) {
  const at::Tensor p = probabilities.to(at::kFloat);
  // xlogy: 0 ln 0 is 0, as the entropy's limit is.
  return at::xlogy(p, p).sum(0).neg_().div_(std::log(static_cast<double>(p.size(0))));
}

double meanEntropyInWholeTumour(const at::Tensor& entropy, const at::Tensor& labels) {
  const at::Tensor tumour = labels.ge(1).logical_and(labels.le(3));
  const int64_t voxels = tumour.sum().item<int64_t>();
  if (voxels == 0) return std::nan("");
  return entropy.to(at::kDouble).masked_select(tumour).sum().item<double>() /
         static_cast<double>(voxels);
}

}  // namespace seqseg
