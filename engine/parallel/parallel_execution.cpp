#include "engine/parallel/parallel_execution.h"

#include <map>
#include <stdexcept>

#include <ATen/ATen.h>

#include "engine/parallel/distributed_attention.h"
#include "engine/parallel/distributed_decoder.h"

namespace seqseg {
namespace {

class SequenceParallelExecution : public ModelExecution {
 public:
  SequenceParallelExecution(ViTSegmenter model, std::shared_ptr<ProcessGroup> group,
                            ParallelSettings settings)
      : model_(std::move(model)), group_(std::move(group)), settings_(std::move(settings)) {
    model_->setAttentionBackend(
        makeSequenceParallelAttention(settings_.attention, group_, model_->config().num_heads));
  }

  at::Tensor logits(const at::Tensor& windows) override {
    SequenceParallelSegmenter& parallel = segmenterFor(windows);
    const at::Tensor local = parallel.forward(takeBox(windows, parallel.voxelBox()).contiguous());
    return gatherParts(group_, local.detach(), parallel.split(), model_->config().patch);
  }

  SegmentationLoss loss(const at::Tensor& images, const at::Tensor& labels) override {
    SequenceParallelSegmenter& parallel = segmenterFor(images);
    const Box3 box = parallel.voxelBox();
    const at::Tensor local = parallel.forward(takeBox(images, box).contiguous());
    return parallel.loss(local, takeBox(labels, box).contiguous());
  }

  void reduceGradients() override { allReduceGradients(group_, *model_); }
  bool writesOutputs() const override { return group_->rank() == 0; }

 private:
  // One split per input grid (windows and crops are the ROI, but the model takes other sizes).
  SequenceParallelSegmenter& segmenterFor(const at::Tensor& input) {
    const Grid3 grid = model_->patchGrid(input);
    auto found = segmenters_.find(grid);
    if (found == segmenters_.end())
      found =
          segmenters_
              .emplace(grid,
                       std::make_unique<SequenceParallelSegmenter>(
                           model_, group_,
                           SpatialSplit(grid, group_->size(), parseSplitMethod(settings_.split)),
                           parseDecoderMode(settings_.decoder)))
              .first;
    return *found->second;
  }

  ViTSegmenter model_;
  std::shared_ptr<ProcessGroup> group_;
  ParallelSettings settings_;
  std::map<Grid3, std::unique_ptr<SequenceParallelSegmenter>> segmenters_;
};

}  // namespace

void checkParallelSettings(const ParallelSettings& settings, const ModelConfig& config, int ranks) {
  SpatialSplit(config.grid(), ranks, parseSplitMethod(settings.split));
  parseDecoderMode(settings.decoder);
  if (settings.attention != "allgather" && settings.attention != "ring" &&
      settings.attention != "ulysses")
    throw std::invalid_argument("unknown attention '" + settings.attention +
                                "' (allgather, ring or ulysses)");
  if (settings.attention == "ulysses" && config.num_heads % ranks != 0)
    throw std::invalid_argument("--attention ulysses needs the ranks (" + std::to_string(ranks) +
                                ") to divide the model's " + std::to_string(config.num_heads) +
                                " heads");
}

ExecutionFactory sequenceParallelExecution(std::shared_ptr<ProcessGroup> group,
                                           ParallelSettings settings) {
  return [group, settings](ViTSegmenter model) -> std::unique_ptr<ModelExecution> {
    return std::make_unique<SequenceParallelExecution>(std::move(model), group, settings);
  };
}

at::Tensor gatherParts(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& local,
                       const SpatialSplit& split, const Grid3& voxelsPerPatch) {
  const int64_t n = local.size(0), k = local.size(1);
  std::vector<int64_t> counts;
  for (int r = 0; r < group->size(); ++r)
    counts.push_back(n * k * split.voxelBox(r, voxelsPerPatch).volume());
  const at::Tensor all = group->allGather(local.reshape({-1}).contiguous(), counts);
  std::vector<at::Tensor> parts;
  int64_t at = 0;
  for (int r = 0; r < group->size(); ++r) {
    const Box3 box = split.voxelBox(r, voxelsPerPatch);
    parts.push_back(
        all.narrow(0, at, counts[r]).view({n, k, box.extent[0], box.extent[1], box.extent[2]}));
    at += counts[r];
  }
  return assembleParts(parts, split, voxelsPerPatch);
}

}  // namespace seqseg
