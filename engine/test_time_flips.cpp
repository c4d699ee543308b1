#include "engine/test_time_flips.h"

#include <ATen/ATen.h>

#include <vector>

namespace seqseg {

LogitsFunction withTestTimeFlips(LogitsFunction logitsOf) {
  return [logitsOf = std::move(logitsOf)](const at::Tensor& batch) {
    at::Tensor sum;
    for (int mask = 0; mask < 8; ++mask) {
      std::vector<int64_t> axes;
      for (int axis = 0; axis < 3; ++axis)
        if (mask & (1 << axis)) axes.push_back(2 + axis);
      const at::Tensor input = axes.empty() ? batch : batch.flip(axes);
      at::Tensor probabilities = at::softmax(logitsOf(input), 1).to(at::kFloat);
      if (!axes.empty()) probabilities = probabilities.flip(axes);
      sum = sum.defined() ? sum + probabilities : probabilities;
    }
    // Floor before the log: a class no pass gave any probability stays finite.
    return (sum / 8).clamp_min(1e-12).log();
  };
}

}  // namespace seqseg
