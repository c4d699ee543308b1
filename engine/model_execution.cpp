#include "engine/model_execution.h"

namespace seqseg {
namespace {

class LocalExecution : public ModelExecution {
 public:
  explicit LocalExecution(ViTSegmenter model) : model_(std::move(model)) {}
  at::Tensor logits(const at::Tensor& windows) override { return model_->forward(windows); }
  SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) override {
    return segmentationLoss(model_->forward(images), labels);
  }

 private:
  ViTSegmenter model_;
};

}  // namespace

std::unique_ptr<ModelExecution> localExecution(ViTSegmenter model) {
  return std::make_unique<LocalExecution>(std::move(model));
}

std::unique_ptr<ModelExecution> makeExecution(const ExecutionFactory& factory, ViTSegmenter model) {
  return factory ? factory(std::move(model)) : localExecution(std::move(model));
}

}  // namespace seqseg
