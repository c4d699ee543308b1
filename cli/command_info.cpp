// seqseg info: what a NIfTI file, a DICOM series folder or a model checkpoint holds.
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "engine/checkpoint.h"
#include "engine/postprocess.h"
#include "io/image_info.h"

namespace seqseg {
namespace {

bool isCheckpoint(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".pt") == 0;
}

std::string joined(const std::vector<int64_t>& values, const char* separator) {
  std::string text;
  for (size_t n = 0; n < values.size(); ++n)
    text += (n ? separator : "") + std::to_string(values[n]);
  return text;
}

// The checkpoint as one JSON object: its config, its meta (epoch, scores, spacing along A0..A2,
// post-processing, what it was fine-tuned from), the spacing in NIfTI order (i, j, k) and the
// temperature inference divides the logits by (1 when the checkpoint has none).
nlohmann::json checkpointJson(const std::string& path, const Checkpoint& checkpoint) {
  nlohmann::json json{{"file", path},
                      {"format", kCheckpointFormat},
                      {"config", checkpoint.config.toJson()},
                      {"meta", checkpoint.meta},
                      {"temperature", checkpoint.temperature}};
  if (checkpoint.meta.contains("spacing") && checkpoint.meta["spacing"].size() == 3) {
    const nlohmann::json& spacing = checkpoint.meta["spacing"];
    json["spacing_mm"] = {spacing[2], spacing[1], spacing[0]};
  }
  return json;
}

std::string describeCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  const ModelConfig& c = checkpoint.config;
  const nlohmann::json& meta = checkpoint.meta;
  const std::vector<int64_t> roi(c.roi.begin(), c.roi.end()), patch(c.patch.begin(), c.patch.end());
  std::string text = path + ": seqseg model checkpoint (" + kCheckpointFormat + ")\n";
  text += "  model: ViT, ROI " + joined(roi, "x") + ", patch " + joined(patch, "x") +
          ", embedding " + std::to_string(c.embed_dim) + ", depth " + std::to_string(c.depth) +
          ", " + std::to_string(c.num_heads) + " heads, decoder " +
          joined(c.decoder_channels, "-") +
          (c.voxel_skip_channels > 0 ? ", voxel skip " + std::to_string(c.voxel_skip_channels)
                                     : std::string()) +
          "\n";
  char line[160];
  if (meta.contains("spacing") && meta["spacing"].size() == 3) {
    std::snprintf(line, sizeof line, "  spacing: %g x %g x %g mm (i, j, k)\n",
                  meta["spacing"][2].get<double>(), meta["spacing"][1].get<double>(),
                  meta["spacing"][0].get<double>());
    text += line;
  }
  if (meta.contains("epoch")) {
    text += "  trained: epoch " + meta["epoch"].dump() + ", step " +
            meta.value("step", nlohmann::json()).dump();
    if (meta.contains("best_dice"))
      text += ", best mean validation Dice " + meta["best_dice"].dump();
    text += "\n";
  }
  if (meta.contains("init_model"))
    text += "  fine-tuned from: " + meta["init_model"].get<std::string>() + " (sha256 " +
            meta.value("init_sha256", std::string("?")) + ")\n";
  if (meta.contains("temperature_fit") && meta["temperature_fit"].is_object()) {
    const nlohmann::json& fit = meta["temperature_fit"];
    std::snprintf(line, sizeof line,
                  "  temperature: %.4g (fitted on %lld validation voxels; their mean NLL %.4g at "
                  "T = 1, %.4g at it)\n",
                  checkpoint.temperature, static_cast<long long>(fit.value("voxels", int64_t{0})),
                  fit.value("nll_at_1", 0.0), fit.value("nll", 0.0));
    text += line;
  } else {
    std::snprintf(line, sizeof line, "  temperature: %.4g%s\n", checkpoint.temperature,
                  meta.contains("temperature") ? "" : " (not calibrated)");
    text += line;
  }
  if (meta.contains("postprocess"))
    text += "  post-processing: " +
            describePostprocessing(postprocessingFromJson(meta["postprocess"])) + "\n";
  return text;
}

}  // namespace

void addInfoCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  CLI::App* info = app.add_subcommand(
      "info",
      "Print dimensions, voxel type, spacing, origin, direction, orientation, "
      "qform/sform codes and value range of NIfTI files and DICOM series folders, or the model, "
      "spacing and training record of model checkpoints (.pt)");
  info->add_option("files", *files,
                   "NIfTI files (.nii, .nii.gz), DICOM series folders or checkpoints (.pt)")
      ->required();
  info->add_flag("--json", *json, "Checkpoints as JSON, one object per line");
  info->callback([files, json] {
    for (size_t i = 0; i < files->size(); ++i) {
      const std::string& file = (*files)[i];
      if (isCheckpoint(file)) {
        const Checkpoint checkpoint = readCheckpointInfo(file);
        std::cout << (*json ? checkpointJson(file, checkpoint).dump() + "\n"
                            : std::string(i ? "\n" : "") + describeCheckpoint(file, checkpoint));
        continue;
      }
      if (*json)
        throw std::invalid_argument("--json is for checkpoints (.pt); " + file + " is not one");
      std::cout << (i ? "\n" : "") << describeImage(file);
    }
  });
}

}  // namespace seqseg
