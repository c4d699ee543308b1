#pragma once
// Whole-case inference with a trained model: normalise and crop, sliding windows over the case,
// argmax, and back onto the input grid. The model is loaded once and reused for every case.
#include <functional>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/checkpoint.h"
#include "engine/model_execution.h"
#include "engine/preprocessing.h"
#include "engine/sliding_window.h"

namespace seqseg {

class Segmenter {
 public:
  // Loads a checkpoint (InputError naming the file when it cannot). `execution` runs the model
  // (default: on this process); with a sequence-parallel one, every rank of the group calls
  // segment() with the same case and gets the same labels.
  explicit Segmenter(const std::string& checkpointPath, SlidingWindowOptions windows = {},
                     const ExecutionFactory& execution = {});
  explicit Segmenter(ViTSegmenter model, SlidingWindowOptions windows = {},
                     const ExecutionFactory& execution = {});
  ~Segmenter();

  // image [C, A0, A1, A2] float (raw intensities) with voxel `spacing` in mm along A0, A1, A2
  // -> internal labels [A0, A1, A2] uint8. The case is resampled to the spacing the model was
  // trained at (checkpoint meta "spacing") and the labels come back on the input's grid.
  // onWindow(done, total) reports sliding-window progress.
  at::Tensor segment(const at::Tensor& image, const Spacing& spacing,
                     const std::function<void(int64_t, int64_t)>& onWindow = {});

  const ModelConfig& config() const { return model_->config(); }
  const Checkpoint& checkpoint() const { return checkpoint_; }

 private:
  Checkpoint checkpoint_;  // before model_: the constructor's loadModel fills it
  ViTSegmenter model_{nullptr};
  std::unique_ptr<ModelExecution> execution_;
  SlidingWindowOptions windows_;
  Spacing modelSpacing_{};  // zeros: the model takes any spacing as it comes
};

}  // namespace seqseg
