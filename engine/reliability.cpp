#include "engine/reliability.h"

#include <algorithm>
#include <cmath>

namespace seqseg {

void ReliabilityTable::add(double probability, bool event) {
  const double p = std::clamp(probability, 0.0, 1.0);
  Bin& bin = bins_[std::min(static_cast<int>(std::floor(p * kBins)), kBins - 1)];
  ++bin.voxels;
  bin.probabilitySum += p;
  bin.events += event ? 1 : 0;
}

void ReliabilityTable::merge(const ReliabilityTable& other) {
  for (int b = 0; b < kBins; ++b) {
    bins_[b].voxels += other.bins_[b].voxels;
    bins_[b].probabilitySum += other.bins_[b].probabilitySum;
    bins_[b].events += other.bins_[b].events;
  }
}

int64_t ReliabilityTable::voxels() const {
  int64_t total = 0;
  for (const Bin& bin : bins_) total += bin.voxels;
  return total;
}

double ReliabilityTable::expectedCalibrationError() const {
  const int64_t total = voxels();
  if (total == 0) return 0;
  double error = 0;
  for (const Bin& bin : bins_)
    if (bin.voxels > 0)
      error += std::abs(static_cast<double>(bin.events) - bin.probabilitySum) /
               static_cast<double>(total);
  return error;
}

nlohmann::json ReliabilityTable::toJson() const {
  nlohmann::json bins = nlohmann::json::array();
  for (int b = 0; b < kBins; ++b) {
    const Bin& bin = bins_[b];
    const double n = static_cast<double>(bin.voxels);
    bins.push_back({{"lower", static_cast<double>(b) / kBins},
                    {"upper", static_cast<double>(b + 1) / kBins},
                    {"voxels", bin.voxels},
                    {"confidence", bin.voxels ? nlohmann::json(bin.probabilitySum / n) : nullptr},
                    {"accuracy", bin.voxels ? nlohmann::json(bin.events / n) : nullptr}});
  }
  return {{"ece", expectedCalibrationError()}, {"voxels", voxels()}, {"bins", bins}};
}

}  // namespace seqseg
