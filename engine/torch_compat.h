#pragma once
// Every difference between Debian's libtorch 1.13 (CPU build) and PyTorch 2.x's libtorch (GPU
// build) that engine code depends on lives here, so the rest of the engine has no version #ifs.
#include <ATen/ATen.h>
#include <torch/version.h>

#include <stdexcept>
#include <string>

#define SEQSEG_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||         \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// at::scaled_dot_product_attention (fused flash / memory-efficient kernels) is public from 2.0.
#if SEQSEG_TORCH_AT_LEAST(2, 0)
#define SEQSEG_HAS_FUSED_ATTENTION 1
#else
#define SEQSEG_HAS_FUSED_ATTENTION 0
#endif

namespace seqseg::compat {

constexpr bool kHasFusedAttention = SEQSEG_HAS_FUSED_ATTENTION != 0;

// softmax(q k^T / sqrt(d)) v with LibTorch's fused kernel; q, k, v are [N, H, L, D].
// Only callable where kHasFusedAttention; elsewhere it throws (callers check first).
inline at::Tensor fusedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if SEQSEG_HAS_FUSED_ATTENTION
  return at::scaled_dot_product_attention(q, k, v);
#else
  (void)q;
  (void)k;
  (void)v;
  throw std::logic_error(std::string("fused attention needs libtorch >= 2.0, this build has ") +
                         TORCH_VERSION);
#endif
}

}  // namespace seqseg::compat
