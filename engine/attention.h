#pragma once
// The seam between the model and how attention is computed. The model computes q, k, v for the
// tokens it holds and asks a backend for the attention output; local backends attend within the
// process, sequence-parallel backends (all-gather, ring, Ulysses) exchange keys and values with
// other ranks behind the same interface, without touching the model.
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/chunked_attention.h"

namespace seqseg {

class AttentionBackend {
 public:
  virtual ~AttentionBackend() = default;
  virtual std::string name() const = 0;
  // q, k, v: [N, heads, L_local, head_dim], contiguous, for this process's tokens. Returns
  // softmax(q k^T / sqrt(head_dim)) v over every token of the sequence (local and, for
  // distributed backends, remote), shaped like q. Must be differentiable in q, k, v.
  virtual at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) = 0;
};

// Materialises the full score matrix; the reference for the others.
class NaiveAttention : public AttentionBackend {
 public:
  std::string name() const override { return "naive"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;
};

// Online-softmax chunks (engine/chunked_attention.h): memory O(L * head_dim).
class ChunkedAttention : public AttentionBackend {
 public:
  explicit ChunkedAttention(AttentionChunks chunks = {}) : chunks_(chunks) {}
  std::string name() const override { return "chunked"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;

 private:
  AttentionChunks chunks_;
};

// LibTorch's fused scaled_dot_product_attention (flash / memory-efficient on CUDA); only in
// builds against libtorch >= 2.0 (see engine/torch_compat.h).
class FusedAttention : public AttentionBackend {
 public:
  std::string name() const override { return "fused"; }
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) override;
};

// "naive", "chunked" or "fused". Throws std::invalid_argument for other names, and for "fused"
// where this build's libtorch lacks it.
std::shared_ptr<AttentionBackend> makeLocalAttention(const std::string& name,
                                                     AttentionChunks chunks = {});

}  // namespace seqseg
