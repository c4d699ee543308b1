#pragma once
// ITK's filters for the label editor, on plain volumes (index space: the editor places the
// results; connectivity is between face neighbours).
#include <array>
#include <cstdint>
#include <vector>

#include "types/volume.h"

namespace seqseg {

// The voxels connected to `seed` (i, j, k) through voxels of channel `channel` whose
// intensity lies in [lower, upper], the seed's included (ITK's ConnectedThresholdImageFilter):
// linear indices (LabelVolume order), ascending. Empty when the seed itself is outside the
// range. Throws std::out_of_range for a seed or channel outside the volume.
std::vector<int64_t> growRegion(const Volume& volume, int64_t channel,
                                const std::array<int64_t, 3>& seed, float lower, float upper);

// The holes of `label` in one index slice (voxel axis `axis`: 0 i, 1 j, 2 k, at `index`): the
// unlabelled voxels (0) that `label` encloses in that slice, not reached from the slice's
// border without crossing it (ITK's BinaryFillholeImageFilter on the slice). Linear indices,
// ascending. Throws std::out_of_range for a slice outside the grid.
std::vector<int64_t> holesInSlice(const LabelVolume& labels, uint8_t label, int axis,
                                  int64_t index);

// Shape-based interpolation of `label` between index slices along voxel axis `axis` (0 i, 1 j,
// 2 k), as ITK-SNAP's: for each two slices holding the label with slices between them that do
// not, the voxels of those slices where the signed distance to the label's outline, linearly
// interpolated between the two slices, is <= 0. The distances are in mm in the slice's plane
// (ITK's SignedMaurerDistanceMapImageFilter with the grid's spacing), so anisotropic grids
// interpolate right; outside the slice counts as unlabelled. Only unlabelled voxels (0) are
// taken: other labels are not overwritten. Linear indices, ascending; empty when the label
// lies on fewer than two slices. Throws std::out_of_range for an axis outside 0..2.
std::vector<int64_t> interpolateSlices(const LabelVolume& labels, uint8_t label, int axis);

}  // namespace seqseg
