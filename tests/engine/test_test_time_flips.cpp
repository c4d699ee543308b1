// Test-time flips: the mean of the softmax over the 8 mirrorings, each flipped back.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/test_time_flips.h"

namespace seqseg {
namespace {

TEST(TestTimeFlips, AveragesProbabilitiesOverTheEightMirrorings) {
  torch::manual_seed(3);
  const at::Tensor weight =
      torch::rand({1, 3, 4, 5, 6}) * 4;  // position-dependent: not mirror-symmetric
  const LogitsFunction logitsOf = [&](const at::Tensor& x) { return x * weight; };
  const at::Tensor batch = torch::randn({2, 3, 4, 5, 6});
  at::Tensor expected = torch::zeros_like(batch);
  for (int mask = 0; mask < 8; ++mask) {
    std::vector<int64_t> axes;
    for (int axis = 0; axis < 3; ++axis)
      if (mask & (1 << axis)) axes.push_back(2 + axis);
    const at::Tensor in = axes.empty() ? batch : batch.flip(axes);
    at::Tensor p = torch::softmax(logitsOf(in), 1);
    expected += axes.empty() ? p : p.flip(axes);
  }
  expected /= 8;
  const at::Tensor averaged = torch::softmax(withTestTimeFlips(logitsOf)(batch), 1);
  EXPECT_TRUE(torch::allclose(averaged, expected, 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(averaged, torch::softmax(logitsOf(batch), 1), 1e-3, 1e-3));
}

TEST(TestTimeFlips, AVoxelwiseModelIsUnchanged) {
  // A model that looks at each voxel alone does not care about mirroring.
  const LogitsFunction voxelwise = [](const at::Tensor& x) { return 3 * x - 1; };
  const at::Tensor batch = torch::randn({1, 4, 6, 6, 6});
  EXPECT_TRUE(torch::allclose(torch::softmax(withTestTimeFlips(voxelwise)(batch), 1),
                              torch::softmax(voxelwise(batch), 1), 1e-5, 1e-6));
}

}  // namespace
}  // namespace seqseg
