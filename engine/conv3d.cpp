#include "engine/conv3d.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <vector>

namespace seqseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor onednnConv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      int64_t padding) {
  const std::vector<int64_t> pad(3, padding), one(3, 1);
  return at::mkldnn_convolution(x.contiguous(), weight.contiguous(),
                                bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt,
                                pad, one, one, /*groups=*/1);
}

struct OnednnConv3dFunction : public torch::autograd::Function<OnednnConv3dFunction> {
  // bias as an optional: an undefined tensor is not a valid autograd input in LibTorch 1.13.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const c10::optional<at::Tensor>& bias, int64_t padding) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["has_bias"] = bias.has_value();
    return onednnConv(x, weight, bias.value_or(at::Tensor()), padding);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1];
    const int64_t padding = ctx->saved_data["padding"].toInt();
    const at::Tensor dy = grads[0].contiguous();
    at::Tensor dx, dw, db;
    if (ctx->needs_input_grad(0)) {
      // Every kernel side must give back the input size: k - 1 - p on an axis of kernel k.
      const int64_t k = weight.size(2);
      const at::Tensor flipped = weight.flip({2, 3, 4}).transpose(0, 1);
      dx = onednnConv(dy, flipped, at::Tensor(), k - 1 - padding);
    }
    if (ctx->needs_input_grad(1))
      dw = onednnConv(x.transpose(0, 1), dy.transpose(0, 1), at::Tensor(), padding)
               .transpose(0, 1)
               .contiguous();
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) db = dy.sum({0, 2, 3, 4});
    return {dx, dw, db, at::Tensor()};
  }
};

bool cubicKernel(const at::Tensor& weight) {
  return weight.size(2) == weight.size(3) && weight.size(3) == weight.size(4);
}

}  // namespace

at::Tensor conv3dStride1(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                         int64_t padding) {
  const bool onednn = at::hasMKLDNN() && x.device().is_cpu() && x.scalar_type() == at::kFloat &&
                      weight.scalar_type() == at::kFloat && !x.is_mkldnn() && x.dim() == 5 &&
                      cubicKernel(weight) && weight.size(2) - 1 - padding >= 0;
  if (!onednn) return at::conv3d(x, weight, bias, 1, padding);
  return OnednnConv3dFunction::apply(
      x, weight, bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt, padding);
}

}  // namespace seqseg
