#include "engine/loss.h"

#include <stdexcept>
#include <string>

#include <ATen/ATen.h>

namespace seqseg {

namespace {

// [N, 4, ...] per class -> [N, 3, ...] per BraTS region: WT = 1 + 2 + 3, TC = 1 + 3, ET = 3.
at::Tensor regionsOf(const at::Tensor& perClass) {
  const at::Tensor ncr = perClass.select(1, 1), ed = perClass.select(1, 2),
                   et = perClass.select(1, 3);
  const at::Tensor tumourCore = ncr + et;
  return at::stack({tumourCore + ed, tumourCore, et}, 1);
}

}  // namespace

void checkDiceTermsFit(DiceTerms dice, int64_t classes, const std::string& what) {
  if (dice == DiceTerms::Regions && classes != 4)
    throw std::invalid_argument(what + " needs 4 classes (background, NCR, ED, ET), not " +
                                std::to_string(classes));
}

LossTerms lossTerms(const at::Tensor& logits, const at::Tensor& labels, DiceTerms dice) {
  if (logits.dim() != 5) throw std::invalid_argument("loss: logits must be [N, C, A0, A1, A2]");
  std::vector<int64_t> expected = logits.sizes().vec();
  expected.erase(expected.begin() + 1);
  if (labels.sizes().vec() != expected)
    throw std::invalid_argument("loss: labels shape does not match logits without the class dim");
  if (at::isFloatingType(labels.scalar_type()) || labels.scalar_type() == at::kBool)
    throw std::invalid_argument("loss: labels must be an integer tensor");
  const int64_t classes = logits.size(1);
  checkDiceTermsFit(dice, classes, "loss: region Dice");
  const at::Tensor index = labels.to(at::kLong).unsqueeze(1);
  if (index.numel() > 0) {
    const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
    if (lo < 0 || hi >= classes)
      throw std::invalid_argument("loss: label values must lie in [0, " +
                                  std::to_string(classes - 1) + "], found " + std::to_string(lo) +
                                  ".." + std::to_string(hi));
  }

  // float32 whatever the logits' dtype (bfloat16 under autocast): the sums stay exact enough.
  const at::Tensor logProbs = at::log_softmax(logits, 1, at::kFloat);
  const at::Tensor probs = logProbs.exp();
  const at::Tensor oneHot = at::zeros_like(probs).scatter_(1, index, 1.0);
  const std::vector<int64_t> voxelDims{2, 3, 4};

  const at::Tensor p = dice == DiceTerms::Regions ? regionsOf(probs) : probs;
  const at::Tensor truth = dice == DiceTerms::Regions ? regionsOf(oneHot) : oneHot;
  LossTerms terms;
  terms.intersection = (p * truth).sum(voxelDims);
  terms.cardinality = p.sum(voxelDims) + truth.sum(voxelDims);
  terms.ceSum = -logProbs.gather(1, index).sum();
  terms.voxels = index.numel();
  return terms;
}

SegmentationLoss lossFromTerms(const LossTerms& terms, double smooth) {
  const at::Tensor dice = (2.0 * terms.intersection + smooth) / (terms.cardinality + smooth);
  SegmentationLoss loss;
  loss.dice = 1.0 - dice.mean();
  loss.ce = terms.ceSum / static_cast<double>(std::max<int64_t>(terms.voxels, 1));
  loss.total = loss.dice + loss.ce;
  return loss;
}

}  // namespace seqseg
