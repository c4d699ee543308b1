// seqseg train: trains a model on a folder of cases with reference label maps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>

#include "cli/case_tensors.h"
#include "cli/commands.h"
#include "cli/randomise_flags.h"
#include "cli/rank_launcher.h"
#include "engine/checkpoint.h"
#include "engine/runtime.h"
#include "engine/trainer.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "io/labelled_case.h"
#include "io/randomised_case.h"
#include "io/synthesis_support.h"
#include "io/synthetic_case.h"
#include "jobs/job_arguments.h"
#include "jobs/job_options.h"
#include "remote/cluster_profile.h"
#include "remote/remote_job.h"
#include "types/atomic_file.h"
#include "types/input_error.h"
#include "types/resource_paths.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// How the training's ranks, or the job on a cluster, run it: JSON Lines progress.
TrainRequest workerRequest(const TrainRequest& request) {
  TrainRequest worker = request;
  worker.progress = "json";
  worker.parallel.cluster.clear();
  return worker;
}

// Training as a job on a cluster profile: the data (and a config file, the --init model, and the
// run folder when resuming) are uploaded; the run folder comes back into --out.
int runTrainOnCluster(const TrainRequest& options) {
  const ClusterProfile profile = findClusterProfile(options.parallel.cluster);
  RemoteJobRequest request;
  request.kind = "train";
  request.localOutput = options.schedule.runDir;
  if (!options.data.empty()) {
    request.uploads.push_back({options.data, {"."}, "in/data"});
    request.pathsShownAs.emplace_back("in/data", fs::absolute(options.data).string());
  }
  if (!options.validationData.empty())
    request.uploads.push_back({options.validationData, {"."}, "in/val"});
  std::string configName;
  if (fs::is_regular_file(options.config)) {
    const fs::path config = fs::absolute(options.config);
    configName = config.filename().string();
    request.uploads.push_back({config.parent_path().string(), {configName}, "in/config"});
  }
  std::string initName;
  if (!options.schedule.initModel.empty()) {
    const fs::path init = fs::absolute(options.schedule.initModel);
    initName = init.filename().string();
    request.uploads.push_back({init.parent_path().string(), {initName}, "in/init"});
    request.pathsShownAs.emplace_back("in/init", init.parent_path().string());
  }
  if (options.schedule.resume && fs::is_directory(options.schedule.runDir))
    request.uploads.push_back({options.schedule.runDir, {"."}, "out"});
  request.arguments = [options, configName, initName, profile](const std::string& job) {
    TrainRequest remote = workerRequest(options);
    remote.schedule.runDir = job + "/out";
    if (!remote.data.empty()) remote.data = job + "/in/data";
    if (!remote.validationData.empty()) remote.validationData = job + "/in/val";
    if (!configName.empty()) remote.config = job + "/in/config/" + configName;
    if (!initName.empty()) remote.schedule.initModel = job + "/in/init/" + initName;
    remote.parallel.ranks = profile.scheduler.ranks();
    remote.parallel.launcher = remoteLauncher(profile);
    return trainArguments(remote);
  };
  auto progress = makeProgressSink(options.progress);
  return runRemoteJob(profile, request, *progress);
}

// The median voxel spacing of the cases (as nnU-Net picks its target spacing), A0..A2.
Spacing medianSpacing(const Dataset& dataset) {
  std::array<std::vector<double>, 3> spacings;
  for (const CaseFiles& files : dataset.cases) {
    const Spacing spacing = engineSpacing(readImage(files.images.front()).geometry);
    for (int axis = 0; axis < 3; ++axis) spacings[axis].push_back(spacing[axis]);
  }
  Spacing median{};
  for (int axis = 0; axis < 3; ++axis) {
    std::sort(spacings[axis].begin(), spacings[axis].end());
    median[axis] = spacings[axis][spacings[axis].size() / 2];
  }
  return median;
}

// The dataset without the cases that cannot be read, each named in an error event (the job
// goes on without them); an empty result is an InputError.
Dataset readableCases(const Dataset& dataset, ProgressSink& progress) {
  Dataset readable = dataset;
  readable.cases.clear();
  for (const CaseFiles& files : dataset.cases) {
    try {
      readLabelledCase(files, dataset.layout);
      readable.cases.push_back(files);
    } catch (const std::exception& error) {
      progress.emit({{"event", "error"},
                     {"case", files.id},
                     {"message", std::string(error.what()) + " (case left out)"}});
    }
  }
  if (readable.cases.empty())
    throw InputError(dataset.root, "no case of the folder can be read to train on");
  return readable;
}

