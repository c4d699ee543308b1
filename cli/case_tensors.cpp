#include "cli/case_tensors.h"

#include <ATen/ATen.h>

#include <utility>
#include <vector>

namespace seqseg {

at::Tensor toTensor(const Volume& volume) {
  return at::from_blob(const_cast<float*>(volume.voxels.data()),
                       {volume.shape[0], volume.shape[1], volume.shape[2], volume.shape[3]},
                       at::kFloat)
      .clone();
}

at::Tensor toTensor(Volume&& volume) {
  auto* voxels = new std::vector<float>(std::move(volume.voxels));
  return at::from_blob(
      voxels->data(), {volume.shape[0], volume.shape[1], volume.shape[2], volume.shape[3]},
      [voxels](void*) { delete voxels; }, at::kFloat);
}

at::Tensor toTensor(const LabelVolume& labels) {
  return at::from_blob(const_cast<uint8_t*>(labels.labels.data()),
                       {labels.shape[0], labels.shape[1], labels.shape[2]}, at::kByte)
      .to(at::kLong);
}

Spacing engineSpacing(const Geometry& geometry) {
  return {geometry.spacing[2], geometry.spacing[1], geometry.spacing[0]};
}

LabelVolume toLabelVolume(const at::Tensor& labels, const Geometry& geometry) {
  const at::Tensor bytes = labels.to(at::kByte).contiguous();
  LabelVolume volume;
  volume.shape = {bytes.size(0), bytes.size(1), bytes.size(2)};
  volume.labels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
  volume.geometry = geometry;
  return volume;
}

}  // namespace seqseg
