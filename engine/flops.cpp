#include "engine/flops.h"

namespace seqseg {

FlopCount countFlops(const ModelConfig& config, int64_t batch) {
  config.validate();
  const double n = static_cast<double>(batch);
  const double tokens = static_cast<double>(config.tokens());
  const double e = static_cast<double>(config.embed_dim);
  const double hidden = static_cast<double>(config.mlpHidden());
  const double depth = static_cast<double>(config.depth);
  const double patchVolume =
      static_cast<double>(config.patch[0] * config.patch[1] * config.patch[2]);

  FlopCount f;
  f.patchEmbed = 2.0 * n * tokens * e * static_cast<double>(config.in_channels) * patchVolume;
  f.attentionLinear = depth * 2.0 * n * tokens * (3.0 * e * e + e * e);
  f.attentionScores = depth * 2.0 * 2.0 * n * tokens * tokens * e;
  f.mlp = depth * 2.0 * 2.0 * n * tokens * e * hidden;

  const auto& ch = config.decoder_channels;
  auto grid = config.grid();
  double voxels = tokens;
  f.decoder = 2.0 * n * voxels * 27.0 * e * static_cast<double>(ch[0]);
  for (int s = 0; s < config.upsampleStages(); ++s) {
    for (int a = 0; a < 3; ++a)
      if ((int64_t{1} << s) < config.patch[a]) grid[a] *= 2;
    voxels = static_cast<double>(grid[0] * grid[1] * grid[2]);
    const double cin = static_cast<double>(ch[s]), cout = static_cast<double>(ch[s + 1]);
    // Transposed conv with kernel = stride: each output voxel sums cin products per channel.
    f.decoder += 2.0 * n * voxels * cin * cout;
    f.decoder += 2.0 * n * voxels * 27.0 * cout * cout;
  }
  f.decoder += 2.0 * n * voxels * static_cast<double>(ch.back() * config.num_classes);
  const double skip = static_cast<double>(config.voxel_skip_channels);
  f.decoder += 2.0 * n * voxels * skip * static_cast<double>(config.in_channels + ch.back());
  return f;
}

}  // namespace seqseg