std::vector<TrainingCase> loadCases(const Dataset& dataset, const ModelConfig& config,
                                    const Spacing& target, ProgressSink& progress) {
  std::vector<TrainingCase> cases;
  for (const CaseFiles& files : dataset.cases) {
    const LabelledCase labelled = readLabelledCase(files, dataset.layout);
    cases.push_back(prepareTrainingCase(files.id, toTensor(labelled.image),
                                        toTensor(labelled.labels), config,
                                        engineSpacing(labelled.image.geometry), target));
    progress.emit({{"event", "progress"},
                   {"label", "loading"},
                   {"done", cases.size()},
                   {"total", dataset.cases.size()},
                   {"detail", files.id}});
  }
  return cases;
}

// The n-th training case made on the fly: from the realistic generator with probability
// `realisticFraction`, else domain-randomised; a grid of about the target spacing over BraTS's
// field of view. The same n gives the same case on every rank and after a resume.
std::function<TrainingCase(int64_t)> caseGenerator(const TrainRequest& options,
                                                   const ModelConfig& config,
                                                   const Spacing& target) {
  auto brain = std::make_shared<const BrainTemplate>(loadBrainTemplate(options.templateDir));
  std::array<int64_t, 3> size{};  // i, j, k
  for (int a = 0; a < 3; ++a)
    size[a] = std::max<int64_t>(
        8, std::llround(synthesis::kFieldOfViewMm[a] / (target[2 - a] > 0 ? target[2 - a] : 1.0)));
  const uint64_t seed = options.schedule.seed;
  const double realisticFraction = options.realisticFraction;
  const RandomisedProfile profile = trainingProfileOf(options.wideLesions, options.wideContrasts);
  return [brain, size, seed, realisticFraction, profile, config, target](int64_t n) {
    const int index = static_cast<int>(n);
    const double draw =
        static_cast<double>(synthesis::mixSeed(seed ^ 0x50u, index) >> 11) * 0x1.0p-53;
    const SyntheticCase generated =
        draw < realisticFraction ? synthesizeCase(*brain, size, seed, index)
                                 : synthesizeRandomisedCase(*brain, size, seed, index, profile);
    return prepareTrainingCase("generated-" + std::to_string(n), toTensor(generated.image),
                               toTensor(generated.labels), config,
                               engineSpacing(generated.image.geometry), target);
  };
}

// The model a run trains and, with --init, the spacing that model was trained at (when its
// checkpoint records one).
struct StartingModel {
  ModelConfig config;
  std::optional<Spacing> spacing;
};

// --init's checkpoint gives the config (a --config given as well must describe the same model,
// or that model with a voxel skip added); without it --config does (default: the tiny preset).
StartingModel startingModel(const TrainRequest& options) {
  const std::string& init = options.schedule.initModel;
  if (init.empty())
    return {loadModelConfig(options.config.empty() ? kDefaultTrainConfig : options.config,
                            presetsDir()),
            std::nullopt};
  const Checkpoint checkpoint = readCheckpointInfo(init);
  StartingModel start{checkpoint.config, std::nullopt};
  if (!options.config.empty()) {
    const ModelConfig asked = loadModelConfig(options.config, presetsDir());
    const ConfigDifference difference = firstDifference(asked, checkpoint.config);
    // A voxel skip may be added to the --init model: it starts at zero (restoreWeights).
    if (addsOnlyVoxelSkip(checkpoint.config, asked))
      start.config = asked;
    else if (!difference.field.empty())
      throw std::invalid_argument("--config " + options.config +
                                  " describes another model than --init " + init + " (" +
                                  difference.field + " " + difference.first + ", the model's is " +
                                  difference.second + "); leave --config out to take the model's");
  }
  if (checkpoint.meta.contains("spacing")) {
    const nlohmann::json& spacing = checkpoint.meta["spacing"];
    if (!spacing.is_array() || spacing.size() != 3 ||
        !std::all_of(spacing.begin(), spacing.end(), [](const nlohmann::json& mm) {
          return mm.is_number() && mm.get<double>() >= 0;
        }))
      throw InputError(init, "the checkpoint's spacing is not three numbers");
    start.spacing = spacing.get<Spacing>();
  }
  return start;
}

