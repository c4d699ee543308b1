#include "engine/preprocessing.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace seqseg {

CropBox foregroundBox(const at::Tensor& image) {
  const at::Tensor any = image.ne(0).any(0);  // [A0, A1, A2]
  CropBox box;
  for (int axis = 0; axis < 3; ++axis) box.end[axis] = any.size(axis);
  if (!any.any().item<bool>()) return box;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<int64_t> others;
    for (int other = 0; other < 3; ++other)
      if (other != axis) others.push_back(other);
    const at::Tensor profile = any.any(others[1]).any(others[0]);  // [A_axis]
    const at::Tensor indices = profile.nonzero().flatten();
    box.begin[axis] = indices.min().item<int64_t>();
    box.end[axis] = indices.max().item<int64_t>() + 1;
  }
  return box;
}

at::Tensor normaliseNonZero(const at::Tensor& image) {
  at::Tensor out = at::zeros_like(image, image.options().dtype(at::kFloat));
  for (int64_t c = 0; c < image.size(0); ++c) {
    const at::Tensor channel = image[c].to(at::kFloat);
    const at::Tensor mask = channel.ne(0);
    const int64_t count = mask.sum().item<int64_t>();
    if (count < 2) continue;
    const at::Tensor values = channel.masked_select(mask).to(at::kDouble);
    const double mean = values.mean().item<double>();
    const double std = std::max(values.std().item<double>(), 1e-8);
    out[c] = at::where(mask, (channel - mean) / std, at::zeros_like(channel));
  }
  return out;
}

at::Tensor applyCrop(const at::Tensor& tensor, const CropBox& crop) {
  const int64_t first = tensor.dim() - 3;
  at::Tensor out = tensor;
  for (int axis = 0; axis < 3; ++axis)
    out = out.slice(first + axis, crop.begin[axis], crop.end[axis]);
  return out;
}

PreparedImage prepareImage(const at::Tensor& image, const std::array<int64_t, 3>& multiple,
                           const std::array<int64_t, 3>& minimum) {
  PreparedImage prepared;
  prepared.originalShape = {image.size(1), image.size(2), image.size(3)};
  prepared.crop = foregroundBox(image);
  const at::Tensor cropped = normaliseNonZero(applyCrop(image, prepared.crop));
  std::vector<int64_t> padding;  // at::constant_pad_nd wants the last axis first
  for (int axis = 2; axis >= 0; --axis) {
    const int64_t size = cropped.size(1 + axis);
    int64_t target = std::max(size, minimum[axis]);
    target = (target + multiple[axis] - 1) / multiple[axis] * multiple[axis];
    padding.push_back(0);
    padding.push_back(target - size);
  }
  prepared.image = at::constant_pad_nd(cropped, padding, 0).contiguous();
  return prepared;
}

at::Tensor restoreLabels(const at::Tensor& labels, const PreparedImage& prepared) {
  const auto size = prepared.crop.size();
  const at::Tensor unpadded = labels.slice(0, 0, size[0]).slice(1, 0, size[1]).slice(2, 0, size[2]);
  at::Tensor full =
      at::zeros({prepared.originalShape[0], prepared.originalShape[1], prepared.originalShape[2]},
                labels.options());
  applyCrop(full, prepared.crop).copy_(unpadded);
  return full;
}

}  // namespace seqseg
