// seqseg-bench: times training or inference steps of the ViT segmenter and prints step time,
// throughput, peak memory and achieved FLOP rate (one JSON object with --json).
//
// With --ranks R > 1 it runs sequence parallel (docs/architecture.md, "The parallel method"): it
// starts R copies of itself as rank processes on this machine (fork + exec of /proc/self/exe,
// torchrun-style rank variables, a TCPStore on a free 127.0.0.1 port, cores / R threads each); each
// rank runs the steps on its part of the volume with a distributed attention backend and decoder,
// and rank 0 prints the result with every rank's peak RSS and bytes sent per step. Training on that
// path uses ShardedAdamW (engine/parallel/sharded_adamw.h) at every R, 1 included; --optimizer
// replicated all-reduces the gradients and runs torch::optim::AdamW on every rank instead.
//
// --max-memory MIB caps every rank process (RLIMIT_DATA, engine/parallel/memory_cap.h); a rank
// that runs out under it prints "seqseg-bench: rank R: out of memory under --max-memory MIB MiB"
// and exits 1 (the launcher then stops the other ranks).
//
// Plain argv parsing: the engine-only build (GPU machine) has no CLI11.
#include <sys/resource.h>
#ifdef SEQSEG_BENCH_PARALLEL
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/cuda.h>
#include <torch/optim/adamw.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "bench/case_bench.h"
#include "engine/attention.h"
#include "engine/device.h"
#include "engine/flops.h"
#include "engine/loss.h"
#include "engine/runtime.h"
#include "engine/torch_compat.h"
#include "engine/vit_segmenter.h"
#include "types/model_config.h"
#include "types/resource_paths.h"
#ifdef SEQSEG_BENCH_PARALLEL
#include "engine/parallel/distributed_attention.h"
#include "engine/parallel/distributed_decoder.h"
#include "engine/parallel/memory_cap.h"
#include "engine/parallel/parallel_execution.h"
#include "engine/parallel/process_group.h"
#include "engine/parallel/sharded_adamw.h"
#include "engine/parallel/spatial_split.h"
#endif

namespace {

namespace fs = std::filesystem;
using seqseg::ModelConfig;

constexpr const char* kWorkerVariable = "SEQSEG_BENCH_WORKER";  // set in the rank processes

constexpr const char* kUsage =
    "usage: seqseg-bench --config PRESET_OR_JSON [--mode train|infer] [--steps N] [--warmup W]\n"
    "                    [--attention naive|chunked|fused] [--chunk-q Q] [--chunk-k K]\n"
    "                    [--batch B] [--threads T] [--roi S|AxBxC] [--ranks R]\n"
    "                    [--attention allgather|ring|ulysses] [--split slab0|slab1|slab2|blocks]\n"
    "                    [--decoder halo|gather|nogather] [--optimizer sharded|replicated]\n"
    "                    [--max-memory MIB]\n"
    "                    [--device cpu|cuda] [--bf16] [--checkpoint-activations]\n"
    "                    [--peak-tflops T] [--mode case --case-size AxBxC --window-batch W]\n"
    "                    [--presets DIR] [--seed K] [--json]\n";

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
  std::string split = "slab0";        // sequence parallel only
  std::string decoder = "halo";       // sequence parallel only
  std::string optimizer = "sharded";  // sequence parallel only
  int64_t maxMemoryMib = 0;           // 0: no cap
  std::string device = "cpu";
  bool bf16 = false;                   // bfloat16 autocast (float32 weights and reductions)
  bool checkpointActivations = false;  // recompute encoder blocks in backward
  double peakTflops = 0;               // the device's peak, for "mfu"; 0: not reported
  std::array<int64_t, 3> caseSize{240, 240, 155};  // --mode case
  int64_t windowBatch = 8;                         // --mode case
  std::string presetsDir;
  uint64_t seed = 0;
  bool json = false;
};

