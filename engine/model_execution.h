#pragma once
// How a ViTSegmenter runs a batch: on this process alone, or split across the ranks of a
// sequence-parallel group (engine/parallel/parallel_execution.h). Training and inference call
// the model only through this interface, so the same loop runs with 1 or R ranks: every rank
// calls the same methods in the same order with the same whole-batch inputs, and every rank
// gets the same whole results back.
#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>

#include "engine/loss.h"
#include "engine/vit_segmenter.h"

namespace seqseg {

class ModelExecution {
 public:
  virtual ~ModelExecution() = default;

  // windows [B, C, roi] -> logits [B, classes, roi] (every rank gets all of them).
  virtual at::Tensor logits(const at::Tensor& windows) = 0;
  // Forward of crops [B, C, roi] and the loss against labels [B, roi]; the same number on every
  // rank. Call backward() on total, then reduceGradients().
  virtual SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) = 0;
  // Makes every parameter gradient the whole batch's (a sum over ranks; nothing on one rank).
  virtual void reduceGradients() {}
  // Only one rank writes files and reports progress.
  virtual bool writesOutputs() const { return true; }
};

// Builds the execution of a model (a job decides which kind once, the loops build it per model).
using ExecutionFactory = std::function<std::unique_ptr<ModelExecution>(ViTSegmenter)>;

// The whole model on this process.
std::unique_ptr<ModelExecution> localExecution(ViTSegmenter model);

// factory(model), or localExecution(model) when factory is empty.
std::unique_ptr<ModelExecution> makeExecution(const ExecutionFactory& factory, ViTSegmenter model);

}  // namespace seqseg
