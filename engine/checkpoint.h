#pragma once
// Model checkpoints: the config, the weights and (for resuming training) the optimiser and
// random-number state, as one pickled dict that Python's torch.load reads too:
//   {"format": "seqseg-checkpoint-1", "config": JSON text, "meta": JSON text,
//    "model": {name: tensor}, "optimizer": {name.exp_avg|exp_avg_sq|step: tensor},
//    "torch_rng": uint8 tensor}
// Files are written under a temporary name and renamed, so a killed run keeps the old one.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/vit_segmenter.h"
#include "types/model_config.h"

namespace torch::optim {
class AdamW;
}

namespace seqseg {

constexpr const char* kCheckpointFormat = "seqseg-checkpoint-1";

// Saves model (and optimiser, when given) with `meta` (epoch, step, scores, RNG text...).
void saveCheckpoint(const std::string& path, ViTSegmenter& model, const nlohmann::json& meta,
                    torch::optim::AdamW* optimizer = nullptr);

struct Checkpoint {
  ModelConfig config;
  nlohmann::json meta;
  // meta "temperature" (engine/calibration.h): what inference divides the logits by before the
  // softmax; 1 for a checkpoint that has none.
  double temperature = 1;
};

// Reads config and meta only. A temperature that is not a positive number is an InputError.
Checkpoint readCheckpointInfo(const std::string& path);

// Builds the model the checkpoint describes, with its weights. Errors (missing, corrupt, not a
// seqseg checkpoint) are InputErrors naming the file.
ViTSegmenter loadModel(const std::string& path, Checkpoint* info = nullptr);

// Loads the checkpoint's weights into an existing model (the start of a fine-tuning run). The model
// must have the checkpoint's config, or that config with a voxel skip added (addsOnlyVoxelSkip:
// the skip keeps its zero start, so the model begins as the checkpoint's): otherwise an
// InputError naming the file and the first field that differs. Returns the meta.
nlohmann::json restoreWeights(const std::string& path, ViTSegmenter& model);

// Restores weights into an existing model of the same config, and the optimiser state and the
// global LibTorch CPU generator when the checkpoint has them. Returns the meta.
nlohmann::json restoreTraining(const std::string& path, ViTSegmenter& model,
                               torch::optim::AdamW& optimizer);

}  // namespace seqseg
