#pragma once
// How well probabilities are calibrated: the reliability table and the expected calibration error
// (ECE) of a binary event's predicted probability, with 15 equal-width bins over [0, 1] (Guo et
// al. 2017; Naeini et al. 2015). A voxel with probability p falls in bin min(floor(15 p), 14);
// per bin, its mean probability (the confidence) against the fraction of its voxels where the
// event happened (the accuracy); ECE = sum over bins of voxels_b / voxels * |accuracy_b -
// confidence_b|. Plain C++.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace seqseg {

class ReliabilityTable {
 public:
  static constexpr int kBins = 15;

  // One voxel: its predicted probability of the event (clamped to [0, 1]) and whether it
  // happened.
  void add(double probability, bool event);
  // Another table's voxels (a case's into a whole set's).
  void merge(const ReliabilityTable& other);

  int64_t voxels() const;
  double expectedCalibrationError() const;  // 0 without voxels
  // {"ece", "voxels", "bins": [{"lower", "upper", "voxels", "confidence", "accuracy"}]}, the
  // empty bins included (confidence and accuracy null).
  nlohmann::json toJson() const;

 private:
  struct Bin {
    int64_t voxels = 0;
    double probabilitySum = 0;
    int64_t events = 0;
  };
  std::array<Bin, kBins> bins_{};
};

}  // namespace seqseg
