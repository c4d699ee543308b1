#include "engine/calibration.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace seqseg {

double meanNegativeLogLikelihood(const at::Tensor& logits, const at::Tensor& labels,
                                 double temperature) {
  const at::Tensor scaled = logits.to(at::kDouble) / temperature;
  const at::Tensor logProbabilities = at::log_softmax(scaled, 1);
  return -logProbabilities.gather(1, labels.to(at::kLong).view({-1, 1})).mean().item<double>();
}

double fitTemperature(const at::Tensor& logits, const at::Tensor& labels) {
  if (logits.dim() != 2 || labels.dim() != 1 || logits.size(0) != labels.size(0) ||
      logits.size(0) == 0)
    throw std::invalid_argument("fitTemperature needs logits [N, K] and labels [N], N > 0");
  const at::Tensor values = logits.to(at::kDouble).contiguous();
  const at::Tensor classes = labels.to(at::kLong).contiguous();
  auto nllAt = [&](double logT) {
    return meanNegativeLogLikelihood(values, classes, std::exp(logT));
  };
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double low = std::log(kMinTemperature), high = std::log(kMaxTemperature);
  double left = high - ratio * (high - low), right = low + ratio * (high - low);
  double nllLeft = nllAt(left), nllRight = nllAt(right);
  // 60 steps shrink the bracket by 0.618^60: ln T to about 1e-12.
  for (int step = 0; step < 60; ++step) {
    if (nllLeft <= nllRight) {
      high = right;
      right = left;
      nllRight = nllLeft;
      left = high - ratio * (high - low);
      nllLeft = nllAt(left);
    } else {
      low = left;
      left = right;
      nllLeft = nllRight;
      right = low + ratio * (high - low);
      nllRight = nllAt(right);
    }
  }
  return std::exp((low + high) / 2);
}

TemperatureSample::TemperatureSample(const at::Tensor& voxelWeights, int64_t voxelsPerWindow,
                                     uint64_t seed)
    : voxelsPerWindow_(voxelsPerWindow), engine_(seed) {
  if (!voxelWeights.defined()) return;
  const at::Tensor weights = voxelWeights.to(at::kCPU, at::kDouble).contiguous();
  double sum = 0;
  for (int64_t v = 0; v < weights.numel(); ++v) {
    sum += weights.data_ptr<double>()[v];
    cumulativeWeights_.push_back(sum);
  }
}

void TemperatureSample::addWindow(const at::Tensor& logits, const at::Tensor& labels) {
  const int64_t classes = logits.size(0), voxels = labels.numel();
  if (voxels == 0) return;
  if (!cumulativeWeights_.empty() && static_cast<int64_t>(cumulativeWeights_.size()) != voxels)
    throw std::invalid_argument("a window of another size than the sample's weights");
  std::vector<int64_t> picks(static_cast<size_t>(voxelsPerWindow_));
  // Drawn with the engine's own bits (not the standard distributions, whose algorithms differ
  // between standard libraries), so that a sample repeats on every platform.
  for (int64_t& pick : picks) {
    if (cumulativeWeights_.empty()) {
      pick = static_cast<int64_t>(engine_() % static_cast<uint64_t>(voxels));
    } else {
      const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53 * cumulativeWeights_.back();
      pick = std::min<int64_t>(
          voxels - 1, std::upper_bound(cumulativeWeights_.begin(), cumulativeWeights_.end(), u) -
                          cumulativeWeights_.begin());
    }
  }
  const at::Tensor index = at::tensor(picks, at::kLong);
  const at::Tensor flat = logits.detach().to(at::kCPU, at::kFloat).reshape({classes, voxels});
  logits_.push_back(flat.index_select(1, index).t().contiguous());
  labels_.push_back(labels.to(at::kCPU, at::kLong).reshape({voxels}).index_select(0, index));
}

int64_t TemperatureSample::voxels() const {
  int64_t total = 0;
  for (const at::Tensor& l : labels_) total += l.numel();
  return total;
}

at::Tensor TemperatureSample::logits() const {
  return at::cat(logits_, 0);
}
at::Tensor TemperatureSample::labels() const {
  return at::cat(labels_, 0);
}

TemperatureFit fitTemperature(const TemperatureSample& sample) {
  TemperatureFit fit;
  fit.voxels = sample.voxels();
  if (fit.voxels == 0) return fit;
  const at::Tensor logits = sample.logits(), labels = sample.labels();
  fit.temperature = fitTemperature(logits, labels);
  fit.nllAtOne = meanNegativeLogLikelihood(logits, labels, 1.0);
  fit.nll = meanNegativeLogLikelihood(logits, labels, fit.temperature);
  return fit;
}

LogitsFunction withTemperature(LogitsFunction logitsOf, double temperature) {
  if (temperature == 1.0) return logitsOf;
  return [logitsOf = std::move(logitsOf), temperature](const at::Tensor& batch) {
    return logitsOf(batch) / temperature;
  };
}

}  // namespace seqseg
