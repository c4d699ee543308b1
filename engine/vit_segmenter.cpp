#include "engine/vit_segmenter.h"

#include <stdexcept>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/upsampling.h>
#include <torch/nn/init.h>

#include "engine/activation_checkpoint.h"
#include "engine/conv3d.h"

namespace seqseg {
namespace {

namespace F = torch::nn::functional;

std::string shapeText(const std::array<int64_t, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

// ViT initialisation: small normal weights, zero biases (LibTorch's Kaiming default for Linear
// makes deep pre-norm stacks start far from identity).
void initLinear(torch::nn::Linear& layer) {
  torch::nn::init::normal_(layer->weight, 0.0, 0.02);
  if (layer->bias.defined()) torch::nn::init::zeros_(layer->bias);
}

torch::nn::Conv3d conv3(int64_t in, int64_t out) {
  return torch::nn::Conv3d(torch::nn::Conv3dOptions(in, out, 3).padding(1));
}

}  // namespace

SelfAttentionImpl::SelfAttentionImpl(int64_t embedDim, int64_t numHeads, bool qkvBias,
                                     std::shared_ptr<AttentionBackend> backend)
    : numHeads_(numHeads), backend_(std::move(backend)) {
  qkv = register_module(
      "qkv", torch::nn::Linear(torch::nn::LinearOptions(embedDim, 3 * embedDim).bias(qkvBias)));
  proj = register_module("proj", torch::nn::Linear(embedDim, embedDim));
  initLinear(qkv);
  initLinear(proj);
}

void SelfAttentionImpl::setBackend(std::shared_ptr<AttentionBackend> backend) {
  backend_ = std::move(backend);
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& tokens) {
  const int64_t n = tokens.size(0), len = tokens.size(1), embed = tokens.size(2);
  const int64_t headDim = embed / numHeads_;
  // [N, L, 3E] -> [3, N, heads, L, head_dim]
  const torch::Tensor qkvHeads =
      qkv(tokens).view({n, len, 3, numHeads_, headDim}).permute({2, 0, 3, 1, 4});
  const torch::Tensor out = backend_->attend(qkvHeads[0].contiguous(), qkvHeads[1].contiguous(),
                                             qkvHeads[2].contiguous());
  return proj(out.transpose(1, 2).reshape({n, len, embed}));
}

EncoderBlockImpl::EncoderBlockImpl(const ModelConfig& config,
                                   std::shared_ptr<AttentionBackend> backend) {
  const int64_t e = config.embed_dim;
  norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({e})));
  attn = register_module("attn",
                         SelfAttention(e, config.num_heads, config.qkv_bias, std::move(backend)));
  norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({e})));
  fc1 = register_module("fc1", torch::nn::Linear(e, config.mlpHidden()));
  fc2 = register_module("fc2", torch::nn::Linear(config.mlpHidden(), e));
  initLinear(fc1);
  initLinear(fc2);
}

torch::Tensor EncoderBlockImpl::forward(const torch::Tensor& tokens) {
  const torch::Tensor x = tokens + attn(norm1(tokens));
  return x + fc2(F::gelu(fc1(norm2(x))));
}

ConvDecoderImpl::ConvDecoderImpl(const ModelConfig& config) {
  const auto& ch = config.decoder_channels;
  inputConv = register_module("input_conv", conv3(config.embed_dim, ch[0]));
  upsamples = register_module("upsamples", torch::nn::ModuleList());
  convs = register_module("convs", torch::nn::ModuleList());
  const int stages = config.upsampleStages();
  for (int s = 0; s < stages; ++s) {
    std::array<int64_t, 3> scale{};
    for (int a = 0; a < 3; ++a) scale[a] = (int64_t{1} << s) < config.patch[a] ? 2 : 1;
    stageScales.push_back(scale);
    const std::vector<int64_t> kernel(scale.begin(), scale.end());
    upsamples->push_back(torch::nn::ConvTranspose3d(
        torch::nn::ConvTranspose3dOptions(ch[s], ch[s + 1], kernel).stride(kernel)));
    convs->push_back(conv3(ch[s + 1], ch[s + 1]));
  }
  head = register_module(
      "head", torch::nn::Conv3d(torch::nn::Conv3dOptions(ch.back(), config.num_classes, 1)));
  if (config.voxel_skip_channels > 0) {
    const int64_t k = config.voxel_skip_channels;
    skipIn = register_module("voxel_skip_in",
                             torch::nn::Conv3d(torch::nn::Conv3dOptions(config.in_channels, k, 1)));
    skipOut = register_module("voxel_skip_out",
                              torch::nn::Conv3d(torch::nn::Conv3dOptions(k, ch.back(), 1)));
    // Zero: a model given a skip starts as the same model without one (fine-tuning from it).
    torch::NoGradGuard noGrad;
    skipOut->weight.zero_();
    skipOut->bias.zero_();
  }
}

