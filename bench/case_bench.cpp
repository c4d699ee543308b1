#include "bench/case_bench.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "engine/segmenter.h"
#include "engine/sliding_window.h"

namespace seqseg {

nlohmann::json benchCase(const ModelConfig& config, const c10::Device& device,
                         const ComputeOptions& compute, const std::array<int64_t, 3>& size,
                         int64_t windowBatch, int repeats, uint64_t seed) {
  torch::manual_seed(seed);
  ViTSegmenter model(config);
  model->eval();
  Segmenter segmenter(model, {0.5, windowBatch}, onDevice(nullptr, device, compute));
  // A brain-like case: a noisy ellipsoid of tissue in a zero background.
  const auto axis = [&](int a) { return at::linspace(-1.0, 1.0, size[a]); };
  const at::Tensor r2 = axis(0).pow(2).view({-1, 1, 1}) + axis(1).pow(2).view({1, -1, 1}) +
                        axis(2).pow(2).view({1, 1, -1});
  const at::Tensor brain = (r2 < 0.7).to(at::kFloat);
  const at::Tensor image =
      (at::rand({config.in_channels, size[0], size[1], size[2]}) + 0.5) * brain;
  const Spacing spacing{1.0, 1.0, 1.0};

  int64_t windows = 0;
  segmenter.segment(image, spacing, [&](int64_t, int64_t total) { windows = total; });
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const at::Tensor labels = segmenter.segment(image, spacing);
    synchronize(device);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return {{"mode", "case"},
          {"device", device.str()},
          {"bf16", compute.bf16 && device.is_cuda()},
          {"case_size", size},
          {"roi", config.roi},
          {"windows", windows},
          {"window_batch", windowBatch},
          {"case_seconds_median", seconds[seconds.size() / 2]},
          {"case_seconds_min", seconds.front()},
          {"repeats", repeats}};
}

}  // namespace seqseg
