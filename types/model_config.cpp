#include "types/model_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kAxes[3] = {"[0]", "[1]", "[2]"};

[[noreturn]] void fail(const std::string& message) {
  throw std::invalid_argument("model config: " + message);
}

bool isPowerOfTwo(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

int log2Exact(int64_t v) {
  int n = 0;
  while (v > 1) {
    v >>= 1;
    ++n;
  }
  return n;
}

const json& require(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) fail(std::string("missing key '") + key + "'");
  return *it;
}

int64_t readInt(const json& j, const char* key) {
  const json& v = require(j, key);
  if (!v.is_number_integer()) fail(std::string("'") + key + "' must be an integer");
  return v.get<int64_t>();
}

std::array<int64_t, 3> readTriple(const json& j, const char* key) {
  const json& v = require(j, key);
  // A single integer means the same value on all three axes.
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    return {x, x, x};
  }
  if (!v.is_array() || v.size() != 3 ||
      !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); }))
    fail(std::string("'") + key + "' must be an integer or a list of 3 integers");
  return {v[0].get<int64_t>(), v[1].get<int64_t>(), v[2].get<int64_t>()};
}

void requirePositive(int64_t v, const std::string& name) {
  if (v <= 0) fail(name + " = " + std::to_string(v) + " must be positive");
}

}  // namespace

std::array<int64_t, 3> ModelConfig::grid() const {
  return {roi[0] / patch[0], roi[1] / patch[1], roi[2] / patch[2]};
}

int64_t ModelConfig::tokens() const {
  const auto g = grid();
  return g[0] * g[1] * g[2];
}

int64_t ModelConfig::mlpHidden() const {
  return static_cast<int64_t>(static_cast<double>(embed_dim) * mlp_ratio + 0.5);
}

int ModelConfig::upsampleStages() const {
  return log2Exact(*std::max_element(patch.begin(), patch.end()));
}

void ModelConfig::validate() const {
  requirePositive(in_channels, "in_channels");
  requirePositive(num_classes, "num_classes");
  for (int a = 0; a < 3; ++a) {
    requirePositive(roi[a], std::string("roi") + kAxes[a]);
    requirePositive(patch[a], std::string("patch") + kAxes[a]);
    if (!isPowerOfTwo(patch[a]))
      fail("patch" + std::string(kAxes[a]) + " = " + std::to_string(patch[a]) +
           " is not a power of two");
    if (roi[a] % patch[a] != 0)
      fail("roi" + std::string(kAxes[a]) + " = " + std::to_string(roi[a]) +
           " is not divisible by patch" + kAxes[a] + " = " + std::to_string(patch[a]));
  }
  requirePositive(embed_dim, "embed_dim");
  requirePositive(depth, "depth");
  requirePositive(num_heads, "num_heads");
  if (embed_dim % num_heads != 0)
    fail("embed_dim = " + std::to_string(embed_dim) +
         " is not divisible by num_heads = " + std::to_string(num_heads));
  if (!(mlp_ratio > 0.0)) fail("mlp_ratio = " + std::to_string(mlp_ratio) + " must be positive");
  if (mlpHidden() < 1) fail("mlp_ratio = " + std::to_string(mlp_ratio) + " gives no MLP units");
  const size_t wanted = static_cast<size_t>(upsampleStages()) + 1;
  if (decoder_channels.size() != wanted)
    fail("decoder_channels has " + std::to_string(decoder_channels.size()) + " entries, needs " +
         std::to_string(wanted) + " (one for the first conv + one per x2 upsampling stage, " +
         "log2(max patch) = " + std::to_string(wanted - 1) + ")");
  for (size_t i = 0; i < decoder_channels.size(); ++i)
    requirePositive(decoder_channels[i], "decoder_channels[" + std::to_string(i) + "]");
  if (voxel_skip_channels < 0)
    fail("voxel_skip_channels = " + std::to_string(voxel_skip_channels) + " must be 0 or more");
}

