#pragma once
// Activation checkpointing: y = f(x) keeps only x for backward, which recomputes f (with the
// autocast state of the forward) and backpropagates through the recomputation. Trades one
// extra forward of f for its activations: what lets very long sequences train on one GPU.
#include <functional>

#include <ATen/core/Tensor.h>

namespace seqseg {

// f must be deterministic (no dropout) and may run collectives: every rank recomputes in the
// same order because backward visits the blocks in the same order on every rank. Without grad
// mode (inference) it is a plain call.
at::Tensor checkpointed(std::function<at::Tensor(const at::Tensor&)> f, const at::Tensor& x);

}  // namespace seqseg
