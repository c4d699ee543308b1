// ShardedAdamW equals torch::optim::AdamW on the group-summed gradients (with and without
// global-norm clipping), for R = 1 in this process and R = 2, 3 as real rank processes over
// loopback with uneven shards and buckets that cut through parameters and shards; the last
// step runs on a second optimizer loaded from the first one's gathered state (checkpointing).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <c10/util/string_utils.h>
#include <torch/types.h>  // before clip_grad.h, which uses torch::Tensor without including it

#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>
#include <torch/serialize.h>

#include "dist_launch.h"
#include "engine/parallel/sharded_adamw.h"
#include "engine/torch_compat.h"
#include "sharded_adamw_case.h"
#include "tensor_match.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

struct Reference {
  std::vector<at::Tensor> params, expAvg, expAvgSq;
};

// torch::optim::AdamW on the sum over `ranks` of every rank's gradients.
Reference reference(const std::string& name, int ranks) {
  const ShardedAdamWOptions o = test::shardedCaseOptions(name);
  std::vector<at::Tensor> params = test::shardedCaseParameters();
  torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.lr)
                                            .betas({o.beta1, o.beta2})
                                            .eps(o.eps)
                                            .weight_decay(o.weightDecay));
  for (int step = 1; step <= test::kShardedSteps; ++step) {
    for (size_t i = 0; i < params.size(); ++i) {
      at::Tensor sum = at::zeros_like(params[i]);
      for (int r = 0; r < ranks; ++r) {
        const at::Tensor g = test::shardedCaseGradient(step, r, i, params[i]);
        if (g.defined()) sum += g;
      }
      params[i].mutable_grad() = sum;
    }
    if (o.maxGradNorm > 0) torch::nn::utils::clip_grad_norm_(params, o.maxGradNorm);
    optimizer.step();
  }
  Reference ref;
  for (const auto& p : params) {
    ref.params.push_back(p.detach().clone());
    const auto& state = static_cast<torch::optim::AdamWParamState&>(
        *optimizer.state().at(compat::optimizerStateKey(optimizer, p)));
    ref.expAvg.push_back(state.exp_avg());
    ref.expAvgSq.push_back(state.exp_avg_sq());
  }
  return ref;
}

void expectState(const ShardedAdamWState& state, const Reference& ref) {
  EXPECT_EQ(state.step, test::kShardedSteps);
  const auto flat = [](const std::vector<at::Tensor>& ts) {
    std::vector<at::Tensor> parts;
    for (const auto& t : ts) parts.push_back(t.reshape({-1}));
    return at::cat(parts);
  };
  EXPECT_TRUE(test::tensorsMatch(state.expAvg, flat(ref.expAvg), "exp_avg"));
  EXPECT_TRUE(test::tensorsMatch(state.expAvgSq, flat(ref.expAvgSq), "exp_avg_sq"));
}

class ShardedAdamWCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ShardedAdamWCase, OneRankIsAdamW) {
  const std::string name = GetParam();
  const Reference ref = reference(name, 1);
  std::vector<at::Tensor> params = test::shardedCaseParameters();
  ShardedAdamW optimizer(params, ProcessGroup::single(), test::shardedCaseOptions(name));
  for (int step = 1; step <= test::kShardedSteps; ++step) {
    for (size_t i = 0; i < params.size(); ++i)
      params[i].mutable_grad() = test::shardedCaseGradient(step, 0, i, params[i]);
    optimizer.step();
  }
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(
        test::tensorsMatch(params[i].detach(), ref.params[i], "param " + std::to_string(i)));
  expectState(optimizer.fullState(), ref);
}

TEST_P(ShardedAdamWCase, RankProcessesMatchAdamWOnSummedGradients) {
  const std::string name = GetParam();
  for (int ranks : {2, 3}) {
    SCOPED_TRACE("R=" + std::to_string(ranks));
    test::TempDir dir;
    const auto runs =
        test::runRanks({SEQSEG_SHARDED_ADAMW_RANK_EXE, "--case", name, "--out", dir.path()}, ranks,
                       test::EnvStyle::Torchrun, dir.path(), 60.0);
    for (int r = 0; r < ranks; ++r)
      ASSERT_EQ(runs[r].exitCode, 0) << "rank " << r << ":\n" << runs[r].log;
    const Reference ref = reference(name, ranks);
    for (int r = 0; r < ranks; ++r) {
      std::vector<at::Tensor> params;
      torch::load(params, dir / ("params_rank" + std::to_string(r) + ".pt"));
      ASSERT_EQ(params.size(), ref.params.size());
      for (size_t i = 0; i < params.size(); ++i)
        EXPECT_TRUE(test::tensorsMatch(
            params[i], ref.params[i], "rank " + std::to_string(r) + " param " + std::to_string(i)));
    }
    std::vector<at::Tensor> saved;
    torch::load(saved, dir / "state.pt");
    ASSERT_EQ(saved.size(), 3u);
    expectState({saved[0].item<int64_t>(), saved[1], saved[2]}, ref);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ShardedAdamWCase, ::testing::Values("plain", "clipped"));

TEST(ShardedAdamW, ShardsCoverTheFlatParametersAndStateRoundTrips) {
  std::vector<at::Tensor> params = test::shardedCaseParameters();
  ShardedAdamW optimizer(params, ProcessGroup::single());
  EXPECT_EQ(optimizer.numel(), 1109);
  EXPECT_EQ(optimizer.shardBegin(), 0);
  EXPECT_EQ(optimizer.shardEnd(), 1109);
  ShardedAdamWState state;
  state.step = 4;
  state.expAvg = at::arange(1109, at::kFloat);
  state.expAvgSq = at::ones({1109});
  optimizer.loadFullState(state);
  EXPECT_EQ(optimizer.stepCount(), 4);
  const auto views = optimizer.splitLikeParameters(optimizer.fullState().expAvg);
  ASSERT_EQ(views.size(), params.size());
  EXPECT_EQ(views[2].sizes(), params[2].sizes());
  EXPECT_EQ(views[2].flatten()[0].item<float>(), 35.0f + 13.0f);  // after 35 + 13 elements
  state.expAvg = at::zeros({1108});
  EXPECT_THROW(optimizer.loadFullState(state), std::invalid_argument);
}

}  // namespace
}  // namespace seqseg
