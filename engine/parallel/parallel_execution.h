#pragma once
// A ModelExecution over a sequence-parallel group (docs/architecture.md, "The parallel method"): every rank is handed the
// same whole batch, keeps only its part of each volume (the split), runs the distributed
// encoder and decoder on it, and gets the whole logits back with one all-gather. Training forms
// the global loss and sums the gradients over the group, so an optimiser step is the same on
// every rank and the parameters stay identical without being broadcast.
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/model_execution.h"
#include "engine/parallel/process_group.h"
#include "engine/parallel/spatial_split.h"

namespace seqseg {

struct ParallelSettings {
  std::string split = "slab0";          // slab0, slab1, slab2, blocks
  std::string attention = "allgather";  // allgather, ring, ulysses
  std::string decoder = "halo";         // halo, gather, nogather
  bool fusedAttention = false;          // LibTorch's fused kernel per rank and ring block
};

// Refuses settings that cannot run a model of `config` on `ranks` ranks (unknown names, a split
// that leaves a rank without a patch, ulysses with ranks not dividing the heads), with
// std::invalid_argument naming the problem, before any rank starts.
void checkParallelSettings(const ParallelSettings& settings, const ModelConfig& config, int ranks);

// The execution factory for this rank of `group`.
ExecutionFactory sequenceParallelExecution(std::shared_ptr<ProcessGroup> group,
                                           ParallelSettings settings);

// Every rank's part (this rank's is `local`, [N, K, its voxel box]) put back into one volume
// [N, K, whole grid] on every rank. Not differentiable.
at::Tensor gatherParts(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& local,
                       const SpatialSplit& split, const Grid3& voxelsPerPatch);

}  // namespace seqseg
