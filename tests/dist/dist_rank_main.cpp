// One rank of a dist test job (started by the dist tests, one process per rank).
//
//   seqseg_dist_rank --mode equivalence --out DIR [--timeout-ms T]
//       runs every scenario for this group size; rank 0 writes DIR/<scenario>.pt
//   seqseg_dist_rank --mode die|hang --victim V [--timeout-ms T]
//       loops over collectives; at the 5th, rank V kills (die) or stops (hang) itself
//
// The rank comes from the environment (discoverRanks). Any error: its message on stderr and
// exit code 3.
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include "dist_scenarios.h"
#include "engine/parallel/process_group.h"

namespace {

using namespace seqseg;

int runEquivalence(const std::shared_ptr<ProcessGroup>& group, const std::string& out) {
  for (const auto& scenario : test::scenariosFor(group->size())) {
    const test::Outcome outcome = test::runScenario(group, scenario);
    if (group->rank() != 0) continue;
    std::vector<at::Tensor> tensors{outcome.logits, outcome.loss};
    for (const auto& g : outcome.grads) tensors.push_back(g.second);
    torch::save(tensors, out + "/" + scenario.key() + ".pt");
  }
  group->barrier();
  return 0;
}

int runFailure(const std::shared_ptr<ProcessGroup>& group, bool hang, int victim) {
  at::Tensor x = at::ones({1024});
  for (int i = 0; i < 400; ++i) {
    if (i == 5 && group->rank() == victim) raise(hang ? SIGSTOP : SIGKILL);
    group->allReduceSum(x);
    group->allGather(x.narrow(0, 0, 256).contiguous(), std::vector<int64_t>(group->size(), 256));
    x.fill_(1.0);
    usleep(10000);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode, out;
  int victim = -1;
  long timeoutMs = 60000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--mode") mode = value;
    if (key == "--out") out = value;
    if (key == "--victim") victim = std::stoi(value);
    if (key == "--timeout-ms") timeoutMs = std::stol(value);
  }
  try {
    at::set_num_threads(1);
    const RankInfo info = discoverRanks();
    ProcessGroupOptions options;
    options.timeout = std::chrono::milliseconds(timeoutMs);
    auto group = ProcessGroup::create(info, options);
    int code = 2;
    if (mode == "equivalence") code = runEquivalence(group, out);
    if (mode == "die" || mode == "hang") code = runFailure(group, mode == "hang", victim);
    std::cout << "rank " << info.rank << " (" << info.source << ") done" << std::endl;
    std::_Exit(code);  // skip teardown: peers may already be gone
  } catch (const std::exception& e) {
    const auto* c10Error = dynamic_cast<const c10::Error*>(&e);
    std::cerr << "seqseg_dist_rank: " << (c10Error ? c10Error->what_without_backtrace() : e.what())
              << std::endl;
    std::fflush(stderr);
    std::_Exit(3);
  }
}
