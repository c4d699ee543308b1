#pragma once
// Soft Dice + cross-entropy for multi-class segmentation.
//
// The loss is assembled from sums over voxels so that a split volume gives the same number:
// each rank computes LossTerms on its voxels, the distributed trainer all-reduces them
// (intersection, cardinality, ceSum, voxels), and lossFromTerms forms the loss once.
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace seqseg {

struct LossTerms {
  at::Tensor intersection;  // [N, C]: sum over voxels of p_c * [label == c]
  at::Tensor cardinality;   // [N, C]: sum over voxels of p_c + [label == c]
  at::Tensor ceSum;         // scalar: sum over batch and voxels of -log p_label
  int64_t voxels = 0;       // number of terms in ceSum (N * voxels)
};

struct SegmentationLoss {
  at::Tensor total;  // dice + ce
  at::Tensor dice;   // 1 - mean over samples and classes of the soft Dice
  at::Tensor ce;     // mean cross-entropy per voxel
};

// logits [N, C, A0, A1, A2]; labels [N, A0, A1, A2], integer class indices in [0, C).
// Throws std::invalid_argument on mismatched shapes or out-of-range labels.
LossTerms lossTerms(const at::Tensor& logits, const at::Tensor& labels);

// smooth is added to numerator and denominator (MONAI's smooth_nr / smooth_dr), so a class
// absent from both prediction and label scores Dice 1.
SegmentationLoss lossFromTerms(const LossTerms& terms, double smooth = 1e-5);

inline SegmentationLoss segmentationLoss(const at::Tensor& logits, const at::Tensor& labels,
                                         double smooth = 1e-5) {
  return lossFromTerms(lossTerms(logits, labels), smooth);
}

}  // namespace seqseg
