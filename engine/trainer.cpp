#include "engine/trainer.h"

#include "jobs/run_folder.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/calibration.h"
#include "engine/checkpoint.h"
#include "engine/crop_sampling.h"
#include "engine/loss.h"
#include "engine/metrics.h"
#include "engine/postprocess.h"
#include "engine/preprocessing.h"
#include "engine/sliding_window.h"
#include "engine/vit_segmenter.h"
#include "types/input_error.h"
#include "types/sha256.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

double learningRateAt(int64_t step, int64_t totalSteps, const TrainingOptions& options) {
  const int64_t warmup = std::max<int64_t>(1, std::llround(options.warmupFraction * totalSteps));
  if (step < warmup) return options.learningRate * static_cast<double>(step + 1) / warmup;
  const double progress =
      static_cast<double>(step - warmup) / std::max<int64_t>(1, totalSteps - warmup);
  return options.learningRate * 0.5 * (1 + std::cos(M_PI * std::min(1.0, progress)));
}

struct ValidationScores {
  std::array<double, 3> dice{};
  double mean() const { return (dice[0] + dice[1] + dice[2]) / 3.0; }
  Postprocessing postprocessing;  // what helped on these cases
  std::array<double, 3> postprocessedDice{};
  TemperatureFit temperature;  // fitted on these cases' window logits
};

// What a validation adds to the checkpoints of its step: what inference applies, fitted on it
// (the temperature, engine/calibration.h, and the post-processing), and the Dice after it.
void addValidationMeta(const ValidationScores& scores, nlohmann::json& meta) {
  const TemperatureFit& fit = scores.temperature;
  meta["temperature"] = fit.temperature;
  meta["temperature_fit"] = {{"voxels", fit.voxels}, {"nll_at_1", fit.nllAtOne}, {"nll", fit.nll}};
  meta["postprocess"] = postprocessingToJson(scores.postprocessing);
  meta["val_dice_postprocessed"] = scores.postprocessedDice;
}
// ... and to its metrics line.
void addTemperatureMetric(const TemperatureFit& fit, nlohmann::json& metric) {
  metric["temperature"] = fit.temperature;
  metric["val_nll_at_1"] = fit.nllAtOne;
  metric["val_nll"] = fit.nll;
}

// Reports its progress per case and window (progress events labelled "validation"): a
// validation of full-size cases takes minutes on a CPU. The windows' logits, sampled as they pass
// (no second run over the cases), fit the temperature; every rank sees the same logits and fits
// the same one.
ValidationScores validate(ViTSegmenter& model, ModelExecution& execution,
                          const std::vector<TrainingCase>& cases, const Spacing& spacing,
                          ProgressSink& report) {
  ValidationScores scores;
  if (cases.empty()) return scores;
  model->eval();
  // The prepared grid's spacing along i, j, k (1 mm when the cases keep their own).
  std::array<double, 3> spacingIjk{spacing[2], spacing[1], spacing[0]};
  for (double& mm : spacingIjk)
    if (mm <= 0) mm = 1;
  std::vector<ValidationPrediction> predictions;
  TemperatureSample temperatureSample(gaussianWeights(model->config().roi));
  for (size_t index = 0; index < cases.size(); ++index) {
    const TrainingCase& c = cases[index];
    torch::NoGradGuard noGrad;
    const at::Tensor probabilities = slidingWindowProbabilities(
        [&](const at::Tensor& batch) { return execution.logits(batch); }, c.image,
        model->config().roi, {},
        [&](int64_t done, int64_t total) {
          report.emit({{"event", "progress"},
                       {"label", "validation"},
                       {"case", c.id},
                       {"case_index", index},
                       {"cases", cases.size()},
                       {"done", done},
                       {"total", total}});
        },
        [&](const at::Tensor& logits, const std::array<int64_t, 3>& at) {
          const std::array<int64_t, 3>& roi = model->config().roi;
          temperatureSample.addWindow(logits, c.labels.slice(0, at[0], at[0] + roi[0])
                                                  .slice(1, at[1], at[1] + roi[1])
                                                  .slice(2, at[2], at[2] + roi[2]));
        });
    const at::Tensor predicted = probabilities.argmax(0).to(at::kByte).contiguous();
    const at::Tensor reference = c.labels.to(at::kByte).contiguous();
    ValidationPrediction prediction;
    prediction.predicted.assign(predicted.data_ptr<uint8_t>(),
                                predicted.data_ptr<uint8_t>() + predicted.numel());
    prediction.reference.assign(reference.data_ptr<uint8_t>(),
                                reference.data_ptr<uint8_t>() + reference.numel());
    prediction.shape = {reference.size(0), reference.size(1), reference.size(2)};
    prediction.spacing = spacingIjk;
    for (size_t region = 0; region < kRegions.size(); ++region)
      scores.dice[region] += scoreRegion(prediction.predicted, prediction.reference,
                                         prediction.shape, {1, 1, 1}, kRegions[region])
                                 .dice /
                             cases.size();
    predictions.push_back(std::move(prediction));
  }
  scores.temperature = fitTemperature(temperatureSample);
  scores.postprocessing = choosePostprocessing(predictions);
  for (ValidationPrediction& prediction : predictions) {
    applyPostprocessing(prediction.predicted, prediction.shape, prediction.spacing,
                        scores.postprocessing);
    for (size_t region = 0; region < kRegions.size(); ++region)
      scores.postprocessedDice[region] += scoreRegion(prediction.predicted, prediction.reference,
                                                      prediction.shape, {1, 1, 1}, kRegions[region])
                                              .dice /
                                          cases.size();
  }
  model->train();
  return scores;
}

