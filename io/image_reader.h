#pragma once
// Reading NIfTI images (through ITK) into plain float32 volumes with their geometry.
#include <string>

#include "io/nifti_header.h"
#include "types/volume.h"

namespace seqseg {

enum class ExpectedRank { Any, Volume3D, MultiChannel4D };

// Reads a .nii or .nii.gz file into a Volume of shape [C, A0, A1, A2] (C = 1 for 3D files).
// Every problem (missing, unreadable, truncated, corrupt, absurd header, non-finite voxels,
// wrong rank) is an InputError naming the file.
Volume readImage(const std::string& path, ExpectedRank expected = ExpectedRank::Any);

// readImage with the header already read (readNiftiHeader) and the voxels decoded into `voxels`
// (header.voxelCount() floats); the returned Volume has the shape and geometry, no voxels.
Volume readImageInto(const std::string& path, const NiftiHeaderInfo& header, ExpectedRank expected,
                     float* voxels);

// Reads an integer label map (3D). Values must be whole numbers in 0..255.
LabelVolume readLabelMap(const std::string& path);

}  // namespace seqseg
