#include "engine/preprocessing.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

namespace seqseg {
namespace {

bool keepsSpacing(const Spacing& spacing, const Spacing& target) {
  for (int axis = 0; axis < 3; ++axis)
    if (target[axis] <= 0 || spacing[axis] <= 0) return true;
  return spacing == target;
}

}  // namespace

namespace {

// [A0, A1, A2] bytes: 1 where any channel of image [C, A0, A1, A2] is non-zero.
at::Tensor foregroundMask(const at::Tensor& image) {
  if (image.scalar_type() != at::kFloat || !image.is_cpu()) return image.ne(0).any(0).to(at::kByte);
  const at::Tensor voxels = image.contiguous();
  const int64_t channels = voxels.size(0), rows = voxels.size(1);
  const int64_t row = voxels.size(2) * voxels.size(3), channelSize = rows * row;
  if (channels == 0) return at::zeros({voxels.size(1), voxels.size(2), voxels.size(3)}, at::kByte);
  at::Tensor mask = at::empty({voxels.size(1), voxels.size(2), voxels.size(3)}, at::kByte);
  const float* in = voxels.data_ptr<float>();
  uint8_t* out = mask.data_ptr<uint8_t>();
  // One pass per channel over contiguous rows (vectorised), instead of gathering the channels
  // of each voxel.
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    uint8_t* to = out + begin * row;
    const int64_t count = (end - begin) * row;
    const float* first = in + begin * row;
    for (int64_t i = 0; i < count; ++i) to[i] = first[i] != 0.0f;
    for (int64_t c = 1; c < channels; ++c) {
      const float* from = in + c * channelSize + begin * row;
      for (int64_t i = 0; i < count; ++i) to[i] |= from[i] != 0.0f;
    }
  });
  return mask;
}

// The bounding box of a [A0, A1, A2] byte mask's ones (the whole grid when there are none).
CropBox boxOfMask(const at::Tensor& mask) {
  const at::Tensor bytes = mask.contiguous();
  const int64_t n0 = bytes.size(0), n1 = bytes.size(1), n2 = bytes.size(2);
  const uint8_t* in = bytes.data_ptr<uint8_t>();
  struct Range {
    std::array<int64_t, 3> begin, end;  // end = last + 1; begin > end while empty
  };
  const Range empty{{n0, n1, n2}, {0, 0, 0}};
  const auto merge = [](Range a, const Range& b) {
    for (int axis = 0; axis < 3; ++axis) {
      a.begin[axis] = std::min(a.begin[axis], b.begin[axis]);
      a.end[axis] = std::max(a.end[axis], b.end[axis]);
    }
    return a;
  };
  const Range found = at::parallel_reduce(
      0, n0, 1, empty,
      [&](int64_t first, int64_t last, Range range) {
        for (int64_t a = first; a < last; ++a)
          for (int64_t b = 0; b < n1; ++b) {
            const uint8_t* row = in + (a * n1 + b) * n2;
            const uint8_t* end = row + n2;
            const uint8_t* one = std::find(row, end, uint8_t{1});
            if (one == end) continue;
            const auto lastOne = std::find(std::make_reverse_iterator(end),
                                           std::make_reverse_iterator(row), uint8_t{1});
            range = merge(range, {{a, b, one - row}, {a + 1, b + 1, lastOne.base() - row}});
          }
        return range;
      },
      merge);
  CropBox box;
  box.end = {n0, n1, n2};
  if (found.begin[0] >= found.end[0]) return box;
  box.begin = found.begin;
  box.end = found.end;
  return box;
}

// The old formula, for dtypes and devices the fused loop below does not take.
void normaliseChannelWithAten(const at::Tensor& channelIn, at::Tensor out) {
  const at::Tensor channel = channelIn.to(at::kFloat);
  const at::Tensor mask = channel.ne(0);
  if (mask.sum().item<int64_t>() < 2) return;
  const at::Tensor values = channel.masked_select(mask).to(at::kDouble);
  const double mean = values.mean().item<double>();
  const double std = std::max(values.std().item<double>(), 1e-8);
  out.copy_(channel).sub_(mean).div_(std).masked_fill_(mask.logical_not(), 0);
}

}  // namespace

CropBox foregroundBox(const at::Tensor& image) {
  return boxOfMask(foregroundMask(image));
}

