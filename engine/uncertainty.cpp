#include "engine/uncertainty.h"

#include <ATen/ATen.h>

#include <cmath>

namespace seqseg {

at::Tensor normalisedEntropy(const at::Tensor& probabilities) {
  const at::Tensor p = probabilities.to(at::kFloat);
  // xlogy: 0 ln 0 is 0, as the entropy's limit is.
  return at::xlogy(p, p).sum(0).neg_().div_(std::log(static_cast<double>(p.size(0))));
}

}  // namespace seqseg
