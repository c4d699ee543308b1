#pragma once
// The `seqseg --batch` command line the desktop application runs to segment its open case.
#include <string>
#include <vector>

#include "io/dataset_layout.h"

namespace seqseg {

// What the Segment panel lets a person choose. Defaults are those of `seqseg --batch`.
struct SegmentSettings {
  std::string model;  // a checkpoint; empty: the bundled model
  int ranks = 1;
  std::string device = "cpu";
  std::string split = "slab0";
  std::string attention = "allgather";
  std::string decoder = "halo";
  std::string cluster;  // a cluster profile to run on (--cluster); empty: this computer
};

// Arguments (after the executable) that segment the one case `files` into `outputFolder`
// with internal labels, its probabilities (--save-probabilities) and JSON Lines progress on
// stdout. BraTS cases are given as their case folder, four-file and nnU-Net cases as explicit
// files (--t1 --t1ce --t2 --flair), and MSD cases (one 4D file) as `datasetRoot` with --case.
// jobs/job_arguments.h writes the command.
std::vector<std::string> batchArguments(const CaseFiles& files, const std::string& datasetRoot,
                                        const SegmentSettings& settings,
                                        const std::string& outputFolder);

// Arguments that segment every case of the dataset `folder` into `outputFolder` for review: the
// dataset's native labels, an uncertainty score per case in OUT/report.json, JSON Lines progress.
// Always on this computer (a cluster profile in `settings` is not used).
std::vector<std::string> reviewArguments(const std::string& folder, const SegmentSettings& settings,
                                         const std::string& outputFolder);

}  // namespace seqseg
