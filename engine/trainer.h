#pragma once
// Training of a ViT segmenter: soft Dice + cross-entropy, AdamW, linear warm-up then cosine
// decay, gradient clipping, ROI crops biased towards tumour, flips and intensity scale/shift,
// validation Dice per region every k epochs with the post-processing it favours
// (engine/postprocess.h, stored in the checkpoints), checkpoints `last.pt` and `best.pt`, a metrics
// log, and a resume that continues the same loss curve. Seeded and deterministic on CPU.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/model_execution.h"
#include "engine/preprocessing.h"
#include "jobs/progress.h"
#include "types/model_config.h"
#include "types/training_schedule.h"

namespace seqseg {

struct TrainingCase {
  std::string id;
  at::Tensor image;   // [C, A0, A1, A2] prepared (engine/preprocessing.h), every side >= roi
  at::Tensor labels;  // [A0, A1, A2] internal classes (int64), same grid
};

// The schedule (types/training_schedule.h) and what only the engine needs to run it.
struct TrainingOptions : TrainingSchedule {
  double warmupFraction = 0.05;  // of all steps
  double gradientClip = 1.0;
  double foregroundCropFraction = 0.67;  // crops centred on a tumour voxel
  Spacing
      targetSpacing{};  // mm along A0, A1, A2 the cases were resampled to (stored in checkpoints)
  // Cases made on the fly (domain randomisation): generateCase(n) returns the n-th generated
  // case, prepared like the others, the same for the same n. When set, every step makes a new
  // one: the batch's first crop comes from it, each other crop from one of the last
  // `generatedPool` generated cases or, with probability `fileCaseFraction`, from `training`
  // (which may then be empty).
  std::function<TrainingCase(int64_t)> generateCase;
  // How the model runs (default: on this process). With a sequence-parallel execution every rank
  // calls train() with the same cases and options; only the rank whose execution writesOutputs()
  // writes the run folder and emits progress.
  ExecutionFactory execution;
};

// Runs (or resumes) training; returns the best mean validation Dice (WT, TC, ET).
// Writes RUN_DIR/last.pt, best.pt, config.json and metrics.jsonl (one JSON line per step and
// per validation). Throws InputError for an unusable run folder or checkpoint.
// Fine-tuning: with options.initModel the weights come from that checkpoint (every rank reads
// it; `config` must be its config) instead of the seed's random initialisation; the optimiser and
// the learning-rate schedule start fresh. With options.freezeEncoder only the decoder trains.
// The checkpoints' meta records both ("init_model", "init_sha256", "freeze_encoder").
// Calibration: every validation fits a temperature (engine/calibration.h) on the validation
// cases' window logits; the checkpoints written at its step carry it in their meta
// ("temperature", "temperature_fit") and its metrics line reports it. With options.epochs 0 (and
// an initModel and validation cases, no resume) nothing is trained: best.pt and last.pt are the
// init model, its meta kept, with the temperature and the post-processing fitted on the
// validation cases.
// Pause: when the file RUN_DIR/pause (jobs/run_folder.h) appears, every rank stops after the step
// it is in, last.pt records that step, the file is removed and the done event's status is
// "paused"; a resume continues from that step on the same loss curve.

double train(const ModelConfig& config, const std::vector<TrainingCase>& training,
             const std::vector<TrainingCase>& validation, const TrainingOptions& options,
             ProgressSink& progress);

// Throws InputError naming the run folder and both models when options.resume asks to continue
// a run (its last.pt) that was started from another model than options.initModel (another
// SHA-256, or random weights on one side), or with the other freezeEncoder. Nothing to check
// without a last.pt (train() refuses that resume itself). train() checks it too; a command line
// checks it before it starts ranks or a remote job.
void checkResumeMatchesStart(const TrainingSchedule& options);

// Prepares a case for training: the image cropped, normalised, resampled from `spacing` to
// `target` and padded for `config`; its labels [A0, A1, A2] the same way (nearest neighbour).
TrainingCase prepareTrainingCase(const std::string& id, const at::Tensor& image,
                                 const at::Tensor& labels, const ModelConfig& config,
                                 const Spacing& spacing, const Spacing& target);

}  // namespace seqseg
