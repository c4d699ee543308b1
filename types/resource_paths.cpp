#include "types/resource_paths.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace seqseg {

std::string resourcesDir() {
  const char* fromEnvironment = std::getenv("SEQSEG_RESOURCES");
  if (fromEnvironment && *fromEnvironment) return fromEnvironment;
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    const fs::path installed = executable.parent_path() / "../share/seqseg";
    if (fs::is_directory(installed / "presets", error))
      return fs::weakly_canonical(installed).string();
  }
  return SEQSEG_SOURCE_RESOURCES_DIR;
}

std::string presetsDir() {
  return (fs::path(resourcesDir()) / "presets").string();
}

std::string bundledModelPath() {
  return (fs::path(resourcesDir()) / "models" / "tiny.pt").string();
}

}  // namespace seqseg
