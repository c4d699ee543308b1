#pragma once
// Test-time augmentation by mirroring (as nnU-Net does it): every window batch also runs
// flipped along each combination of the three spatial axes (8 passes), each output is flipped
// back, and the softmax probabilities are averaged.
#include <functional>

#include <ATen/core/Tensor.h>

namespace seqseg {

using LogitsFunction = std::function<at::Tensor(const at::Tensor&)>;

// Wraps `logitsOf` ([B, C, r0, r1, r2] -> [B, K, r0, r1, r2]). The wrapper returns the log of
// the averaged probabilities, so that the softmax the sliding-window predictor applies gives
// back exactly their mean.
LogitsFunction withTestTimeFlips(LogitsFunction logitsOf);

}  // namespace seqseg
