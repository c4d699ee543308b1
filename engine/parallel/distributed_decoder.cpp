#include "engine/parallel/distributed_decoder.h"

#include "jobs/parallel_rules.h"

#include <stdexcept>

#include <ATen/ATen.h>

#include "engine/conv3d.h"
#include "engine/parallel/comm_autograd.h"
#include "engine/parallel/parallel_execution.h"

namespace seqseg {
namespace {

at::Tensor leaky(const at::Tensor& t) {
  return at::leaky_relu(t, 0.01);
}

// A 3x3x3, padding-1 conv (as ConvDecoderImpl builds them) of the local block with its neighbours'
// face layers in the padding.
at::Tensor haloConv(const torch::nn::Conv3d& conv, at::Tensor x,
                    const std::shared_ptr<ProcessGroup>& group, const SpatialSplit& split) {
  const auto& o = conv->options;
  for (int a = 0; a < 3; ++a)
    if ((*o.kernel_size())[a] != 3 || (*o.stride())[a] != 1 || (*o.dilation())[a] != 1)
      throw std::invalid_argument("halo decoder: expects 3x3x3 convs with stride 1");
  const int rank = group->rank();
  for (int a = 0; a < 3; ++a)
    x = haloExchange(group, x, a, split.neighbour(rank, a, -1), split.neighbour(rank, a, +1));
  return conv3dStride1(x, conv->weight, conv->bias, 0);  // the halo is the padding
}

}  // namespace

DecoderMode parseDecoderMode(const std::string& name) {
  checkDecoderName(name);
  return name == "gather" ? DecoderMode::Gather
         : name == "halo" ? DecoderMode::Halo
                          : DecoderMode::NoGather;
}

std::string decoderModeName(DecoderMode mode) {
  switch (mode) {
    case DecoderMode::Gather:
      return "gather";
    case DecoderMode::Halo:
      return "halo";
    case DecoderMode::NoGather:
      return "nogather";
  }
  return "?";
}

at::Tensor haloDecode(ConvDecoderImpl& decoder, const at::Tensor& grid,
                      const std::shared_ptr<ProcessGroup>& group, const SpatialSplit& split,
                      const at::Tensor& localInput) {
  at::Tensor x = leaky(haloConv(decoder.inputConv, grid, group, split));
  for (size_t s = 0; s < decoder.stageScales.size(); ++s) {
    x = decoder.upsamples[s]->as<torch::nn::ConvTranspose3d>()->forward(x);
    if (s + 1 == decoder.stageScales.size()) x = decoder.voxelSkip(localInput, x);
    const auto conv = std::dynamic_pointer_cast<torch::nn::Conv3dImpl>(decoder.convs[s]);
    x = leaky(haloConv(torch::nn::Conv3d(conv), x, group, split));
  }
  return decoder.head(x);
}

SequenceParallelSegmenter::SequenceParallelSegmenter(ViTSegmenter model,
                                                     std::shared_ptr<ProcessGroup> group,
                                                     SpatialSplit split, DecoderMode decoder)
    : model_(std::move(model)),
      group_(std::move(group)),
      split_(std::move(split)),
      decoder_(decoder) {
  if (split_.ranks() != group_->size())
    throw std::invalid_argument("sequence parallel: split for " + std::to_string(split_.ranks()) +
                                " ranks, group of " + std::to_string(group_->size()));
  if (decoder_ == DecoderMode::Gather) globalOrder_ = split_.globalOrder();
}

Box3 SequenceParallelSegmenter::voxelBox() const {
  return split_.voxelBox(group_->rank(), model_->config().patch);
}

at::Tensor SequenceParallelSegmenter::forward(const at::Tensor& localInput) {
  const int rank = group_->rank();
  const Box3 patches = split_.patchBox(rank);
  if (model_->patchGrid(localInput) != patches.extent)
    throw std::invalid_argument("sequence parallel: this rank's input does not match its part");
  const at::Tensor tokens = model_->encode(model_->embed(localInput, split_.window(rank)));
  switch (decoder_) {
    case DecoderMode::NoGather:
      return model_->decode(tokens, patches.extent, localInput);
    case DecoderMode::Halo: {
      const at::Tensor grid =
          tokens.transpose(1, 2).reshape({tokens.size(0), tokens.size(2), patches.extent[0],
                                          patches.extent[1], patches.extent[2]});
      return haloDecode(*model_->decoder, grid, group_, split_, localInput);
    }
    case DecoderMode::Gather: {
      const at::Tensor all = gatherFromSequenceParallel(group_, tokens, 1, split_.tokenCounts());
      const at::Tensor ordered =
          group_->size() == 1 ? all : all.index_select(1, globalOrder_.to(all.device()));
      // A voxel skip reads the whole image (the image takes no gradient: a plain gather).
      const at::Tensor input =
          model_->config().voxel_skip_channels > 0
              ? gatherParts(group_, localInput.detach(), split_, model_->config().patch)
              : at::Tensor();
      return takeBox(model_->decode(ordered, split_.grid(), input), voxelBox());
    }
  }
  throw std::logic_error("unknown decoder mode");
}

SegmentationLoss SequenceParallelSegmenter::loss(const at::Tensor& localLogits,
                                                 const at::Tensor& localLabels, DiceTerms dice) {
  return distributedLoss(group_, localLogits, localLabels, dice);
}

void SequenceParallelSegmenter::allReduceGradients() {
  seqseg::allReduceGradients(group_, *model_);
}

SegmentationLoss distributedLoss(const std::shared_ptr<ProcessGroup>& group,
                                 const at::Tensor& localLogits, const at::Tensor& localLabels,
                                 DiceTerms dice) {
  LossTerms terms = lossTerms(localLogits, localLabels, dice);
  if (group->size() == 1) return lossFromTerms(terms);
  const int64_t nc = terms.intersection.numel();
  // One all-reduce for the three float sums.
  const at::Tensor packed = at::cat({terms.intersection.reshape({-1}),
                                     terms.cardinality.reshape({-1}), terms.ceSum.reshape({1})});
  const at::Tensor sums = allReduceReplicatedSum(group, packed);
  LossTerms global;
  global.intersection = sums.narrow(0, 0, nc).view(terms.intersection.sizes());
  global.cardinality = sums.narrow(0, nc, nc).view(terms.cardinality.sizes());
  global.ceSum = sums.narrow(0, 2 * nc, 1).squeeze(0);
  at::Tensor voxels = at::full({1}, terms.voxels, at::TensorOptions().dtype(at::kLong));
  group->allReduceSum(voxels);
  global.voxels = voxels.item<int64_t>();
  return lossFromTerms(global);
}

void allReduceGradients(const std::shared_ptr<ProcessGroup>& group, torch::nn::Module& module) {
  if (group->size() == 1) return;
  // A parameter without a gradient on this rank gets zeros, so that every rank reduces the
  // same layout.
  std::vector<at::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
    grads.push_back(p.grad());
  }
  // Buckets of at most kBucket elements (4 MiB), so that no flat copy of every gradient exists:
  // a bucket holding one contiguous gradient is reduced in place, small ones are packed.
  constexpr int64_t kBucket = int64_t{1} << 20;
  std::vector<at::Tensor> bucket;
  int64_t bucketNumel = 0;
  const auto flush = [&] {
    if (bucket.size() == 1 && bucket[0].is_contiguous()) {
      group->allReduceSum(bucket[0]);
    } else if (!bucket.empty()) {
      std::vector<at::Tensor> flat;
      for (const auto& g : bucket) flat.push_back(g.reshape({-1}));
      at::Tensor buffer = at::cat(flat);
      group->allReduceSum(buffer);
      int64_t at = 0;
      for (auto& g : bucket) {
        g.copy_(buffer.narrow(0, at, g.numel()).view_as(g));
        at += g.numel();
      }
    }
    bucket.clear();
    bucketNumel = 0;
  };
  for (auto& g : grads) {
    if (bucketNumel > 0 && bucketNumel + g.numel() > kBucket) flush();
    bucket.push_back(g);
    bucketNumel += g.numel();
  }
  flush();
}

}  // namespace seqseg
