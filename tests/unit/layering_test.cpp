// The layers of docs/architecture.md, checked on every `#include "..."` line of the source
// folders: a layer includes only itself and the layers below it. Include directories cannot
// show this (every library exports the project root), so the lines themselves are read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// Each source folder and the folders it may include from (itself included).
const std::map<std::string, std::set<std::string>>& allowedIncludes() {
  static const std::map<std::string, std::set<std::string>> layers = {
      {"types", {"types"}},
      {"jobs", {"types", "jobs"}},
      {"engine", {"types", "jobs", "engine"}},
      {"io", {"types", "io"}},
      {"remote", {"types", "jobs", "remote"}},
      {"viz", {"types", "viz"}},
      {"cli", {"types", "jobs", "engine", "io", "remote", "cli"}},
      {"ui", {"types", "jobs", "io", "remote", "viz", "ui"}},
      // seqseg-soak-gui drives the desktop application's window.
      {"bench", {"types", "jobs", "engine", "io", "remote", "viz", "ui", "bench"}},
      {"app", {"types", "jobs", "engine", "io", "remote", "viz", "cli", "ui", "app"}},
  };
  return layers;
}

bool isSource(const fs::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".h" || extension == ".cpp";
}

TEST(Layering, EveryIncludeComesFromTheSameLayerOrOneBelow) {
  const fs::path root = SEQSEG_SOURCE_DIR;
  const std::regex include(R"(^\s*#\s*include\s+"([A-Za-z0-9_]+)/)");
  int lines = 0;
  for (const auto& [layer, allowed] : allowedIncludes()) {
    ASSERT_TRUE(fs::is_directory(root / layer)) << layer;
    for (const auto& entry : fs::recursive_directory_iterator(root / layer)) {
      if (!entry.is_regular_file() || !isSource(entry.path())) continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        std::smatch match;
        if (!std::regex_search(line, match, include)) continue;
        ++lines;
        const std::string from = match[1];
        if (!allowedIncludes().count(from)) continue;  // a third-party folder ("gloo/...")
        EXPECT_TRUE(allowed.count(from))
            << fs::relative(entry.path(), root).string() << ":" << number << " (" << layer
            << ") includes " << from << "/, a layer above it: " << line;
      }
    }
  }
  EXPECT_GT(lines, 500) << "the scan found too few include lines to mean anything";
}

// A new folder of sources gets its place in the table above (and in docs/architecture.md).
TEST(Layering, EverySourceFolderHasItsLayer) {
  const fs::path root = SEQSEG_SOURCE_DIR;
  const std::set<std::string> notLayers = {"tests",     "build",   "cmake", "packaging",
                                           "resources", "scripts", "docs"};
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name[0] == '.' || notLayers.count(name) ||
        name.rfind("build", 0) == 0)
      continue;
    bool hasSources = false;
    for (const auto& file : fs::recursive_directory_iterator(entry.path()))
      hasSources = hasSources || (file.is_regular_file() && isSource(file.path()));
    if (hasSources) {
      EXPECT_TRUE(allowedIncludes().count(name)) << name << "/ has no layer";
    }
  }
}

}  // namespace
}  // namespace seqseg