// The sequence-parallel attention backends (any --ranks, 1 included); the others are local.
bool isSequenceParallel(const std::string& attention) {
  return attention == "allgather" || attention == "ring" || attention == "ulysses";
}

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
  bool attentionGiven = false;
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
      if (o.mode != "train" && o.mode != "infer" && o.mode != "case")
        throw UsageError("--mode must be train, infer or case, got '" + o.mode + "'");
    } else if (flag == "--steps") {
      o.steps = static_cast<int>(parseInt(flag, value(), 1));
    } else if (flag == "--warmup") {
      o.warmup = static_cast<int>(parseInt(flag, value(), 0));
    } else if (flag == "--attention") {
      o.attention = value();
      attentionGiven = true;
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
    } else if (flag == "--split") {
      o.split = value();
    } else if (flag == "--decoder") {
      o.decoder = value();
    } else if (flag == "--optimizer") {
      o.optimizer = value();
      if (o.optimizer != "sharded" && o.optimizer != "replicated")
        throw UsageError("--optimizer must be sharded or replicated, got '" + o.optimizer + "'");
    } else if (flag == "--max-memory") {
      o.maxMemoryMib = parseInt(flag, value(), 1);
    } else if (flag == "--device") {
      o.device = value();
      seqseg::resolveDevice(o.device);  // one line, exit 2, where CUDA is absent
    } else if (flag == "--bf16") {
      o.bf16 = true;
    } else if (flag == "--checkpoint-activations") {
      o.checkpointActivations = true;
    } else if (flag == "--peak-tflops") {
      o.peakTflops = static_cast<double>(parseInt(flag, value(), 1));
    } else if (flag == "--case-size") {
      o.caseSize = parseRoi(value());
    } else if (flag == "--window-batch") {
      o.windowBatch = parseInt(flag, value(), 1);
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
  if (o.ranks > 1 && !attentionGiven) o.attention = "allgather";
  // Invalid combinations: one line, exit 2 (std::invalid_argument).
  if (o.ranks > 1 && !isSequenceParallel(o.attention))
    throw std::invalid_argument("--ranks " + std::to_string(o.ranks) + " needs --attention " +
                                "allgather, ring or ulysses, got '" + o.attention + "'");
#ifdef SEQSEG_BENCH_PARALLEL
  if (isSequenceParallel(o.attention)) {
    if (o.device != "cpu")
      throw std::invalid_argument("--attention " + o.attention + " runs on --device cpu only");
    seqseg::parseSplitMethod(o.split);
    seqseg::parseDecoderMode(o.decoder);
  }
#else
  if (isSequenceParallel(o.attention))
    throw std::invalid_argument("--attention " + o.attention +
                                ": this build has no engine/parallel (Gloo headers not found)");
#endif
  return o;
}

// Presets: --presets, else where every seqseg program looks (types/resource_paths.h).
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

int gRank = 0;  // this process's rank, for error messages

// --max-memory: caps this process (a rank) once its threads exist. The cap counts what is
// already mapped, so setting it late loosens nothing; it only keeps the OpenMP team's creation
// (which exits the process on failure) out of the allocations that can hit it.
#ifdef SEQSEG_BENCH_PARALLEL
int64_t gMaxMemoryMib = 0;  // the cap in force, for the terminate handler

// Under a cap, an allocation can fail on a thread of LibTorch or Gloo, where nothing catches
// it: that is the same out-of-memory, so it ends the rank with the same line, not an abort.
[[noreturn]] void outOfMemoryOrAbort() {
  if (const std::exception_ptr current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& error) {
      if (seqseg::isOutOfMemory(error)) {
        char line[160];
        const int n = std::snprintf(line, sizeof line,
                                    "seqseg-bench: rank %d: out of memory under --max-memory "
                                    "%lld MiB\n",
                                    gRank, static_cast<long long>(gMaxMemoryMib));
        [[maybe_unused]] const ssize_t written = ::write(2, line, static_cast<size_t>(n));
        std::_Exit(1);
      }
    } catch (...) {
    }
  }
  std::abort();
}
#endif

