#include "engine/parallel/comm_autograd.h"

#include <stdexcept>

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/custom_class.h>

namespace seqseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Carries the group through AutogradContext::saved_data (which holds IValues only).
struct GroupHolder : torch::CustomClassHolder {
  explicit GroupHolder(std::shared_ptr<ProcessGroup> g) : group(std::move(g)) {}
  std::shared_ptr<ProcessGroup> group;
};

c10::IValue holdGroup(const std::shared_ptr<ProcessGroup>& group) {
  return c10::IValue::make_capsule(c10::make_intrusive<GroupHolder>(group));
}

ProcessGroup& heldGroup(AutogradContext* ctx) {
  auto holder =
      c10::static_intrusive_pointer_cast<GroupHolder>(ctx->saved_data["group"].toCapsule());
  return *holder->group;
}

std::vector<int64_t> heldCounts(AutogradContext* ctx, const char* key) {
  return ctx->saved_data[key].toIntVector();
}

at::Tensor gatherAlong(ProcessGroup& group, const at::Tensor& x, int64_t dim,
                       const std::vector<int64_t>& counts) {
  return group.allGather(x.movedim(dim, 0).contiguous(), counts).movedim(0, dim).contiguous();
}

at::Tensor reduceScatterAlong(ProcessGroup& group, const at::Tensor& x, int64_t dim,
                              const std::vector<int64_t>& counts) {
  return group.reduceScatterSum(x.movedim(dim, 0).contiguous(), counts)
      .movedim(0, dim)
      .contiguous();
}