int runTrain(const TrainRequest& options, bool worker) {
  checkDevice(options.parallel);
  const StartingModel start = startingModel(options);
  const ModelConfig& config = start.config;
  // --epochs 0 (with --init and validation cases; the trainer says so otherwise) fits only the
  // model's temperature and post-processing.
  const bool calibrateOnly = options.schedule.epochs == 0;
  if (options.schedule.epochs < 0) throw std::invalid_argument("--epochs must be at least 0");
  if (calibrateOnly && options.schedule.initModel.empty())
    throw std::invalid_argument(
        "--epochs 0 fits the temperature and post-processing of a model: it needs --init");
  if (options.schedule.batch < 1) throw std::invalid_argument("--batch-size must be at least 1");
  if (options.data.empty() && !options.randomise && !calibrateOnly)
    throw std::invalid_argument("train needs --data DIR (or --randomise to make cases on the fly)");
  if (options.realisticFraction < 0 || options.realisticFraction > 1 ||
      options.schedule.fileCaseFraction < 0 || options.schedule.fileCaseFraction > 1)
    throw std::invalid_argument("--realistic-fraction and --file-fraction must be 0..1");
  requireWithRandomise(options.wideLesions, options.randomise, "--wide-lesions");
  requireWithRandomise(options.wideContrasts, options.randomise, "--wide-contrasts");
  Dataset dataset;
  if (!options.data.empty()) dataset = findCases(options.data);
  checkResumeMatchesStart(options.schedule);  // before ranks or a remote job start
  if (!options.parallel.cluster.empty()) {
    if (worker) throw std::invalid_argument("a rank cannot start a remote job");
    return runTrainOnCluster(options);
  }
  if (!worker && options.parallel.ranks > 1 && !startedAsRank()) {
    checkParallelRequest(options.parallel, config);
    auto progress = makeProgressSink(options.progress);
    return runRanks(options.parallel, trainArguments(workerRequest(options)), *progress,
                    {options.schedule.runDir});
  }
  const JobRank job = joinJob(options.parallel);
  std::unique_ptr<ProgressSink> progress =
      job.group->rank() == 0 ? makeProgressSink(options.progress) : std::make_unique<NullSink>();
  configureThreads(options.threads, job.localRanks);
  removeTemporaryFilesOnSignals();

  if (options.skipUnreadable) dataset = readableCases(dataset, *progress);
  TrainingOptions training;
  static_cast<TrainingSchedule&>(training) = options.schedule;
  training.execution = job.execution;
  if (options.spacing.empty() && start.spacing) {
    training.targetSpacing = *start.spacing;  // the --init model's own
  } else if (options.spacing.empty() && dataset.cases.empty()) {
    training.targetSpacing = {2.0, 2.0, 2.0};  // generated cases only
  } else if (options.spacing.empty()) {
    training.targetSpacing = medianSpacing(dataset);
  } else if (options.spacing.size() == 3 &&
             *std::min_element(options.spacing.begin(), options.spacing.end()) > 0) {
    training.targetSpacing = {options.spacing[2], options.spacing[1], options.spacing[0]};
  } else {
    throw std::invalid_argument("--spacing needs three positive numbers (mm along i, j, k)");
  }
  std::vector<TrainingCase> trainingCases =
                                loadCases(dataset, config, training.targetSpacing, *progress),
                            validation;
  if (options.randomise)
    training.generateCase = caseGenerator(options, config, training.targetSpacing);
  if (!options.validationData.empty()) {
    validation =
        loadCases(findCases(options.validationData), config, training.targetSpacing, *progress);
  } else if (trainingCases.size() >= 2 && options.validationFraction > 0) {
    // A seeded shuffle picks the validation cases, so that a resumed run sees the same split.
    std::mt19937_64 shuffle(training.seed);
    for (size_t i = trainingCases.size() - 1; i > 0; --i)
      std::swap(trainingCases[i], trainingCases[static_cast<size_t>(shuffle() % (i + 1))]);
    const size_t count = std::max<size_t>(
        1, static_cast<size_t>(options.validationFraction * trainingCases.size() + 0.5));
    validation.assign(trainingCases.end() - static_cast<long>(count), trainingCases.end());
    trainingCases.resize(trainingCases.size() - count);
  }
  std::string startText;
  if (!training.initModel.empty()) startText = ", starting from " + training.initModel;
  if (training.freezeEncoder) startText += ", encoder frozen";
  char spacingText[96];
  std::snprintf(spacingText, sizeof spacingText, "%.3g x %.3g x %.3g mm", training.targetSpacing[2],
                training.targetSpacing[1], training.targetSpacing[0]);
  progress->emit({{"event", "log"},
                  {"message", "training on " + std::to_string(trainingCases.size()) + " cases" +
                                  (options.randomise ? std::string(" and cases made on the fly")
                                                     : std::string()) +
                                  ", validating on " + std::to_string(validation.size()) + ", at " +
                                  spacingText + startText + "; run folder " + training.runDir}});
  const double best = train(config, trainingCases, validation, training, *progress);
  // Without validation cases there is no best Dice (train() returns -1): say so, not a number.
  progress->emit(
      {{"event", "log"},
       {"message", validation.empty() ? std::string("no validation cases: best.pt is the last step")
                                      : "best mean validation Dice " + std::to_string(best)}});
  return 0;
}

}  // namespace

void addTrainCommand(CLI::App& app, int& exitCode, bool worker) {
  auto request = std::make_shared<TrainRequest>();
  CLI::App* train = app.add_subcommand("train", "Train a model on cases with reference label maps");
  addTrainOptions(*train, *request, worker);
  train->callback([request, &exitCode, worker] { exitCode = runTrain(*request, worker); });
}

}  // namespace seqseg
