// Dataset layout discovery on arbitrary folder trees: the input names files (one relative path
// per line) and, after an empty line, the text of every dataset.json. findCases either finds
// cases, each with a non-empty id and at least one of its files, or refuses with an InputError;
// reading a case found refuses its empty files with an InputError.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/dataset_layout.h"
#include "types/input_error.h"

namespace fs = std::filesystem;

namespace {

// A relative path of at most 6 plain components, or empty when the line is not one.
fs::path safeRelative(const std::string& line) {
  if (line.empty() || line.size() > 200 || line.front() == '/') return {};
  fs::path path;
  int components = 0;
  for (const auto& part : fs::path(line)) {
    const std::string name = part.string();
    if (name.empty() || name == "." || name == ".." || name.find('\0') != std::string::npos)
      return {};
    path /= part;
    if (++components > 6) return {};
  }
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n\n");
  const std::string names = input.substr(0, split);
  const std::string json = split == std::string::npos ? std::string() : input.substr(split + 2);

  const fs::path root =
      fs::temp_directory_path() / ("seqseg-fuzz-layout-" + std::to_string(::getpid()));
  std::error_code error;
  fs::remove_all(root, error);
  fs::create_directories(root);
  std::istringstream lines(names);
  std::string line;
  for (int count = 0; std::getline(lines, line) && count < 64; ++count) {
    const fs::path relative = safeRelative(line);
    if (relative.empty()) continue;
    fs::create_directories((root / relative).parent_path(), error);
    if (error) continue;
    std::ofstream file(root / relative, std::ios::binary);
    if (relative.filename() == "dataset.json") file << json;
  }
  try {
    const seqseg::Dataset dataset = seqseg::findCases(root.string());
    for (const seqseg::CaseFiles& found : dataset.cases) {
      // A case is found by any one of its files (reading it names those that are missing).
      if (found.id.empty() || found.images.empty()) __builtin_trap();
      if (std::none_of(found.images.begin(), found.images.end(),
                       [](const std::string& image) { return fs::exists(image); }))
        __builtin_trap();
      try {
        seqseg::readCase(found);  // the files written here are empty: refused, never a crash
        __builtin_trap();
      } catch (const seqseg::InputError&) {
      }
    }
  } catch (const seqseg::InputError&) {
  }
  fs::remove_all(root, error);
  return 0;
}
