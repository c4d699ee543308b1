#pragma once
// The float tolerance of the equivalence tests: max |got - ref| <= 1e-5 max |ref| + 1e-6.
#include <gtest/gtest.h>

#include <string>

#include <ATen/ATen.h>

namespace seqseg::test {

inline ::testing::AssertionResult tensorsMatch(const at::Tensor& got, const at::Tensor& ref,
                                               const std::string& what) {
  if (got.sizes() != ref.sizes())
    return ::testing::AssertionFailure()
           << what << ": shape " << got.sizes() << " vs " << ref.sizes();
  const double diff = (got - ref).abs().max().item<double>();
  const double bound = 1e-5 * ref.abs().max().item<double>() + 1e-6;
  if (diff <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": max |diff| " << diff << " > " << bound;
}

}  // namespace seqseg::test
