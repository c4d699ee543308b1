#pragma once
// seqseg-bench --mode case: one whole case end to end through the engine's Segmenter
// (normalise, crop, sliding windows with the model on the device, blend, argmax, uncrop).
#include <array>
#include <cstdint>

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include "engine/device.h"
#include "types/model_config.h"

namespace seqseg {

// A model of `config` with seeded random weights segments a synthetic four-channel case of
// `size` voxels (1 mm), once to warm up and then `repeats` times; returns the timing as JSON.
nlohmann::json benchCase(const ModelConfig& config, const c10::Device& device,
                         const ComputeOptions& compute, const std::array<int64_t, 3>& size,
                         int64_t windowBatch, int repeats, uint64_t seed);

}  // namespace seqseg
