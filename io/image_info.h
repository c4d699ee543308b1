#pragma once
// The human-readable summary printed by `seqseg info`.
#include <string>

namespace seqseg {

// Dimensions, voxel type, spacing, origin, direction, orientation code, qform/sform codes and
// value range of a NIfTI file; for a DICOM series folder, its description, modality, date,
// dimensions, placement and value range. Throws InputError for bad files.
std::string describeImage(const std::string& path);

}  // namespace seqseg