// Keeps the metrics lines up to and including `lastStep` (a resumed run rewrites the rest).
void truncateMetricsLog(const std::string& path, int64_t lastStep) {
  std::ifstream in(path);
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_discarded() && entry.value("step", int64_t{0}) <= lastStep) kept.push_back(line);
  }
  in.close();
  std::ofstream out(path, std::ios::trunc);
  for (const std::string& line : kept) out << line << "\n";
}

// What a run's start is called in messages: its model file and digest, or random weights.
std::string startName(const std::string& path, const std::string& sha256) {
  return path.empty() ? "random weights" : path + " (sha256 " + sha256.substr(0, 12) + ")";
}

// checkResumeMatchesStart, with the init model's digest already known ("" without one).
void checkResumeMatches(const TrainingSchedule& options, const std::string& initSha256) {
  const std::string lastPath = RunFolder(options.runDir).lastCheckpoint();
  if (!options.resume || !fs::exists(lastPath)) return;
  const nlohmann::json meta = readCheckpointInfo(lastPath).meta;
  const std::string startedFrom = meta.value("init_model", std::string());
  const std::string startedSha256 = meta.value("init_sha256", std::string());
  if (startedSha256 != initSha256) {
    const std::string started = "the run was started from " + startName(startedFrom, startedSha256);
    throw InputError(options.runDir, options.initModel.empty()
                                         ? started + "; resume it with --init " + startedFrom
                                         : started + ", not from --init " +
                                               startName(options.initModel, initSha256));
  }
  // What the run trains must not change halfway.
  auto requireSameFlag = [&](bool started, bool now, const std::string& flag) {
    if (started == now) return;
    const std::string with = started ? "with" : "without";
    throw InputError(options.runDir,
                     "the run was started " + with + " " + flag + "; resume it " + with + " it");
  };
  requireSameFlag(meta.value("freeze_encoder", false), options.freezeEncoder, "--freeze-encoder");
  requireSameFlag(meta.value("dice_terms", std::string()) == "regions", options.regionDice,
                  "--region-dice");
}

}  // namespace

void checkResumeMatchesStart(const TrainingSchedule& options) {
  checkResumeMatches(options,
                     options.initModel.empty() ? std::string() : fileSha256(options.initModel));
}

TrainingCase prepareTrainingCase(const std::string& id, const at::Tensor& image,
                                 const at::Tensor& labels, const ModelConfig& config,
                                 const Spacing& spacing, const Spacing& target) {
  const PreparedImage prepared = prepareImage(image, config.patch, config.roi, spacing, target);
  const at::Tensor cropped = applyCrop(labels, prepared.crop).unsqueeze(0);
  const at::Tensor resampled = resample(cropped, prepared.resampledShape, true).squeeze(0);
  const std::array<int64_t, 3> padded{prepared.image.size(1), prepared.image.size(2),
                                      prepared.image.size(3)};
  return {id, prepared.image, padTo(resampled, padded).to(at::kLong).contiguous()};
}

