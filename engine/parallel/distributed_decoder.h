#pragma once
// One rank's share of a sequence-parallel ViTSegmenter forward, the global loss and the
// gradient reduction (docs/architecture.md, "The parallel method").
//
// Forward on rank r: embed the rank's sub-volume with its global PatchWindow; encode (the
// model's attention backend must be a SequenceParallelAttention on the same group); decode:
// - gather:   all-gather the encoder tokens (GatherFromSequence: backward reduce-scatters),
//             reorder them to the global row-major grid, run the whole decoder on every rank and
//             keep this rank's voxel box (a voxel skip gathers the input image too). Exact;
//             decoder memory and work are not split.
// - halo:     before each 3x3x3 conv, exchange one face layer with the lattice neighbours along
//             A0, then A1, then A2 (each exchange includes the layers received before it, so
//             edges and corners arrive too); zeros at the global boundary; the conv then runs
//             unpadded. Transposed convs with kernel = stride, the 1x1x1 head and the voxel
//             skip's 1x1x1 convs are voxel-local.
//             Exact, and memory stays per rank.
// - nogather: each rank decodes its own sub-grid, zero-padded at split faces (the paper's):
//             not equal to single-device decoding; the split method changes the result.
// Every mode returns the logits of this rank's voxel box.
//
// Loss: every rank computes LossTerms on its voxels; intersection, cardinality and ceSum are
// summed over the group with allReduceReplicatedSum (backward identity, see comm_autograd.h) and
// the voxel count with a plain all-reduce; every rank then forms the same loss with
// lossFromTerms. After backward, allReduceGradients sums each parameter gradient over the
// group, which yields exactly the single-device gradient.
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/loss.h"
#include "engine/parallel/process_group.h"
#include "engine/parallel/spatial_split.h"
#include "engine/vit_segmenter.h"

namespace seqseg {

enum class DecoderMode { Gather, Halo, NoGather };

// "gather", "halo", "nogather"; throws std::invalid_argument naming the choices.
DecoderMode parseDecoderMode(const std::string& name);
std::string decoderModeName(DecoderMode mode);

// The decoder run on a local patch-grid block with halo exchanges (mode halo): grid
// [N, E, g0, g1, g2] of rank group->rank() in split and localInput, that rank's image (read by
// a voxel skip only, which is per voxel and needs no halo); returns its logits.
at::Tensor haloDecode(ConvDecoderImpl& decoder, const at::Tensor& grid,
                      const std::shared_ptr<ProcessGroup>& group, const SpatialSplit& split,
                      const at::Tensor& localInput = {});

class SequenceParallelSegmenter {
 public:
  // The model's attention backend is left as it is (set a SequenceParallelAttention on it).
  SequenceParallelSegmenter(ViTSegmenter model, std::shared_ptr<ProcessGroup> group,
                            SpatialSplit split, DecoderMode decoder);

  // localInput: this rank's voxel box of the input, [N, C, box]; returns its logits.
  at::Tensor forward(const at::Tensor& localInput);
  // localLogits / localLabels: this rank's voxel box. The same value on every rank.
  SegmentationLoss loss(const at::Tensor& localLogits, const at::Tensor& localLabels,
                        DiceTerms dice = DiceTerms::Classes);
  void allReduceGradients();

  Box3 voxelBox() const;  // this rank's part of the volume
  const SpatialSplit& split() const { return split_; }
  ViTSegmenter& model() { return model_; }

 private:
  ViTSegmenter model_;
  std::shared_ptr<ProcessGroup> group_;
  SpatialSplit split_;
  DecoderMode decoder_;
  at::Tensor globalOrder_;
};

// The loss of all ranks' voxels from this rank's logits and labels (see above).
SegmentationLoss distributedLoss(const std::shared_ptr<ProcessGroup>& group,
                                 const at::Tensor& localLogits, const at::Tensor& localLabels,
                                 DiceTerms dice = DiceTerms::Classes);

// Sums every parameter gradient of module over the group: all-reduces of packed buckets of
// <= 4 MiB, a larger gradient alone and in place (no flat copy of all of them).
void allReduceGradients(const std::shared_ptr<ProcessGroup>& group, torch::nn::Module& module);

}  // namespace seqseg
