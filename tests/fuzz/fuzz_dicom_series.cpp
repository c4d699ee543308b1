// DICOM series scan and read (GDCM through ITK behind them) on arbitrary bytes, as one file in a
// study folder: every series found is either read into a volume of the scanned size or refused
// with an InputError, as is the folder; anything else (a crash, another exception) is a finding.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/dicom_series.h"
#include "types/input_error.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path folder =
      fs::temp_directory_path() / ("seqseg-fuzz-dicom-" + std::to_string(::getpid()));
  std::error_code error;
  fs::remove_all(folder, error);
  fs::create_directories(folder);
  {
    std::ofstream out(folder / "IM00001", std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const std::vector<seqseg::DicomSeriesInfo> found = seqseg::scanDicomFolder(folder.string());
    for (const seqseg::DicomSeriesInfo& series : found) {
      if (!series.problem.empty()) continue;
      try {
        const seqseg::Volume volume = seqseg::readDicomSeries(series);
        const int64_t expected = series.size[0] * series.size[1] * series.size[2];
        if (volume.voxelsPerChannel() != expected ||
            static_cast<int64_t>(volume.voxels.size()) != expected)
          __builtin_trap();  // a volume whose buffer does not match the scanned size
      } catch (const seqseg::InputError&) {
      }
    }
  } catch (const seqseg::InputError&) {
  }
  fs::remove_all(folder, error);
  return 0;
}
