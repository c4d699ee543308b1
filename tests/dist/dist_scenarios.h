#pragma once
// Shared by the dist tests and their rank helper (seqseg_dist_rank): a small non-cubic model,
// seeded inputs, the scenario list and one scenario's distributed forward + backward.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/parallel/process_group.h"
#include "engine/vit_segmenter.h"
#include "types/model_config.h"

namespace seqseg::test {

ModelConfig distConfig();  // roi 16x24x32, patch 4 (grid 4x6x8), embed 32, depth 2, 4 heads,
                           // a voxel skip
ViTSegmenter distModel();  // seeded: identical weights in every process
struct DistInputs {
  at::Tensor image;   // [2, 4, 16, 24, 32]
  at::Tensor labels;  // [2, 16, 24, 32]
};
DistInputs distInputs();  // seeded

struct Scenario {
  std::string split, attention, decoder;
  std::string key() const { return split + "_" + attention + "_" + decoder; }
};
// Every split that fits `ranks`, x {allgather, ring, ulysses (ranks | heads)} x {halo, gather},
// plus nogather (allgather) per split.
std::vector<Scenario> scenariosFor(int ranks);

// Both outcomes back-propagate kGradScale * loss: at this model's start the encoder gradients
// of the loss itself are ~1e-6, where the tolerance's absolute term (1e-6) would hide any error;
// gradients are linear in the seed, so the scaled ones are as exact and O(1).
constexpr double kGradScale = 1e5;

struct Outcome {
  at::Tensor logits;  // the whole volume (assembled from every rank's part)
  at::Tensor loss;    // scalar, unscaled
  std::vector<std::pair<std::string, at::Tensor>> grads;  // summed over the group
};

// Single device, the plain model: the reference.
Outcome referenceOutcome();
// One scenario on this rank of the group (every rank gets the full outcome).
Outcome runScenario(const std::shared_ptr<ProcessGroup>& group, const Scenario& scenario);

}  // namespace seqseg::test