double train(const ModelConfig& config, const std::vector<TrainingCase>& training,
             const std::vector<TrainingCase>& validation, const TrainingOptions& options,
             ProgressSink& progress) {
  if (options.epochs == 0 && (options.initModel.empty() || validation.empty() || options.resume))
    throw std::invalid_argument(
        "--epochs 0 fits only the temperature and post-processing of the --init model on "
        "validation cases: it needs --init and validation cases, and cannot --resume");
  if (training.empty() && !options.generateCase && options.epochs > 0)
    throw std::invalid_argument("no training cases");
  const DiceTerms diceTerms = options.regionDice ? DiceTerms::Regions : DiceTerms::Classes;
  checkDiceTermsFit(diceTerms, config.num_classes, "--region-dice");
  const RunFolder run(options.runDir);
  const std::string lastPath = run.lastCheckpoint();
  const std::string bestPath = run.bestCheckpoint();
  const std::string metricsPath = run.metrics();
  const std::string initSha256 =
      options.initModel.empty() ? std::string() : fileSha256(options.initModel);
  checkResumeMatches(options, initSha256);

  torch::manual_seed(options.seed);  // the same initial weights on every rank
  ViTSegmenter model(config);
  // Fine-tuning: every rank loads the same weights before its execution and optimiser are made
  // (the parameters are replicated, never broadcast). A resume restores last.pt's instead.
  nlohmann::json initMeta;
  if (!options.initModel.empty() && !options.resume)
    initMeta = restoreWeights(options.initModel, model);
  if (options.freezeEncoder) model->setEncoderTrainable(false);
  model->train();
  const std::unique_ptr<ModelExecution> execution = makeExecution(options.execution, model);
  execution->setDiceTerms(diceTerms);
  const bool writer = execution->writesOutputs();
  NullSink silent;
  ProgressSink& report = writer ? progress : silent;
  if (writer) {
    std::error_code error;
    fs::create_directories(options.runDir, error);
    if (error) throw InputError(options.runDir, "cannot create the run folder: " + error.message());
    saveModelConfigFile(config, run.config());
  }
  const std::unique_ptr<TrainingOptimizer> optimizer =
      execution->makeOptimizer(options.learningRate, options.weightDecay);
  Sampler sampler(options.seed ^ 0x5EED5EEDull);

  const int stepsPerEpoch =
      options.stepsPerEpoch > 0
          ? options.stepsPerEpoch
          : std::max<int>(1, static_cast<int>(training.size()) / options.batch);
  const int64_t totalSteps = static_cast<int64_t>(stepsPerEpoch) * options.epochs;
  const fs::path pausePath = run.pauseFile();
  int64_t firstStep = 0;
  double best = -1;
  if (options.resume) {
    if (!fs::exists(lastPath))
      throw InputError(lastPath, "nothing to resume: no checkpoint in the run folder");
    const nlohmann::json meta = restoreTraining(lastPath, model, optimizer->checkpointState());
    optimizer->restored();
    // "step" is where the checkpoint stands: an epoch's end, or the step a pause stopped after.
    firstStep = meta.at("step").get<int64_t>();
    best = meta.value("best_dice", -1.0);
    sampler.setState(meta.at("sampler").get<std::string>());
    if (writer) truncateMetricsLog(metricsPath, firstStep);
  } else if (writer) {
    std::ofstream(metricsPath, std::ios::trunc);
  }
  if (writer) {
    std::error_code ignored;
    fs::remove(pausePath, ignored);  // a request left from an earlier run is not for this one
  }

  // Tumour voxel coordinates per case, for crops centred on tumour.
  std::vector<CropCentres> foreground;
  for (const TrainingCase& c : training)
    foreground.push_back(cropCentres(c.labels, options.balanceCropClasses));

  // Generated cases: a ring of the last `pool`, case n in slot n % pool. A resumed run makes
  // again the ones its first step may draw.
  const int64_t pool = std::max(1, options.generatedPool);
  std::vector<TrainingCase> generated(static_cast<size_t>(pool));
  std::vector<CropCentres> generatedForeground(static_cast<size_t>(pool));
  auto addGenerated = [&](int64_t n) {
    generated[n % pool] = options.generateCase(n);
    generatedForeground[n % pool] =
        cropCentres(generated[n % pool].labels, options.balanceCropClasses);
  };
  if (options.generateCase)
    for (int64_t n = std::max<int64_t>(0, firstStep - pool + 1); n < firstStep; ++n)
      addGenerated(n);

  std::ofstream metrics;
  if (writer) metrics.open(metricsPath, std::ios::app);
  report.emit({{"event", "start"},
               {"job", "train"},
               {"total", totalSteps},
               {"resumed_at_epoch", firstStep / stepsPerEpoch},
               {"resumed_at_step", firstStep}});
  // Fine-tuning validates the start model first (step 0): the Dice before, on the same cases
  // and at the same spacing as every later validation. It is not a candidate for best.pt.
  if (!options.initModel.empty() && firstStep == 0 && !validation.empty()) {
    const ValidationScores before =
        validate(model, *execution, validation, options.targetSpacing, report);
    nlohmann::json beforeMetric{{"event", "metric"},
                                {"step", 0},
                                {"epoch", 0},
                                {"val_dice_wt", before.dice[0]},
                                {"val_dice_tc", before.dice[1]},
                                {"val_dice_et", before.dice[2]},
                                {"val_dice_mean", before.mean()},
                                {"before_training", true}};
    addTemperatureMetric(before.temperature, beforeMetric);
    if (writer) metrics << beforeMetric.dump() << "\n" << std::flush;
    report.emit(beforeMetric);
    report.emit(
        {{"event", "log"},
         {"message", "the start model's mean validation Dice: " + std::to_string(before.mean())}});
    if (totalSteps == 0) {
      // --epochs 0: the start model as it was (its weights and training record) with what
      // validation decides fitted on these cases: the temperature and the post-processing.
      addValidationMeta(before, initMeta);
      best = before.mean();
      if (writer) {
        saveCheckpoint(bestPath, model, initMeta);
        saveCheckpoint(lastPath, model, initMeta);
      }
      report.emit({{"event", "result"},
                   {"checkpoint", bestPath},
                   {"temperature", before.temperature.temperature},
                   {"message", "best.pt: " + options.initModel + " with temperature " +
                                   std::to_string(before.temperature.temperature)}});
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const int64_t tokensPerStep = static_cast<int64_t>(options.batch) * config.tokens();
  for (int64_t step = firstStep; step < totalSteps;) {
    const int epoch = static_cast<int>(step / stepsPerEpoch);
    const auto stepStarted = std::chrono::steady_clock::now();
    std::vector<at::Tensor> images, labels;
    if (options.generateCase) addGenerated(step);
    for (int b = 0; b < options.batch; ++b) {
      const bool fromFiles =
          !training.empty() &&
          (!options.generateCase || (b > 0 && sampler.uniform() < options.fileCaseFraction));
      const TrainingCase* source;
      const CropCentres* sourceForeground;
      if (fromFiles) {
        const int64_t index = sampler.below(static_cast<int64_t>(training.size()));
        source = &training[index];
        sourceForeground = &foreground[index];
      } else {
        // The newest generated case first, then any of the pool.
        const int64_t filled = std::min<int64_t>(step + 1, pool);
        const int64_t made = b == 0 ? step : step - sampler.below(filled);
        source = &generated[made % pool];
        sourceForeground = &generatedForeground[made % pool];
      }
      auto [image, label] = sampleCrop(*source, *sourceForeground, config, options, sampler);
      images.push_back(image);
      labels.push_back(label);
    }
    const double lr = learningRateAt(step, totalSteps, options);
    optimizer->setLearningRate(lr);
    optimizer->zeroGrad();
    const SegmentationLoss loss = execution->loss(at::stack(images), at::stack(labels));
    loss.total.backward();
    execution->reduceGradients();
    const double gradNorm = optimizer->step(options.gradientClip);

    const double lossValue = loss.total.item<double>();
    const auto now = std::chrono::steady_clock::now();
    const double stepSeconds = std::chrono::duration<double>(now - stepStarted).count();
    const double elapsedSeconds = std::chrono::duration<double>(now - started).count();
    const nlohmann::json metric{
        {"event", "metric"},
        {"step", step + 1},
        {"epoch", epoch + 1},
        {"loss", lossValue},
        {"dice_loss", loss.dice.item<double>()},
        {"ce", loss.ce.item<double>()},
        {"lr", lr},
        {"grad_norm", gradNorm},
        {"tokens_per_s", stepSeconds > 0 ? static_cast<double>(tokensPerStep) / stepSeconds : 0.0},
        {"elapsed_s", elapsedSeconds}};
    if (writer) metrics << metric.dump() << "\n" << std::flush;
    report.emit(metric);
    char detail[96];
    std::snprintf(detail, sizeof detail, "epoch %d/%d  loss %.4f", epoch + 1, options.epochs,
                  lossValue);
    ++step;
    report.emit({{"event", "progress"},
                 {"label", "train"},
                 {"done", step},
                 {"total", totalSteps},
                 {"epoch", epoch + 1},
                 {"detail", detail},
                 {"eta_s", estimateSecondsLeft(started, double(step - firstStep),
                                               double(totalSteps - firstStep))}});

    const bool endOfEpoch = step % stepsPerEpoch == 0;
    const bool lastEpoch = epoch + 1 == options.epochs;
    // --time-limit: every rank asks at the same step and the writer's clock decides (a
    // collective vote, as for a pause), so that all stop after the same step.
    const bool timeUp =
        options.timeLimitMinutes > 0 && step < totalSteps &&
        execution->anyRank(writer && elapsedSeconds >= 60 * options.timeLimitMinutes);
    // What every checkpoint of this step records; inference reads "spacing".
    nlohmann::json meta{{"epoch", epoch + 1},
                        {"step", step},
                        {"spacing", options.targetSpacing},
                        {"freeze_encoder", options.freezeEncoder}};
    if (options.regionDice) meta["dice_terms"] = "regions";  // how it was trained
    if (!options.initModel.empty()) {
      meta["init_model"] = options.initModel;
      meta["init_sha256"] = initSha256;
    }
    if (!validation.empty() &&
        ((endOfEpoch && ((epoch + 1) % options.validateEvery == 0 || lastEpoch)) || timeUp)) {
      const ValidationScores scores =
          validate(model, *execution, validation, options.targetSpacing, report);
      nlohmann::json validationMetric{
          {"event", "metric"},
          {"step", step},
          {"epoch", epoch + 1},
          {"val_dice_wt", scores.dice[0]},
          {"val_dice_tc", scores.dice[1]},
          {"val_dice_et", scores.dice[2]},
          {"val_dice_mean", scores.mean()},
          {"val_dice_postprocessed", scores.postprocessedDice},
          {"postprocess", describePostprocessing(scores.postprocessing)}};
      // Every validation fits the temperature of the weights it validated, so that best.pt and
      // last.pt each carry their own (the last validation's is the end of training's).
      addValidationMeta(scores, meta);
      addTemperatureMetric(scores.temperature, validationMetric);
      if (writer) metrics << validationMetric.dump() << "\n" << std::flush;
      report.emit(validationMetric);
      if (scores.mean() > best) {
        best = scores.mean();
        nlohmann::json bestMeta = meta;
        bestMeta["val_dice"] = scores.dice;
        bestMeta["best_dice"] = best;
        if (writer) saveCheckpoint(bestPath, model, bestMeta);
        report.emit({{"event", "result"},
                     {"checkpoint", bestPath},
                     {"epoch", epoch + 1},
                     {"message", "best.pt: epoch " + std::to_string(epoch + 1) +
                                     ", mean validation Dice " + std::to_string(best)}});
      }
    }
    if (writer && validation.empty() && ((endOfEpoch && lastEpoch) || timeUp))
      saveCheckpoint(bestPath, model, meta);
    // Every rank asks at the same step whether a pause was requested (the file is on rank 0's
    // side; the vote is collective), so that all stop after the same step.
    const bool pause = step < totalSteps && execution->anyRank(writer && fs::exists(pausePath));
    if (endOfEpoch || pause || timeUp) {
      meta["best_dice"] = best;
      meta["sampler"] = sampler.state();
      torch::optim::AdamW& state = optimizer->checkpointState();  // collective when sharded
      if (writer) saveCheckpoint(lastPath, model, meta, &state);
    }
    if (timeUp) {
      report.emit({{"event", "log"},
                   {"message", "stopped at the time limit after step " + std::to_string(step) +
                                   " of " + std::to_string(totalSteps) +
                                   "; best.pt and last.pt hold it (--resume continues)"}});
      report.emit(doneEvent(JobState::Done,
                            {{"step", step}, {"best_dice", best}, {"time_limit_reached", true}}));
      return best;
    }
    if (pause) {
      if (writer) {
        std::error_code ignored;
        fs::remove(pausePath, ignored);
      }
      report.emit({{"event", "log"},
                   {"message", "paused after step " + std::to_string(step) + " of " +
                                   std::to_string(totalSteps) + "; last.pt holds it"}});
      report.emit(doneEvent(JobState::Paused, {{"step", step}, {"best_dice", best}}));
      return best;
    }
  }
  report.emit(doneEvent(JobState::Done, {{"best_dice", best}}));
  return best;
}

}  // namespace seqseg
