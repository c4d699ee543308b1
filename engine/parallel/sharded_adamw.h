#pragma once
// AdamW with its state sharded over the sequence-parallel group (ZeRO stages 1 and 2).
//
// Every rank holds the whole model (sequence parallelism replicates the parameters), but the
// optimizer state and the reduced gradients need not be replicated. The parameters, in the
// order given, are viewed as one flat fp32 vector of N elements; rank r owns the contiguous
// range [N r / R, N (r + 1) / R) (uneven when R does not divide N; a shard may be empty).
//
// step(), on every rank of the group at once (it is collective):
//  1. reduce-scatter: the flat gradient is cut into buckets of `bucketElements`; each bucket is
//     packed from the parameters' .grad() and reduce-scattered (sum over the group), so each rank
//     receives the summed gradient of its own shard only. No full-length flat buffer exists; the
//     largest transient is one bucket. A parameter without a gradient counts as zeros (as
//     allReduceGradients + torch::optim::AdamW treat it).
//  2. the gradients are released (.grad() reset to undefined): the next backward starts from
//     none, so the full-size gradients live only from backward to step() (ZeRO-2); zeroGrad() is
//     not needed between steps.
//  3. clipping (maxGradNorm > 0): the global L2 norm from one all-reduce of the shards' squared
//     norms; the shard is scaled by min(1, maxGradNorm / (norm + 1e-6)), as
//     torch::nn::utils::clip_grad_norm_ does.
//  4. AdamW on the shard only (moments of N / R elements per rank), the same arithmetic as
//     torch::optim::AdamW (decoupled weight decay, bias corrections, no amsgrad).
//  5. all-gather of the updated shards, bucket by bucket, into every rank's parameters.
// The result equals allReduceGradients (sum) + [clip_grad_norm_] + torch::optim::AdamW::step()
// within float rounding. With a group of one nothing is sent and it is plain AdamW.
//
// Checkpointing: fullState() gathers the whole state onto every rank (collective);
// loadFullState() takes such a state (the same on every rank) and keeps this rank's shard; both
// use the flat parameter order, and splitLikeParameters() gives per-parameter views of it (the
// layout of torch::optim::AdamW's exp_avg / exp_avg_sq, whose per-parameter step is `step`).
#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/parallel/process_group.h"

namespace seqseg {

struct ShardedAdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 1e-2;                  // torch::optim::AdamWOptions' default
  double maxGradNorm = 0.0;                   // > 0: clip the global gradient norm to it
  int64_t bucketElements = int64_t{1} << 20;  // 4 MiB of fp32 per collective
};

// The optimizer state of the whole model, flat in parameter order.
struct ShardedAdamWState {
  int64_t step = 0;     // completed steps
  at::Tensor expAvg;    // [N] first moments
  at::Tensor expAvgSq;  // [N] second moments
};

class ShardedAdamW {
 public:
  // params: fp32, contiguous, the same shapes in the same order on every rank.
  ShardedAdamW(std::vector<at::Tensor> params, std::shared_ptr<ProcessGroup> group,
               ShardedAdamWOptions options = {});

  // Collective (see above). Returns the global gradient norm before clipping.
  double step();
  // Releases every gradient (what step() does after reducing them).
  void zeroGrad();

  ShardedAdamWOptions& options() { return options_; }  // lr may change between steps
  int64_t numel() const { return total_; }             // N
  int64_t shardBegin() const { return begin_; }        // this rank's [begin, end)
  int64_t shardEnd() const { return end_; }
  int64_t stepCount() const { return step_; }
  // This rank's moments ([shardEnd - shardBegin] each).
  const at::Tensor& expAvgShard() const { return expAvg_; }
  const at::Tensor& expAvgSqShard() const { return expAvgSq_; }

  ShardedAdamWState fullState();                       // collective
  void loadFullState(const ShardedAdamWState& state);  // local; throws on a size mismatch
  // Views of a flat [N] tensor shaped like each parameter, in order.
  std::vector<at::Tensor> splitLikeParameters(const at::Tensor& flat) const;

 private:
  // Rank j's part of the flat range [from, to): elements per rank (sums to to - from).
  std::vector<int64_t> countsIn(int64_t from, int64_t to) const;
  // Copies flat[from, to) of the parameters (grads when `grads`) into out, or back when !read.
  void copyRange(int64_t from, int64_t to, at::Tensor& out, bool grads, bool read);

  std::vector<at::Tensor> params_;
  std::vector<int64_t> offsets_;  // flat start of each parameter; offsets_.back() == N
  std::shared_ptr<ProcessGroup> group_;
  ShardedAdamWOptions options_;
  int64_t total_ = 0, begin_ = 0, end_ = 0, step_ = 0;
  std::vector<int64_t> bounds_;  // every rank's shard start, plus N
  at::Tensor expAvg_, expAvgSq_;
};

}  // namespace seqseg
