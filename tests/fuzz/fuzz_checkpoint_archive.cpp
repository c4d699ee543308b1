// The first stage of the checkpoint loader, the CRC-32 check of the zip archive's entries, on
// arbitrary bytes (seeded with real checkpoints): it must never read outside the bytes.
#include <cstdint>
#include <vector>

#include "engine/zip_integrity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<char> bytes(data, data + size);
  seqseg::zipIntegrityProblem(bytes);
  return 0;
}
