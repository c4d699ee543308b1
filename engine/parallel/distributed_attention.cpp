#include "engine/parallel/distributed_attention.h"

#include <cmath>
#include <stdexcept>

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/custom_class.h>

#include "engine/chunked_attention.h"
#include "engine/parallel/comm_autograd.h"
#include "engine/torch_compat.h"

namespace seqseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void checkQkv(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  if (q.dim() != 4 || k.sizes() != q.sizes() || v.sizes().slice(0, 3) != q.sizes().slice(0, 3))
    throw std::invalid_argument("sequence-parallel attention: q, k, v must be [N, H, L, D]");
}

at::ScalarType accumulationType(const at::Tensor& t) {
  const auto s = t.scalar_type();
  return (s == at::kHalf || s == at::kBFloat16) ? at::kFloat : s;
}

struct RingGroup : torch::CustomClassHolder {
  explicit RingGroup(std::shared_ptr<ProcessGroup> g) : group(std::move(g)) {}
  std::shared_ptr<ProcessGroup> group;
};

constexpr int kTagRingKv = 400, kTagRingGrad = 401;

// Sends `block` to rank+1 and starts receiving rank-1's block of `rows` tokens into a new
// tensor; returns the pending ops and the receive buffer.
struct RingShift {
  std::unique_ptr<PendingOp> send, recv;
  at::Tensor incoming;
  void wait() {
    recv->wait();
    send->wait();
  }
};

RingShift startShift(ProcessGroup& group, const at::Tensor& block, int64_t rows, int tag) {
  const int r = group.rank(), n = group.size();
  std::vector<int64_t> shape = block.sizes().vec();
  shape[2] = rows;
  RingShift shift;
  shift.incoming = at::empty(shape, block.options());
  shift.recv = group.recvAsync(shift.incoming, (r + n - 1) % n, tag);
  shift.send = group.sendAsync(block, (r + 1) % n, tag);
  return shift;
}

// Flash-style backward of one key block against the local queries, given the GLOBAL output,
// log-sum-exp and row term D = rowsum(dO * O): adds into dq, returns dk, dv of the block.
// Tensors are [B, L, D] in the accumulation dtype; q3 is pre-scaled.
void blockBackward(const at::Tensor& q3, const at::Tensor& k3, const at::Tensor& v3,
                   const at::Tensor& dOut, const at::Tensor& lse, const at::Tensor& rowD,
                   double scale, const AttentionChunks& chunks, at::Tensor& dq, at::Tensor& dk,
                   at::Tensor& dv) {
  const int64_t lq = q3.size(1), lk = k3.size(1);
  for (int64_t qs = 0; qs < lq; qs += chunks.query) {
    const int64_t nq = std::min(chunks.query, lq - qs);
    const at::Tensor qi = q3.narrow(1, qs, nq);
    const at::Tensor dOi = dOut.narrow(1, qs, nq);
    const at::Tensor lseI = lse.narrow(1, qs, nq).unsqueeze(-1);
    const at::Tensor rowDI = rowD.narrow(1, qs, nq).unsqueeze(-1);
    at::Tensor dqi = dq.narrow(1, qs, nq);
    for (int64_t ks = 0; ks < lk; ks += chunks.key) {
      const int64_t nk = std::min(chunks.key, lk - ks);
      const at::Tensor kj = k3.narrow(1, ks, nk), vj = v3.narrow(1, ks, nk);
      const at::Tensor p = at::bmm(qi, kj.transpose(1, 2)).sub_(lseI).exp_();
      dv.narrow(1, ks, nk).add_(at::bmm(p.transpose(1, 2), dOi));
      const at::Tensor ds = at::bmm(dOi, vj.transpose(1, 2)).sub_(rowDI).mul_(p);
      dqi.add_(at::bmm(ds, kj), scale);
      dk.narrow(1, ks, nk).add_(at::bmm(ds.transpose(1, 2), qi));  // qi carries the scale
    }
  }
}

