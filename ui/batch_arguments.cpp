#include "ui/batch_arguments.h"

#include <filesystem>

namespace seqseg {

std::vector<std::string> batchArguments(const CaseFiles& files, const std::string& datasetRoot,
                                        const SegmentSettings& settings,
                                        const std::string& outputFolder) {
  std::vector<std::string> arguments{"--batch", "--progress", "json", "--labels", "internal"};
  switch (files.layout) {
    case Layout::Brats2021:
    case Layout::Brats2023:
      // The case folder alone, not the dataset around it: only this case is segmented.
      arguments.insert(arguments.end(),
                       {"-i", std::filesystem::path(files.images.front()).parent_path().string()});
      break;
    case Layout::Msd:
      // One 4D file per case in a shared folder: the dataset, narrowed to this case.
      arguments.insert(arguments.end(), {"-i", datasetRoot, "--case", files.id});
      break;
    case Layout::NnUnet:
    case Layout::Explicit:
      arguments.insert(arguments.end(),
                       {"--t1", files.images.at(0), "--t1ce", files.images.at(1), "--t2",
                        files.images.at(2), "--flair", files.images.at(3)});
      break;
  }
  arguments.insert(arguments.end(), {"-o", outputFolder});
  const SegmentSettings defaults;
  if (!settings.model.empty()) arguments.insert(arguments.end(), {"--model", settings.model});
  if (settings.ranks != defaults.ranks)
    arguments.insert(arguments.end(), {"--ranks", std::to_string(settings.ranks)});
  auto optional = [&](const char* option, const std::string& value, const std::string& fallback) {
    if (value != fallback) arguments.insert(arguments.end(), {option, value});
  };
  optional("--device", settings.device, defaults.device);
  optional("--split", settings.split, defaults.split);
  optional("--attention", settings.attention, defaults.attention);
  optional("--decoder", settings.decoder, defaults.decoder);
  optional("--cluster", settings.cluster, defaults.cluster);
  return arguments;
}

}  // namespace seqseg
