#pragma once
// The shape of a ViT segmenter: what a preset or a config JSON file holds.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace seqseg {

// Axes follow the tensor layout [N, C, A0, A1, A2] (A2 fastest).
struct ModelConfig {
  int64_t in_channels = 4;
  int64_t num_classes = 4;
  std::array<int64_t, 3> roi{64, 64, 64};  // training / sliding-window input size in voxels
  std::array<int64_t, 3> patch{8, 8, 8};   // each a power of two (1 allowed)
  int64_t embed_dim = 96;
  int64_t depth = 4;
  int64_t num_heads = 4;
  double mlp_ratio = 4.0;
  bool qkv_bias = true;
  // Channels after the first 3x3x3 conv, then after each x2 upsampling stage. There are
  // upsampleStages() stages, so this has upsampleStages() + 1 entries.
  std::vector<int64_t> decoder_channels{64, 32, 16, 16};
  // Channels of the voxel skip: a per-voxel MLP on the input image whose output joins the last
  // upsampling stage before its 3x3x3 conv, so that structures thinner than a patch (a 1-2 mm
  // enhancing rim under 8 mm tokens) are drawn from the image, not only from the tokens. 0: none
  // (the key is then left out of the JSON, as in configs written before it existed).
  int64_t voxel_skip_channels = 0;

  std::array<int64_t, 3> grid() const;  // patches per axis at the ROI
  int64_t tokens() const;               // grid()[0] * grid()[1] * grid()[2]
  int64_t headDim() const { return embed_dim / num_heads; }
  int64_t mlpHidden() const;
  // log2 of the largest patch side: an axis with a smaller patch stops doubling earlier.
  int upsampleStages() const;

  // Throws std::invalid_argument with a one-line message naming the first bad key.
  void validate() const;

  // Missing keys are an error (a config file states the whole model); unknown keys too.
  static ModelConfig fromJson(const nlohmann::json& json);
  nlohmann::json toJson() const;
};

bool operator==(const ModelConfig& a, const ModelConfig& b);
inline bool operator!=(const ModelConfig& a, const ModelConfig& b) {
  return !(a == b);
}

// The first field (in the order of a config file) in which two configs differ, with its value
// in each as JSON text; field is empty when they describe the same model.
struct ConfigDifference {
  std::string field, first, second;
};
ConfigDifference firstDifference(const ModelConfig& first, const ModelConfig& second);

// Whether grown is base (which has no voxel skip) with a voxel skip added: a model that can
// start from base's weights, its skip at zero.
bool addsOnlyVoxelSkip(const ModelConfig& base, const ModelConfig& grown);

// Reads and validates a config JSON file. Errors name the file.
ModelConfig loadModelConfigFile(const std::string& path);
void saveModelConfigFile(const ModelConfig& config, const std::string& path);

// Names of the presets (file stems of *.json) in presetsDir, sorted.
std::vector<std::string> listPresets(const std::string& presetsDir);

// A preset name (looked up as presetsDir/NAME.json) or a path to a JSON file: anything that
// contains a '/' or ends in ".json" is a path.
ModelConfig loadModelConfig(const std::string& presetOrPath, const std::string& presetsDir);

}  // namespace seqseg