void applyMemoryCap(const Options& o, int threads) {
  if (o.maxMemoryMib == 0) return;
#ifdef SEQSEG_BENCH_PARALLEL
  at::parallel_for(0, threads, 1, [](int64_t, int64_t) {});
  gMaxMemoryMib = o.maxMemoryMib;
  std::set_terminate(outOfMemoryOrAbort);
  seqseg::capProcessMemory(o.maxMemoryMib);
#else
  (void)threads;
  throw std::invalid_argument("--max-memory: this build has no engine/parallel");
#endif
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The fields every bench result has: what ran, and its time, throughput and FLOP rate per step
// (FLOPs are the whole job's; a multi-rank step lasts until its slowest rank is done).
nlohmann::json stepResult(const Options& o, const seqseg::ModelConfig& config, int64_t parameters,
                          int ranks, int threads, const std::vector<double>& times, bool train) {
  const double stepTime = median(times);
  const seqseg::FlopCount flops = seqseg::countFlops(config, o.batch);
  const double stepFlops = train ? flops.trainStep() : flops.forward();
  const double voxels =
      static_cast<double>(o.batch * config.roi[0] * config.roi[1] * config.roi[2]);
  return {
      {"config", o.config},
      {"model", config.toJson()},
      {"tokens_per_sample", config.tokens()},
      {"parameters", parameters},
      {"mode", o.mode},
      {"attention", o.attention},
      {"batch", o.batch},
      {"ranks", ranks},
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
  };
}

int run(const Options& o) {
  const int threads = seqseg::configureThreads(o.threads);
  applyMemoryCap(o, threads);
  const std::string presetsDir = findPresetsDir(o.presetsDir);
  ModelConfig config = seqseg::loadModelConfig(o.config, presetsDir);
  if (o.roi) {
    config.roi = *o.roi;
    config.validate();
  }
  const torch::Device device = seqseg::resolveDevice(o.device);
  const auto sync = [&] { seqseg::synchronize(device); };
  if (o.mode == "case") {
    seqseg::ComputeOptions compute;
    compute.bf16 = o.bf16;
    nlohmann::json result =
        seqseg::benchCase(config, device, compute, o.caseSize, o.windowBatch, o.steps, o.seed);
    result["config"] = o.config;
    result["torch_version"] = seqseg::torchVersion();
    result["threads"] = threads;
    std::cout << result.dump() << '\n';
    return 0;
  }

  torch::manual_seed(o.seed);
  seqseg::ViTSegmenter model(config, seqseg::makeLocalAttention(o.attention, o.chunks));
  model->to(device);
  model->setActivationCheckpointing(o.checkpointActivations);
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
      torch::Tensor loss;
      {
        seqseg::compat::AutocastGuard autocast(device.type(), o.bf16);
        loss = seqseg::segmentationLoss(model(input), labels).total;
      }
      loss.backward();
      optimizer.step();
      losses.push_back(loss.item<double>());
    } else {
      torch::NoGradGuard noGrad;
      seqseg::compat::AutocastGuard autocast(device.type(), o.bf16);
      const auto prediction = model(input).argmax(1);
      (void)prediction;
    }
    sync();
  };

  const double peakSetup = peakRssMib().value_or(-1);
  for (int i = 0; i < o.warmup; ++i) step();
  const bool peakReset = clearPeak();
  seqseg::resetPeakDeviceMemory(device);
  std::vector<double> times;
  for (int i = 0; i < o.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  nlohmann::json result = stepResult(o, config, parameters, o.ranks, threads, times, train);
  const double stepTime = result["step_time_s_median"];
  result["peak_rss_mib"] = peakRssMib().value_or(-1);
  result["peak_rss_setup_mib"] = peakSetup;
  // Peak over the timed steps only, when the kernel let us reset the high-water mark.
  result["peak_rss_steps_mib"] = peakReset ? nlohmann::json(peakRssMib().value_or(-1)) : nullptr;
  if (train) result["loss_first_last"] = {losses.front(), losses.back()};
  result["bf16"] = o.bf16;
  result["checkpoint_activations"] = o.checkpointActivations;
  if (const auto peak = seqseg::peakDeviceMemoryMib(device))
    result["peak_device_memory_mib"] = *peak;
  // Model FLOP utilisation: the model's FLOPs (not the recomputation of checkpointing) per second
  // over the device's peak.
  if (o.peakTflops > 0)
    result["mfu"] = result["gflops_per_s"].get<double>() * 1e9 / (o.peakTflops * 1e12);

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

#ifdef SEQSEG_BENCH_PARALLEL

// The config with --roi applied.
ModelConfig loadConfig(const Options& o) {
  ModelConfig config = seqseg::loadModelConfig(o.config, findPresetsDir(o.presetsDir));
  if (o.roi) {
    config.roi = *o.roi;
    config.validate();
  }
  return config;
}

// Analytic bytes that rank r sends per step for attention, all layers, fp32 (4 bytes). E =
// embed_dim, B = batch, c_j = tokens of rank j, L = sum c_j, R ranks, indices mod R:
//  allgather: forward all-gathers [k|v] of the local tokens to every peer: 2 B c_r E
//             (each rank receives (R-1)/R of k and v for an even split); training adds the
//             backward reduce-scatter of dk|dv, rank j's rows to rank j: 2 B (L - c_r) E.
//  ring:      forward: R-1 hops, hop s sends the k|v block of rank r-s: sum_{s<R-1} 2 B c_{r-s} E;
//             backward: the k|v blocks travel again (R-1 hops) with their dk|dv accumulators,
//             which take R hops to come home: + sum_{s<R-1} 2 B c_{r-s} E + 2 B L E.
//  ulysses:   forward: the q|k|v all-to-all (sequence -> head shards) sends (R-1)/R of the local
//             3 B c_r E, and the o all-to-all back sends B (E/R) (L - c_r); training adds the
//             transposes: do (R-1)/R B c_r E and dq|dk|dv 3 B (E/R) (L - c_r). For an even split
//             that is 4 all-to-alls of (R-1)/R of the local q, k, v, o per layer and direction.
double attentionBytesAnalytic(const std::string& attention, const std::vector<int64_t>& counts,
                              int r, int64_t batch, int64_t embed, int64_t depth, bool train) {
  const int64_t R = static_cast<int64_t>(counts.size());
  int64_t L = 0;
  for (int64_t c : counts) L += c;
  const double B = static_cast<double>(batch), E = static_cast<double>(embed);
  const double cr = static_cast<double>(counts[r]), rest = static_cast<double>(L - counts[r]);
  double elements = 0;  // per layer
  if (R > 1 && attention == "allgather") {
    elements = 2 * B * cr * E * static_cast<double>(R - 1);
    if (train) elements += 2 * B * rest * E;
  } else if (R > 1 && attention == "ring") {
    double hops = 0;
    for (int64_t s = 0; s < R - 1; ++s)
      hops += 2 * B * E * static_cast<double>(counts[(r - s + R) % R]);
    elements = hops;
    if (train) elements += hops + 2 * B * static_cast<double>(L) * E;
  } else if (R > 1 && attention == "ulysses") {
    const double share = static_cast<double>(R - 1) / static_cast<double>(R);
    elements = 3 * share * B * cr * E + B * (E / static_cast<double>(R)) * rest;
    if (train) elements += share * B * cr * E + 3 * B * (E / static_cast<double>(R)) * rest;
  }
  return 4.0 * elements * static_cast<double>(depth);
}

int runParallel(const Options& o, const std::shared_ptr<seqseg::ProcessGroup>& group) {
  using namespace seqseg;
  const int ranks = group->size(), rank = group->rank();
  const int threads = configureThreads(o.threads, ranks);
  applyMemoryCap(o, threads);
  const ModelConfig config = loadConfig(o);
  checkParallelSettings({o.split, o.attention, o.decoder}, config, ranks);
  const SpatialSplit split(config.grid(), ranks, parseSplitMethod(o.split));

  torch::manual_seed(o.seed);  // the same weights on every rank
  ViTSegmenter model(config);
  const auto attention =
      makeSequenceParallelAttention(o.attention, group, config.num_heads, o.chunks);
  attention->setTokenCounts(split.tokenCounts());
  model->setAttentionBackend(attention);
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  SequenceParallelSegmenter parallel(model, group, split, parseDecoderMode(o.decoder));

  // Random data for this rank's part only (no rank holds the whole volume).
  const Box3 box = parallel.voxelBox();
  torch::manual_seed(o.seed + 1 + static_cast<uint64_t>(rank));
  const auto input =
      torch::randn({o.batch, config.in_channels, box.extent[0], box.extent[1], box.extent[2]});
  const auto labels =
      torch::randint(0, config.num_classes, {o.batch, box.extent[0], box.extent[1], box.extent[2]},
                     torch::TensorOptions().dtype(torch::kLong));
  // sharded: reduce-scattered gradients, AdamW moments for this rank's 1/R of the parameters
  // (engine/parallel/sharded_adamw.h); replicated: one all-reduce, AdamW on every rank.
  const bool sharded = o.optimizer == "sharded";
  std::unique_ptr<torch::optim::AdamW> replicatedOptimizer;
  std::unique_ptr<ShardedAdamW> shardedOptimizer;
  if (sharded) {
    ShardedAdamWOptions options;
    options.lr = 1e-4;
    shardedOptimizer = std::make_unique<ShardedAdamW>(model->parameters(), group, options);
  } else {
    replicatedOptimizer = std::make_unique<torch::optim::AdamW>(model->parameters(),
                                                                torch::optim::AdamWOptions(1e-4));
  }
  const bool train = o.mode == "train";
  if (train)
    model->train();
  else
    model->eval();

  std::vector<double> losses;
  const auto step = [&] {
    if (train) {
      if (!sharded) replicatedOptimizer->zero_grad();  // sharded: step() released them
      const auto loss = parallel.loss(parallel.forward(input), labels).total;
      loss.backward();
      if (sharded) {
        shardedOptimizer->step();
      } else {
        parallel.allReduceGradients();
        replicatedOptimizer->step();
      }
      losses.push_back(loss.item<double>());
    } else {
      torch::NoGradGuard noGrad;
      const auto prediction = parallel.forward(input).argmax(1);
      (void)prediction;
    }
  };

  const double peakSetup = peakRssMib().value_or(-1);
  for (int i = 0; i < o.warmup; ++i) step();
  group->barrier();
  const bool peakReset = clearPeak();
  const uint64_t bytesBefore = group->bytesSent();
  std::vector<double> times;
  for (int i = 0; i < o.steps; ++i) {
    group->barrier();  // every rank starts the step together
    const auto t0 = std::chrono::steady_clock::now();
    step();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double peak = peakRssMib().value_or(-1);
  const double bytesPerStep =
      static_cast<double>(group->bytesSent() - bytesBefore) / static_cast<double>(o.steps);

  // Every rank's numbers to every rank: [setup peak, steps peak, bytes/step, times...].
  std::vector<double> mine{peakSetup, peakReset ? peak : -1.0, bytesPerStep};
  mine.insert(mine.end(), times.begin(), times.end());
  const at::Tensor row = torch::tensor(mine, torch::kDouble).unsqueeze(0);
  const at::Tensor all = group->allGather(row, std::vector<int64_t>(ranks, 1));
  if (rank != 0) return 0;

  const auto column = [&](int64_t c) {
    std::vector<double> v;
    for (int r = 0; r < ranks; ++r) v.push_back(all[r][c].item<double>());
    return v;
  };
  const std::vector<double> setupPeaks = column(0), stepPeaks = column(1), bytes = column(2);
  std::vector<double> stepTimes;  // a step lasts until its slowest rank is done
  for (int i = 0; i < o.steps; ++i) {
    const auto t = column(3 + i);
    stepTimes.push_back(*std::max_element(t.begin(), t.end()));
  }
  const std::vector<int64_t> counts = split.tokenCounts();
  std::vector<double> attentionBytes, gradientBytes, otherBytes, aboveSetup;
  for (int r = 0; r < ranks; ++r) {
    attentionBytes.push_back(attentionBytesAnalytic(o.attention, counts, r, o.batch,
                                                    config.embed_dim, config.depth, train));
    // replicated: one fp32 all-reduce of every parameter (counted as the ring's volume);
    // sharded: reduce-scatter (every element not in this rank's shard), all-gather of the
    // updated shard to R - 1 peers, and the 8-byte norm all-reduce. Both ~2 (R-1)/R x 4 B x N.
    const double n = static_cast<double>(parameters), R = ranks;
    const double shard = std::floor(n * (r + 1) / R) - std::floor(n * r / R);
    double gradient = 0;
    if (train && ranks > 1)
      gradient = sharded ? 4.0 * (n - shard) + 4.0 * shard * (R - 1) + 2.0 * (R - 1) / R * 8.0
                         : 2.0 * (R - 1) / R * 4.0 * n;
    gradientBytes.push_back(gradient);
    otherBytes.push_back(bytes[r] - attentionBytes[r] - gradientBytes[r]);
    aboveSetup.push_back(stepPeaks[r] - setupPeaks[r]);
  }

  const double maxPeak = *std::max_element(stepPeaks.begin(), stepPeaks.end());
  nlohmann::json result = stepResult(o, config, parameters, ranks, threads, stepTimes, train);
  const double stepTime = result["step_time_s_median"];
  result.update(nlohmann::json{
      {"tokens_per_rank", counts},
      {"split", o.split},
      {"decoder", o.decoder},
      {"optimizer", o.optimizer},
      {"max_memory_mib", o.maxMemoryMib > 0 ? nlohmann::json(o.maxMemoryMib) : nullptr},
      // Largest over the ranks; per rank below.
      {"peak_rss_mib", maxPeak},
      {"peak_rss_setup_mib", *std::max_element(setupPeaks.begin(), setupPeaks.end())},
      {"peak_rss_setup_mib_per_rank", setupPeaks},
      {"peak_rss_steps_mib_per_rank", stepPeaks},
      {"peak_rss_steps_minus_setup_mib_per_rank", aboveSetup},
      {"bytes_sent_per_step_per_rank", bytes},
      {"bytes_sent_analytic_per_step_per_rank",
       {{"attention", attentionBytes}, {"gradient_sync", gradientBytes}}},
      {"bytes_sent_other_per_step_per_rank", otherBytes},  // measured - analytic (decoder, loss)
  });
  result["peak_rss_steps_mib"] = stepPeaks[0] >= 0 ? nlohmann::json(maxPeak) : nullptr;
  if (train) result["loss_first_last"] = {losses.front(), losses.back()};

  if (o.json) {
    std::cout << result.dump() << std::endl;
  } else {
    std::cout << o.config << " " << o.mode << " (" << o.attention << ", " << o.split << ", "
              << o.decoder << ", " << ranks << " ranks x " << threads
              << " threads): " << stepTime * 1e3 << " ms/step, peak RSS per rank";
    for (double p : stepPeaks) std::cout << " " << p;
    std::cout << " MiB, bytes sent per rank per step";
    for (double b : bytes) std::cout << " " << b;
    std::cout << " (attention analytic";
    for (double b : attentionBytes) std::cout << " " << b;
    std::cout << ")\n";
  }
  return 0;
}

// Starts o.ranks copies of this program as the ranks of a local job and waits for them. Rank 0's
// stdout is ours; the other ranks' stdout is dropped; every rank's stderr is ours. When a rank
// fails, the others are killed (by pid) and its exit code is returned.
int launchRanks(const Options& o, char** argv) {
  // Refuse what the ranks would refuse, before starting anything.
  seqseg::checkParallelSettings({o.split, o.attention, o.decoder}, loadConfig(o), o.ranks);
  const int port = seqseg::freeLoopbackPort();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < o.ranks; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      seqseg::setLocalRankEnvironment(rank, o.ranks, port);
      setenv(kWorkerVariable, "1", 1);
      if (rank != 0) {
        const int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
          dup2(fd, 1);
          close(fd);
        }
      }
      execv("/proc/self/exe", argv);
      _exit(127);
    }
    pids.push_back(pid);
  }
  int code = 0;
  for (int running = o.ranks; running > 0;) {
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    if (done < 0) break;
    const auto it = std::find(pids.begin(), pids.end(), done);
    if (it == pids.end()) continue;
    *it = 0;
    --running;
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (rc != 0 && code == 0) {
      code = rc;
      std::cerr << "seqseg-bench: rank " << (it - pids.begin()) << " exited with " << rc
                << "; stopping the others\n";
      for (pid_t p : pids)
        if (p != 0) kill(p, SIGTERM);
    }
  }
  return code;
}

