#include "io/label_mapping.h"

#include <set>
#include <sstream>

#include "types/input_error.h"

namespace seqseg {

std::array<int, kClassCount> nativeLabelValues(Layout layout) {
  switch (layout) {
    case Layout::Brats2021:
    case Layout::Explicit:  // BraTS 2021 is what single cases most often come as
      return {0, 1, 2, 4};
    case Layout::Brats2023:
      return {0, 1, 2, 3};
    case Layout::Msd:
    case Layout::NnUnet:  // MSD Task01: 1 oedema, 2 non-enhancing tumour, 3 enhancing
      return {0, 2, 1, 3};
  }
  return {0, 1, 2, 3};
}

LabelVolume toInternalLabels(const LabelVolume& native, Layout layout, const std::string& source) {
  std::array<int, 256> internalOf;
  internalOf.fill(-1);
  const auto values = nativeLabelValues(layout);
  for (int c = 0; c < kClassCount; ++c) internalOf[values[c]] = c;

  LabelVolume internal = native;
  std::set<int> unknown;
  for (uint8_t& label : internal.labels) {
    const int mapped = internalOf[label];
    if (mapped < 0) {
      unknown.insert(label);
      continue;
    }
    label = static_cast<uint8_t>(mapped);
  }
  if (!unknown.empty()) {
    std::ostringstream problem;
    problem << "label values";
    for (int value : unknown) problem << " " << value;
    problem << " are not used by the " << layoutName(layout) << " layout (expected";
    for (int value : values) problem << " " << value;
    problem << ")";
    throw InputError(source, problem.str());
  }
  return internal;
}

LabelVolume toNativeLabels(const LabelVolume& internal, Layout layout) {
  const auto values = nativeLabelValues(layout);
  LabelVolume native = internal;
  for (uint8_t& label : native.labels)
    label = static_cast<uint8_t>(label < kClassCount ? values[label] : label);
  return native;
}

}  // namespace seqseg
