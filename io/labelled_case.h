#pragma once
// A case to train on: its images and its reference label map, read and checked together.
#include <set>

#include "io/dataset_layout.h"
#include "types/volume.h"

namespace seqseg {

struct LabelledCase {
  Volume image;                // [4, A0, A1, A2] in internal channel order
  LabelVolume labels;          // internal classes, the image's grid
  std::set<int> nativeValues;  // the label values found in the file, as the layout writes them
};

// Reads the case's images and reference. Throws InputError naming the file when the case has
// no reference, cannot be read, or its label map does not fit the images or the layout.
LabelledCase readLabelledCase(const CaseFiles& files, Layout layout);

}  // namespace seqseg