// One rank of a job started by launchRanks.
int runRank(const Options& o) {
  seqseg::ProcessGroupOptions options;
  options.timeout = std::chrono::minutes(10);  // a slow step must not look like a dead peer
  const auto group = seqseg::ProcessGroup::create(seqseg::discoverRanks(), options);
  gRank = group->rank();
  if (group->size() != o.ranks)
    throw std::invalid_argument("rank environment says " + std::to_string(group->size()) +
                                " ranks, --ranks says " + std::to_string(o.ranks));
  const int code = runParallel(o, group);
  std::cout.flush();
  std::_Exit(code);  // skip teardown: peers may already be gone
}

#endif  // SEQSEG_BENCH_PARALLEL

// --ranks 1 with a local attention: one process, as always; otherwise sequence parallel.
int dispatch(const Options& o, char** argv) {
  if (!isSequenceParallel(o.attention)) return run(o);
#ifdef SEQSEG_BENCH_PARALLEL
  if (o.ranks == 1) return runParallel(o, seqseg::ProcessGroup::single());
  if (std::getenv(kWorkerVariable) != nullptr) return runRank(o);
  return launchRanks(o, argv);
#else
  (void)argv;
  throw std::invalid_argument("this build has no engine/parallel");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parseArgs(argc, argv);
#ifdef SEQSEG_BENCH_PARALLEL
    // Sequence-parallel runs (every R, 1 included) return freed memory promptly, for the
    // per-rank memory tables. The local bench keeps glibc's defaults, as PyTorch eager and the
    // application do: at 64^3 the prompt setting re-faults every freed activation each step
    // (40 % of a step's CPU time went to the kernel).
    if (isSequenceParallel(o.attention)) seqseg::returnFreedMemoryPromptly();
#endif
  } catch (const UsageError& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n' << kUsage;
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n';
    return 2;
  }
  // A rank process ends with _Exit: its peers may be gone, and teardown could wait for them.
  const bool worker = std::getenv(kWorkerVariable) != nullptr;
  const auto finish = [&](int code) {
    if (!worker) return code;
    std::cerr.flush();
    std::_Exit(code);
  };
  try {
    return dispatch(o, argv);
  } catch (const UsageError& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n' << kUsage;
    return finish(2);
  } catch (const std::invalid_argument& e) {
    std::cerr << "seqseg-bench: " << e.what() << '\n';
    return finish(2);
  } catch (const std::exception& e) {
#ifdef SEQSEG_BENCH_PARALLEL
    if (o.maxMemoryMib > 0 && seqseg::isOutOfMemory(e)) {
      // One write: two ranks that run out together must not interleave their lines.
      const std::string line = "seqseg-bench: rank " + std::to_string(gRank) +
                               ": out of memory under --max-memory " +
                               std::to_string(o.maxMemoryMib) + " MiB\n";
      [[maybe_unused]] const ssize_t written = ::write(2, line.data(), line.size());
      return finish(1);
    }
#endif
    const auto* c10Error = dynamic_cast<const c10::Error*>(&e);
    std::cerr << "seqseg-bench: " << (c10Error ? c10Error->what_without_backtrace() : e.what())
              << '\n';
    return finish(1);
  }
}
