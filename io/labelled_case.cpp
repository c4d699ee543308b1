#include "io/labelled_case.h"

#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "types/input_error.h"

namespace seqseg {

LabelledCase readLabelledCase(const CaseFiles& files, Layout layout) {
  if (files.reference.empty())
    throw InputError(files.images.front(),
                     "case " + files.id + " has no reference label map to train on");
  LabelledCase result;
  result.image = readCase(files);
  const LabelVolume native = readLabelMap(files.reference);
  if (native.shape[0] != result.image.shape[1] || native.shape[1] != result.image.shape[2] ||
      native.shape[2] != result.image.shape[3])
    throw InputError(files.reference, "label map dimensions differ from the case's images");
  bool seen[256] = {};
  for (uint8_t value : native.labels) seen[value] = true;
  for (int value = 0; value < 256; ++value)
    if (seen[value]) result.nativeValues.insert(value);
  result.labels = toInternalLabels(native, layout, files.reference);
  return result;
}

}  // namespace seqseg
