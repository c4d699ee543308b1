// The NIfTI header and data checks that run before ITK sees a file (readNiftiHeader,
// readNiftiVoxels) on arbitrary bytes, .nii and .nii.gz: each input passes or is refused with an
// InputError; a header that passes describes a size within kMaxVoxels.
#include <cstdint>

#include "io/nifti_header.h"
#include "tests/fuzz/fuzz_input_file.h"
#include "types/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = seqseg::fuzz::writeInput(data, size, gzipped ? "h.nii.gz" : "h.nii");
  try {
    const seqseg::NiftiHeaderInfo header = seqseg::readNiftiHeader(path);
    if (header.voxelCount() <= 0 || header.voxelCount() > seqseg::kMaxVoxels) __builtin_trap();
    seqseg::readNiftiVoxels(path, header);
  } catch (const seqseg::InputError&) {
  }
  return 0;
}
