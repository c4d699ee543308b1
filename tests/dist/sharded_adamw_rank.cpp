// One rank of the ShardedAdamW dist test (test_sharded_adamw.cpp):
//
//   seqseg_sharded_adamw_rank --case plain|clipped --out DIR
//
// Steps 1 .. kShardedSteps - 1 with one optimizer; then its full state moves into a fresh
// optimizer (the checkpoint path) that takes the last step. Writes DIR/params_rank<r>.pt (this
// rank's parameters) and, on rank 0, DIR/state.pt ([step, exp_avg, exp_avg_sq]). Any error: its
// message on stderr and exit code 3.
#include <cstdlib>
#include <iostream>
#include <string>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/serialize.h>

#include "engine/parallel/process_group.h"
#include "engine/parallel/sharded_adamw.h"
#include "sharded_adamw_case.h"

int main(int argc, char** argv) {
  using namespace seqseg;
  std::string name, out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--case") name = argv[i + 1];
    if (key == "--out") out = argv[i + 1];
  }
  try {
    at::set_num_threads(1);
    ProcessGroupOptions groupOptions;
    groupOptions.timeout = std::chrono::seconds(30);
    const auto group = ProcessGroup::create(discoverRanks(), groupOptions);
    const int rank = group->rank();
    std::vector<at::Tensor> params = test::shardedCaseParameters();
    const ShardedAdamWOptions options = test::shardedCaseOptions(name);
    const auto setGradients = [&](int step) {
      for (size_t i = 0; i < params.size(); ++i)
        params[i].mutable_grad() = test::shardedCaseGradient(step, rank, i, params[i]);
    };

    ShardedAdamW first(params, group, options);
    for (int step = 1; step < test::kShardedSteps; ++step) {
      setGradients(step);
      first.step();
      for (const auto& p : params)
        if (p.grad().defined()) throw std::runtime_error("step() left a gradient behind");
    }
    ShardedAdamW second(params, group, options);
    second.loadFullState(first.fullState());
    setGradients(test::kShardedSteps);
    second.step();

    std::vector<at::Tensor> mine;
    for (const auto& p : params) mine.push_back(p.detach().clone());
    torch::save(mine, out + "/params_rank" + std::to_string(rank) + ".pt");
    const ShardedAdamWState state = second.fullState();
    if (rank == 0)
      torch::save(std::vector<at::Tensor>{at::full({1}, state.step, at::kLong), state.expAvg,
                                          state.expAvgSq},
                  out + "/state.pt");
    group->barrier();
    std::cout << "rank " << rank << " done" << std::endl;
    std::_Exit(0);  // skip teardown: peers may already be gone
  } catch (const std::exception& e) {
    const auto* c10Error = dynamic_cast<const c10::Error*>(&e);
    std::cerr << "seqseg_sharded_adamw_rank: "
              << (c10Error ? c10Error->what_without_backtrace() : e.what()) << std::endl;
    std::_Exit(3);
  }
}
