#pragma once
// Memory-efficient softmax attention: queries and keys are processed in chunks with an online
// softmax, so the L_q x L_k score matrix never exists; backward recomputes scores per chunk
// (FlashAttention-style). Works on any device LibTorch supports, in any float dtype
// (half / bfloat16 inputs accumulate in float32).
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace seqseg {

// 1024 x 1024 measured fastest on the 2-core CPU (bench/RESULTS.md): a 4 MiB score block per
// head stays in cache while bmm still has enough work per call.
struct AttentionChunks {
  int64_t query = 1024;  // queries per chunk
  int64_t key = 1024;    // keys per chunk
};

// out: softmax(scale * q k^T) v; lse: log-sum-exp of the scaled scores per query row, in the
// accumulation dtype (float32 for half inputs). out [..., Lq, D], lse [..., Lq].
struct PartialAttention {
  at::Tensor out;
  at::Tensor lse;
};

// q [..., Lq, D], k and v [..., Lk, D] with the same leading dims. scale <= 0 means 1/sqrt(D).
// Differentiable in q, k, v through both out and lse (the lse gradient is what makes merged
// partial results differentiable). No double backward.
PartialAttention chunkedAttentionWithLse(const at::Tensor& q, const at::Tensor& k,
                                         const at::Tensor& v, AttentionChunks chunks = {},
                                         double scale = 0.0);

inline at::Tensor chunkedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                   AttentionChunks chunks = {}, double scale = 0.0) {
  return chunkedAttentionWithLse(q, k, v, chunks, scale).out;
}

// Reference: materialises the scores, differentiable by plain autograd.
PartialAttention naiveAttentionWithLse(const at::Tensor& q, const at::Tensor& k,
                                       const at::Tensor& v, double scale = 0.0);

// Combines attention over two disjoint key blocks into attention over their union
// (online-softmax merge); differentiable. Ring attention folds blocks in with this.
PartialAttention mergeAttention(const PartialAttention& a, const PartialAttention& b);

}  // namespace seqseg
