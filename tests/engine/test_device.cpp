// The GPU code paths, on the device SEQSEG_TEST_DEVICE names (default cpu; scripts/gpu-check
// sets cuda): bfloat16 autocast against float32, the fused attention kernels against chunked
// attention, activation checkpointing, a training step through the device execution, the NCCL
// group of one, and the one-line refusal of --device cuda where CUDA is absent.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "engine/attention.h"
#include "engine/checkpoint.h"
#include "engine/chunked_attention.h"
#include "engine/device.h"
#include "engine/torch_compat.h"
#include "engine/vit_segmenter.h"
#include "engine_test_env.h"
#include "types/model_config.h"

#ifdef SEQSEG_TEST_PARALLEL
#include "engine/parallel/nccl_process_group.h"
#endif

namespace seqseg {
namespace {

c10::Device testDevice() {
  const char* name = std::getenv("SEQSEG_TEST_DEVICE");
  return resolveDevice(name ? name : "cpu");
}

double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a.to(torch::kCPU, torch::kFloat) - b.to(torch::kCPU, torch::kFloat)).norm() /
          b.to(torch::kCPU, torch::kFloat).norm())
      .item<double>();
}

ModelConfig smallConfig() {
  ModelConfig config = loadModelConfig("tiny", test::presetsDir());
  config.roi = {16, 16, 16};
  config.depth = 2;
  return config;
}

