#pragma once
// Conversions between io's plain volumes and LibTorch tensors (app is where both layers meet).
#include <ATen/core/Tensor.h>

#include "engine/preprocessing.h"
#include "types/volume.h"

namespace seqseg {

at::Tensor toTensor(const Volume& volume);       // [C, A0, A1, A2] float32, owns its memory
at::Tensor toTensor(Volume&& volume);            // the same, taking the voxels over (no copy)
at::Tensor toTensor(const LabelVolume& labels);  // [A0, A1, A2] int64

// Voxel spacing in the engine's axis order A0, A1, A2 (NIfTI k, j, i).
Spacing engineSpacing(const Geometry& geometry);

// uint8 labels [A0, A1, A2] placed with `geometry`.
LabelVolume toLabelVolume(const at::Tensor& labels, const Geometry& geometry);

}  // namespace seqseg
