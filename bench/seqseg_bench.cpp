// seqseg-bench: times training or inference steps of the ViT segmenter and prints step time,
// throughput, peak memory and achieved FLOP rate (one JSON object with --json).
//
// Plain argv parsing: the engine-only build (GPU machine) has no CLI11.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/cuda.h>
#include <torch/optim/adamw.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "engine/attention.h"
#include "engine/flops.h"
#include "engine/loss.h"
#include "engine/model_config.h"
#include "engine/resource_paths.h"
#include "engine/runtime.h"
#include "engine/vit_segmenter.h"

namespace {

namespace fs = std::filesystem;
using seqseg::ModelConfig;

constexpr const char* kUsage =
    "usage: seqseg-bench --config PRESET_OR_JSON [--mode train|infer] [--steps N] [--warmup W]\n"
    "                    [--attention naive|chunked|fused] [--chunk-q Q] [--chunk-k K]\n"
    "                    [--batch B] [--threads T] [--roi S|AxBxC] [--ranks R]\n"
    "                    [--device cpu|cuda] [--presets DIR] [--seed K] [--json]\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string config = "tiny";
  std::string mode = "train";
  int steps = 5;
  int warmup = 1;
  std::string attention = "chunked";
  seqseg::AttentionChunks chunks;
  int64_t batch = 1;
  int threads = 0;
  std::optional<std::array<int64_t, 3>> roi;
  int ranks = 1;
  std::string device = "cpu";
  std::string presetsDir;
  uint64_t seed = 0;
  bool json = false;
};

int64_t parseInt(const std::string& flag, const std::string& value, int64_t min) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || v < min)
    throw UsageError(flag + " needs an integer >= " + std::to_string(min) + ", got '" + value +
                     "'");
  return v;
}

std::array<int64_t, 3> parseRoi(const std::string& value) {
  std::vector<int64_t> sides;
  size_t start = 0;
  while (true) {
    const size_t x = value.find('x', start);
    sides.push_back(parseInt("--roi", value.substr(start, x - start), 1));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  if (sides.size() == 1) return {sides[0], sides[0], sides[0]};
  if (sides.size() == 3) return {sides[0], sides[1], sides[2]};
  throw UsageError("--roi needs S or AxBxC, got '" + value + "'");
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (flag == "--config") {
      o.config = value();
    } else if (flag == "--mode") {
      o.mode = value();
      if (o.mode != "train" && o.mode != "infer")
        throw UsageError("--mode must be train or infer, got '" + o.mode + "'");
    } else if (flag == "--steps") {
      o.steps = static_cast<int>(parseInt(flag, value(), 1));
    } else if (flag == "--warmup") {
      o.warmup = static_cast<int>(parseInt(flag, value(), 0));
    } else if (flag == "--attention") {
      o.attention = value();
    } else if (flag == "--chunk-q") {
      o.chunks.query = parseInt(flag, value(), 1);
    } else if (flag == "--chunk-k") {
      o.chunks.key = parseInt(flag, value(), 1);
    } else if (flag == "--batch") {
      o.batch = parseInt(flag, value(), 1);
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(parseInt(flag, value(), 0));
    } else if (flag == "--roi") {
      o.roi = parseRoi(value());
    } else if (flag == "--ranks") {
      o.ranks = static_cast<int>(parseInt(flag, value(), 1));
    } else if (flag == "--device") {
      o.device = value();
      if (o.device != "cpu" && o.device != "cuda")
        throw UsageError("--device must be cpu or cuda, got '" + o.device + "'");
    } else if (flag == "--presets") {
      o.presetsDir = value();
    } else if (flag == "--seed") {
      o.seed = static_cast<uint64_t>(parseInt(flag, value(), 0));
    } else if (flag == "--json") {
      o.json = true;
    } else {
      throw UsageError("unknown argument '" + flag + "'");
    }
  }
  if (o.ranks != 1)
    throw UsageError("--ranks " + std::to_string(o.ranks) +
                     ": sequence parallelism is not built yet; only --ranks 1 runs");
  return o;
}

// Presets: --presets, else where every seqseg program looks (engine/resource_paths.h).
std::string findPresetsDir(const std::string& flag) {
  return flag.empty() ? seqseg::presetsDir() : flag;
}

