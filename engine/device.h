#pragma once
// Where and how the model computes: the device (CPU or one CUDA GPU), bfloat16 autocast and
// activation checkpointing. A job resolves these once; ExecutionFactory wrappers apply them.
#include <optional>
#include <string>

#include <c10/core/Device.h>

#include "engine/model_execution.h"

namespace seqseg {

struct ComputeOptions {
  std::string device = "cpu";          // cpu or cuda
  bool bf16 = true;                    // autocast to bfloat16 on CUDA (weights stay float32)
  bool checkpointActivations = false;  // recompute encoder blocks in backward
};

// True when this LibTorch was built with CUDA and a CUDA device is visible.
bool cudaAvailable();

// "cpu" or "cuda"; for cuda, the GPU of this process's local rank (one rank per GPU, ranks
// beyond the GPU count share them round-robin). Throws std::invalid_argument, one line, when
// the name is unknown or CUDA is asked for and this build or machine has none.
c10::Device resolveDevice(const std::string& name, int localRank = 0);

// Peak memory the caching allocator handed out on a CUDA device since the last reset, in MiB;
// nullopt for the CPU. resetPeakDeviceMemory starts a new measurement.
std::optional<double> peakDeviceMemoryMib(const c10::Device& device);
void resetPeakDeviceMemory(const c10::Device& device);

// Waits for the device's queued work (a no-op on the CPU), for timing.
void synchronize(const c10::Device& device);

// Wraps the executions `inner` makes: the model moves to `device` (and, with
// checkpointActivations, recomputes its encoder blocks in backward); inputs go through pinned
// host memory with non-blocking copies; on CUDA the forward runs under bfloat16 autocast (when
// bf16) and the loss in float32; logits come back to the CPU as float32.
ExecutionFactory onDevice(ExecutionFactory inner, const c10::Device& device,
                          const ComputeOptions& options);

}  // namespace seqseg