ModelConfig ModelConfig::fromJson(const json& j) {
  if (!j.is_object()) fail("expected a JSON object");
  static const char* kKnown[] = {"in_channels",
                                 "num_classes",
                                 "roi",
                                 "patch",
                                 "embed_dim",
                                 "depth",
                                 "num_heads",
                                 "mlp_ratio",
                                 "qkv_bias",
                                 "decoder_channels",
                                 "name",
                                 "description",
                                 "voxel_skip_channels"};
  for (const auto& item : j.items()) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return item.key() == k; }) == std::end(kKnown))
      fail("unknown key '" + item.key() + "'");
  }
  ModelConfig c;
  c.in_channels = readInt(j, "in_channels");
  c.num_classes = readInt(j, "num_classes");
  c.roi = readTriple(j, "roi");
  c.patch = readTriple(j, "patch");
  c.embed_dim = readInt(j, "embed_dim");
  c.depth = readInt(j, "depth");
  c.num_heads = readInt(j, "num_heads");
  const json& ratio = require(j, "mlp_ratio");
  if (!ratio.is_number()) fail("'mlp_ratio' must be a number");
  c.mlp_ratio = ratio.get<double>();
  const json& bias = require(j, "qkv_bias");
  if (!bias.is_boolean()) fail("'qkv_bias' must be true or false");
  c.qkv_bias = bias.get<bool>();
  const json& dec = require(j, "decoder_channels");
  if (!dec.is_array() ||
      !std::all_of(dec.begin(), dec.end(), [](const json& e) { return e.is_number_integer(); }))
    fail("'decoder_channels' must be a list of integers");
  c.decoder_channels = dec.get<std::vector<int64_t>>();
  // Optional: configs and checkpoints from before the voxel skip have none.
  if (j.contains("voxel_skip_channels")) c.voxel_skip_channels = readInt(j, "voxel_skip_channels");
  c.validate();
  return c;
}

json ModelConfig::toJson() const {
  json j{{"in_channels", in_channels},
         {"num_classes", num_classes},
         {"roi", roi},
         {"patch", patch},
         {"embed_dim", embed_dim},
         {"depth", depth},
         {"num_heads", num_heads},
         {"mlp_ratio", mlp_ratio},
         {"qkv_bias", qkv_bias},
         {"decoder_channels", decoder_channels}};
  if (voxel_skip_channels > 0) j["voxel_skip_channels"] = voxel_skip_channels;
  return j;
}

bool operator==(const ModelConfig& a, const ModelConfig& b) {
  return a.in_channels == b.in_channels && a.num_classes == b.num_classes && a.roi == b.roi &&
         a.patch == b.patch && a.embed_dim == b.embed_dim && a.depth == b.depth &&
         a.num_heads == b.num_heads && a.mlp_ratio == b.mlp_ratio && a.qkv_bias == b.qkv_bias &&
         a.decoder_channels == b.decoder_channels && a.voxel_skip_channels == b.voxel_skip_channels;
}

ConfigDifference firstDifference(const ModelConfig& first, const ModelConfig& second) {
  const json a = first.toJson(), b = second.toJson();
  for (const char* field : {"in_channels", "num_classes", "roi", "patch", "embed_dim", "depth",
                            "num_heads", "mlp_ratio", "qkv_bias", "decoder_channels"})
    if (a.at(field) != b.at(field)) return {field, a.at(field).dump(), b.at(field).dump()};
  if (first.voxel_skip_channels != second.voxel_skip_channels)
    return {"voxel_skip_channels", std::to_string(first.voxel_skip_channels),
            std::to_string(second.voxel_skip_channels)};
  return {};
}

bool addsOnlyVoxelSkip(const ModelConfig& base, const ModelConfig& grown) {
  if (base.voxel_skip_channels != 0 || grown.voxel_skip_channels == 0) return false;
  ModelConfig withSkip = base;
  withSkip.voxel_skip_channels = grown.voxel_skip_channels;
  return withSkip == grown;
}

ModelConfig loadModelConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("model config " + path + ": cannot open file");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument("model config " + path + ": invalid JSON (" + e.what() + ")");
  }
  try {
    return ModelConfig::fromJson(j);
  } catch (const std::invalid_argument& e) {
    // Re-prefix so the message names the file: "model config FILE: ...".
    const std::string what = e.what();
    const std::string prefix = "model config: ";
    const std::string rest = what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
    throw std::invalid_argument("model config " + path + ": " + rest);
  }
}

void saveModelConfigFile(const ModelConfig& config, const std::string& path) {
  config.validate();
  std::ofstream out(path);
  if (!out) throw std::runtime_error("model config " + path + ": cannot write file");
  out << config.toJson().dump(2) << '\n';
  if (!out) throw std::runtime_error("model config " + path + ": write failed");
}

std::vector<std::string> listPresets(const std::string& presetsDir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(presetsDir, ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ModelConfig loadModelConfig(const std::string& presetOrPath, const std::string& presetsDir) {
  const bool isPath =
      presetOrPath.find('/') != std::string::npos || fs::path(presetOrPath).extension() == ".json";
  if (isPath) return loadModelConfigFile(presetOrPath);
  const fs::path file = fs::path(presetsDir) / (presetOrPath + ".json");
  if (!fs::exists(file)) {
    std::string known;
    for (const auto& n : listPresets(presetsDir)) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown model preset '" + presetOrPath + "' (presets in " +
                                presetsDir + ": " + (known.empty() ? "none" : known) + ")");
  }
  return loadModelConfigFile(file.string());
}

}  // namespace seqseg
