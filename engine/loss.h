#pragma once
// Soft Dice + cross-entropy for multi-class segmentation.
//
// The Dice term is taken per class (background, NCR, ED, ET) or, as nnU-Net trains on BraTS, per
// region that BraTS scores (WT = NCR + ED + ET, TC = NCR + ET, ET) on the summed softmax
// probabilities: then the model learns the overlap it is scored by, and a thin enhancing rim
// or a small core counts as much as the large oedema around it. Cross-entropy stays per class.
//
// The loss is assembled from sums over voxels so that a split volume gives the same number:
// each rank computes LossTerms on its voxels, the distributed trainer all-reduces them
// (intersection, cardinality, ceSum, voxels), and lossFromTerms forms the loss once.
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

namespace seqseg {

enum class DiceTerms { Classes, Regions };

// Throws std::invalid_argument, the message starting with `what`, unless a model of `classes`
// classes can be scored by `dice` (Regions: exactly 4, the internal labels).
void checkDiceTermsFit(DiceTerms dice, int64_t classes, const std::string& what);

struct LossTerms {
  // Classes: [N, C], sums over voxels of p_c * [label == c] and p_c + [label == c].
  // Regions: [N, 3] (WT, TC, ET), the same of p_R = sum of p_c over c in R and [label in R].
  at::Tensor intersection;
  at::Tensor cardinality;
  at::Tensor ceSum;    // scalar: sum over batch and voxels of -log p_label
  int64_t voxels = 0;  // number of terms in ceSum (N * voxels)
};

struct SegmentationLoss {
  at::Tensor total;  // dice + ce
  at::Tensor dice;   // 1 - mean over samples and classes (or regions) of the soft Dice
  at::Tensor ce;     // mean cross-entropy per voxel
};

// logits [N, C, A0, A1, A2]; labels [N, A0, A1, A2], integer class indices in [0, C).
// Throws std::invalid_argument on mismatched shapes or out-of-range labels, and for Regions
// unless C is 4 (background, NCR, ED, ET: the internal labels).
LossTerms lossTerms(const at::Tensor& logits, const at::Tensor& labels,
                    DiceTerms dice = DiceTerms::Classes);

// smooth is added to numerator and denominator (MONAI's smooth_nr / smooth_dr), so a class
// absent from both prediction and label scores Dice 1.
SegmentationLoss lossFromTerms(const LossTerms& terms, double smooth = 1e-5);

inline SegmentationLoss segmentationLoss(const at::Tensor& logits, const at::Tensor& labels,
                                         DiceTerms dice = DiceTerms::Classes) {
  return lossFromTerms(lossTerms(logits, labels, dice));
}

}  // namespace seqseg