TEST(Device, RefusesCudaInOneLineWhereAbsent) {
  if (cudaAvailable()) GTEST_SKIP() << "this machine has a CUDA device";
  try {
    resolveDevice("cuda");
    FAIL() << "--device cuda was accepted without CUDA";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("--device cuda: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_THROW(resolveDevice("tpu"), std::invalid_argument);
  EXPECT_TRUE(resolveDevice("cpu").is_cpu());
}

TEST(Device, Bf16LogitsAgreeWithFloat32) {
  const c10::Device device = testDevice();
  torch::manual_seed(3);
  ViTSegmenter model(smallConfig());
  model->to(device);
  model->eval();
  torch::NoGradGuard noGrad;
  const torch::Tensor input = torch::randn({1, 4, 16, 16, 16}).to(device);
  const torch::Tensor reference = model(input);
  torch::Tensor mixed;
  {
    compat::AutocastGuard autocast(device.type(), true);
    mixed = model(input);
  }
  EXPECT_EQ(reference.scalar_type(), torch::kFloat);
  EXPECT_EQ(mixed.scalar_type(), torch::kBFloat16);  // the autocast really ran
  // bfloat16 keeps 8 bits of mantissa: a few parts in a thousand per op.
  EXPECT_LT(relativeError(mixed, reference), 3e-2);
  EXPECT_GT(relativeError(mixed, reference), 0.0);
  // The weights stayed float32.
  for (const auto& p : model->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat);
}

TEST(Device, FusedAttentionMatchesChunked) {
  if (!compat::kHasFusedAttention) GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no SDPA";
  const c10::Device device = testDevice();
  torch::manual_seed(5);
  const auto make = [&] { return (2 * torch::randn({2, 3, 300, 64})).to(device).requires_grad_(); };
  const torch::Tensor q = make(), k = make(), v = make();
  const PartialAttention chunked = chunkedAttentionWithLse(q, k, v, {128, 96});
  const torch::Tensor fused = compat::fusedAttention(q, k, v);
  EXPECT_LT(relativeError(fused, chunked.out), 1e-4);
  // The log-sum-exp kernels (ring attention's blocks).
  const auto [out, lse] = compat::fusedAttentionWithLse(q.detach(), k.detach(), v.detach());
  EXPECT_LT(relativeError(out, chunked.out), 1e-4);
  EXPECT_LT(relativeError(lse, chunked.lse), 1e-5);
  // Gradients through the fused kernel equal the chunked backward.
  const torch::Tensor dOut = torch::randn_like(fused);
  const auto grads = torch::autograd::grad({fused}, {q, k, v}, {dOut});
  const auto expected = torch::autograd::grad({chunked.out}, {q, k, v}, {dOut});
  for (int i = 0; i < 3; ++i) EXPECT_LT(relativeError(grads[i], expected[i]), 1e-4) << i;
  if (device.is_cuda()) {  // the flash kernel, in bfloat16
    const auto [outBf16, lseBf16] = compat::fusedAttentionWithLse(q.detach().to(torch::kBFloat16),
                                                                  k.detach().to(torch::kBFloat16),
                                                                  v.detach().to(torch::kBFloat16));
    EXPECT_LT(relativeError(outBf16, chunked.out), 2e-2);
    EXPECT_LT(relativeError(lseBf16, chunked.lse), 1e-2);
  }
}

TEST(Device, CheckpointedBlocksGiveTheSameGradients) {
  const c10::Device device = testDevice();
  torch::manual_seed(7);
  ViTSegmenter model(smallConfig());
  model->to(device);
  const torch::Tensor input = torch::randn({1, 4, 16, 16, 16}).to(device);
  const auto gradients = [&](bool checkpoint) {
    model->setActivationCheckpointing(checkpoint);
    model->zero_grad();
    model(input).square().mean().backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return grads;
  };
  const auto plain = gradients(false);
  const auto recomputed = gradients(true);
  ASSERT_EQ(plain.size(), recomputed.size());
  for (size_t i = 0; i < plain.size(); ++i)
    EXPECT_LT(relativeError(recomputed[i], plain[i]), 1e-5) << "parameter " << i;
}

TEST(Device, TrainingStepsLowerTheLoss) {
  const c10::Device device = testDevice();
  torch::manual_seed(11);
  ComputeOptions compute;
  compute.checkpointActivations = true;
  auto execution = onDevice(nullptr, device, compute)(ViTSegmenter(smallConfig()));
  auto optimizer = execution->makeOptimizer(3e-3, 0.0);
  const torch::Tensor images = torch::randn({2, 4, 16, 16, 16});
  const torch::Tensor labels =
      (images.select(1, 0) > 0.5).to(torch::kLong) + (images.select(1, 1) > 1.0).to(torch::kLong);
  std::vector<double> losses;
  for (int step = 0; step < 8; ++step) {
    optimizer->zeroGrad();
    const SegmentationLoss loss = execution->loss(images, labels);
    EXPECT_EQ(loss.total.device(), device);
    EXPECT_EQ(loss.total.scalar_type(), torch::kFloat);
    loss.total.backward();
    execution->reduceGradients();
    optimizer->step(1.0);
    losses.push_back(loss.total.item<double>());
  }
  EXPECT_LT(losses.back(), losses.front() * 0.9);
  const torch::Tensor logits = execution->logits(images);
  EXPECT_TRUE(logits.device().is_cpu());
  EXPECT_EQ(logits.scalar_type(), torch::kFloat);
}

// Checkpoints across LibTorch versions (Debian's 1.13 and PyPI's 2.x): scripts/test-torch2
// writes one with each build (SEQSEG_CHECKPOINT_OUT) and loads it with the other
// (SEQSEG_CROSS_CHECKPOINT). The writer records its logits on a fixed input in the meta; the
// reader must reproduce them from the weights it loaded.
torch::Tensor fixedInput() {
  return torch::sin(torch::arange(4 * 16 * 16 * 16).to(torch::kFloat) * 0.37)
      .view({1, 4, 16, 16, 16});
}

TEST(Checkpoint, WritesForTheOtherBuild) {
  const char* path = std::getenv("SEQSEG_CHECKPOINT_OUT");
  if (!path) GTEST_SKIP() << "SEQSEG_CHECKPOINT_OUT not set";
  torch::manual_seed(21);
  ViTSegmenter model(smallConfig());
  model->eval();
  torch::Tensor logits;
  {
    torch::NoGradGuard noGrad;
    logits = model(fixedInput());
  }
  const torch::Tensor probe = logits.flatten().slice(0, 0, 64);
  nlohmann::json meta{{"torch", TORCH_VERSION},
                      {"probe", std::vector<float>(probe.data_ptr<float>(),
                                                   probe.data_ptr<float>() + probe.numel())}};
  saveCheckpoint(path, model, meta);
  ASSERT_EQ(readCheckpointInfo(path).meta.at("torch"), TORCH_VERSION);
}

TEST(Checkpoint, LoadsWhatTheOtherBuildWrote) {
  const char* path = std::getenv("SEQSEG_CROSS_CHECKPOINT");
  if (!path) GTEST_SKIP() << "SEQSEG_CROSS_CHECKPOINT not set";
  Checkpoint info;
  ViTSegmenter model = loadModel(path, &info);
  model->eval();
  std::cout << "checkpoint written by LibTorch " << info.meta.at("torch").get<std::string>()
            << ", read by " << TORCH_VERSION << "\n";
  const auto expected = info.meta.at("probe").get<std::vector<float>>();
  torch::NoGradGuard noGrad;
  const torch::Tensor probe = model(fixedInput()).flatten().slice(0, 0, 64);
  ASSERT_EQ(probe.numel(), static_cast<int64_t>(expected.size()));
  EXPECT_LT(relativeError(probe, torch::tensor(expected)), 1e-4);
}

#ifdef SEQSEG_TEST_PARALLEL
TEST(Device, NcclGroupOfOne) {
  if (!ncclAvailable()) GTEST_SKIP() << "this LibTorch has no NCCL";
  const c10::Device device = testDevice();
  if (!device.is_cuda()) GTEST_SKIP() << "NCCL needs SEQSEG_TEST_DEVICE=cuda";
  RankInfo single;
  const auto group = makeNcclProcessGroup(single, {}, device.index());
  torch::Tensor t = torch::arange(6, torch::TensorOptions().dtype(torch::kFloat).device(device));
  group->allReduceSum(t);
  EXPECT_TRUE(t.cpu().equal(torch::arange(6).to(torch::kFloat)));
  const torch::Tensor scattered = group->reduceScatterSum(t.view({3, 2}), {3});
  EXPECT_TRUE(scattered.cpu().equal(torch::arange(6).to(torch::kFloat).view({3, 2})));
  const torch::Tensor gathered = group->allGather(t.view({3, 2}), {3});
  EXPECT_EQ(gathered.sizes(), (std::vector<int64_t>{3, 2}));
  group->barrier();
}
#endif

}  // namespace
}  // namespace seqseg
