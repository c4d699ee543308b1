#include "engine/activation_checkpoint.h"

#include <c10/core/GradMode.h>
#include <torch/autograd.h>
#include <torch/custom_class.h>

#include "engine/torch_compat.h"

namespace seqseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct Recompute : torch::CustomClassHolder {
  explicit Recompute(std::function<at::Tensor(const at::Tensor&)> fn) : f(std::move(fn)) {}
  std::function<at::Tensor(const at::Tensor&)> f;
};

struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x,
                            const c10::intrusive_ptr<Recompute>& recompute) {
    ctx->save_for_backward({x});
    ctx->saved_data["f"] = c10::IValue::make_capsule(recompute);
    // Backward runs on an autograd thread, where autocast is off: remember it.
    const at::DeviceType device = x.device().type();
    ctx->saved_data["autocast"] = compat::autocastEnabled(device);
    return recompute->f(x);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    const auto recompute =
        c10::static_intrusive_pointer_cast<Recompute>(ctx->saved_data["f"].toCapsule());
    at::Tensor y;
    {
      c10::AutoGradMode grad(true);
      compat::AutocastGuard autocast(x.device().type(), ctx->saved_data["autocast"].toBool());
      y = recompute->f(x);
    }
    torch::autograd::backward({y}, {grads[0]});
    return {x.grad(), at::Tensor()};
  }
};

}  // namespace

at::Tensor checkpointed(std::function<at::Tensor(const at::Tensor&)> f, const at::Tensor& x) {
  if (!at::GradMode::is_enabled() || !x.requires_grad()) return f(x);
  return CheckpointFunction::apply(x, c10::make_intrusive<Recompute>(std::move(f)));
}

}  // namespace seqseg
