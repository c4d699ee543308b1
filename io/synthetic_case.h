#pragma once
// Realistic synthetic BraTS-like cases with ground truth: the brain of the Colin27 T1 template
// resampled to the requested grid, four MRI contrasts derived from its tissue classes, and a
// tumour (necrotic core, enhancing rim, oedema) of random size, shape and position, with noise
// and a smooth bias field. The same seed gives the same bytes.
#include <array>
#include <cstdint>
#include <string>

#include "types/resource_paths.h"
#include "types/volume.h"

namespace seqseg {

// Where Debian's mricron-data package installs Colin27.

// The template, read once and shared by all cases: T1 intensities, brain mask and the mean
// T1 intensity of CSF, grey and white matter (1D k-means inside the brain).
struct BrainTemplate {
  Volume t1;
  Volume brainMask;
  std::array<double, 3> tissueMeans{};
};

// Reads ch2.nii.gz and ch2bet.nii.gz from `directory`. Throws InputError when missing.
BrainTemplate loadBrainTemplate(const std::string& directory = kDefaultTemplateDir);

struct SyntheticCase {
  Volume image;        // [4, A0, A1, A2], internal channel order T1, T1ce, T2, FLAIR
  LabelVolume labels;  // internal classes 0..3
};

// `size` is the grid (i, j, k); the field of view is BraTS's 240 x 240 x 155 mm, so spacing is
// 240/i x 240/j x 155/k mm. Case `index` of a dataset made with `seed`.
SyntheticCase synthesizeCase(const BrainTemplate& brain, const std::array<int64_t, 3>& size,
                             uint64_t seed, int index);

}  // namespace seqseg
