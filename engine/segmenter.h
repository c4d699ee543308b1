#pragma once
// Whole-case inference with a trained model: normalise and crop, sliding windows over the case
// (the logits divided by the checkpoint's temperature, engine/calibration.h, before the softmax),
// argmax, back onto the input grid, then the checkpoint's post-processing. The model is loaded once
// and reused for every case.
#include <functional>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/checkpoint.h"
#include "engine/model_execution.h"
#include "engine/postprocess.h"
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

  // The same, keeping the class probabilities on the input's grid too (K of them, float32: the
  // softmax, flip-averaged under test-time flips, resampled back trilinearly; background certain
  // outside the brain's box). The labels are their argmax, then post-processed.
  struct Result {
    at::Tensor labels;
    InputGridProbabilities probabilities;
  };
  Result segmentWithProbabilities(const at::Tensor& image, const Spacing& spacing,
                                  const std::function<void(int64_t, int64_t)>& onWindow = {});

  // Test-time flips (engine/test_time_flips.h): off by default.
  void setTestTimeFlips(bool enabled) { testTimeFlips_ = enabled; }
  // The checkpoint's post-processing (engine/postprocess.h), on by default; off: raw argmax.
  void setPostprocessing(bool enabled) { postprocess_ = enabled; }
  const Postprocessing& postprocessing() const { return postprocessing_; }

  const ModelConfig& config() const { return model_->config(); }
  const Checkpoint& checkpoint() const { return checkpoint_; }

 private:
  Result run(const at::Tensor& image, const Spacing& spacing,
             const std::function<void(int64_t, int64_t)>& onWindow, bool keepProbabilities);

  Checkpoint checkpoint_;  // before model_: the constructor's loadModel fills it
  ViTSegmenter model_{nullptr};
  std::unique_ptr<ModelExecution> execution_;
  SlidingWindowOptions windows_;
  Spacing modelSpacing_{};         // zeros: the model takes any spacing as it comes
  Postprocessing postprocessing_;  // from the checkpoint's meta; none for older checkpoints
  bool postprocess_ = true;
  bool testTimeFlips_ = false;
};

}  // namespace seqseg
