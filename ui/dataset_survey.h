#pragma once
// What a dataset folder offers for training, as the wizard's Data page shows it: the layout,
// the cases, how many carry a reference label map, the label values found, and every case
// that cannot be read with its one-line reason (training leaves those out). No Qt.
#include <set>
#include <string>
#include <vector>

namespace seqseg {

struct UnreadableCase {
  std::string id;
  std::string reason;  // one line naming the file and the problem
};

struct DatasetSurvey {
  std::string folder;
  std::string layout;  // "brats2021", ...; empty when the folder holds no known layout
  std::string error;   // why the folder holds no dataset; empty when it does
  int cases = 0;
  int labelled = 0;           // cases with a reference label map
  int readable = 0;           // labelled cases that read and fit: those training uses
  std::set<int> labelValues;  // native values found in the readable label maps
  std::vector<UnreadableCase> unreadable;
};

// Reads every case of `folder` (slow: run it off the UI thread).
DatasetSurvey surveyDataset(const std::string& folder);

}  // namespace seqseg
