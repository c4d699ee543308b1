#include "engine/chunked_attention.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <cmath>
#include <limits>

namespace seqseg {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

double resolveScale(const at::Tensor& q, double scale) {
  return scale > 0.0 ? scale : 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
}

// Half-precision inputs accumulate in float32; float32 / float64 stay as they are.
at::ScalarType accumulationType(const at::Tensor& t) {
  const auto s = t.scalar_type();
  return (s == at::kHalf || s == at::kBFloat16) ? at::kFloat : s;
}

// All leading dims flattened into one batch dim: [B, L, D].
at::Tensor asBatch(const at::Tensor& t) {
  return t.reshape({-1, t.size(-2), t.size(-1)});
}

struct ChunkedAttentionFunction : public torch::autograd::Function<ChunkedAttentionFunction> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& q, const at::Tensor& k,
                               const at::Tensor& v, double scale, int64_t qChunk, int64_t kChunk) {
    const auto acc = accumulationType(q);
    const at::Tensor q3 = asBatch(q), k3 = asBatch(k), v3 = asBatch(v);
    const int64_t batch = q3.size(0), lq = q3.size(1), lk = k3.size(1), dv = v3.size(2);
    const auto opts = q3.options().dtype(acc);
    at::Tensor out = at::empty({batch, lq, dv}, opts);
    at::Tensor lse = at::empty({batch, lq}, opts);

    for (int64_t qs = 0; qs < lq; qs += qChunk) {
      const int64_t nq = std::min(qChunk, lq - qs);
      const at::Tensor qi = q3.narrow(1, qs, nq).to(acc) * scale;
      at::Tensor rowMax = at::full({batch, nq, 1}, -std::numeric_limits<double>::infinity(), opts);
      at::Tensor rowSum = at::zeros({batch, nq, 1}, opts);
      at::Tensor accum = at::zeros({batch, nq, dv}, opts);
      for (int64_t ks = 0; ks < lk; ks += kChunk) {
        const int64_t nk = std::min(kChunk, lk - ks);
        const at::Tensor kj = k3.narrow(1, ks, nk).to(acc);
        const at::Tensor vj = v3.narrow(1, ks, nk).to(acc);
        at::Tensor s = at::bmm(qi, kj.transpose(1, 2));
        const at::Tensor newMax = at::maximum(rowMax, s.amax(-1, true));
        at::Tensor p = s.sub_(newMax).exp_();  // s is dead after this: reuse its memory
        const at::Tensor rescale = (rowMax - newMax).exp_();
        rowSum.mul_(rescale).add_(p.sum(-1, true));
        accum.mul_(rescale).add_(at::bmm(p, vj));
        rowMax = newMax;
      }
      out.narrow(1, qs, nq).copy_(accum.div_(rowSum));
      lse.narrow(1, qs, nq).copy_((rowMax + rowSum.log()).squeeze(-1));
    }

    std::vector<int64_t> outShape = q.sizes().vec();
    outShape.back() = dv;
    at::Tensor outShaped = out.to(q.scalar_type()).view(outShape);
    at::Tensor lseShaped = lse.view(q.sizes().slice(0, q.dim() - 1));
    ctx->save_for_backward({q, k, v, outShaped, lseShaped});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["q_chunk"] = qChunk;
    ctx->saved_data["k_chunk"] = kChunk;
    return {outShaped, lseShaped};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &q = saved[0], &k = saved[1], &v = saved[2];
    const double scale = ctx->saved_data["scale"].toDouble();
    const int64_t qChunk = ctx->saved_data["q_chunk"].toInt();
    const int64_t kChunk = ctx->saved_data["k_chunk"].toInt();
    const auto acc = accumulationType(q);

    const at::Tensor q3 = asBatch(q), k3 = asBatch(k), v3 = asBatch(v);
    const at::Tensor out3 = asBatch(saved[3]).to(acc);
    const at::Tensor lse2 = saved[4].reshape({q3.size(0), q3.size(1)});
    const int64_t batch = q3.size(0), lq = q3.size(1), lk = k3.size(1);

    const at::Tensor dOut = grads[0].defined() ? asBatch(grads[0]).to(acc) : at::zeros_like(out3);
    // D_i = rowsum(dO * O) - dLSE_i: the lse gradient enters dS exactly like -D does,
    // since d lse_i / d s_ij = P_ij.
    at::Tensor rowD = (dOut * out3).sum(-1);
    if (grads[1].defined()) rowD = rowD - grads[1].reshape({batch, lq}).to(acc);

    const auto opts = q3.options().dtype(acc);
    at::Tensor dq = at::empty({batch, lq, q3.size(2)}, opts);
    at::Tensor dk = at::zeros({batch, lk, k3.size(2)}, opts);
    at::Tensor dv = at::zeros({batch, lk, v3.size(2)}, opts);

    for (int64_t qs = 0; qs < lq; qs += qChunk) {
      const int64_t nq = std::min(qChunk, lq - qs);
      const at::Tensor qi = q3.narrow(1, qs, nq).to(acc) * scale;
      const at::Tensor dOi = dOut.narrow(1, qs, nq);
      const at::Tensor lseI = lse2.narrow(1, qs, nq).unsqueeze(-1);
      const at::Tensor rowDI = rowD.narrow(1, qs, nq).unsqueeze(-1);
      at::Tensor dqi = at::zeros({batch, nq, q3.size(2)}, opts);
      for (int64_t ks = 0; ks < lk; ks += kChunk) {
        const int64_t nk = std::min(kChunk, lk - ks);
        const at::Tensor kj = k3.narrow(1, ks, nk).to(acc);
        const at::Tensor vj = v3.narrow(1, ks, nk).to(acc);
        const at::Tensor p = at::bmm(qi, kj.transpose(1, 2)).sub_(lseI).exp_();
        dv.narrow(1, ks, nk).add_(at::bmm(p.transpose(1, 2), dOi));
        at::Tensor ds = at::bmm(dOi, vj.transpose(1, 2)).sub_(rowDI).mul_(p);
        dqi.add_(at::bmm(ds, kj));
        // qi already carries the scale, so this is scale * dS^T q.
        dk.narrow(1, ks, nk).add_(at::bmm(ds.transpose(1, 2), qi));
      }
      dq.narrow(1, qs, nq).copy_(dqi.mul_(scale));
    }
    return {dq.to(q.scalar_type()).view(q.sizes()),
            dk.to(k.scalar_type()).view(k.sizes()),
            dv.to(v.scalar_type()).view(v.sizes()),
            at::Tensor(),
            at::Tensor(),
            at::Tensor()};
  }
};

