// seqseg convert: a DICOM series folder to NIfTI, placed exactly where the scanner put it.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "io/dicom_series.h"
#include "io/image_writer.h"
#include "types/input_error.h"
#include "types/name_affixes.h"

namespace seqseg {

void addConvertCommand(CLI::App& app) {
  auto series = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  CLI::App* convert = app.add_subcommand(
      "convert",
      "Convert a DICOM series folder to NIfTI: float32 values with RescaleSlope/Intercept "
      "applied, slices ordered along their normal, exact world placement (qform and sform)");
  convert->add_option("series", *series, "Folder holding one DICOM series (searched recursively)")
      ->required();
  convert->add_option("output", *output, "NIfTI file to write (.nii or .nii.gz)")->required();
  convert->callback([series, output] {
    if (!endsWith(*output, ".nii") && !endsWith(*output, ".nii.gz"))
      throw InputError(*output, "the output must end in .nii or .nii.gz");
    const DicomSeriesInfo info = findSingleSeries(*series);
    writeImage(*output, readDicomSeries(info));
    std::cout << "wrote " << *output << " (" << describeSize(info) << ", "
              << describeSpacing(info.geometry) << ", '" << info.description << "')\n";
    if (const std::string note = skippedFilesNote(info); !note.empty())
      std::cout << "note: " << note << "\n";
  });
}

}  // namespace seqseg
