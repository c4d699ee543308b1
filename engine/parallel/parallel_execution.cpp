#include "engine/parallel/parallel_execution.h"

#include <map>
#include <stdexcept>

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "engine/parallel/distributed_attention.h"
#include "engine/parallel/distributed_decoder.h"
#include "engine/parallel/sharded_adamw.h"
#include "engine/torch_compat.h"

namespace seqseg {
namespace {

// AdamW with its moments sharded over the group (ZeRO-1/2): each rank keeps 1/R of them. For a
// checkpoint the state is gathered into a torch::optim::AdamW, the form checkpoints hold. Only
// the trainable parameters take part: a frozen encoder is neither reduced nor updated (weight
// decay would otherwise shrink it).
class ShardedTrainingOptimizer : public TrainingOptimizer {
 public:
  ShardedTrainingOptimizer(ViTSegmenter model, std::shared_ptr<ProcessGroup> group, double lr,
                           double weightDecay)
      : model_(std::move(model)),
        lr_(lr),
        weightDecay_(weightDecay),
        parameters_(trainableParameters(model_)),
        sharded_(parameters_, std::move(group), options(lr, weightDecay)) {}

  void setLearningRate(double lr) override { sharded_.options().lr = lr_ = lr; }
  void zeroGrad() override { sharded_.zeroGrad(); }
  double step(double maxNorm) override {
    sharded_.options().maxGradNorm = maxNorm;
    return sharded_.step();
  }

  torch::optim::AdamW& checkpointState() override {
    const ShardedAdamWState full = sharded_.fullState();
    const std::vector<at::Tensor>& parameters = parameters_;
    whole_ = std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(lr_).weight_decay(weightDecay_));
    if (full.step > 0) {
      const std::vector<at::Tensor> avg = sharded_.splitLikeParameters(full.expAvg);
      const std::vector<at::Tensor> avgSq = sharded_.splitLikeParameters(full.expAvgSq);
      for (size_t i = 0; i < parameters.size(); ++i) {
        auto state = std::make_unique<torch::optim::AdamWParamState>();
        state->step(full.step);
        state->exp_avg(avg[i].clone());
        state->exp_avg_sq(avgSq[i].clone());
        whole_->state()[compat::optimizerStateKey(*whole_, parameters[i])] = std::move(state);
      }
    }
    return *whole_;
  }

  void restored() override {
    ShardedAdamWState full;
    std::vector<at::Tensor> avg, avgSq;
    for (const at::Tensor& parameter : parameters_) {
      const auto found = whole_->state().find(compat::optimizerStateKey(*whole_, parameter));
      if (found == whole_->state().end()) {
        avg.push_back(at::zeros({parameter.numel()}, parameter.options()));
        avgSq.push_back(at::zeros({parameter.numel()}, parameter.options()));
        continue;
      }
      const auto& state = static_cast<const torch::optim::AdamWParamState&>(*found->second);
      full.step = state.step();
      avg.push_back(state.exp_avg().reshape({-1}));
      avgSq.push_back(state.exp_avg_sq().reshape({-1}));
    }
    full.expAvg = at::cat(avg);
    full.expAvgSq = at::cat(avgSq);
    sharded_.loadFullState(full);
    whole_.reset();  // the whole state is only needed for the checkpoint
  }

 private:
  static ShardedAdamWOptions options(double lr, double weightDecay) {
    ShardedAdamWOptions options;
    options.lr = lr;
    options.weightDecay = weightDecay;
    return options;
  }

  ViTSegmenter model_;
  double lr_, weightDecay_;
  std::vector<at::Tensor> parameters_;  // the trainable ones, in order
  ShardedAdamW sharded_;
  std::unique_ptr<torch::optim::AdamW> whole_;
};

class SequenceParallelExecution : public ModelExecution {
 public:
  SequenceParallelExecution(ViTSegmenter model, std::shared_ptr<ProcessGroup> group,
                            ParallelSettings settings)
      : ModelExecution(std::move(model)), group_(std::move(group)), settings_(std::move(settings)) {
    model_->setAttentionBackend(makeSequenceParallelAttention(
        settings_.attention, group_, model_->config().num_heads, {}, settings_.fusedAttention));
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
    return parallel.loss(local, takeBox(labels, box).contiguous(), dice_);
  }

  // The sharded optimiser reduce-scatters the gradients itself.
  void reduceGradients() override {
    if (!shardedOptimizer_) allReduceGradients(group_, *model_);
  }
  std::unique_ptr<TrainingOptimizer> makeOptimizer(double lr, double weightDecay) override {
    shardedOptimizer_ = true;
    return std::make_unique<ShardedTrainingOptimizer>(model_, group_, lr, weightDecay);
  }
  bool writesOutputs() const override { return group_->rank() == 0; }
  bool anyRank(bool flag) override {
    at::Tensor votes = at::full({1}, flag ? 1.0f : 0.0f);
    group_->allReduceSum(votes);
    return votes.item<float>() > 0;
  }

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

  std::shared_ptr<ProcessGroup> group_;
  ParallelSettings settings_;
  bool shardedOptimizer_ = false;
  std::map<Grid3, std::unique_ptr<SequenceParallelSegmenter>> segmenters_;
};

}  // namespace

void checkParallelSettings(const ParallelSettings& settings, const ModelConfig& config, int ranks) {
  rankLayout(config.grid(), ranks, parseSplitMethod(settings.split));
  checkDecoderName(settings.decoder);
  checkAttention(settings.attention, ranks, config.num_heads);
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
