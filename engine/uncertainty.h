#pragma once
// Where the model is unsure, from its class probabilities (the flip-averaged softmax under
// test-time flips): the voxel entropy, as uncertainty maps show it.
#include <ATen/core/Tensor.h>

#include "engine/preprocessing.h"

namespace seqseg {

// The normalised entropy -sum_k p_k ln p_k / ln K of the K class probabilities, row by row on
// the input grid: from 0 (one class certain, as outside the brain's box) to 1 (all K equally
// likely). Rows are computed a whole A0 plane at a time, through ATen's vectorised logarithms
// (five times the scalar ones), so they are best asked for in order.
class EntropyRows {
 public:
  explicit EntropyRows(const InputGridProbabilities& probabilities)
      : probabilities_(probabilities) {}
  // Row (a0, a1): its shape[2] values into `row`.
  void fill(int64_t a0, int64_t a1, float* row);

 private:
  const InputGridProbabilities& probabilities_;
  int64_t plane_ = -1;
  at::Tensor entropy_;  // plane_'s, over the crop's A1 x A2
};

// A case's uncertainty score, for reviewing the most doubtful cases first: the mean normalised
// entropy over the voxels `labels` ([A0, A1, A2], internal classes) put in the whole tumour;
// NaN when there are none.
double meanEntropyInWholeTumour(const InputGridProbabilities& probabilities,
                                const at::Tensor& labels);

}  // namespace seqseg
