#include <gtest/gtest.h>

#include <torch/torch.h>

#include "engine/conv3d.h"

namespace seqseg {
namespace {

// conv3dStride1 against LibTorch's own conv3d: outputs and the gradients of x, weight and bias,
// at batch 1 (where LibTorch takes its im2col path) and 2 (where it takes oneDNN), with the
// decoder's padding 1 and the halo decoder's padding 0.
void expectSameAsConv3d(int64_t batch, int64_t cin, int64_t cout, int64_t side, int64_t padding,
                        bool withBias) {
  torch::manual_seed(batch * 100 + cin + padding);
  const auto x = torch::randn({batch, cin, side, side + 1, side + 2});
  const auto w = torch::randn({cout, cin, 3, 3, 3}) * 0.1;
  const auto b = withBias ? torch::randn({cout}) : torch::Tensor();
  const auto dy = torch::randn_like(at::conv3d(x, w, b, 1, padding));

  auto run = [&](bool ours) {
    auto xg = x.clone().requires_grad_(), wg = w.clone().requires_grad_();
    auto bg = withBias ? b.clone().requires_grad_() : torch::Tensor();
    const auto y = ours ? conv3dStride1(xg, wg, bg, padding) : at::conv3d(xg, wg, bg, 1, padding);
    y.backward(dy);
    return std::vector<torch::Tensor>{y, xg.grad(), wg.grad(), withBias ? bg.grad() : w};
  };
  const auto expected = run(false), actual = run(true);
  const char* names[] = {"output", "dx", "dw", "db"};
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(actual[i].sizes(), expected[i].sizes()) << names[i];
    const double scale = expected[i].abs().max().item<double>();
    EXPECT_LT((actual[i] - expected[i]).abs().max().item<double>(), 1e-5 * scale + 1e-6)
        << names[i] << " batch " << batch << " padding " << padding;
  }
}

TEST(Conv3dStride1, MatchesConv3dWithPadding) {
  expectSameAsConv3d(1, 16, 8, 6, 1, true);
  expectSameAsConv3d(2, 5, 7, 5, 1, true);
}

TEST(Conv3dStride1, MatchesConv3dWithoutPadding) {
  expectSameAsConv3d(1, 8, 4, 6, 0, true);
  expectSameAsConv3d(1, 3, 6, 5, 0, false);
}

TEST(Conv3dStride1, NoGradInputsGiveNoGradOutput) {
  torch::NoGradGuard noGrad;
  const auto x = torch::randn({1, 4, 4, 4, 4});
  const auto w = torch::randn({2, 4, 3, 3, 3});
  const auto y = conv3dStride1(x, w, torch::Tensor(), 1);
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(torch::allclose(y, at::conv3d(x, w, {}, 1, 1), 1e-5, 1e-5));
}

}  // namespace
}  // namespace seqseg
