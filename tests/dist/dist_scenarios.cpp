#include "dist_scenarios.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "engine/loss.h"
#include "engine/parallel/distributed_attention.h"
#include "engine/parallel/distributed_decoder.h"
#include "engine/parallel/parallel_execution.h"
#include "engine/parallel/spatial_split.h"
#include "engine/torch_compat.h"

namespace seqseg::test {

ModelConfig distConfig() {
  ModelConfig c;
  c.in_channels = 4;
  c.num_classes = 4;
  c.roi = {16, 24, 32};
  c.patch = {4, 4, 4};
  c.embed_dim = 32;
  c.depth = 2;
  c.num_heads = 4;
  c.mlp_ratio = 2.0;
  c.decoder_channels = {16, 8, 8};
  c.voxel_skip_channels = 4;  // per voxel, so every decoder mode must hand it the right image
  return c;
}

ViTSegmenter distModel() {
  torch::manual_seed(1234);
  ViTSegmenter model(distConfig());
  // Non-zero biases, so that the zero padding at split faces (nogather) and any misplaced halo
  // layer show up, and encoder weights of variance 1 / fan_in: with the ViT init (std 0.02)
  // attention is nearly uniform and the encoder gradients are ~1e-6, below the tolerance's
  // absolute term, which would hide errors in dq, dk, dv. The voxel skip's output starts at zero
  // and is drawn too, so that an image part in the wrong place shows in the logits.
  torch::NoGradGuard noGrad;
  for (auto& p : model->named_parameters()) {
    const std::string& key = p.key();
    if (key == "decoder.voxel_skip_out.weight") p.value().normal_(0.0, 0.5);
    if (key.find("bias") != std::string::npos) p.value().uniform_(-0.1, 0.1);
    for (const char* linear : {"qkv.weight", "proj.weight", "fc1.weight", "fc2.weight"})
      if (key.find(linear) != std::string::npos)
        p.value().normal_(0.0, 1.0 / std::sqrt(static_cast<double>(p.value().size(1))));
  }
  return model;
}

DistInputs distInputs() {
  torch::manual_seed(99);
  const auto c = distConfig();
  DistInputs in;
  in.image = torch::randn({2, c.in_channels, c.roi[0], c.roi[1], c.roi[2]});
  in.labels = torch::randint(0, c.num_classes, {2, c.roi[0], c.roi[1], c.roi[2]}, torch::kLong);
  return in;
}

std::vector<Scenario> scenariosFor(int ranks) {
  const auto c = distConfig();
  std::vector<Scenario> out;
  for (const std::string split : {"slab0", "slab1", "slab2", "blocks"}) {
    try {
      SpatialSplit(c.grid(), ranks, parseSplitMethod(split));
    } catch (const std::invalid_argument&) {
      continue;  // this split does not fit this many ranks
    }
    for (const std::string attention : {"allgather", "ring", "ulysses"}) {
      if (attention == "ulysses" && c.num_heads % ranks != 0) continue;
      for (const std::string decoder : {"halo", "gather"})
        out.push_back({split, attention, decoder});
    }
    out.push_back({split, "allgather", "nogather"});
  }
  // The GPU paths on the CPU: activation checkpointing (collectives replayed in backward) and,
  // where LibTorch has it, the fused kernel within each rank and each ring block.
  out.push_back({"slab0", "ring+checkpoint", "halo"});
  if (compat::kHasFusedAttention) {
    for (const std::string attention : {"allgather+fused", "ring+fused"})
      out.push_back({"slab0", attention, "halo"});
    if (c.num_heads % ranks == 0) out.push_back({"slab0", "ulysses+fused", "halo"});
  }
  return out;
}

namespace {

std::vector<std::pair<std::string, at::Tensor>> gradsOf(ViTSegmenter& model) {
  std::vector<std::pair<std::string, at::Tensor>> grads;
  for (auto& p : model->named_parameters())
    grads.emplace_back(
        p.key(), p.value().grad().defined() ? p.value().grad().clone() : at::zeros_like(p.value()));
  return grads;
}

}  // namespace

Outcome referenceOutcome() {
  ViTSegmenter model = distModel();
  const DistInputs in = distInputs();
  Outcome out;
  out.logits = model->forward(in.image);
  const SegmentationLoss loss = segmentationLoss(out.logits, in.labels);
  (loss.total * kGradScale).backward();
  out.loss = loss.total.detach();
  out.logits = out.logits.detach();
  out.grads = gradsOf(model);
  return out;
}

Outcome runScenario(const std::shared_ptr<ProcessGroup>& group, const Scenario& scenario) {
  const auto config = distConfig();
  ViTSegmenter model = distModel();
  // "NAME+fused": LibTorch's fused kernel per rank / block; "NAME+checkpoint": recomputed blocks.
  const size_t plus = scenario.attention.find('+');
  const std::string attention = scenario.attention.substr(0, plus);
  const std::string variant = plus == std::string::npos ? "" : scenario.attention.substr(plus + 1);
  model->setAttentionBackend(
      makeSequenceParallelAttention(attention, group, config.num_heads, {}, variant == "fused"));
  model->setActivationCheckpointing(variant == "checkpoint");
  SpatialSplit split(config.grid(), group->size(), parseSplitMethod(scenario.split));
  SequenceParallelSegmenter parallel(model, group, split, parseDecoderMode(scenario.decoder));

  const DistInputs in = distInputs();
  const Box3 box = parallel.voxelBox();
  const at::Tensor logits = parallel.forward(takeBox(in.image, box).contiguous());
  const SegmentationLoss loss = parallel.loss(logits, takeBox(in.labels, box).contiguous());
  (loss.total * kGradScale).backward();
  parallel.allReduceGradients();

  Outcome out;
  out.logits = gatherParts(group, logits.detach(), split, config.patch);
  out.loss = loss.total.detach();
  out.grads = gradsOf(model);
  return out;
}

}  // namespace seqseg::test
