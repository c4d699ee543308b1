#pragma once
// Temperature scaling (Guo et al. 2017): one scalar T > 0 divides the model's logits before the
// softmax, fitted to minimise the mean negative log-likelihood of the reference classes on the
// validation cases. It leaves every argmax alone and only makes the probabilities less (T > 1)
// or more (T < 1) confident. A checkpoint stores it in its meta ("temperature"); one without it
// has T = 1.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/test_time_flips.h"

namespace seqseg {

// The range a fitted temperature is kept in: a model that separates its validation voxels
// perfectly would otherwise drive T towards 0.
constexpr double kMinTemperature = 0.05;
constexpr double kMaxTemperature = 20.0;

// Mean of -ln softmax(logits / T)[label] over the rows of logits [N, K] and labels [N] (int64),
// in double precision.
double meanNegativeLogLikelihood(const at::Tensor& logits, const at::Tensor& labels,
                                 double temperature);

// The T in [kMinTemperature, kMaxTemperature] minimising meanNegativeLogLikelihood: golden-section
// search on ln T (the NLL is convex in 1/T, so it has one minimum along ln T), deterministic.
double fitTemperature(const at::Tensor& logits, const at::Tensor& labels);

// The voxels a fit sees: from each sliding window of the validation cases, a fixed-seed sample
// of `voxelsPerWindow` voxels (drawn with replacement) with the window's own logits, as
// inference softmaxes them before blending. `voxelWeights` ([r0, r1, r2], the sliding window's
// Gaussian map) makes a voxel as likely to be drawn as the blend trusts it: window edges, where
// the model sees least context and errs most, count as little as they do in the probabilities
// (undefined: uniform). The same windows in the same order give the same sample, on one rank or
// many.
class TemperatureSample {
 public:
  explicit TemperatureSample(const at::Tensor& voxelWeights = {}, int64_t voxelsPerWindow = 2048,
                             uint64_t seed = 0x7E3Aull);
  // logits [K, r0, r1, r2] of one window, labels [r0, r1, r2] (internal classes) under it.
  void addWindow(const at::Tensor& logits, const at::Tensor& labels);
  int64_t voxels() const;
  // The sample as logits [N, K] float and labels [N] int64.
  at::Tensor logits() const;
  at::Tensor labels() const;

 private:
  int64_t voxelsPerWindow_;
  std::vector<double> cumulativeWeights_;  // empty: uniform
  std::mt19937_64 engine_;
  std::vector<at::Tensor> logits_, labels_;
};

// What a fit found, as the trainer records it in a checkpoint's meta and its metrics line.
struct TemperatureFit {
  double temperature = 1;
  int64_t voxels = 0;
  double nllAtOne = 0;  // mean NLL of the sample at T = 1 ...
  double nll = 0;       // ... and at the fitted T
};
TemperatureFit fitTemperature(const TemperatureSample& sample);

// logitsOf followed by a division by `temperature` (logitsOf itself when it is 1).
LogitsFunction withTemperature(LogitsFunction logitsOf, double temperature);

}  // namespace seqseg
