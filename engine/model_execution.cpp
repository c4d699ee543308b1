#include "engine/model_execution.h"

#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

namespace seqseg {
namespace {

class LocalAdamW : public TrainingOptimizer {
 public:
  LocalAdamW(const std::vector<at::Tensor>& parameters, double lr, double weightDecay)
      : adamw_(parameters, torch::optim::AdamWOptions(lr).weight_decay(weightDecay)) {}
  void setLearningRate(double lr) override {
    for (auto& group : adamw_.param_groups())
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
  void zeroGrad() override { adamw_.zero_grad(); }
  double step(double maxNorm) override {
    const double norm =
        torch::nn::utils::clip_grad_norm_(adamw_.param_groups()[0].params(), maxNorm);
    adamw_.step();
    return norm;
  }
  torch::optim::AdamW& checkpointState() override { return adamw_; }

 private:
  torch::optim::AdamW adamw_;
};

class LocalExecution : public ModelExecution {
 public:
  explicit LocalExecution(ViTSegmenter model) : ModelExecution(std::move(model)) {}
  at::Tensor logits(const at::Tensor& windows) override { return model_->forward(windows); }
  SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) override {
    return segmentationLoss(model_->forward(images), labels, dice_);
  }
};

}  // namespace

std::vector<at::Tensor> trainableParameters(ViTSegmenter& model) {
  std::vector<at::Tensor> trainable;
  for (const at::Tensor& parameter : model->parameters())
    if (parameter.requires_grad()) trainable.push_back(parameter);
  return trainable;
}

std::unique_ptr<TrainingOptimizer> ModelExecution::makeOptimizer(double lr, double weightDecay) {
  return std::make_unique<LocalAdamW>(trainableParameters(model_), lr, weightDecay);
}

std::unique_ptr<ModelExecution> localExecution(ViTSegmenter model) {
  return std::make_unique<LocalExecution>(std::move(model));
}

std::unique_ptr<ModelExecution> makeExecution(const ExecutionFactory& factory, ViTSegmenter model) {
  return factory ? factory(std::move(model)) : localExecution(std::move(model));
}

}  // namespace seqseg
