#pragma once
// What happens to a case between its file and the model, and back: per-channel z-score over
// non-zero voxels, crop to the brain's bounding box, pad to the model's grid. Undoing the crop
// and pad puts predictions back on the input's exact voxel grid.
#include <array>
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace seqseg {

struct CropBox {
  std::array<int64_t, 3> begin{};  // inclusive, per axis A0, A1, A2
  std::array<int64_t, 3> end{};    // exclusive
  std::array<int64_t, 3> size() const {
    return {end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]};
  }
};

struct PreparedImage {
  at::Tensor image;                      // [C, a0, a1, a2] normalised, cropped, padded
  CropBox crop;                          // where the crop lies in the original grid
  std::array<int64_t, 3> originalShape;  // [A0, A1, A2] of the input
};

// Bounding box of the voxels that are non-zero in any channel (the whole grid when none is).
CropBox foregroundBox(const at::Tensor& image);

// Each channel: (x - mean) / std over its non-zero voxels; zero voxels stay zero.
at::Tensor normaliseNonZero(const at::Tensor& image);

// image [C, A0, A1, A2] -> normalised, cropped to the foreground, then padded at the far end so
// that every side is a multiple of `multiple` and at least `minimum`.
PreparedImage prepareImage(const at::Tensor& image, const std::array<int64_t, 3>& multiple,
                           const std::array<int64_t, 3>& minimum);

// Labels [a0, a1, a2] on the prepared grid -> [A0, A1, A2] on the input grid (0 outside the
// crop).
at::Tensor restoreLabels(const at::Tensor& labels, const PreparedImage& prepared);

// The crop (no padding) of a [.., A0, A1, A2] tensor.
at::Tensor applyCrop(const at::Tensor& tensor, const CropBox& crop);

}  // namespace seqseg