at::Tensor normaliseNonZero(const at::Tensor& image) {
  if (image.scalar_type() != at::kFloat || !image.is_cpu() || image.dim() != 4) {
    at::Tensor out = at::zeros(image.sizes(), image.options().dtype(at::kFloat));
    for (int64_t c = 0; c < image.size(0); ++c) normaliseChannelWithAten(image[c], out[c]);
    return out;
  }
  // Per channel, one pass gathers the non-zero values in order (masked_select's order) as
  // doubles; the mean and std are LibTorch's, on the same values, so they are the same numbers; a
  // second pass writes (x - float(mean)) / float(std), the float arithmetic of sub_ and div_. The
  // passes read the crop's rows where they are (no contiguous copy of each channel).
  const at::Tensor source = image.stride(3) == 1 ? image : image.contiguous();
  const int64_t n1 = source.size(2), n2 = source.size(3), rows = source.size(1) * n1;
  at::Tensor out = at::empty(source.sizes(), source.options());
  const int64_t chunks = std::max<int64_t>(1, at::get_num_threads());
  const auto chunkRows = [&](int64_t chunk) {
    return std::pair<int64_t, int64_t>{rows * chunk / chunks, rows * (chunk + 1) / chunks};
  };
  at::Tensor gatheredBuffer;  // reused by the channels
  for (int64_t c = 0; c < source.size(0); ++c) {
    const float* channel = source.data_ptr<float>() + c * source.stride(0);
    const auto row = [&](int64_t r) {
      return channel + (r / n1) * source.stride(1) + (r % n1) * source.stride(2);
    };
    float* written = out.data_ptr<float>() + c * rows * n2;
    std::vector<int64_t> counts(chunks + 1, 0);
    at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t chunk = begin; chunk < end; ++chunk) {
        const auto [from, to] = chunkRows(chunk);
        for (int64_t r = from; r < to; ++r) {
          const float* in = row(r);
          counts[chunk + 1] += std::count_if(in, in + n2, [](float v) { return v != 0.0f; });
        }
      }
    });
    for (int64_t chunk = 0; chunk < chunks; ++chunk) counts[chunk + 1] += counts[chunk];
    const int64_t total = counts[chunks];
    if (total < 2) {  // nothing to normalise: the channel stays zero
      std::fill(written, written + rows * n2, 0.0f);
      continue;
    }
    if (!gatheredBuffer.defined() || gatheredBuffer.numel() < total)
      gatheredBuffer = at::empty({total}, at::kDouble);
    const at::Tensor values = gatheredBuffer.narrow(0, 0, total);
    double* gathered = values.data_ptr<double>();
    at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t chunk = begin; chunk < end; ++chunk) {
        const auto [from, to] = chunkRows(chunk);
        double* next = gathered + counts[chunk];
        for (int64_t r = from; r < to; ++r) {
          const float* in = row(r);
          for (int64_t k = 0; k < n2; ++k)
            if (in[k] != 0.0f) *next++ = in[k];
        }
      }
    });
    const float mean = static_cast<float>(values.mean().item<double>());
    const float std = static_cast<float>(std::max(values.std().item<double>(), 1e-8));
    at::parallel_for(0, rows, 64, [&, mean, std](int64_t begin, int64_t end) {
      // Branch-free, so that it vectorises: every voxel is normalised and a background voxel's
      // bits are then cleared (+0.0, as before).
      for (int64_t r = begin; r < end; ++r) {
        const float* in = row(r);
        float* to = written + r * n2;
        for (int64_t k = 0; k < n2; ++k) {
          const float value = in[k];
          const float normalised = (value - mean) / std;
          uint32_t bits;
          std::memcpy(&bits, &normalised, sizeof bits);
          bits &= 0u - static_cast<uint32_t>(value != 0.0f);
          std::memcpy(to + k, &bits, sizeof bits);
        }
      }
    });
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
  const at::Tensor foreground = foregroundMask(image);
  prepared.crop = boxOfMask(foreground);
  prepared.resampledShape = resampledShape(prepared.crop.size(), spacing, target);
  const at::Tensor cropped = applyCrop(image, prepared.crop);
  // Interpolation would blur the brain's edge into the background: keep the background zero.
  const at::Tensor brain = applyCrop(foreground, prepared.crop).unsqueeze(0).to(at::kFloat);
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
  return labelsOnInputGrid(restoreCropProbabilities(probabilities, prepared), prepared);
}

at::Tensor restoreCropProbabilities(const at::Tensor& probabilities,
                                    const PreparedImage& prepared) {
  const auto& shape = prepared.resampledShape;
  const at::Tensor unpadded =
      probabilities.slice(1, 0, shape[0]).slice(2, 0, shape[1]).slice(3, 0, shape[2]);
  return resample(unpadded, prepared.crop.size(), false).to(at::kCPU, at::kFloat).contiguous();
}

InputGridProbabilities probabilitiesOnInputGrid(const at::Tensor& cropProbabilities,
                                                const PreparedImage& prepared) {
  return {cropProbabilities.to(at::kCPU, at::kFloat).contiguous(), prepared.crop,
          prepared.originalShape};
}

const float* InputGridProbabilities::cropRow(int64_t k, int64_t a0, int64_t a1) const {
  const std::array<int64_t, 3> size = box.size();
  return crop.data_ptr<float>() +
         ((k * size[0] + a0 - box.begin[0]) * size[1] + a1 - box.begin[1]) * size[2];
}

void InputGridProbabilities::fillRow(int64_t k, int64_t a0, int64_t a1, float* row) const {
  const float outside = k == 0 ? 1.0f : 0.0f;
  if (!rowInBox(a0, a1)) {
    std::fill(row, row + shape[2], outside);
    return;
  }
  const float* from = cropRow(k, a0, a1);
  std::fill(row, row + box.begin[2], outside);
  std::copy(from, from + box.size()[2], row + box.begin[2]);
  std::fill(row + box.end[2], row + shape[2], outside);
}

at::Tensor InputGridProbabilities::full() const {
  at::Tensor all = at::empty({classes(), shape[0], shape[1], shape[2]}, at::kFloat);
  float* out = all.data_ptr<float>();
  at::parallel_for(0, classes() * shape[0], 1, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane)
      for (int64_t a1 = 0; a1 < shape[1]; ++a1)
        fillRow(plane / shape[0], plane % shape[0], a1, out + (plane * shape[1] + a1) * shape[2]);
  });
  return all;
}

at::Tensor labelsOnInputGrid(const at::Tensor& cropProbabilities, const PreparedImage& prepared) {
  const at::Tensor restored = cropProbabilities.contiguous();
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
