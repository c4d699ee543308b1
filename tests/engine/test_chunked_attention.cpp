#include <gtest/gtest.h>

#include <torch/torch.h>

#include <tuple>

#include "engine/attention.h"
#include "engine/chunked_attention.h"

namespace seqseg {
namespace {

// ||a - b|| / ||b||: one number per tensor, robust to entries near zero.
double relativeError(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

struct Qkv {
  torch::Tensor q, k, v;
};

Qkv randomQkv(int64_t lq, int64_t lk, torch::Dtype dtype, int64_t batch = 2, int64_t heads = 3,
              int64_t dim = 16) {
  const auto opts = torch::TensorOptions().dtype(dtype);
  // Scale 2 makes the softmax peaked enough that a wrong max/lse bookkeeping shows.
  return {(2 * torch::randn({batch, heads, lq, dim}, opts)).requires_grad_(),
          (2 * torch::randn({batch, heads, lk, dim}, opts)).requires_grad_(),
          torch::randn({batch, heads, lk, dim}, opts).requires_grad_()};
}

struct Gradients {
  torch::Tensor out, dq, dk, dv;
};

// Runs attend on fresh leaf copies of in, back-propagates dOut, returns output and gradients.
template <typename Attend>
Gradients runWithGradients(const Qkv& in, const torch::Tensor& dOut, Attend attend) {
  const auto leaf = [](const torch::Tensor& t) { return t.detach().clone().requires_grad_(); };
  const torch::Tensor q = leaf(in.q), k = leaf(in.k), v = leaf(in.v);
  const torch::Tensor out = attend(q, k, v);
  out.backward(dOut);
  return {out.detach(), q.grad(), k.grad(), v.grad()};
}

class ChunkedVsNaive : public ::testing::TestWithParam<std::tuple<int64_t, int64_t>> {};

TEST_P(ChunkedVsNaive, ForwardAndGradientsMatchInFloat32) {
  const auto [lq, lk] = GetParam();
  const Qkv in = randomQkv(lq, lk, torch::kFloat);
  const torch::Tensor dOut = torch::randn({2, 3, lq, 16});
  const AttentionChunks chunks{16, 24};  // neither divides the lengths below
  const Gradients ref = runWithGradients(
      in, dOut, [](auto q, auto k, auto v) { return naiveAttentionWithLse(q, k, v).out; });
  const Gradients got = runWithGradients(
      in, dOut, [&](auto q, auto k, auto v) { return chunkedAttention(q, k, v, chunks); });
  EXPECT_LT(relativeError(got.out, ref.out), 1e-5);
  EXPECT_LT(relativeError(got.dq, ref.dq), 1e-5);
  EXPECT_LT(relativeError(got.dk, ref.dk), 1e-5);
  EXPECT_LT(relativeError(got.dv, ref.dv), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Lengths, ChunkedVsNaive,
                         ::testing::Values(std::make_tuple(1, 5), std::make_tuple(5, 2),
                                           std::make_tuple(7, 7), std::make_tuple(16, 24),
                                           std::make_tuple(50, 50), std::make_tuple(97, 131),
                                           std::make_tuple(130, 33)));

TEST(ChunkedAttention, SingleKeyCopiesValueAndHasNoQueryGradient) {
  // softmax over one key is 1 whatever the score: out = v, and dq = dk = 0.
  const Qkv in = randomQkv(1, 1, torch::kFloat);
  const Gradients got =
      runWithGradients(in, torch::randn({2, 3, 1, 16}), [](auto q, auto k, auto v) {
        return chunkedAttention(q, k, v, {4, 4});
      });
  EXPECT_TRUE(torch::allclose(got.out, in.v.detach(), 1e-6, 1e-6));
  EXPECT_LT(got.dq.abs().max().item<double>(), 1e-5);
  EXPECT_LT(got.dk.abs().max().item<double>(), 1e-5);
}

TEST(ChunkedAttention, ElementwiseMatchInFloat64) {
  const Qkv in = randomQkv(77, 77, torch::kDouble);
  const torch::Tensor dOut = torch::randn({2, 3, 77, 16}, torch::kDouble);
  const Gradients ref = runWithGradients(
      in, dOut, [](auto q, auto k, auto v) { return naiveAttentionWithLse(q, k, v).out; });
  const Gradients got = runWithGradients(in, dOut, [](auto q, auto k, auto v) {
    return chunkedAttention(q, k, v, {10, 9});
  });
  for (const auto& [a, b] : {std::make_pair(got.out, ref.out), std::make_pair(got.dq, ref.dq),
                             std::make_pair(got.dk, ref.dk), std::make_pair(got.dv, ref.dv)})
    EXPECT_TRUE(torch::allclose(a, b, 1e-10, 1e-12));
}

TEST(ChunkedAttention, GradcheckIncludingLse) {
  // Loss depends on out and lse, so the lse branch of backward is exercised too.
  const Qkv in = randomQkv(9, 11, torch::kDouble, 1, 2, 4);
  const torch::Tensor wOut = torch::randn({1, 2, 9, 4}, torch::kDouble);
  const torch::Tensor wLse = torch::randn({1, 2, 9}, torch::kDouble);
  const auto loss = [&](bool chunked) {
    const PartialAttention r = chunked ? chunkedAttentionWithLse(in.q, in.k, in.v, {4, 3})
                                       : naiveAttentionWithLse(in.q, in.k, in.v);
    return (r.out * wOut).sum() + (r.lse * wLse).sum();
  };
  const auto grads = [&](bool chunked) {
    return torch::autograd::grad({loss(chunked)}, {in.q, in.k, in.v});
  };
  const auto ref = grads(false), got = grads(true);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(torch::allclose(got[i], ref[i], 1e-10, 1e-12)) << i;
  EXPECT_NEAR(loss(true).item<double>(), loss(false).item<double>(), 1e-10);
}

TEST(ChunkedAttention, LseMatchesLogsumexpOfScores) {
  const Qkv in = randomQkv(40, 60, torch::kFloat);
  const PartialAttention r = chunkedAttentionWithLse(in.q, in.k, in.v, {16, 16});
  const torch::Tensor scores = torch::matmul(in.q, in.k.transpose(-2, -1)) / 4.0;  // sqrt(16)
  EXPECT_LT(relativeError(r.lse, torch::logsumexp(scores, -1)), 1e-6);
}

TEST(ChunkedAttention, MergingTwoKeyHalvesEqualsFullAttention) {
  const Qkv in = randomQkv(45, 70, torch::kFloat);
  const torch::Tensor dOut = torch::randn({2, 3, 45, 16});
  const Gradients full = runWithGradients(
      in, dOut, [](auto q, auto k, auto v) { return naiveAttentionWithLse(q, k, v).out; });
  const Gradients merged = runWithGradients(in, dOut, [](auto q, auto k, auto v) {
    const auto first = chunkedAttentionWithLse(q, k.narrow(2, 0, 31), v.narrow(2, 0, 31), {8, 8});
    const auto second =
        chunkedAttentionWithLse(q, k.narrow(2, 31, 39), v.narrow(2, 31, 39), {8, 8});
    return mergeAttention(first, second).out;
  });
  EXPECT_LT(relativeError(merged.out, full.out), 1e-5);
  EXPECT_LT(relativeError(merged.dq, full.dq), 1e-5);
  EXPECT_LT(relativeError(merged.dk, full.dk), 1e-5);
  EXPECT_LT(relativeError(merged.dv, full.dv), 1e-5);

  const auto a = chunkedAttentionWithLse(in.q, in.k.narrow(2, 0, 31), in.v.narrow(2, 0, 31));
  const auto b = chunkedAttentionWithLse(in.q, in.k.narrow(2, 31, 39), in.v.narrow(2, 31, 39));
  const auto whole = naiveAttentionWithLse(in.q, in.k, in.v);
  EXPECT_LT(relativeError(mergeAttention(a, b).lse, whole.lse), 1e-6);
}

TEST(ChunkedAttention, LongSequenceWithoutMaterialisingScores) {
  // 8192^2 scores per head would be 256 MiB x 2 heads; chunks keep the work at 512 x 1024.
  const Qkv in = randomQkv(8192, 8192, torch::kFloat, 1, 2, 8);
  const torch::Tensor out = chunkedAttention(in.q, in.k, in.v, {512, 1024});
  out.sum().backward();
  EXPECT_TRUE(torch::isfinite(in.q.grad()).all().item<bool>());
  // Spot-check a few query rows against the naive formula.
  const torch::Tensor rows = in.q.narrow(2, 4000, 3);
  const torch::Tensor ref = naiveAttentionWithLse(rows, in.k, in.v).out;
  EXPECT_LT(relativeError(out.narrow(2, 4000, 3), ref), 1e-5);
}

TEST(ChunkedAttention, HalfPrecisionAccumulatesInFloat) {
  const Qkv in = randomQkv(33, 33, torch::kFloat);
  const auto half = [](const torch::Tensor& t) { return t.detach().to(torch::kBFloat16); };
  const PartialAttention r = chunkedAttentionWithLse(half(in.q), half(in.k), half(in.v), {8, 8});
  EXPECT_EQ(r.out.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(r.lse.scalar_type(), torch::kFloat);
  const torch::Tensor ref =
      naiveAttentionWithLse(half(in.q).to(torch::kFloat), half(in.k).to(torch::kFloat),
                            half(in.v).to(torch::kFloat))
          .out;
  EXPECT_LT(relativeError(r.out.to(torch::kFloat), ref), 1e-2);
}

TEST(ChunkedAttention, RejectsMismatchedShapes) {
  const auto q = torch::randn({1, 2, 5, 8});
  EXPECT_ANY_THROW(chunkedAttention(q, torch::randn({1, 2, 5, 4}), torch::randn({1, 2, 5, 4})));
  EXPECT_ANY_THROW(chunkedAttention(q, torch::randn({1, 3, 5, 8}), torch::randn({1, 3, 5, 8})));
}

TEST(AttentionBackends, FactoryAndEquivalence) {
  const Qkv in = randomQkv(20, 20, torch::kFloat);
  const auto naive = makeLocalAttention("naive");
  const auto chunked = makeLocalAttention("chunked", {6, 7});
  EXPECT_EQ(naive->name(), "naive");
  EXPECT_EQ(chunked->name(), "chunked");
  EXPECT_LT(relativeError(chunked->attend(in.q, in.k, in.v), naive->attend(in.q, in.k, in.v)),
            1e-5);
  EXPECT_THROW(makeLocalAttention("ring"), std::invalid_argument);
}

}  // namespace
}  // namespace seqseg
