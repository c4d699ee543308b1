#pragma once
// Sequence-parallel attention backends (docs/architecture.md, "The parallel method"): each rank holds q, k, v
// [N, heads, L_r, head_dim] for its own L_r tokens and gets attention over all L = sum L_r.
//
// Uneven parts: ranks hold different token counts. Nothing is padded: every backend first
// exchanges the counts (one tiny all-gather per call, unless setTokenCounts fixed them), then
// sizes every all-to-all / send / recv exactly (Gloo's alltoall_base takes per-rank counts).
//
// - AllGatherAttention (the paper's): k and v are concatenated and all-gathered in one
//   collective (GatherFromSequence: backward reduce-scatters dk, dv), then local chunked
//   attention of the local queries against all keys. Memory per rank: O(L) for k, v.
// - RingAttention: k, v blocks travel around the ring (send to rank+1, receive from rank-1) while
//   the local queries attend to the block in hand; the next transfer is in flight during the
//   computation. Partial results merge by log-sum-exp. Its custom backward sends the k, v blocks
//   around again with their dk, dv accumulators, which arrive home after R hops, and recomputes
//   each block's probabilities from the saved global log-sum-exp. Memory per rank: O(L / R).
// - UlyssesAttention: all-to-all from sequence shards to head shards (rank j gets heads
//   [j H/R, (j+1) H/R) of every token), full-sequence chunked attention on H/R heads, all-to-all
//   back. Needs R | heads (std::invalid_argument otherwise).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/attention.h"
#include "engine/parallel/process_group.h"

namespace seqseg {

class SequenceParallelAttention : public AttentionBackend {
 public:
  SequenceParallelAttention(std::shared_ptr<ProcessGroup> group, AttentionChunks chunks)
      : group_(std::move(group)), chunks_(chunks) {}
  // Fixes every rank's token count (skips the count exchange); empty = exchange per call.
  void setTokenCounts(std::vector<int64_t> counts) { counts_ = std::move(counts); }
  // Attention within a rank (and each ring block) with LibTorch's fused kernel
  // (engine/torch_compat.h; ring takes the log-sum-exp it returns) instead of chunked.
  void setFusedKernel(bool fused) { fused_ = fused; }

 protected:
  std::vector<int64_t> tokenCounts(int64_t localTokens);
  at::Tensor localAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) const;

  std::shared_ptr<ProcessGroup> group_;
  AttentionChunks chunks_;
  std::vector<int64_t> counts_;
  bool fused_ = false;
};

class AllGatherAttention : public SequenceParallelAttention {
 public:
  explicit AllGatherAttention(std::shared_ptr<ProcessGroup> group, AttentionChunks chunks = {})
      : SequenceParallelAttention(std::move(group), chunks) {}
  std::string name() const override { return "allgather"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;
};

class RingAttention : public SequenceParallelAttention {
 public:
  explicit RingAttention(std::shared_ptr<ProcessGroup> group, AttentionChunks chunks = {})
      : SequenceParallelAttention(std::move(group), chunks) {}
  std::string name() const override { return "ring"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;
};

class UlyssesAttention : public SequenceParallelAttention {
 public:
  // Throws std::invalid_argument when the group size does not divide numHeads.
  UlyssesAttention(std::shared_ptr<ProcessGroup> group, int64_t numHeads,
                   AttentionChunks chunks = {});
  std::string name() const override { return "ulysses"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;

 private:
  int64_t numHeads_;
};

// "allgather", "ring" or "ulysses"; throws std::invalid_argument for other names (and for
// ulysses when the group size does not divide numHeads). fused: see setFusedKernel.
std::shared_ptr<SequenceParallelAttention> makeSequenceParallelAttention(
    const std::string& name, std::shared_ptr<ProcessGroup> group, int64_t numHeads,
    AttentionChunks chunks = {}, bool fused = false);

}  // namespace seqseg
