#pragma once
// Analytic floating-point operation counts of the ViT segmenter, for utilisation figures.
// Only matrix products and convolutions are counted (one multiply-add = 2 FLOPs); norms,
// softmax, activations and bias adds are O(activations) and left out, as is usual.
#include <cstdint>

#include "types/model_config.h"

namespace seqseg {

struct FlopCount {
  double patchEmbed = 0;       // Conv3d(kernel = stride = patch)
  double attentionLinear = 0;  // qkv and output projections
  double attentionScores = 0;  // q k^T and P v, all heads: grows with tokens^2
  double mlp = 0;
  double decoder = 0;  // convs, transposed convs, the 1x1x1 head and the voxel skip

  double forward() const { return patchEmbed + attentionLinear + attentionScores + mlp + decoder; }
  // Backward costs about twice the forward (gradients w.r.t. inputs and weights).
  double trainStep() const { return 3.0 * forward(); }
};

// For `batch` inputs of size config.roi.
FlopCount countFlops(const ModelConfig& config, int64_t batch = 1);

}  // namespace seqseg
