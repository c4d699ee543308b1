#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "io/image_info.h"

namespace seqseg {

void addInfoCommand(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* info = app.add_subcommand(
      "info",
      "Print dimensions, voxel type, spacing, origin, direction, orientation, "
      "qform/sform codes and value range of NIfTI files and DICOM series folders");
  info->add_option("files", *files, "NIfTI files (.nii, .nii.gz) or DICOM series folders")
      ->required();
  info->callback([files] {
    for (size_t i = 0; i < files->size(); ++i)
      std::cout << (i ? "\n" : "") << describeImage((*files)[i]);
  });
}

}  // namespace seqseg
