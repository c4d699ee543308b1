#include "engine/attention.h"

#include <stdexcept>

#include "engine/torch_compat.h"

namespace seqseg {

at::Tensor NaiveAttention::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return naiveAttentionWithLse(q, k, v).out;
}

at::Tensor ChunkedAttention::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return chunkedAttention(q, k, v, chunks_);
}

at::Tensor FusedAttention::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return compat::fusedAttention(q, k, v);
}

std::shared_ptr<AttentionBackend> makeLocalAttention(const std::string& name,
                                                     AttentionChunks chunks) {
  if (name == "naive") return std::make_shared<NaiveAttention>();
  if (name == "chunked") return std::make_shared<ChunkedAttention>(chunks);
  if (name == "fused") {
    if (!compat::kHasFusedAttention)
      throw std::invalid_argument("attention 'fused' needs libtorch >= 2.0; use naive or chunked");
    return std::make_shared<FusedAttention>();
  }
  throw std::invalid_argument("unknown attention '" + name + "' (naive, chunked or fused)");
}

}  // namespace seqseg
