#include "engine/preprocessing.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

namespace seqseg {
namespace {

bool keepsSpacing(const Spacing& spacing, const Spacing& target) {
  for (int axis = 0; axis < 3; ++axis)
    if (target[axis] <= 0 || spacing[axis] <= 0) return true;
  return spacing == target;
}

}  // namespace

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
    if (mask.sum().item<int64_t>() < 2) continue;
    const at::Tensor values = channel.masked_select(mask).to(at::kDouble);
    const double mean = values.mean().item<double>();
    const double std = std::max(values.std().item<double>(), 1e-8);
    // (channel - mean) / std where non-zero, else 0, computed in place in the output.
    out[c].copy_(channel).sub_(mean).div_(std).masked_fill_(mask.logical_not(), 0);
  }
  return out;
}

std::array<int64_t, 3> resampledShape(const std::array<int64_t, 3>& shape, const Spacing& spacing,
                                      const Spacing& target) {
  if (keepsSpacing(spacing, target)) return shape;
  std::array<int64_t, 3> out{};
  for (int axis = 0; axis < 3; ++axis)
    out[axis] = std::max<int64_t>(1, std::llround(shape[axis] * spacing[axis] / target[axis]));
  return out;
}

at::Tensor resample(const at::Tensor& volume, const std::array<int64_t, 3>& shape, bool labels) {
  if (volume.size(1) == shape[0] && volume.size(2) == shape[1] && volume.size(3) == shape[2])
    return volume;
  const at::Tensor batch = volume.unsqueeze(0).to(at::kFloat);
  const std::vector<int64_t> size(shape.begin(), shape.end());
  const at::Tensor out = labels ? at::upsample_nearest3d(batch, size)
                                : at::upsample_trilinear3d(batch, size, /*align_corners=*/false);
  return out.squeeze(0).to(volume.scalar_type());
}

at::Tensor applyCrop(const at::Tensor& tensor, const CropBox& crop) {
  const int64_t first = tensor.dim() - 3;
  at::Tensor out = tensor;
  for (int axis = 0; axis < 3; ++axis)
    out = out.slice(first + axis, crop.begin[axis], crop.end[axis]);
  return out;
}

at::Tensor padTo(const at::Tensor& tensor, const std::array<int64_t, 3>& shape) {
  const int64_t first = tensor.dim() - 3;
  std::vector<int64_t> padding;  // at::constant_pad_nd wants the last axis first
  for (int axis = 2; axis >= 0; --axis) {
    padding.push_back(0);
    padding.push_back(shape[axis] - tensor.size(first + axis));
  }
  return at::constant_pad_nd(tensor, padding, 0).contiguous();
}

PreparedImage prepareImage(const at::Tensor& image, const std::array<int64_t, 3>& multiple,
                           const std::array<int64_t, 3>& minimum, const Spacing& spacing,
                           const Spacing& target) {
  PreparedImage prepared;
  prepared.originalShape = {image.size(1), image.size(2), image.size(3)};
  prepared.crop = foregroundBox(image);
  prepared.resampledShape = resampledShape(prepared.crop.size(), spacing, target);
  const at::Tensor cropped = applyCrop(image, prepared.crop);
  // Interpolation would blur the brain's edge into the background: keep the background zero.
  const at::Tensor brain = cropped.ne(0).any(0, /*keepdim=*/true).to(at::kFloat);
  const at::Tensor resampled = resample(normaliseNonZero(cropped), prepared.resampledShape, false) *
                               resample(brain, prepared.resampledShape, true);
  std::array<int64_t, 3> padded{};
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t size = std::max(prepared.resampledShape[axis], minimum[axis]);
    padded[axis] = (size + multiple[axis] - 1) / multiple[axis] * multiple[axis];
  }
  prepared.image = padTo(resampled, padded);
  return prepared;
}

at::Tensor restoreLabels(const at::Tensor& probabilities, const PreparedImage& prepared) {
  const auto& shape = prepared.resampledShape;
  const at::Tensor unpadded =
      probabilities.slice(1, 0, shape[0]).slice(2, 0, shape[1]).slice(3, 0, shape[2]);
  const at::Tensor restored =
      resample(unpadded, prepared.crop.size(), false).to(at::kCPU).contiguous();
  const auto& full = prepared.originalShape;
  at::Tensor labels = at::zeros({full[0], full[1], full[2]}, at::kByte);
  // at::argmax's choice (the first maximum; a NaN beats any number, the first NaN wins), written
  // straight into the crop: no int64 indices, no second copy.
  const int64_t classes = restored.size(0), n1 = restored.size(2), n2 = restored.size(3);
  const int64_t plane = restored.size(1) * n1 * n2;
  const float* p = restored.data_ptr<float>();
  uint8_t* out = labels.data_ptr<uint8_t>();
  const CropBox& crop = prepared.crop;
  at::parallel_for(0, restored.size(1), 1, [&](int64_t begin, int64_t end) {
    for (int64_t a = begin; a < end; ++a)
      for (int64_t b = 0; b < n1; ++b) {
        const int64_t from = (a * n1 + b) * n2;
        uint8_t* row =
            out + ((crop.begin[0] + a) * full[1] + crop.begin[1] + b) * full[2] + crop.begin[2];
        for (int64_t c = 0; c < n2; ++c) {
          float best = p[from + c];
          uint8_t label = 0;
          for (int64_t k = 1; k < classes; ++k) {
            const float value = p[k * plane + from + c];
            if (value > best || (std::isnan(value) && !std::isnan(best))) {
              best = value;
              label = static_cast<uint8_t>(k);
            }
          }
          row[c] = label;
        }
      }
  });
  return labels;
}

}  // namespace seqseg
