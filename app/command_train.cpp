// seqseg train: trains a model on a folder of cases with reference label maps.
#include <algorithm>
#include <memory>
#include <random>

#include "app/case_tensors.h"
#include "app/commands.h"
#include "engine/atomic_file.h"
#include "engine/input_error.h"
#include "engine/resource_paths.h"
#include "engine/runtime.h"
#include "engine/trainer.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"

namespace seqseg {
namespace {

struct TrainCommandOptions {
  std::string data, validationData, config = "tiny", progress = "bar";
  double validationFraction = 0.2;
  int threads = 0;
  TrainingOptions training;
};

std::vector<TrainingCase> loadCases(const Dataset& dataset, const ModelConfig& config, ProgressSink& progress) {
  std::vector<TrainingCase> cases;
  for (const CaseFiles& files : dataset.cases) {
    if (files.reference.empty())
      throw InputError(files.images.front(), "case " + files.id + " has no reference label map to train on");
    const Volume image = readCase(files);
    const LabelVolume labels = toInternalLabels(readLabelMap(files.reference), dataset.layout, files.reference);
    if (labels.shape[0] != image.shape[1] || labels.shape[1] != image.shape[2] || labels.shape[2] != image.shape[3])
      throw InputError(files.reference, "label map dimensions differ from the case's images");
    cases.push_back(prepareTrainingCase(files.id, toTensor(image), toTensor(labels), config));
    progress.emit({{"event", "progress"}, {"label", "loading"}, {"done", cases.size()},
                   {"total", dataset.cases.size()}, {"detail", files.id}});
  }
  return cases;
}

int runTrain(const TrainCommandOptions& options) {
  auto progress = makeProgressSink(options.progress);
  const ModelConfig config = loadModelConfig(options.config, presetsDir());
  if (options.training.epochs < 1) throw std::invalid_argument("--epochs must be at least 1");
  if (options.training.batch < 1) throw std::invalid_argument("--batch-size must be at least 1");
  const Dataset dataset = findCases(options.data);
  configureThreads(options.threads);
  removeTemporaryFilesOnSignals();

  std::vector<TrainingCase> training = loadCases(dataset, config, *progress), validation;
  if (!options.validationData.empty()) {
    validation = loadCases(findCases(options.validationData), config, *progress);
  } else if (training.size() >= 2 && options.validationFraction > 0) {
    // A seeded shuffle picks the validation cases, so that a resumed run sees the same split.
    std::mt19937_64 shuffle(options.training.seed);
    for (size_t i = training.size() - 1; i > 0; --i)
      std::swap(training[i], training[static_cast<size_t>(shuffle() % (i + 1))]);
    const size_t count = std::max<size_t>(1, static_cast<size_t>(options.validationFraction * training.size() + 0.5));
    validation.assign(training.end() - static_cast<long>(count), training.end());
    training.resize(training.size() - count);
  }
  progress->emit({{"event", "log"},
                  {"message", "training on " + std::to_string(training.size()) + " cases, validating on " +
                                  std::to_string(validation.size()) + "; run folder " + options.training.runDir}});
  const double best = train(config, training, validation, options.training, *progress);
  progress->emit({{"event", "log"}, {"message", "best mean validation Dice " + std::to_string(best)}});
  return 0;
}

}  // namespace

void addTrainCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<TrainCommandOptions>();
  CLI::App* train = app.add_subcommand("train", "Train a model on cases with reference label maps");
  TrainingOptions& t = options->training;
  train->add_option("--data", options->data, "Folder of training cases (any layout, with labels)")->required();
  train->add_option("--out", t.runDir, "Run folder: last.pt, best.pt, config.json, metrics.jsonl")->required();
  train->add_option("--config", options->config, "Preset name (tiny, base, long) or a config JSON file")
      ->capture_default_str();
  train->add_option("--epochs", t.epochs, "Epochs")->capture_default_str();
  train->add_option("--steps-per-epoch", t.stepsPerEpoch, "Steps per epoch (0: cases / batch size)")
      ->capture_default_str();
  train->add_option("--batch-size", t.batch, "ROI crops per step")->capture_default_str();
  train->add_option("--lr", t.learningRate, "Peak learning rate (AdamW)")->capture_default_str();
  train->add_option("--weight-decay", t.weightDecay, "AdamW weight decay")->capture_default_str();
  train->add_option("--val-data", options->validationData, "Folder of validation cases");
  train->add_option("--val-fraction", options->validationFraction,
                    "Share of --data held out for validation when --val-data is not given")
      ->capture_default_str();
  train->add_option("--validate-every", t.validateEvery, "Validate every k epochs")->capture_default_str();
  train->add_option("--seed", t.seed, "Random seed (initialisation, crops, augmentation, split)")
      ->capture_default_str();
  train->add_flag("--resume", t.resume, "Continue the run in --out from its last.pt");
  train->add_option("--progress", options->progress, "bar (for people) or json (JSON Lines events)")
      ->capture_default_str();
  train->add_option("--threads", options->threads, "Intra-op threads (0: all cores)")->capture_default_str();
  train->callback([options, &exitCode] { exitCode = runTrain(*options); });
}

}  // namespace seqseg
