#include "engine/crop_sampling.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace seqseg {

std::string Sampler::state() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Sampler::setState(const std::string& text) {
  std::istringstream in(text);
  in >> engine_;
}

CropCentres cropCentres(const at::Tensor& labels, bool balanceClasses) {
  CropCentres centres;
  centres.tumour = labels.gt(0).nonzero();
  if (balanceClasses)
    for (int64_t k = 1; k <= 3; ++k) centres.perClass[k - 1] = labels.eq(k).nonzero();
  return centres;
}

std::pair<at::Tensor, at::Tensor> sampleCrop(const TrainingCase& c, const CropCentres& centres,
                                             const ModelConfig& config,
                                             const TrainingOptions& options, Sampler& sampler) {
  std::array<int64_t, 3> start{};
  const bool centreOnTumour =
      centres.tumour.size(0) > 0 && sampler.uniform() < options.foregroundCropFraction;
  const at::Tensor* candidates = &centres.tumour;
  if (centreOnTumour && options.balanceCropClasses) {
    std::vector<const at::Tensor*> present;
    for (const at::Tensor& voxels : centres.perClass)
      if (voxels.defined() && voxels.size(0) > 0) present.push_back(&voxels);
    candidates = present[sampler.below(static_cast<int64_t>(present.size()))];
  }
  const int64_t pick = centreOnTumour ? sampler.below(candidates->size(0)) : 0;
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t size = c.image.size(1 + axis), roi = config.roi[axis];
    if (centreOnTumour) {
      const int64_t centre = (*candidates)[pick][axis].item<int64_t>();
      start[axis] = std::clamp<int64_t>(centre - roi / 2, 0, size - roi);
    } else {
      start[axis] = sampler.below(size - roi + 1);
    }
  }
  at::Tensor image = c.image, labels = c.labels;
  for (int axis = 0; axis < 3; ++axis) {
    image = image.slice(1 + axis, start[axis], start[axis] + config.roi[axis]);
    labels = labels.slice(axis, start[axis], start[axis] + config.roi[axis]);
  }
  if (!options.augment) return {image.contiguous(), labels.contiguous()};
  for (int axis = 0; axis < 3; ++axis)
    if (sampler.uniform() < 0.5) {
      image = image.flip({1 + axis});
      labels = labels.flip({axis});
    }
  std::vector<double> scale, shift;
  for (int64_t channel = 0; channel < image.size(0); ++channel) {
    scale.push_back(0.9 + 0.2 * sampler.uniform());
    shift.push_back(-0.1 + 0.2 * sampler.uniform());
  }
  const at::Tensor scales = at::tensor(scale, at::kFloat).view({-1, 1, 1, 1});
  const at::Tensor shifts = at::tensor(shift, at::kFloat).view({-1, 1, 1, 1});
  return {(image * scales + shifts).contiguous(), labels.contiguous()};
}

}  // namespace seqseg
