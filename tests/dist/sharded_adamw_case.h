#pragma once
// Shared by test_sharded_adamw.cpp and its rank helper: parameters of awkward sizes (so that
// shards and buckets cut through parameters), every rank's seeded gradients per step, and the
// optimizer settings of each case.
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/parallel/sharded_adamw.h"

namespace seqseg::test {

constexpr int kShardedSteps = 3;

// 35 + 13 + 60 + 1 + 1000 = 1109 elements: uneven shards for R = 2 and 3.
inline std::vector<at::Tensor> shardedCaseParameters() {
  at::manual_seed(7);
  std::vector<at::Tensor> params;
  for (const auto& shape : std::vector<std::vector<int64_t>>{{7, 5}, {13}, {3, 4, 5}, {1}, {1000}})
    params.push_back(at::randn(shape).set_requires_grad(true));
  return params;
}

// Rank `rank`'s gradient of parameter i at `step` (1-based); undefined for parameter 1 on odd
// ranks (a parameter without a gradient counts as zeros).
inline at::Tensor shardedCaseGradient(int step, int rank, size_t i, const at::Tensor& param) {
  if (i == 1 && rank % 2 == 1) return at::Tensor();
  at::manual_seed(static_cast<uint64_t>(1000 * step + 10 * rank + static_cast<int>(i)));
  return at::randn(param.sizes());
}

// "plain": weight decay, no clipping, buckets of 100; "clipped": the summed gradients' norm
// (~50) clipped to 1, strong decay, buckets of 64.
inline ShardedAdamWOptions shardedCaseOptions(const std::string& name) {
  ShardedAdamWOptions o;
  o.lr = 1e-2;
  o.weightDecay = 1e-2;
  o.bucketElements = 100;
  if (name == "clipped") {
    o.lr = 5e-3;
    o.weightDecay = 0.1;
    o.maxGradNorm = 1.0;
    o.bucketElements = 64;
  }
  return o;
}

}  // namespace seqseg::test
