#include "engine/parallel/sharded_adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

namespace seqseg {

ShardedAdamW::ShardedAdamW(std::vector<at::Tensor> params, std::shared_ptr<ProcessGroup> group,
                           ShardedAdamWOptions options)
    : params_(std::move(params)), group_(std::move(group)), options_(options) {
  if (params_.empty()) throw std::invalid_argument("ShardedAdamW: no parameters");
  if (options_.bucketElements < 1)
    throw std::invalid_argument("ShardedAdamW: bucketElements must be >= 1");
  offsets_.push_back(0);
  for (const auto& p : params_) {
    if (!p.defined() || p.scalar_type() != at::kFloat || !p.is_contiguous() ||
        p.device() != params_[0].device())
      throw std::invalid_argument(
          "ShardedAdamW: parameters must be contiguous fp32 tensors on one device");
    offsets_.push_back(offsets_.back() + p.numel());
  }
  total_ = offsets_.back();
  const int ranks = group_->size(), rank = group_->rank();
  for (int j = 0; j <= ranks; ++j) bounds_.push_back(total_ * j / ranks);
  begin_ = bounds_[rank];
  end_ = bounds_[rank + 1];
  expAvg_ = at::zeros({end_ - begin_}, params_[0].options().requires_grad(false));
  expAvgSq_ = at::zeros_like(expAvg_);
}

std::vector<int64_t> ShardedAdamW::countsIn(int64_t from, int64_t to) const {
  std::vector<int64_t> counts;
  for (size_t j = 0; j + 1 < bounds_.size(); ++j)
    counts.push_back(
        std::max<int64_t>(0, std::min(to, bounds_[j + 1]) - std::max(from, bounds_[j])));
  return counts;
}

void ShardedAdamW::copyRange(int64_t from, int64_t to, at::Tensor& out, bool grads, bool read) {
  at::NoGradGuard noGrad;
  // The first parameter that ends after `from`.
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), from);
  for (size_t i = static_cast<size_t>(it - offsets_.begin()) - 1; i < params_.size(); ++i) {
    const int64_t a = std::max(from, offsets_[i]), b = std::min(to, offsets_[i + 1]);
    if (a >= b) break;
    at::Tensor part = out.narrow(0, a - from, b - a);
    const at::Tensor& p = params_[i];
    if (grads) {
      const at::Tensor& g = p.grad();
      if (!g.defined())
        part.zero_();
      else
        part.copy_(g.reshape({-1}).narrow(0, a - offsets_[i], b - a));
    } else {
      at::Tensor flat = p.detach().view({-1}).narrow(0, a - offsets_[i], b - a);
      if (read)
        part.copy_(flat);
      else
        flat.copy_(part);
    }
  }
}

void ShardedAdamW::zeroGrad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

double ShardedAdamW::step() {
  at::NoGradGuard noGrad;
  const int rank = group_->rank();
  const int64_t shard = end_ - begin_, bucket = options_.bucketElements;
  const auto options = expAvg_.options();

  // 1. Summed gradient of this rank's shard, one bucket per collective.
  at::Tensor grad = at::empty({shard}, options);
  for (int64_t b0 = 0; b0 < total_; b0 += bucket) {
    const int64_t b1 = std::min(total_, b0 + bucket);
    at::Tensor packed = at::empty({b1 - b0}, options);
    copyRange(b0, b1, packed, /*grads=*/true, /*read=*/true);
    const std::vector<int64_t> counts = countsIn(b0, b1);
    const at::Tensor mine = group_->reduceScatterSum(packed, counts);
    if (counts[rank] > 0) grad.narrow(0, std::max(b0, begin_) - begin_, counts[rank]).copy_(mine);
  }
  // 2. The full-size gradients are no longer needed.
  zeroGrad();

  // 3. Global norm (double, one all-reduce), clipping as clip_grad_norm_ does.
  at::Tensor sumSq = at::sum(grad.square(), at::kDouble).reshape({1});
  group_->allReduceSum(sumSq);
  const double norm = std::sqrt(sumSq.item<double>());
  if (options_.maxGradNorm > 0) grad.mul_(std::min(1.0, options_.maxGradNorm / (norm + 1e-6)));

  // 4. AdamW on the shard (torch::optim::AdamW's arithmetic).
  ++step_;
  at::Tensor param = at::empty({shard}, options);
  copyRange(begin_, end_, param, /*grads=*/false, /*read=*/true);
  const double lr = options_.lr, beta1 = options_.beta1, beta2 = options_.beta2;
  if (options_.weightDecay != 0) param.mul_(1 - lr * options_.weightDecay);
  const double correction1 = 1 - std::pow(beta1, static_cast<double>(step_));
  const double correction2 = 1 - std::pow(beta2, static_cast<double>(step_));
  expAvg_.mul_(beta1).add_(grad, 1 - beta1);
  expAvgSq_.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  grad = at::Tensor();
  const at::Tensor denom = (expAvgSq_.sqrt() / std::sqrt(correction2)).add_(options_.eps);
  param.addcdiv_(expAvg_, denom, -lr / correction1);

  // 5. Every rank's updated shard into every rank's parameters, bucket by bucket.
  for (int64_t b0 = 0; b0 < total_; b0 += bucket) {
    const int64_t b1 = std::min(total_, b0 + bucket);
    const std::vector<int64_t> counts = countsIn(b0, b1);
    const at::Tensor mine = counts[rank] > 0
                                ? param.narrow(0, std::max(b0, begin_) - begin_, counts[rank])
                                : param.narrow(0, 0, 0);
    at::Tensor full = group_->allGather(mine.contiguous(), counts);
    copyRange(b0, b1, full, /*grads=*/false, /*read=*/false);
  }
  return norm;
}

ShardedAdamWState ShardedAdamW::fullState() {
  // One collective for both moments: [shard, 2] rows gathered along dim 0.
  const at::Tensor both = at::stack({expAvg_, expAvgSq_}, 1);
  const at::Tensor all = group_->allGather(both, countsIn(0, total_));
  ShardedAdamWState state;
  state.step = step_;
  state.expAvg = all.select(1, 0).contiguous();
  state.expAvgSq = all.select(1, 1).contiguous();
  return state;
}

void ShardedAdamW::loadFullState(const ShardedAdamWState& state) {
  const auto fits = [&](const at::Tensor& t) {
    return t.defined() && t.dim() == 1 && t.size(0) == total_;
  };
  if (!fits(state.expAvg) || !fits(state.expAvgSq) || state.step < 0)
    throw std::invalid_argument("ShardedAdamW::loadFullState: expected moments of " +
                                std::to_string(total_) + " elements and step >= 0");
  at::NoGradGuard noGrad;
  expAvg_.copy_(state.expAvg.narrow(0, begin_, end_ - begin_));
  expAvgSq_.copy_(state.expAvgSq.narrow(0, begin_, end_ - begin_));
  step_ = state.step;
}

std::vector<at::Tensor> ShardedAdamW::splitLikeParameters(const at::Tensor& flat) const {
  if (!flat.defined() || flat.dim() != 1 || flat.size(0) != total_)
    throw std::invalid_argument("ShardedAdamW::splitLikeParameters: expected " +
                                std::to_string(total_) + " elements");
  std::vector<at::Tensor> views;
  for (size_t i = 0; i < params_.size(); ++i)
    views.push_back(
        flat.narrow(0, offsets_[i], offsets_[i + 1] - offsets_[i]).view(params_[i].sizes()));
  return views;
}

}  // namespace seqseg
