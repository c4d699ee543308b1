#pragma once
// ViT encoder + 3D convolutional decoder for volumetric segmentation (docs/architecture.md, "The
// parallel method").
//
// Input [N, in_channels, A0, A1, A2] with every side divisible by the patch; output logits
// [N, num_classes, A0, A1, A2]. The input may be the whole volume or one part of it: a
// PatchWindow says where the part's patch grid sits in the global grid, so the position
// embedding is taken from the global patch coordinate and a rank holding a sub-volume gets
// exactly the rows the whole volume would have given its tokens.
//
// Decoder choices (both keep every decoder op spatially local except the 3x3x3 convs, so a
// split volume decodes exactly with a one-voxel halo exchange before each of those convs):
// - x2 upsampling is a transposed conv with kernel = stride = 2: each output voxel reads one
//   input voxel, unlike trilinear interpolation, which reads neighbours across split faces.
// - the decoder has no normalisation layers: Batch/Group/Instance norm statistics would span
//   the split volume, and a per-voxel LayerNorm over channels (tried) stalls training at the
//   class priors; conv + leaky ReLU alone trains quickly.
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "engine/attention.h"
#include "types/model_config.h"

namespace seqseg {

// Where a part's patch grid lies in the global patch grid. The part's own grid size comes from
// its input tensor. A default window (global all zero) means "the input is the whole volume".
struct PatchWindow {
  std::array<int64_t, 3> offset{0, 0, 0};
  std::array<int64_t, 3> global{0, 0, 0};

  bool isWhole() const { return global == std::array<int64_t, 3>{0, 0, 0}; }
};

// Multi-head self-attention whose attention step is delegated to an AttentionBackend.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int64_t embedDim, int64_t numHeads, bool qkvBias,
                    std::shared_ptr<AttentionBackend> backend);
  torch::Tensor forward(const torch::Tensor& tokens);  // [N, L, E] -> [N, L, E]
  void setBackend(std::shared_ptr<AttentionBackend> backend);
  const std::shared_ptr<AttentionBackend>& backend() const { return backend_; }

  torch::nn::Linear qkv{nullptr}, proj{nullptr};

 private:
  int64_t numHeads_;
  std::shared_ptr<AttentionBackend> backend_;
};
TORCH_MODULE(SelfAttention);

// Pre-norm transformer block.
class EncoderBlockImpl : public torch::nn::Module {
 public:
  EncoderBlockImpl(const ModelConfig& config, std::shared_ptr<AttentionBackend> backend);
  torch::Tensor forward(const torch::Tensor& tokens);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  SelfAttention attn{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(EncoderBlock);

// Patch-grid features [N, E, g0, g1, g2] -> logits [N, classes, g0*p0, g1*p1, g2*p2].
// Layers are public so that a distributed decoder (halo exchange) can run them itself.
// With a voxel skip (config.voxel_skip_channels), input is the image [N, in_channels, box] the
// grid was made from; without one it is not read.
class ConvDecoderImpl : public torch::nn::Module {
 public:
  explicit ConvDecoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& grid, const torch::Tensor& input = {});
  // x (the last stage's upsampled features) plus the voxel skip of input: 1x1x1 convs only, so
  // a rank's part needs no neighbours. x itself when the model has no skip.
  torch::Tensor voxelSkip(const torch::Tensor& input, const torch::Tensor& x);

  // Per stage, the upsampling factor on each axis (2 while that axis's patch is not yet undone).
  std::vector<std::array<int64_t, 3>> stageScales;
  torch::nn::Conv3d inputConv{nullptr};
  torch::nn::ModuleList upsamples, convs;  // one of each per stage
  torch::nn::Conv3d head{nullptr};
  torch::nn::Conv3d skipIn{nullptr}, skipOut{nullptr};  // null without a voxel skip
};
TORCH_MODULE(ConvDecoder);

class ViTSegmenterImpl : public torch::nn::Module {
 public:
  // backend: shared by all blocks; null means ChunkedAttention with default chunks.
  explicit ViTSegmenterImpl(const ModelConfig& config,
                            std::shared_ptr<AttentionBackend> backend = nullptr);

  torch::Tensor forward(const torch::Tensor& input, const PatchWindow& window = {});

  // The three stages of forward, for callers that distribute them.
  // Patch embedding + global position embedding: tokens [N, L, E], row-major over the local
  // patch grid with A2 fastest.
  torch::Tensor embed(const torch::Tensor& input, const PatchWindow& window = {});
  torch::Tensor encode(const torch::Tensor& tokens);  // blocks + final norm: [N, L, E]
  // tokens [N, L, E] of a local patch grid -> logits; input: the image of that grid, read only
  // by a model with a voxel skip.
  torch::Tensor decode(const torch::Tensor& tokens, const std::array<int64_t, 3>& localGrid,
                       const torch::Tensor& input = {});

  // Position-embedding rows [L, E] for a local grid placed by window. When the global grid
  // differs from the model's own grid (config.grid()), the learned table is resampled
  // trilinearly to the global grid first, so the model accepts other input sizes.
  torch::Tensor positionRows(const std::array<int64_t, 3>& localGrid, const PatchWindow& window);

  std::array<int64_t, 3> patchGrid(const torch::Tensor& input) const;  // validates input
  void setAttentionBackend(std::shared_ptr<AttentionBackend> backend);
  const std::shared_ptr<AttentionBackend>& attentionBackend() const { return backend_; }
  const ModelConfig& config() const { return config_; }
  // Recompute each encoder block in backward instead of keeping its activations
  // (engine/activation_checkpoint.h).
  void setActivationCheckpointing(bool on) { checkpointBlocks_ = on; }
  // Whether the encoder's parameters (isEncoderParameter) take gradients: off, only the decoder
  // trains (fine-tuning with a frozen encoder).
  void setEncoderTrainable(bool trainable);

  torch::nn::Conv3d patchEmbed{nullptr};
  torch::Tensor positionTable;  // [g0 * g1 * g2, E] for the model's own grid
  torch::nn::ModuleList blocks;
  torch::nn::LayerNorm norm{nullptr};
  ConvDecoder decoder{nullptr};

 private:
  ModelConfig config_;
  std::shared_ptr<AttentionBackend> backend_;
  bool checkpointBlocks_ = false;
};
TORCH_MODULE(ViTSegmenter);

// Whether a parameter of ViTSegmenter (by its name in named_parameters()) belongs to the encoder:
// the patch embedding, the position table, the transformer blocks and the final norm; the rest is
// the decoder ("decoder.").
bool isEncoderParameter(const std::string& name);

}  // namespace seqseg
