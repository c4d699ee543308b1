#pragma once
// The order in which a person reviews a folder's segmentations: most uncertain first, read from
// the report of `seqseg --batch --uncertainty` (each case's mean voxel entropy inside the
// predicted whole tumour), each case marked when it is already kept in the corrections dataset
// (io/corrections_dataset.h). Qt-free: unit-tested without a display.
#include <string>
#include <vector>

namespace seqseg {

struct ReviewEntry {
  std::string id;    // the case's id, as the report names it
  std::string mask;  // the predicted mask the report names
  // Mean voxel entropy / ln 4 inside the predicted whole tumour; NaN when none was found
  // (nothing to be unsure about: those come last).
  double uncertainty = 0;
  double wholeTumourMl = 0;
  bool kept = false;  // a case of this id is in the corrections folder
};

// The report's cases that were segmented (status "ok"), most uncertain first, ties by id.
// Throws InputError naming the report when it cannot be read or is not a batch report with
// uncertainty scores (a run without --uncertainty).
std::vector<ReviewEntry> readReviewOrder(const std::string& reportPath,
                                         const std::string& correctionsRoot);

// Marks the entries kept in `correctionsRoot` (after a case was kept).
void markKept(std::vector<ReviewEntry>& entries, const std::string& correctionsRoot);

}  // namespace seqseg