// Peak resident set size in MiB: VmHWM, which clearPeak() can reset (Linux >= 4.0).
std::optional<double> peakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) return static_cast<double>(usage.ru_maxrss) / 1024.0;
  return std::nullopt;
}

bool clearPeak() {
  std::ofstream refs("/proc/self/clear_refs");
  refs << "5";
  return static_cast<bool>(refs.flush());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int run(const Options& o) {
  const int threads = seqseg::configureThreads(o.threads);
  const std::string presetsDir = findPresetsDir(o.presetsDir);
  ModelConfig config = seqseg::loadModelConfig(o.config, presetsDir);
  if (o.roi) {
    config.roi = *o.roi;
    config.validate();
  }
  const torch::Device device(o.device == "cuda" ? torch::kCUDA : torch::kCPU);
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UsageError("--device cuda: no CUDA device in this build or machine");
  const auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };

  torch::manual_seed(o.seed);
  seqseg::ViTSegmenter model(config, seqseg::makeLocalAttention(o.attention, o.chunks));
  model->to(device);
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();

  const bool train = o.mode == "train";
  const auto input =
      torch::randn({o.batch, config.in_channels, config.roi[0], config.roi[1], config.roi[2]},
                   torch::TensorOptions().device(device));
  const auto labels =
      torch::randint(0, config.num_classes, {o.batch, config.roi[0], config.roi[1], config.roi[2]},
                     torch::TensorOptions().dtype(torch::kLong).device(device));
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-4));
  if (train)
    model->train();
  else
    model->eval();

  std::vector<double> losses;
  const auto step = [&] {
    if (train) {
      optimizer.zero_grad();
      const auto loss = seqseg::segmentationLoss(model(input), labels).total;
      loss.backward();
      optimizer.step();
      losses.push_back(loss.item<double>());
    } else {
      torch::NoGradGuard noGrad;
      const auto prediction = model(input).argmax(1);
      (void)prediction;
    }
    sync();
  };

  const double peakSetup = peakRssMib().value_or(-1);
  for (int i = 0; i < o.warmup; ++i) step();
  const bool peakReset = clearPeak();
  std::vector<double> times;
  for (int i = 0; i < o.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  const double stepTime = median(times);
  const seqseg::FlopCount flops = seqseg::countFlops(config, o.batch);
  const double stepFlops = train ? flops.trainStep() : flops.forward();
  const double voxels =
      static_cast<double>(o.batch * config.roi[0] * config.roi[1] * config.roi[2]);
  nlohmann::json result{
      {"config", o.config},
      {"model", config.toJson()},
      {"tokens_per_sample", config.tokens()},
      {"parameters", parameters},
      {"mode", o.mode},
      {"attention", o.attention},
      {"batch", o.batch},
      {"ranks", o.ranks},
      {"threads", threads},
      {"device", o.device},
      {"torch_version", seqseg::torchVersion()},
      {"steps", o.steps},
      {"warmup", o.warmup},
      {"step_time_s_median", stepTime},
      {"step_time_s_min", *std::min_element(times.begin(), times.end())},
      {"step_times_s", times},
      {"tokens_per_s", static_cast<double>(o.batch * config.tokens()) / stepTime},
      {"voxels_per_s", voxels / stepTime},
      {"flops_per_step", stepFlops},
      {"gflops_per_s", stepFlops / stepTime / 1e9},
      {"flops_attention_scores_share", flops.attentionScores / flops.forward()},
      {"peak_rss_mib", peakRssMib().value_or(-1)},
      {"peak_rss_setup_mib", peakSetup},
  };
  // Peak over the timed steps only, when the kernel let us reset the high-water mark.
  result["peak_rss_steps_mib"] = peakReset ? nlohmann::json(peakRssMib().value_or(-1)) : nullptr;
  if (train) result["loss_first_last"] = {losses.front(), losses.back()};

  if (o.json) {
    std::cout << result.dump() << '\n';
  } else {
    std::cout << o.config << " " << o.mode << " (" << o.attention << ", batch " << o.batch << ", "
              << threads << " threads): " << stepTime * 1e3 << " ms/step, "
              << result["tokens_per_s"].get<double>() << " tokens/s, "
              << result["gflops_per_s"].get<double>() << " GFLOP/s, peak RSS "
              << result["peak_rss_mib"].get<double>() << " MiB\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parseArgs(argc, argv));
  } catch (const UsageError& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n' << kUsage;
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n';
    return 1;
  }
}
