#pragma once
// Each layout's native label values and the internal classes:
// 0 background, 1 necrotic core (NCR), 2 oedema (ED), 3 enhancing tumour (ET).
#include <string>

#include "io/case_files.h"
#include "types/volume.h"

namespace seqseg {

constexpr int kClassCount = 4;

// Native -> internal. A value the layout does not define is an InputError naming `source`.
LabelVolume toInternalLabels(const LabelVolume& native, Layout layout, const std::string& source);

// Internal -> native.
LabelVolume toNativeLabels(const LabelVolume& internal, Layout layout);

// The native values of internal classes 0..3 in `layout`, e.g. {0, 1, 2, 4} for BraTS 2021.
std::array<int, kClassCount> nativeLabelValues(Layout layout);

}  // namespace seqseg
