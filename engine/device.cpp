#include "engine/device.h"

#include <stdexcept>

#include <ATen/ATen.h>
#include <ATen/Context.h>

#if SEQSEG_TORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

#include "engine/attention.h"
#include "engine/torch_compat.h"

namespace seqseg {
namespace {

// The host tensor in page-locked memory, so that the copy to the GPU can be asynchronous.
at::Tensor toDevice(const at::Tensor& host, const c10::Device& device) {
  if (host.device() == device) return host;
  if (!device.is_cuda()) return host.to(device);
  const at::Tensor pinned = host.is_pinned() ? host : host.contiguous().pin_memory();
  return pinned.to(device, /*non_blocking=*/true);
}

class DeviceExecution : public ModelExecution {
 public:
  DeviceExecution(ViTSegmenter model, std::unique_ptr<ModelExecution> inner, c10::Device device,
                  bool autocast)
      : ModelExecution(std::move(model)),
        inner_(std::move(inner)),
        device_(device),
        autocast_(autocast) {}

  at::Tensor logits(const at::Tensor& windows) override {
    compat::AutocastGuard guard(device_.type(), autocast_);
    return inner_->logits(toDevice(windows, device_)).to(at::kCPU, at::kFloat);
  }
  SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) override {
    compat::AutocastGuard guard(device_.type(), autocast_);
    return inner_->loss(toDevice(images, device_), toDevice(labels, device_));
  }
  void reduceGradients() override { inner_->reduceGradients(); }
  void setDiceTerms(DiceTerms dice) override { inner_->setDiceTerms(dice); }
  std::unique_ptr<TrainingOptimizer> makeOptimizer(double lr, double weightDecay) override {
    return inner_->makeOptimizer(lr, weightDecay);
  }
  bool writesOutputs() const override { return inner_->writesOutputs(); }

 private:
  std::unique_ptr<ModelExecution> inner_;
  c10::Device device_;
  bool autocast_;
};

}  // namespace

bool cudaAvailable() {
  return at::hasCUDA() && at::getNumGPUs() > 0;
}

c10::Device resolveDevice(const std::string& name, int localRank) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name != "cuda")
    throw std::invalid_argument("--device must be cpu or cuda, got '" + name + "'");
#if !SEQSEG_TORCH_HAS_CUDA
  throw std::invalid_argument(
      "--device cuda: this build's LibTorch " + compat::torchVersionText() +
      " has no CUDA (build with -DSEQSEG_TORCH=pip or against the GPU machine's PyTorch)");
#endif
  const int gpus = at::hasCUDA() ? static_cast<int>(at::getNumGPUs()) : 0;
  if (gpus == 0)
    throw std::invalid_argument("--device cuda: no CUDA device is visible on this machine");
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(localRank % gpus));
}

std::optional<double> peakDeviceMemoryMib(const c10::Device& device) {
#if SEQSEG_TORCH_HAS_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    const auto& peak =
        stats.allocated_bytes[static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE)];
    return static_cast<double>(peak.peak) / (1024.0 * 1024.0);
  }
#endif
  (void)device;
  return std::nullopt;
}

void resetPeakDeviceMemory(const c10::Device& device) {
#if SEQSEG_TORCH_HAS_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index());
#endif
  (void)device;
}

void synchronize(const c10::Device& device) {
#if SEQSEG_TORCH_HAS_CUDA
  if (device.is_cuda()) c10::cuda::device_synchronize();
#endif
  (void)device;
}

ExecutionFactory onDevice(ExecutionFactory inner, const c10::Device& device,
                          const ComputeOptions& options) {
  const bool autocast = device.is_cuda() && options.bf16;
  const bool checkpoint = options.checkpointActivations;
  return [inner, device, autocast, checkpoint](ViTSegmenter model) {
    model->to(device);
    model->setActivationCheckpointing(checkpoint);
    // Local attention: the fused kernel on CUDA (sequence-parallel executions set their own
    // backend, with ParallelSettings::fusedAttention).
    if (device.is_cuda() && compat::kHasFusedAttention)
      model->setAttentionBackend(std::make_shared<FusedAttention>());
    if (device.is_cpu() && !autocast) return makeExecution(inner, std::move(model));
    auto wrapped = makeExecution(inner, model);
    return std::unique_ptr<ModelExecution>(
        std::make_unique<DeviceExecution>(std::move(model), std::move(wrapped), device, autocast));
  };
}

}  // namespace seqseg