struct GatherFromSequence : public torch::autograd::Function<GatherFromSequence> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x,
                            const std::shared_ptr<ProcessGroup>& group, int64_t dim,
                            const std::vector<int64_t>& counts) {
    ctx->saved_data["group"] = holdGroup(group);
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["counts"] = counts;
    return gatherAlong(*group, x, dim, counts);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor dx = reduceScatterAlong(
        heldGroup(ctx), grads[0], ctx->saved_data["dim"].toInt(), heldCounts(ctx, "counts"));
    return {dx, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

struct ReduceScatterToSequence : public torch::autograd::Function<ReduceScatterToSequence> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x,
                            const std::shared_ptr<ProcessGroup>& group, int64_t dim,
                            const std::vector<int64_t>& counts) {
    ctx->saved_data["group"] = holdGroup(group);
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["counts"] = counts;
    return reduceScatterAlong(*group, x, dim, counts);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor dx = gatherAlong(heldGroup(ctx), grads[0], ctx->saved_data["dim"].toInt(),
                                      heldCounts(ctx, "counts"));
    return {dx, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

struct AllToAll : public torch::autograd::Function<AllToAll> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x,
                            const std::shared_ptr<ProcessGroup>& group,
                            const std::vector<int64_t>& sendCounts,
                            const std::vector<int64_t>& recvCounts) {
    ctx->saved_data["group"] = holdGroup(group);
    ctx->saved_data["send"] = sendCounts;
    ctx->saved_data["recv"] = recvCounts;
    return group->allToAll(x.contiguous(), sendCounts, recvCounts);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor dx = heldGroup(ctx).allToAll(grads[0].contiguous(), heldCounts(ctx, "recv"),
                                                  heldCounts(ctx, "send"));
    return {dx, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

struct AllReduceReplicated : public torch::autograd::Function<AllReduceReplicated> {
  static at::Tensor forward(AutogradContext*, const at::Tensor& x,
                            const std::shared_ptr<ProcessGroup>& group) {
    at::Tensor sum = x.clone();
    group->allReduceSum(sum);
    return sum;
  }
  static variable_list backward(AutogradContext*, variable_list grads) {
    return {grads[0], at::Tensor()};
  }
};

// Tags of the four point-to-point messages of one halo exchange; exchanges run one at a time,
// so the same tags serve every axis and layer.
constexpr int kTagToMinus = 300, kTagToPlus = 301, kTagGradToMinus = 302, kTagGradToPlus = 303;

// Sends `toMinus` / `toPlus` to the neighbours (where they exist) and returns the layers they
// sent this way (zeros where a neighbour is missing). Layer shapes equal `like`.
std::pair<at::Tensor, at::Tensor> swapFaces(ProcessGroup& group, const at::Tensor& toMinus,
                                            const at::Tensor& toPlus, int minusRank, int plusRank,
                                            int tagToMinus, int tagToPlus) {
  at::Tensor fromMinus = at::zeros_like(toMinus, at::MemoryFormat::Contiguous);
  at::Tensor fromPlus = at::zeros_like(toPlus, at::MemoryFormat::Contiguous);
  std::vector<std::unique_ptr<PendingOp>> ops;
  const at::Tensor sendMinus = toMinus.contiguous(), sendPlus = toPlus.contiguous();
  if (minusRank >= 0) {
    ops.push_back(group.recvAsync(fromMinus, minusRank, tagToPlus));
    ops.push_back(group.sendAsync(sendMinus, minusRank, tagToMinus));
  }
  if (plusRank >= 0) {
    ops.push_back(group.recvAsync(fromPlus, plusRank, tagToMinus));
    ops.push_back(group.sendAsync(sendPlus, plusRank, tagToPlus));
  }
  for (auto& op : ops) op->wait();
  return {fromMinus, fromPlus};
}

struct HaloExchange : public torch::autograd::Function<HaloExchange> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x,
                            const std::shared_ptr<ProcessGroup>& group, int64_t axis,
                            int64_t minusRank, int64_t plusRank) {
    ctx->saved_data["group"] = holdGroup(group);
    ctx->saved_data["axis"] = axis;
    ctx->saved_data["minus"] = minusRank;
    ctx->saved_data["plus"] = plusRank;
    const int64_t d = 2 + axis, n = x.size(d);
    auto [fromMinus, fromPlus] =
        swapFaces(*group, x.narrow(d, 0, 1), x.narrow(d, n - 1, 1), static_cast<int>(minusRank),
                  static_cast<int>(plusRank), kTagToMinus, kTagToPlus);
    return at::cat({fromMinus, x, fromPlus}, d);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const int64_t d = 2 + ctx->saved_data["axis"].toInt();
    const at::Tensor& g = grads[0];
    const int64_t n = g.size(d) - 2;
    // The halo gradients belong to the neighbours' face layers: send them home, and add what
    // the neighbours send back to this rank's own face layers.
    auto [fromMinus, fromPlus] = swapFaces(heldGroup(ctx), g.narrow(d, 0, 1), g.narrow(d, n + 1, 1),
                                           static_cast<int>(ctx->saved_data["minus"].toInt()),
                                           static_cast<int>(ctx->saved_data["plus"].toInt()),
                                           kTagGradToMinus, kTagGradToPlus);
    at::Tensor dx = g.narrow(d, 1, n).clone();
    dx.narrow(d, 0, 1).add_(fromMinus);
    dx.narrow(d, n - 1, 1).add_(fromPlus);
    return {dx, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor gatherFromSequenceParallel(const std::shared_ptr<ProcessGroup>& group,
                                      const at::Tensor& x, int64_t dim,
                                      const std::vector<int64_t>& counts) {
  if (group->size() == 1) return x;
  return GatherFromSequence::apply(x, group, dim, counts);
}

at::Tensor reduceScatterToSequenceParallel(const std::shared_ptr<ProcessGroup>& group,
                                           const at::Tensor& x, int64_t dim,
                                           const std::vector<int64_t>& counts) {
  if (group->size() == 1) return x;
  return ReduceScatterToSequence::apply(x, group, dim, counts);
}

at::Tensor allToAllDifferentiable(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x,
                                  const std::vector<int64_t>& sendCounts,
                                  const std::vector<int64_t>& recvCounts) {
  if (group->size() == 1) return x;
  return AllToAll::apply(x, group, sendCounts, recvCounts);
}

at::Tensor allReduceReplicatedSum(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x) {
  if (group->size() == 1) return x;
  return AllReduceReplicated::apply(x, group);
}

at::Tensor haloExchange(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x, int axis,
                        int minusRank, int plusRank) {
  if (x.dim() != 5 || axis < 0 || axis > 2)
    throw std::invalid_argument("haloExchange: x must be [N, C, S0, S1, S2], axis in 0..2");
  if (minusRank < 0 && plusRank < 0) {
    std::vector<int64_t> pad(6, 0);
    pad[2 * (2 - axis)] = pad[2 * (2 - axis) + 1] = 1;  // constant_pad_nd pads the last dim first
    return at::constant_pad_nd(x, pad, 0.0);
  }
  return HaloExchange::apply(x, group, int64_t{axis}, int64_t{minusRank}, int64_t{plusRank});
}

}  // namespace seqseg
