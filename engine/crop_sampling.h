#pragma once
// Where training crops come from: uniform anywhere in the case, or centred on a tumour voxel
// (nnU-Net's foreground oversampling), and how they are augmented. Seeded and repeatable across
// platforms: the run's sampler state is stored in last.pt, so a resume draws what the run would
// have drawn.
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include <ATen/core/Tensor.h>

#include "engine/trainer.h"

namespace seqseg {

// Uniform numbers from a standard engine, written out so that runs repeat across platforms.
class Sampler {
 public:
  explicit Sampler(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  int64_t below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }
  std::string state() const;
  void setState(const std::string& text);

 private:
  std::mt19937_64 engine_;
};

// The voxels a tumour-centred crop may be centred on: every tumour voxel ([n, 3] coordinates),
// and with balanceClasses each tumour class's own (NCR, ED, ET; empty when absent).
struct CropCentres {
  at::Tensor tumour;
  std::array<at::Tensor, 3> perClass;
};
CropCentres cropCentres(const at::Tensor& labels, bool balanceClasses);

// One augmented ROI crop of a case: centred on a tumour voxel with probability
// options.foregroundCropFraction (with options.balanceCropClasses, on a voxel of a class drawn
// uniformly among those the case has: small classes, the necrosis and the enhancing rim, are
// centred on as often as the oedema), flipped per axis, channel intensities scaled and shifted.
std::pair<at::Tensor, at::Tensor> sampleCrop(const TrainingCase& c, const CropCentres& centres,
                                             const ModelConfig& config,
                                             const TrainingOptions& options, Sampler& sampler);

}  // namespace seqseg