void checkShapes(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  TORCH_CHECK(q.dim() >= 2 && k.dim() == q.dim() && v.dim() == q.dim(),
              "attention: q, k, v must have the same rank >= 2, got ", q.sizes(), ", ", k.sizes(),
              ", ", v.sizes());
  TORCH_CHECK(q.sizes().slice(0, q.dim() - 2) == k.sizes().slice(0, k.dim() - 2) &&
                  k.sizes().slice(0, k.dim() - 1) == v.sizes().slice(0, v.dim() - 1) &&
                  q.size(-1) == k.size(-1),
              "attention: incompatible shapes q ", q.sizes(), ", k ", k.sizes(), ", v ", v.sizes());
}

}  // namespace

PartialAttention chunkedAttentionWithLse(const at::Tensor& q, const at::Tensor& k,
                                         const at::Tensor& v, AttentionChunks chunks,
                                         double scale) {
  checkShapes(q, k, v);
  TORCH_CHECK(chunks.query > 0 && chunks.key > 0, "attention: chunk sizes must be positive");
  auto outputs =
      ChunkedAttentionFunction::apply(q, k, v, resolveScale(q, scale), chunks.query, chunks.key);
  return {outputs[0], outputs[1]};
}

PartialAttention naiveAttentionWithLse(const at::Tensor& q, const at::Tensor& k,
                                       const at::Tensor& v, double scale) {
  checkShapes(q, k, v);
  const auto acc = accumulationType(q);
  const at::Tensor scores =
      at::matmul(q.to(acc), k.to(acc).transpose(-2, -1)) * resolveScale(q, scale);
  const at::Tensor out = at::matmul(at::softmax(scores, -1), v.to(acc)).to(q.scalar_type());
  return {out, at::logsumexp(scores, {-1})};
}

PartialAttention mergeAttention(const PartialAttention& a, const PartialAttention& b) {
  const at::Tensor lse = at::logaddexp(a.lse, b.lse);
  const at::Tensor wa = (a.lse - lse).exp().unsqueeze(-1);
  const at::Tensor wb = (b.lse - lse).exp().unsqueeze(-1);
  return {(a.out * wa + b.out * wb).to(a.out.scalar_type()), lse};
}

}  // namespace seqseg
