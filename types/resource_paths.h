#pragma once
// Where the model presets and the bundled model are: $SEQSEG_RESOURCES when set, then
// ../share/seqseg beside the executable (an installed tree), then the source tree's resources/
// (a build tree). Part of seqseg_types (no LibTorch), so every layer may ask.
#include <string>

namespace seqseg {

std::string resourcesDir();
std::string presetsDir();        // resourcesDir()/presets
std::string bundledModelPath();  // resourcesDir()/models/tiny.pt

// Where Debian's mricron-data puts the Colin27 template the synthetic cases are made from.
constexpr const char* kDefaultTemplateDir = "/usr/share/mricron/templates";

}  // namespace seqseg
