#pragma once
// Writing volumes and label maps as NIfTI-1 with exactly the geometry they carry. Files appear
// under their final name only when complete.
#include <string>

#include "types/volume.h"

namespace seqseg {

// uint8 label map; .nii or .nii.gz by extension.
void writeLabelMap(const std::string& path, const LabelVolume& labels);

// float32 image: 3D when it has one channel, else 4D with channels as the fourth dimension.
void writeImage(const std::string& path, const Volume& volume);

}  // namespace seqseg