struct RingAttentionFunction : public torch::autograd::Function<RingAttentionFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k,
                            const at::Tensor& v, const std::shared_ptr<ProcessGroup>& group,
                            const std::vector<int64_t>& counts, int64_t qChunk, int64_t kChunk,
                            bool fused) {
    ProcessGroup& g = *group;
    const int r = g.rank(), n = g.size();
    const int64_t dk = k.size(3);
    const AttentionChunks chunks{qChunk, kChunk};
    at::Tensor block = at::cat({k, v}, 3).contiguous();
    int src = r;
    PartialAttention merged;
    for (int step = 0; step < n; ++step) {
      RingShift shift;
      const bool more = step + 1 < n;
      if (more) shift = startShift(g, block, counts[(src + n - 1) % n], kTagRingKv);
      const at::Tensor kBlock = block.narrow(3, 0, dk);
      const at::Tensor vBlock = block.narrow(3, dk, block.size(3) - dk);
      PartialAttention part;
      if (fused) {
        std::tie(part.out, part.lse) =
            compat::fusedAttentionWithLse(q, kBlock.contiguous(), vBlock.contiguous());
      } else {
        part = chunkedAttentionWithLse(q, kBlock, vBlock, chunks);
      }
      merged = step == 0 ? part : mergeAttention(merged, part);
      if (more) {
        shift.wait();
        block = shift.incoming;
        src = (src + n - 1) % n;
      }
    }
    ctx->save_for_backward({q, k, v, merged.out, merged.lse});
    ctx->saved_data["group"] = c10::IValue::make_capsule(c10::make_intrusive<RingGroup>(group));
    ctx->saved_data["counts"] = counts;
    ctx->saved_data["q_chunk"] = qChunk;
    ctx->saved_data["k_chunk"] = kChunk;
    return merged.out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &out = saved[3], &lse = saved[4];
    ProcessGroup& g =
        *c10::static_intrusive_pointer_cast<RingGroup>(ctx->saved_data["group"].toCapsule())->group;
    const auto counts = ctx->saved_data["counts"].toIntVector();
    const AttentionChunks chunks{ctx->saved_data["q_chunk"].toInt(),
                                 ctx->saved_data["k_chunk"].toInt()};
    const int r = g.rank(), n = g.size();
    const auto acc = accumulationType(q);
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
    const int64_t batch = q.size(0) * q.size(1), lq = q.size(2), dkDim = k.size(3);

    const at::Tensor q3 = q.reshape({batch, lq, -1}).to(acc) * scale;
    const at::Tensor dOut = grads[0].reshape({batch, lq, -1}).to(acc);
    const at::Tensor lse2 = lse.reshape({batch, lq}).to(acc);
    const at::Tensor rowD = (dOut * out.reshape({batch, lq, -1}).to(acc)).sum(-1);
    at::Tensor dq = at::zeros_like(q3);

    at::Tensor block = at::cat({k, v}, 3).contiguous();                           // travels
    at::Tensor blockGrad = at::zeros(block.sizes(), block.options().dtype(acc));  // travels with it
    int src = r;
    for (int step = 0; step < n; ++step) {
      RingShift shift;
      const bool more = step + 1 < n;
      if (more) shift = startShift(g, block, counts[(src + n - 1) % n], kTagRingKv);
      const int64_t lk = block.size(2);
      const at::Tensor k3 = block.narrow(3, 0, dkDim).reshape({batch, lk, -1}).to(acc);
      const at::Tensor v3 =
          block.narrow(3, dkDim, block.size(3) - dkDim).reshape({batch, lk, -1}).to(acc);
      at::Tensor dk3 = at::zeros_like(k3), dv3 = at::zeros_like(v3);
      blockBackward(q3, k3, v3, dOut, lse2, rowD, scale, chunks, dq, dk3, dv3);
      blockGrad.add_(at::cat({dk3, dv3}, 2).view(blockGrad.sizes()));
      // The accumulator follows its block one hop; after n hops it is back with its owner.
      RingShift gradShift = startShift(g, blockGrad, counts[(src + n - 1) % n], kTagRingGrad);
      if (more) {
        shift.wait();
        block = shift.incoming;
      }
      gradShift.wait();
      blockGrad = gradShift.incoming;
      src = (src + n - 1) % n;
    }
    // blockGrad is now this rank's own [dk | dv].
    const at::Tensor dk = blockGrad.narrow(3, 0, dkDim).to(k.scalar_type());
    const at::Tensor dv = blockGrad.narrow(3, dkDim, blockGrad.size(3) - dkDim).to(v.scalar_type());
    return {dq.view(q.sizes()).to(q.scalar_type()),
            dk.contiguous(),
            dv.contiguous(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor SequenceParallelAttention::localAttention(const at::Tensor& q, const at::Tensor& k,
                                                     const at::Tensor& v) const {
  return fused_ ? compat::fusedAttention(q, k, v) : chunkedAttention(q, k, v, chunks_);
}

std::vector<int64_t> SequenceParallelAttention::tokenCounts(int64_t localTokens) {
  if (!counts_.empty()) {
    if (static_cast<int>(counts_.size()) != group_->size() ||
        counts_[group_->rank()] != localTokens)
      throw std::invalid_argument(
          "sequence-parallel attention: the fixed token counts do not "
          "match this rank's " +
          std::to_string(localTokens) + " tokens");
    return counts_;
  }
  return group_->allGatherCounts(localTokens);
}

at::Tensor AllGatherAttention::attend(const at::Tensor& q, const at::Tensor& k,
                                      const at::Tensor& v) {
  checkQkv(q, k, v);
  if (group_->size() == 1) return localAttention(q, k, v);
  const auto counts = tokenCounts(q.size(2));
  // One collective for both: [k | v] along head_dim, gathered along the sequence dim.
  const at::Tensor kv = gatherFromSequenceParallel(group_, at::cat({k, v}, 3), 2, counts);
  const int64_t dk = k.size(3);
  return localAttention(q, kv.narrow(3, 0, dk).contiguous(),
                        kv.narrow(3, dk, kv.size(3) - dk).contiguous());
}

at::Tensor RingAttention::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  checkQkv(q, k, v);
  if (group_->size() == 1) return localAttention(q, k, v);
  const auto counts = tokenCounts(q.size(2));
  return RingAttentionFunction::apply(q, k, v, group_, counts, chunks_.query, chunks_.key, fused_);
}

UlyssesAttention::UlyssesAttention(std::shared_ptr<ProcessGroup> group, int64_t numHeads,
                                   AttentionChunks chunks)
    : SequenceParallelAttention(std::move(group), chunks), numHeads_(numHeads) {
  if (numHeads_ < 1 || numHeads_ % group_->size() != 0)
    throw std::invalid_argument("attention 'ulysses' needs the number of ranks (" +
                                std::to_string(group_->size()) + ") to divide num_heads (" +
                                std::to_string(numHeads_) + "); use allgather or ring");
}

at::Tensor UlyssesAttention::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  checkQkv(q, k, v);
  if (q.size(1) != numHeads_)
    throw std::invalid_argument("attention 'ulysses': built for " + std::to_string(numHeads_) +
                                " heads, got " + std::to_string(q.size(1)));
  const int64_t ranks = group_->size();
  if (ranks == 1) return localAttention(q, k, v);
  const auto counts = tokenCounts(q.size(2));
  const int64_t n = q.size(0), local = q.size(2), d = q.size(3), dv = v.size(3);
  const int64_t shard = numHeads_ / ranks;

  // Sequence shard -> head shard: rank j gets heads [j*shard, (j+1)*shard) of my tokens.
  const at::Tensor packed = at::cat({q, k, v}, 3)  // [N, H, Lr, 2d+dv]
                                .view({n, ranks, shard, local, 2 * d + dv})
                                .transpose(0, 1)  // [R, N, shard, Lr, .]
                                .reshape({-1});
  const int64_t width = 2 * d + dv;
  std::vector<int64_t> sendCounts(ranks, n * shard * local * width), recvCounts;
  for (int64_t c : counts) recvCounts.push_back(n * shard * c * width);
  const at::Tensor received = allToAllDifferentiable(group_, packed, sendCounts, recvCounts);
  std::vector<at::Tensor> pieces;
  int64_t at = 0;
  for (int64_t j = 0; j < ranks; ++j) {
    pieces.push_back(received.narrow(0, at, recvCounts[j]).view({n, shard, counts[j], width}));
    at += recvCounts[j];
  }
  const at::Tensor full = at::cat(pieces, 2);  // [N, shard, L, width]
  const at::Tensor out =
      localAttention(full.narrow(3, 0, d).contiguous(), full.narrow(3, d, d).contiguous(),
                     full.narrow(3, 2 * d, dv).contiguous());  // [N, shard, L, dv]

  // Head shard -> sequence shard.
  std::vector<at::Tensor> outPieces;
  std::vector<int64_t> backSend, backRecv(ranks, n * shard * local * dv);
  at = 0;
  for (int64_t j = 0; j < ranks; ++j) {
    outPieces.push_back(out.narrow(2, at, counts[j]).reshape({-1}));
    backSend.push_back(n * shard * counts[j] * dv);
    at += counts[j];
  }
  const at::Tensor back = allToAllDifferentiable(group_, at::cat(outPieces), backSend, backRecv);
  return back.view({ranks, n, shard, local, dv}).transpose(0, 1).reshape({n, numHeads_, local, dv});
}

std::shared_ptr<SequenceParallelAttention> makeSequenceParallelAttention(
    const std::string& name, std::shared_ptr<ProcessGroup> group, int64_t numHeads,
    AttentionChunks chunks, bool fused) {
  std::shared_ptr<SequenceParallelAttention> backend;
  if (name == "allgather") backend = std::make_shared<AllGatherAttention>(std::move(group), chunks);
  if (name == "ring") backend = std::make_shared<RingAttention>(std::move(group), chunks);
  if (name == "ulysses")
    backend = std::make_shared<UlyssesAttention>(std::move(group), numHeads, chunks);
  if (backend) {
    backend->setFusedKernel(fused);
    return backend;
  }
  throw std::invalid_argument("unknown attention '" + name + "' (allgather, ring or ulysses)");
}

}  // namespace seqseg
