// The checkpoint loader on arbitrary bytes (corrupt and truncated .pt archives, pickles of the
// wrong shape): every input loads a model or is refused with an InputError naming the file.
#include <cstdint>

#include "engine/checkpoint.h"
#include "tests/fuzz/fuzz_input_file.h"
#include "types/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = seqseg::fuzz::writeInput(data, size, "model.pt");
  try {
    seqseg::Checkpoint info;
    seqseg::loadModel(path, &info);
  } catch (const seqseg::InputError&) {
  }
  return 0;
}