torch::Tensor ConvDecoderImpl::voxelSkip(const torch::Tensor& input, const torch::Tensor& x) {
  if (!skipIn) return x;
  if (!input.defined())
    throw std::invalid_argument("decoder: a model with a voxel skip decodes with its input image");
  for (int a = 2; a < 5; ++a)
    if (input.size(a) != x.size(a))
      throw std::invalid_argument("decoder: the input image is not the size of the output");
  return x + skipOut(at::leaky_relu(skipIn(input), 0.01));
}

torch::Tensor ConvDecoderImpl::forward(const torch::Tensor& grid, const torch::Tensor& input) {
  const auto act = [](const torch::Tensor& t) { return at::leaky_relu(t, 0.01); };
  // The 3x3x3 convs (padding 1) through conv3dStride1: oneDNN at batch 1 too.
  const auto conv = [](const torch::nn::Conv3dImpl& layer, const torch::Tensor& t) {
    return conv3dStride1(t, layer.weight, layer.bias, 1);
  };
  torch::Tensor x = act(conv(*inputConv, grid));
  for (size_t s = 0; s < stageScales.size(); ++s) {
    x = upsamples[s]->as<torch::nn::ConvTranspose3d>()->forward(x);
    if (s + 1 == stageScales.size()) x = voxelSkip(input, x);
    x = act(conv(*convs[s]->as<torch::nn::Conv3d>(), x));
  }
  return head(x);
}

ViTSegmenterImpl::ViTSegmenterImpl(const ModelConfig& config,
                                   std::shared_ptr<AttentionBackend> backend)
    : config_(config),
      backend_(backend ? std::move(backend) : std::make_shared<ChunkedAttention>()) {
  config_.validate();
  const std::vector<int64_t> patch(config_.patch.begin(), config_.patch.end());
  patchEmbed = register_module(
      "patch_embed",
      torch::nn::Conv3d(
          torch::nn::Conv3dOptions(config_.in_channels, config_.embed_dim, patch).stride(patch)));
  positionTable =
      register_parameter("pos_embed", torch::randn({config_.tokens(), config_.embed_dim}) * 0.02);
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t i = 0; i < config_.depth; ++i) blocks->push_back(EncoderBlock(config_, backend_));
  norm = register_module("norm",
                         torch::nn::LayerNorm(torch::nn::LayerNormOptions({config_.embed_dim})));
  decoder = register_module("decoder", ConvDecoder(config_));
}

void ViTSegmenterImpl::setEncoderTrainable(bool trainable) {
  for (auto& item : named_parameters())
    if (isEncoderParameter(item.key())) item.value().requires_grad_(trainable);
}

bool isEncoderParameter(const std::string& name) {
  return name.rfind("decoder.", 0) != 0;
}

void ViTSegmenterImpl::setAttentionBackend(std::shared_ptr<AttentionBackend> backend) {
  if (!backend) throw std::invalid_argument("attention backend must not be null");
  backend_ = std::move(backend);
  for (auto& block : *blocks) block->as<EncoderBlock>()->attn->setBackend(backend_);
}

