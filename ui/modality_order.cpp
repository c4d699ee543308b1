#include "ui/modality_order.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>

namespace seqseg {
namespace {

// The modality (0..3) a file name stem ends with, or -1.
int modalityOf(std::string stem) {
  std::transform(stem.begin(), stem.end(), stem.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Longer names first: "t1ce" also ends like "ce", "t1" is a prefix of several.
  static const std::array<std::pair<const char*, int>, 12> suffixes{{{"t1ce", 1},
                                                                     {"flair", 3},
                                                                     {"t1n", 0},
                                                                     {"t1c", 1},
                                                                     {"t2w", 2},
                                                                     {"t2f", 3},
                                                                     {"0000", 0},
                                                                     {"0001", 1},
                                                                     {"0002", 2},
                                                                     {"0003", 3},
                                                                     {"t1", 0},
                                                                     {"t2", 2}}};
  for (const auto& [suffix, modality] : suffixes) {
    const std::string ending(suffix);
    if (stem.size() > ending.size() &&
        stem.compare(stem.size() - ending.size(), ending.size(), ending) == 0 &&
        !std::isalnum(static_cast<unsigned char>(stem[stem.size() - ending.size() - 1])))
      return modality;
  }
  return -1;
}

std::string stemOf(const std::string& file) {
  std::string name = std::filesystem::path(file).filename().string();
  for (const char* extension : {".nii.gz", ".nii"}) {
    const std::string ending(extension);
    if (name.size() > ending.size() &&
        name.compare(name.size() - ending.size(), ending.size(), ending) == 0)
      return name.substr(0, name.size() - ending.size());
  }
  return name;
}

}  // namespace

std::vector<std::string> orderModalities(const std::vector<std::string>& files) {
  if (files.size() != 4) return files;
  std::vector<std::string> ordered(4);
  for (const std::string& file : files) {
    const int modality = modalityOf(stemOf(file));
    if (modality < 0 || !ordered[modality].empty()) return files;
    ordered[modality] = file;
  }
  return ordered;
}

}  // namespace seqseg
