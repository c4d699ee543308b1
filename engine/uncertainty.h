#pragma once
// Where the model is unsure, from its class probabilities (the flip-averaged softmax under
// test-time flips): the voxel entropy, as uncertainty maps show it.
#include <ATen/core/Tensor.h>

namespace seqseg {

// probabilities [K, A0, A1, A2] -> [A0, A1, A2] float32: -sum_k p_k ln p_k / ln K, from 0 (one
// class certain) to 1 (all K equally likely).
at::Tensor normalisedEntropy(const at::Tensor& probabilities);

// A case's uncertainty score, for reviewing the most doubtful cases first: the mean of
// `entropy` ([A0, A1, A2]) over the voxels `labels` (internal classes, the same shape) put in
// the whole tumour; NaN when there are none.
double meanEntropyInWholeTumour(const at::Tensor& entropy, const at::Tensor& labels);

}  // namespace seqseg
