#pragma once
// One channel of a Volume as a vtkImageData placed in ITK's LPS world space.
#include <array>
#include <cstdint>

#include <vtkSmartPointer.h>

#include "types/volume.h"

class vtkImageData;

namespace seqseg {

// An image with no scalars yet, `shape` [A0, A1, A2] voxels placed by `geometry`.
vtkSmartPointer<vtkImageData> placedVtkImage(const std::array<int64_t, 3>& shape,
                                             const Geometry& geometry);

// Copies channel `channel` (float32) with the volume's spacing, origin and direction. VTK's
// x, y, z index axes are the volume's A2, A1, A0 (NIfTI i, j, k), so the memory order is
// unchanged. Throws std::out_of_range for a channel the volume does not have.
vtkSmartPointer<vtkImageData> channelToVtkImage(const Volume& volume, int64_t channel);

}  // namespace seqseg
