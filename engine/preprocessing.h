#pragma once
// What happens to a case between its file and the model, and back (as nnU-Net does it): crop to
// the brain's bounding box, per-channel z-score over non-zero voxels, resample to the model's
// voxel spacing, pad to the model's grid. Undoing these puts predictions back on the input's
// exact voxel grid, whatever its spacing.
#include <array>
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace seqseg {

// Spacing in mm along A0, A1, A2 (NIfTI k, j, i). All zeros: "keep the input's spacing".
using Spacing = std::array<double, 3>;

struct CropBox {
  std::array<int64_t, 3> begin{};  // inclusive, per axis A0, A1, A2
  std::array<int64_t, 3> end{};    // exclusive
  std::array<int64_t, 3> size() const {
    return {end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]};
  }
};

struct PreparedImage {
  at::Tensor image;                       // [C, a0, a1, a2] normalised, cropped, resampled, padded
  CropBox crop;                           // where the crop lies in the original grid
  std::array<int64_t, 3> originalShape;   // [A0, A1, A2] of the input
  std::array<int64_t, 3> resampledShape;  // the crop after resampling, before padding
};

// Bounding box of the voxels that are non-zero in any channel (the whole grid when none is).
CropBox foregroundBox(const at::Tensor& image);

// Each channel: (x - mean) / std over its non-zero voxels; zero voxels stay zero.
at::Tensor normaliseNonZero(const at::Tensor& image);

// The grid size that covers `shape` voxels of `spacing` at `target` spacing.
std::array<int64_t, 3> resampledShape(const std::array<int64_t, 3>& shape, const Spacing& spacing,
                                      const Spacing& target);

// [C, A0, A1, A2] to `shape`: trilinear for images and probabilities, nearest for labels.
at::Tensor resample(const at::Tensor& volume, const std::array<int64_t, 3>& shape, bool labels);

// image [C, A0, A1, A2] of `spacing` -> cropped to the foreground, normalised, resampled to
// `target` spacing, then padded at the far end so that every side is a multiple of `multiple`
// and at least `minimum`.
PreparedImage prepareImage(const at::Tensor& image, const std::array<int64_t, 3>& multiple,
                           const std::array<int64_t, 3>& minimum, const Spacing& spacing = {},
                           const Spacing& target = {});

// Class probabilities [K, a0, a1, a2] on the prepared grid -> labels [A0, A1, A2] (uint8) on
// the input grid: unpadded, resampled back (trilinear on probabilities), argmax, uncropped
// (0 outside the crop). The same as labelsOnInputGrid(restoreCropProbabilities(...)).
at::Tensor restoreLabels(const at::Tensor& probabilities, const PreparedImage& prepared);

// The steps of restoreLabels, for callers that keep the probabilities too: unpadded and
// resampled back onto the input grid's crop ([K, crop size], float32, CPU; trilinear
// interpolation keeps them summing to 1), ...
at::Tensor restoreCropProbabilities(const at::Tensor& probabilities, const PreparedImage& prepared);
// ... their argmax uncropped (0 outside the crop) ...
at::Tensor labelsOnInputGrid(const at::Tensor& cropProbabilities, const PreparedImage& prepared);
// ... or they themselves on the input grid, background certain outside the crop.

// Class probabilities on the input grid, held as the crop's: outside the crop the background is
// certain (1 for class 0, 0 for the others). A case's four, whole, are 143 MB on a BraTS grid;
// writers take them row by row instead.
struct InputGridProbabilities {
  at::Tensor crop;  // [K, crop size] float32, contiguous, CPU
  CropBox box;
  std::array<int64_t, 3> shape{};  // the input grid's A0, A1, A2

  int64_t classes() const { return crop.size(0); }
  // Whether row (a0, a1) crosses the crop; the crop's part of it, class k's box.size()[2]
  // values from A2 = box.begin[2] on.
  bool rowInBox(int64_t a0, int64_t a1) const {
    return a0 >= box.begin[0] && a0 < box.end[0] && a1 >= box.begin[1] && a1 < box.end[1];
  }
  const float* cropRow(int64_t k, int64_t a0, int64_t a1) const;
  // Class k's row (a0, a1): its shape[2] voxels into `row`.
  void fillRow(int64_t k, int64_t a0, int64_t a1, float* row) const;
  // All of them: [K, A0, A1, A2].
  at::Tensor full() const;
};
InputGridProbabilities probabilitiesOnInputGrid(const at::Tensor& cropProbabilities,
                                                const PreparedImage& prepared);

// The crop (no padding) of a [.., A0, A1, A2] tensor.
at::Tensor applyCrop(const at::Tensor& tensor, const CropBox& crop);

// Zero-pads the last three axes at the far end up to `shape`.
at::Tensor padTo(const at::Tensor& tensor, const std::array<int64_t, 3>& shape);

}  // namespace seqseg
