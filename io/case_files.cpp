#include "io/case_files.h"

#include <stdexcept>

namespace seqseg {

const std::array<const char*, kModalityCount> kModalityNames = {"T1", "T1ce", "T2", "FLAIR"};

std::string layoutName(Layout layout) {
  switch (layout) {
    case Layout::Brats2021:
      return "brats2021";
    case Layout::Brats2023:
      return "brats2023";
    case Layout::Msd:
      return "msd";
    case Layout::NnUnet:
      return "nnunet";
    case Layout::Explicit:
      return "explicit";
  }
  return "unknown";
}

Layout parseLayout(const std::string& name) {
  for (Layout layout : {Layout::Brats2021, Layout::Brats2023, Layout::Msd, Layout::NnUnet})
    if (name == layoutName(layout)) return layout;
  throw std::invalid_argument("unknown layout '" + name +
                              "' (expected brats2021, brats2023, msd or nnunet)");
}

}  // namespace seqseg
