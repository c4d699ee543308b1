// Label-map conversion between each layout's native labels and the internal classes: any
// value the layout does not define is an InputError, and native -> internal -> native
// gives back the input for every map that converts.
#include <cstdint>
#include <string>

#include "io/label_mapping.h"
#include "types/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  using seqseg::Layout;
  const Layout layouts[] = {Layout::Brats2021, Layout::Brats2023, Layout::Msd, Layout::NnUnet,
                            Layout::Explicit};
  const Layout layout = layouts[data[0] % 5];
  seqseg::LabelVolume native;
  native.shape = {1 + data[1] % 8, 1 + data[2] % 8, 1 + data[3] % 8};
  native.labels.assign(static_cast<size_t>(native.size()), 0);
  for (size_t i = 0; i < native.labels.size() && 4 + i < size; ++i) native.labels[i] = data[4 + i];
  try {
    const seqseg::LabelVolume internal = seqseg::toInternalLabels(native, layout, "fuzz");
    for (uint8_t value : internal.labels)
      if (value >= seqseg::kClassCount) __builtin_trap();
    if (seqseg::toNativeLabels(internal, layout).labels != native.labels) __builtin_trap();
  } catch (const seqseg::InputError&) {
  }
  return 0;
}