std::array<int64_t, 3> ViTSegmenterImpl::patchGrid(const torch::Tensor& input) const {
  if (input.dim() != 5)
    throw std::invalid_argument("model input must be [N, C, A0, A1, A2], got " +
                                std::to_string(input.dim()) + " dims");
  if (input.size(1) != config_.in_channels)
    throw std::invalid_argument("model input has " + std::to_string(input.size(1)) +
                                " channels, the model expects " +
                                std::to_string(config_.in_channels));
  std::array<int64_t, 3> grid{};
  for (int a = 0; a < 3; ++a) {
    const int64_t side = input.size(2 + a);
    if (side <= 0 || side % config_.patch[a] != 0)
      throw std::invalid_argument("model input axis A" + std::to_string(a) + " = " +
                                  std::to_string(side) + " is not a positive multiple of patch " +
                                  std::to_string(config_.patch[a]));
    grid[a] = side / config_.patch[a];
  }
  return grid;
}

torch::Tensor ViTSegmenterImpl::positionRows(const std::array<int64_t, 3>& localGrid,
                                             const PatchWindow& window) {
  const std::array<int64_t, 3> global = window.isWhole() ? localGrid : window.global;
  const std::array<int64_t, 3>& offset = window.offset;
  for (int a = 0; a < 3; ++a) {
    if (offset[a] < 0 || offset[a] + localGrid[a] > global[a])
      throw std::invalid_argument("patch window: local grid " + shapeText(localGrid) +
                                  " at offset " + shapeText(offset) +
                                  " does not fit the global grid " + shapeText(global));
  }
  torch::Tensor table = positionTable;
  const auto own = config_.grid();
  if (global != own) {
    const torch::Tensor volume = table.t().reshape({1, config_.embed_dim, own[0], own[1], own[2]});
    table = F::interpolate(volume, F::InterpolateFuncOptions()
                                       .size(std::vector<int64_t>(global.begin(), global.end()))
                                       .mode(torch::kTrilinear)
                                       .align_corners(false))
                .reshape({config_.embed_dim, -1})
                .t();
  }
  // Row-major global index of every local patch, A2 fastest.
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(table.device());
  const torch::Tensor i0 = torch::arange(offset[0], offset[0] + localGrid[0], opts);
  const torch::Tensor i1 = torch::arange(offset[1], offset[1] + localGrid[1], opts);
  const torch::Tensor i2 = torch::arange(offset[2], offset[2] + localGrid[2], opts);
  const torch::Tensor index =
      ((i0.view({-1, 1, 1}) * global[1] + i1.view({1, -1, 1})) * global[2] + i2.view({1, 1, -1}))
          .reshape({-1});
  return table.index_select(0, index);
}

torch::Tensor ViTSegmenterImpl::embed(const torch::Tensor& input, const PatchWindow& window) {
  const auto grid = patchGrid(input);
  // [N, E, g0, g1, g2] -> [N, g0*g1*g2, E]: flattening the contiguous grid is row-major.
  const torch::Tensor tokens = patchEmbed(input).flatten(2).transpose(1, 2);
  return tokens + positionRows(grid, window).unsqueeze(0);
}

torch::Tensor ViTSegmenterImpl::encode(const torch::Tensor& tokens) {
  torch::Tensor x = tokens;
  for (auto& block : *blocks) {
    EncoderBlockImpl* b = block->as<EncoderBlock>();
    x = checkpointBlocks_ ? checkpointed([b](const at::Tensor& t) { return b->forward(t); }, x)
                          : b->forward(x);
  }
  return norm(x);
}

torch::Tensor ViTSegmenterImpl::decode(const torch::Tensor& tokens,
                                       const std::array<int64_t, 3>& localGrid,
                                       const torch::Tensor& input) {
  const torch::Tensor grid = tokens.transpose(1, 2).reshape(
      {tokens.size(0), tokens.size(2), localGrid[0], localGrid[1], localGrid[2]});
  return decoder(grid, input);
}

torch::Tensor ViTSegmenterImpl::forward(const torch::Tensor& input, const PatchWindow& window) {
  const auto grid = patchGrid(input);
  return decode(encode(embed(input, window)), grid, input);
}

}  // namespace seqseg
