#pragma once
// A small model and a case exactly one ROI in size (every crop and every sliding window is the
// whole case), for the engine tests that train or segment it end to end.
#include <torch/torch.h>

#include "types/model_config.h"

namespace seqseg::test {

// ROI 32^3, patch 8^3, one transformer block of width 32.
inline ModelConfig smallConfig() {
  ModelConfig config;
  config.roi = {32, 32, 32};
  config.patch = {8, 8, 8};
  config.embed_dim = 32;
  config.depth = 1;
  config.num_heads = 2;
  config.mlp_ratio = 2.0;
  config.decoder_channels = {16, 8, 8, 8};
  return config;
}

struct OneWindowCase {
  at::Tensor image;   // [4, 32, 32, 32], float
  at::Tensor labels;  // [32, 32, 32], long
};

// A sphere of tumour classes (oedema, enhancing rim, necrotic core) in noise, the second channel
// brighter by its class: the same tensors every time (seed 123).
inline OneWindowCase sphereInNoise() {
  torch::manual_seed(123);
  OneWindowCase c;
  c.image = torch::randn({4, 32, 32, 32});
  const at::Tensor z = torch::arange(32).view({-1, 1, 1}).expand({32, 32, 32});
  const at::Tensor y = torch::arange(32).view({1, -1, 1}).expand({32, 32, 32});
  const at::Tensor x = torch::arange(32).view({1, 1, -1}).expand({32, 32, 32});
  const at::Tensor r2 = (z - 15).pow(2) + (y - 17).pow(2) + (x - 14).pow(2);
  c.labels = torch::zeros({32, 32, 32}, at::kLong);
  c.labels.masked_fill_(r2.lt(100), 2);
  c.labels.masked_fill_(r2.lt(36), 3);
  c.labels.masked_fill_(r2.lt(9), 1);
  c.image.select(0, 1).add_(c.labels.to(at::kFloat));
  return c;
}

}  // namespace seqseg::test
