#include "engine/sliding_window.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace seqseg {

std::vector<int64_t> windowStarts(int64_t size, int64_t roi, double overlap) {
  if (size < roi)
    throw std::invalid_argument("image side " + std::to_string(size) + " < ROI " +
                                std::to_string(roi));
  const double stride = std::max(1.0, roi * (1.0 - overlap));
  const int64_t steps = static_cast<int64_t>(std::ceil((size - roi) / stride)) + 1;
  std::vector<int64_t> starts;
  for (int64_t s = 0; s < steps; ++s)
    starts.push_back(steps == 1 ? 0
                                : static_cast<int64_t>(
                                      std::llround(double(s) * (size - roi) / double(steps - 1))));
  return starts;
}

at::Tensor gaussianWeights(const std::array<int64_t, 3>& roi) {
  std::array<at::Tensor, 3> profiles;
  for (int axis = 0; axis < 3; ++axis) {
    const double sigma = roi[axis] / 8.0, centre = (roi[axis] - 1) / 2.0;
    const at::Tensor x = at::arange(roi[axis], at::kDouble);
    std::vector<int64_t> shape{1, 1, 1};
    shape[axis] = roi[axis];
    profiles[axis] = at::exp(-(x - centre).pow(2) / (2 * sigma * sigma)).view(shape);
  }
  at::Tensor weights = (profiles[0] * profiles[1] * profiles[2]).to(at::kFloat);
  weights = weights / weights.max();
  // No zero weights: every voxel of the image must receive some prediction.
  const at::Tensor smallest = weights.masked_select(weights.gt(0)).min();
  return at::where(weights.gt(0), weights, smallest).contiguous();
}

at::Tensor slidingWindowProbabilities(const std::function<at::Tensor(const at::Tensor&)>& logitsOf,
                                      const at::Tensor& image, const std::array<int64_t, 3>& roi,
                                      const SlidingWindowOptions& options,
                                      const std::function<void(int64_t, int64_t)>& onWindow,
                                      const WindowLogitsObserver& onWindowLogits) {
  const std::array<int64_t, 3> size{image.size(1), image.size(2), image.size(3)};
  std::vector<std::array<int64_t, 3>> windows;
  for (int64_t a : windowStarts(size[0], roi[0], options.overlap))
    for (int64_t b : windowStarts(size[1], roi[1], options.overlap))
      for (int64_t c : windowStarts(size[2], roi[2], options.overlap)) windows.push_back({a, b, c});

  const at::Tensor weights = gaussianWeights(roi).to(image.device());
  at::Tensor sum,
      weightSum = at::zeros({size[0], size[1], size[2]}, image.options().dtype(at::kFloat));
  const int64_t total = static_cast<int64_t>(windows.size());
  for (int64_t first = 0; first < total; first += options.batch) {
    const int64_t last = std::min(total, first + options.batch);
    std::vector<at::Tensor> crops;
    for (int64_t w = first; w < last; ++w) {
      const auto& s = windows[w];
      crops.push_back(image.slice(1, s[0], s[0] + roi[0])
                          .slice(2, s[1], s[1] + roi[1])
                          .slice(3, s[2], s[2] + roi[2]));
    }
    const at::Tensor logits = logitsOf(at::stack(crops));
    if (onWindowLogits)
      for (int64_t w = first; w < last; ++w) onWindowLogits(logits[w - first], windows[w]);
    const at::Tensor probabilities = at::softmax(logits, 1).to(at::kFloat);
    if (!sum.defined())
      sum = at::zeros({probabilities.size(1), size[0], size[1], size[2]}, weightSum.options());
    for (int64_t w = first; w < last; ++w) {
      const auto& s = windows[w];
      auto region = [&](const at::Tensor& t, int64_t firstAxis) {
        return t.slice(firstAxis, s[0], s[0] + roi[0])
            .slice(firstAxis + 1, s[1], s[1] + roi[1])
            .slice(firstAxis + 2, s[2], s[2] + roi[2]);
      };
      region(sum, 1).add_(probabilities[w - first] * weights);
      region(weightSum, 0).add_(weights);
    }
    if (onWindow) onWindow(last, total);
  }
  return sum / weightSum;
}

}  // namespace seqseg
