#pragma once
// Writing volumes and label maps as NIfTI-1 with exactly the geometry they carry. Files appear
// under their final name only when complete.
#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "types/volume.h"

namespace seqseg {

// uint8 label map; .nii or .nii.gz by extension.
void writeLabelMap(const std::string& path, const LabelVolume& labels);

// float32 image: 3D when it has one channel, else 4D with channels as the fourth dimension.
void writeImage(const std::string& path, const Volume& volume);

// A float32 image of `shape` [C, A0, A1, A2] computed as it is written, never held whole:
// fillRow(c, a0, a1, row) puts the A2 voxels of one row into `row`.
using ImageRowFiller = std::function<void(int64_t channel, int64_t a0, int64_t a1, float* row)>;
void writeImageRows(const std::string& path, const std::array<int64_t, 4>& shape,
                    const Geometry& geometry, const ImageRowFiller& fillRow);

}  // namespace seqseg
