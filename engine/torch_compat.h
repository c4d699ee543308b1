#pragma once
// Every difference between Debian's libtorch 1.13 (CPU build) and PyTorch 2.x's libtorch (GPU
// build) that engine code depends on lives here, so the rest of the engine has no version #ifs.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

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

inline std::string torchVersionText() {
  return TORCH_VERSION;
}

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

// Forward only (no autograd): softmax(q k^T / sqrt(d)) v and the natural-log log-sum-exp of the
// scaled scores per query row [N, H, Lq] in float32, from the fused kernels that return it
// (flash on CUDA for half/bfloat16 and on CPU, memory-efficient on CUDA for float32). For
// callers with their own backward (ring attention's merge). Needs kHasFusedAttention.
inline std::tuple<at::Tensor, at::Tensor> fusedAttentionWithLse(const at::Tensor& q,
                                                                const at::Tensor& k,
                                                                const at::Tensor& v) {
#if SEQSEG_HAS_FUSED_ATTENTION
  if (q.is_cuda()) {
    if (q.scalar_type() == at::kHalf || q.scalar_type() == at::kBFloat16) {
      auto result = at::_scaled_dot_product_flash_attention(q, k, v);
      return {std::get<0>(result), std::get<1>(result)};
    }
    // The memory-efficient kernel pads the log-sum-exp rows to a multiple of 32.
    auto result = at::_scaled_dot_product_efficient_attention(q, k, v, {}, true);
    return {std::get<0>(result), std::get<1>(result).narrow(2, 0, q.size(2))};
  }
  auto result = at::_scaled_dot_product_flash_attention_for_cpu(q, k, v);
  return {std::get<0>(result), std::get<1>(result).to(at::kFloat)};
#else
  (void)k;
  (void)v;
  throw std::logic_error(std::string("fused attention needs libtorch >= 2.0, this build has ") +
                         TORCH_VERSION + " (" + q.toString() + ")");
#endif
}

// The key torch::optim files a parameter's state under: the text of its TensorImpl's address in
// 1.13, the address itself in 2.x. Optimizer is torch::optim::Optimizer or a subclass.
template <typename Optimizer>
auto optimizerStateKey(const Optimizer& optimizer, const at::Tensor& parameter) {
  using Key = typename std::decay_t<decltype(optimizer.state())>::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;  // what 1.13's c10::guts::to_string writes
    text << parameter.unsafeGetTensorImpl();
    return text.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

// Whether autocast is on for a device type in this thread, and with which dtype.
inline bool autocastEnabled(at::DeviceType device) {
#if SEQSEG_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device);
#else
  return device == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

// Automatic mixed precision for one device type while it lives: matmuls and convolutions in
// `dtype` (bfloat16), reductions, softmax and norms in float32, weights stay float32.
class AutocastGuard {
 public:
  AutocastGuard(at::DeviceType device, bool enabled, at::ScalarType dtype = at::kBFloat16)
      : device_(device), enabled_(enabled) {
    if (!enabled_) return;
#if SEQSEG_TORCH_AT_LEAST(2, 4)
    previous_ = at::autocast::is_autocast_enabled(device_);
    previousType_ = at::autocast::get_autocast_dtype(device_);
    at::autocast::set_autocast_dtype(device_, dtype);
    at::autocast::set_autocast_enabled(device_, true);
#else
    if (device_ == at::kCUDA) {
      previous_ = at::autocast::is_enabled();
      previousType_ = at::autocast::get_autocast_gpu_dtype();
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      previous_ = at::autocast::is_cpu_enabled();
      previousType_ = at::autocast::get_autocast_cpu_dtype();
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
  }
  ~AutocastGuard() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if SEQSEG_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(device_, previous_);
    at::autocast::set_autocast_dtype(device_, previousType_);
#else
    if (device_ == at::kCUDA) {
      at::autocast::set_enabled(previous_);
      at::autocast::set_autocast_gpu_dtype(previousType_);
    } else {
      at::autocast::set_cpu_enabled(previous_);
      at::autocast::set_autocast_cpu_dtype(previousType_);
    }
#endif
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  at::DeviceType device_;
  bool enabled_;
  bool previous_ = false;
  at::ScalarType previousType_ = at::kFloat;
};

}  // namespace seqseg::compat
