#include "engine/segmenter.h"

#include <torch/torch.h>

#include "engine/calibration.h"
#include "engine/test_time_flips.h"
#include "types/input_error.h"

namespace seqseg {

Segmenter::Segmenter(const std::string& checkpointPath, SlidingWindowOptions windows,
                     const ExecutionFactory& execution)
    : model_(loadModel(checkpointPath, &checkpoint_)), windows_(windows) {
  model_->eval();
  execution_ = makeExecution(execution, model_);
  if (checkpoint_.meta.contains("spacing"))
    modelSpacing_ = checkpoint_.meta["spacing"].get<Spacing>();
  if (checkpoint_.meta.contains("postprocess"))
    postprocessing_ = postprocessingFromJson(checkpoint_.meta["postprocess"]);
}

Segmenter::Segmenter(ViTSegmenter model, SlidingWindowOptions windows,
                     const ExecutionFactory& execution)
    : model_(std::move(model)), windows_(windows) {
  checkpoint_.config = model_->config();
  model_->eval();
  execution_ = makeExecution(execution, model_);
}

Segmenter::~Segmenter() = default;

at::Tensor Segmenter::segment(const at::Tensor& image, const Spacing& spacing,
                              const std::function<void(int64_t, int64_t)>& onWindow) {
  return run(image, spacing, onWindow, false).labels;
}

Segmenter::Result Segmenter::segmentWithProbabilities(
    const at::Tensor& image, const Spacing& spacing,
    const std::function<void(int64_t, int64_t)>& onWindow) {
  return run(image, spacing, onWindow, true);
}

Segmenter::Result Segmenter::run(const at::Tensor& image, const Spacing& spacing,
                                 const std::function<void(int64_t, int64_t)>& onWindow,
                                 bool keepProbabilities) {
  const ModelConfig& config = model_->config();
  if (image.dim() != 4 || image.size(0) != config.in_channels)
    throw std::invalid_argument("the model expects " + std::to_string(config.in_channels) +
                                " channels, the case has " + std::to_string(image.size(0)));
  torch::NoGradGuard noGrad;
  const PreparedImage prepared =
      prepareImage(image, config.patch, config.roi, spacing, modelSpacing_);
  // The one place probabilities get their temperature: every softmax after this one (the sliding
  // window's, each flip's under test-time flips) sees logits / T, and the labels stay the argmax
  // of the probabilities. A window's softmax(z / T) has the argmax of z, so a case of one window
  // at the model's spacing keeps its labels. Averages of probability vectors need not: the mean
  // of the eight flips' softmaxes, the Gaussian blend of overlapping windows and the trilinear
  // resampling back can rank classes differently at another T where what they mix disagrees (a
  // few voxels at tumour borders).
  LogitsFunction logitsOf =
      withTemperature([this](const at::Tensor& batch) { return execution_->logits(batch); },
                      checkpoint_.temperature);
  if (testTimeFlips_) logitsOf = withTestTimeFlips(std::move(logitsOf));
  const at::Tensor probabilities =
      slidingWindowProbabilities(logitsOf, prepared.image, config.roi, windows_, onWindow);
  const at::Tensor restored = restoreCropProbabilities(probabilities, prepared);
  Result result;
  result.labels = labelsOnInputGrid(restored, prepared).contiguous();
  if (keepProbabilities) result.probabilities = probabilitiesOnInputGrid(restored, prepared);
  at::Tensor& labels = result.labels;
  if (!postprocess_ || !postprocessing_.any()) return result;
  const std::array<int64_t, 3> shape{labels.size(0), labels.size(1), labels.size(2)};
  std::vector<uint8_t> values(labels.data_ptr<uint8_t>(),
                              labels.data_ptr<uint8_t>() + labels.numel());
  applyPostprocessing(values, shape, {spacing[2], spacing[1], spacing[0]}, postprocessing_);
  std::copy(values.begin(), values.end(), labels.data_ptr<uint8_t>());
  return result;
}

}  // namespace seqseg
