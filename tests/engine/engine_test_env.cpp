// Every engine test process uses all cores (Debian's libtorch would start with one) and a
// fixed seed, so results do not depend on which test ran first.
#include <gtest/gtest.h>
#include <torch/utils.h>

#include "engine/runtime.h"

namespace {

class EngineEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    seqseg::configureThreads(0);
    torch::manual_seed(1234);
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new EngineEnvironment);

}  // namespace
