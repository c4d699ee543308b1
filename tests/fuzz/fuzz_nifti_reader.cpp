// NIfTI header checks and the data reader (ITK behind them) on arbitrary bytes: every input is
// read or refused with an InputError; anything else (a crash, another exception) is a finding.
#include <cstdint>

#include "io/image_reader.h"
#include "tests/fuzz/fuzz_input_file.h"
#include "types/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Gzip magic: read it as .nii.gz, as the programs would by its name.
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = seqseg::fuzz::writeInput(data, size, gzipped ? "in.nii.gz" : "in.nii");
  try {
    const seqseg::Volume volume = seqseg::readImage(path);
    if (static_cast<int64_t>(volume.voxels.size()) != volume.channels() * volume.voxelsPerChannel())
      __builtin_trap();  // a volume whose buffer does not match its shape
  } catch (const seqseg::InputError&) {
  }
  return 0;
}
