#pragma once
// Shared by the engine tests: where the presets are, and a seeded start.
#include <string>

namespace seqseg::test {

inline std::string presetsDir() {
  return std::string(SEQSEG_SOURCE_DIR) + "/resources/presets";
}

}  // namespace seqseg::test
