#pragma once
// Whole-volume prediction from a model that sees one ROI at a time: windows of the ROI size
// overlap, are run in batches, and their softmax outputs are blended with a Gaussian weight that
// trusts window centres more than their edges (as nnU-Net does).
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <ATen/core/Tensor.h>

namespace seqseg {

struct SlidingWindowOptions {
  double overlap = 0.5;  // fraction of the ROI shared by neighbouring windows
  int64_t batch = 2;     // windows per forward pass
};

// Window start positions along one axis of `size` voxels, evenly spread, first at 0 and last
// at size - roi. Requires size >= roi.
std::vector<int64_t> windowStarts(int64_t size, int64_t roi, double overlap);

// Gaussian importance map of the ROI size (sigma = roi / 8), maximum 1, no zeros.
at::Tensor gaussianWeights(const std::array<int64_t, 3>& roi);

// image [C, A0, A1, A2] (every side >= roi); logitsOf maps [B, C, r0, r1, r2] to
// [B, classes, r0, r1, r2]. Returns blended probabilities [classes, A0, A1, A2].
// onWindow(done, total) is called after each batch; onWindowLogits(logits [classes, r0, r1, r2],
// start [A0, A1, A2]) with each window's logits, in window order (what a temperature fit samples).
using WindowLogitsObserver = std::function<void(const at::Tensor&, const std::array<int64_t, 3>&)>;
at::Tensor slidingWindowProbabilities(const std::function<at::Tensor(const at::Tensor&)>& logitsOf,
                                      const at::Tensor& image, const std::array<int64_t, 3>& roi,
                                      const SlidingWindowOptions& options,
                                      const std::function<void(int64_t, int64_t)>& onWindow = {},
                                      const WindowLogitsObserver& onWindowLogits = {});

}  // namespace seqseg
