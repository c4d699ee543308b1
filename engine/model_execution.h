#pragma once
// How a ViTSegmenter runs a batch: on this process alone, or split across the ranks of a
// sequence-parallel group (engine/parallel/parallel_execution.h). Training and inference call
// the model only through this interface, so the same loop runs with 1 or R ranks: every rank
// calls the same methods in the same order with the same whole-batch inputs, and every rank
// gets the same whole results back.
#include <functional>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/loss.h"
#include "engine/vit_segmenter.h"

namespace torch::optim {
class AdamW;
}

namespace seqseg {

// The AdamW of a training run, kept the way its execution needs: whole on one process, or with
// its state sharded over the ranks (engine/parallel/sharded_adamw.h).
class TrainingOptimizer {
 public:
  virtual ~TrainingOptimizer() = default;
  virtual void setLearningRate(double lr) = 0;
  virtual void zeroGrad() = 0;
  // After backward (and ModelExecution::reduceGradients): clips the global gradient norm to
  // maxNorm and updates the parameters, the same on every rank. Returns the norm before
  // clipping.
  virtual double step(double maxNorm) = 0;
  // The whole state as torch::optim::AdamW holds it, for saving or restoring a checkpoint.
  // Collective for a sharded optimiser: every rank calls it at the same point.
  virtual torch::optim::AdamW& checkpointState() = 0;
  // After a checkpoint was restored into checkpointState(): continue from it.
  virtual void restored() {}
};

class ModelExecution {
 public:
  explicit ModelExecution(ViTSegmenter model) : model_(std::move(model)) {}
  virtual ~ModelExecution() = default;
  ViTSegmenter& model() { return model_; }

  // windows [B, C, roi] -> logits [B, classes, roi] (every rank gets all of them).
  virtual at::Tensor logits(const at::Tensor& windows) = 0;
  // Forward of crops [B, C, roi] and the loss against labels [B, roi]; the same number on every
  // rank. Call backward() on total, then reduceGradients().
  virtual SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) = 0;
  // Makes every parameter gradient the whole batch's (a sum over ranks; nothing on one rank).
  // An optimiser from makeOptimizer() that reduces gradients itself makes this a no-op.
  virtual void reduceGradients() {}
  // AdamW over the model's trainable parameters (default: torch::optim::AdamW on this process).
  virtual std::unique_ptr<TrainingOptimizer> makeOptimizer(double lr, double weightDecay);
  // Only one rank writes files and reports progress.
  virtual bool writesOutputs() const { return true; }
  // True on every rank when `flag` is true on any (collective: every rank calls it), so that
  // ranks agree on when to stop.
  virtual bool anyRank(bool flag) { return flag; }
  // Which Dice loss() takes (engine/loss.h); set once before training.
  virtual void setDiceTerms(DiceTerms dice) { dice_ = dice; }

 protected:
  ViTSegmenter model_;
  DiceTerms dice_ = DiceTerms::Classes;
};

// The parameters that take gradients (all but a frozen encoder's), in named_parameters() order:
// what the optimisers update.
std::vector<at::Tensor> trainableParameters(ViTSegmenter& model);

// Builds the execution of a model (a job decides which kind once, the loops build it per model).
using ExecutionFactory = std::function<std::unique_ptr<ModelExecution>(ViTSegmenter)>;

// The whole model on this process.
std::unique_ptr<ModelExecution> localExecution(ViTSegmenter model);

// factory(model), or localExecution(model) when factory is empty.
std::unique_ptr<ModelExecution> makeExecution(const ExecutionFactory& factory, ViTSegmenter model);

}  // namespace seqseg
