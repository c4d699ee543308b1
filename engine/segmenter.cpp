#include "engine/segmenter.h"

#include <torch/torch.h>

#include "engine/input_error.h"

namespace seqseg {

Segmenter::Segmenter(const std::string& checkpointPath, SlidingWindowOptions windows,
                     const ExecutionFactory& execution)
    : model_(loadModel(checkpointPath, &checkpoint_)), windows_(windows) {
  model_->eval();
  execution_ = makeExecution(execution, model_);
  if (checkpoint_.meta.contains("spacing"))
    modelSpacing_ = checkpoint_.meta["spacing"].get<Spacing>();
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
  const ModelConfig& config = model_->config();
  if (image.dim() != 4 || image.size(0) != config.in_channels)
    throw std::invalid_argument("the model expects " + std::to_string(config.in_channels) +
                                " channels, the case has " + std::to_string(image.size(0)));
  torch::NoGradGuard noGrad;
  const PreparedImage prepared =
      prepareImage(image, config.patch, config.roi, spacing, modelSpacing_);
  auto logitsOf = [this](const at::Tensor& batch) { return execution_->logits(batch); };
  const at::Tensor probabilities =
      slidingWindowProbabilities(logitsOf, prepared.image, config.roi, windows_, onWindow);
  return restoreLabels(probabilities, prepared);
}

}  // namespace seqseg
