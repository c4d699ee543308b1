#pragma once
// Conversions between the ITK view of placement (LPS spacing/origin/direction) and NIfTI
// qform/sform fields, orientation codes, and geometry comparison.
#include <string>

#include "types/geometry.h"

namespace seqseg {

// Fills geometry.nifti from spacing, origin and direction the way ITK writes a new image:
// qform and sform both set, both with code 1 (scanner anatomical).
void setNiftiFromPlacement(Geometry& geometry);

// Three letters naming where increasing i, j, k point (nibabel's convention): "RAS", "LPS", ...
std::string orientationCode(const Geometry& geometry);

// True when spacing and origin agree within `toleranceMm` and direction within `toleranceDir`.
// Otherwise false, with `difference` describing the first mismatch.
bool sameGeometry(const Geometry& a, const Geometry& b, std::string* difference,
                  double toleranceMm = 1e-3, double toleranceDir = 1e-4);

}  // namespace seqseg
