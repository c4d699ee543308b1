#pragma once
// 3D convolution with stride 1 (the decoder's 3x3x3 convs) that stays on oneDNN (MKL-DNN) at
// batch 1 on the CPU.
//
// LibTorch 1.13 (and 2.x) sends a float CPU conv3d to oneDNN only when the batch is > 1 or
// N * C * A0 * A1 > 20480; the decoder's convs at batch 1 (a training step, one sliding window)
// fall to the im2col path, 5-15x slower forward and backward on these shapes. This calls oneDNN
// directly and writes the backward as two more oneDNN convolutions:
//   dx = conv(dy, flip(W)^T, padding k - 1 - p)                    (a full correlation)
//   dW = conv(x with N and C swapped, dy with N and C swapped, padding p), swapped back
//   db = sum of dy over N and space.
// Other devices and dtypes (or a build without oneDNN) use at::conv3d unchanged.
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace seqseg {

// x [N, Cin, A0, A1, A2], weight [Cout, Cin, k0, k1, k2], bias [Cout] or undefined; the same
// zero padding on every axis. Differentiable in x, weight and bias.
at::Tensor conv3dStride1(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         int64_t padding);

}  // namespace seqseg
