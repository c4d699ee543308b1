// The job contract (jobs/): each request written as a command line by the one writer reads back
// through the command line's own option definitions to the same request; options at their
// default are left out; the parallel rules refuse what the engine would refuse, in its words; a
// job state keeps its spellings in records and done events.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "jobs/job_arguments.h"
#include "jobs/job_options.h"
#include "jobs/job_state.h"
#include "jobs/parallel_rules.h"
#include "jobs/run_folder.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

// Parses `arguments` with a subcommand `name` defined by `define`.
template <typename Request, typename Define>
Request readBack(const std::vector<std::string>& arguments, const char* name, Define define) {
  CLI::App app;
  Request request;
  CLI::App* command = app.add_subcommand(name);
  define(*command, request);
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  app.parse(reversed);
  return request;
}

void expectSameParallel(const ParallelRequest& a, const ParallelRequest& b) {
  EXPECT_EQ(a.ranks, b.ranks);
  EXPECT_EQ(a.launcher, b.launcher);
  EXPECT_EQ(a.device, b.device);
  EXPECT_EQ(a.checkpointActivations, b.checkpointActivations);
  EXPECT_EQ(a.split, b.split);
  EXPECT_EQ(a.attention, b.attention);
  EXPECT_EQ(a.decoder, b.decoder);
  EXPECT_EQ(a.cluster, b.cluster);
}

TEST(JobContract, SegmentRequestReadsBackFromItsArguments) {
  SegmentRequest written;
  written.input = "/data/in";
  written.caseIds = {"A", "B"};
  written.output = "/data/out";
  written.model = "/m.pt";
  written.report = "/r.json";
  written.labels = "internal";
  written.progress = "json";
  written.skipExisting = true;
  written.threads = 3;
  written.overlap = 0.25;
  written.testTimeFlips = true;
  written.noPostprocess = true;
  written.hd95 = "max";
  written.reportCsv = true;
  written.saveProbabilities = true;
  written.uncertainty = true;
  written.dicomSeg = true;
  written.parallel = {4, "mpirun", "cuda", true, "blocks", "ulysses", "gather", "lab"};
  const std::optional<SegmentRequest> read = readSegmentArguments(segmentArguments(written));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->input, written.input);
  EXPECT_EQ(read->caseIds, written.caseIds);
  EXPECT_EQ(read->output, written.output);
  EXPECT_EQ(read->model, written.model);
  EXPECT_EQ(read->report, written.report);
  EXPECT_EQ(read->labels, written.labels);
  EXPECT_EQ(read->progress, written.progress);
  EXPECT_EQ(read->skipExisting, written.skipExisting);
  EXPECT_EQ(read->threads, written.threads);
  EXPECT_EQ(read->overlap, written.overlap);
  EXPECT_EQ(read->testTimeFlips, written.testTimeFlips);
  EXPECT_EQ(read->noPostprocess, written.noPostprocess);
  EXPECT_EQ(read->hd95, written.hd95);
  EXPECT_EQ(read->reportCsv, written.reportCsv);
  EXPECT_EQ(read->saveProbabilities, written.saveProbabilities);
  EXPECT_EQ(read->uncertainty, written.uncertainty);
  EXPECT_EQ(read->dicomSeg, written.dicomSeg);
  expectSameParallel(read->parallel, written.parallel);

  SegmentRequest files;
  files.t1 = "/c/t1.nii.gz";
  files.t1ce = "/c/t1ce.nii.gz";
  files.t2 = "/c/t2.nii.gz";
  files.flair = "/c/DICOM/flair";
  files.output = "/o";
  const std::vector<std::string> arguments = segmentArguments(files);
  EXPECT_EQ(arguments,
            (std::vector<std::string>{"--batch", "--t1", files.t1, "--t1ce", files.t1ce, "--t2",
                                      files.t2, "--flair", files.flair, "-o", "/o"}))
      << "options at their default are left out";
  const std::optional<SegmentRequest> readFiles = readSegmentArguments(arguments);
  ASSERT_TRUE(readFiles.has_value());
  EXPECT_TRUE(readFiles->caseAsFiles());
  EXPECT_EQ(readFiles->flair, files.flair);
  expectSameParallel(readFiles->parallel, ParallelRequest{});

  // Not a batch: another command, the GUI with a case, help.
  EXPECT_FALSE(readSegmentArguments({"train", "--data", "/d", "--out", "/r"}).has_value());
  EXPECT_FALSE(readSegmentArguments({"/case/folder"}).has_value());
  EXPECT_FALSE(readSegmentArguments({"--batch", "--help"}).has_value());
}

TEST(JobContract, TrainRequestReadsBackFromItsArguments) {
  TrainRequest written;
  written.data = "/d";
  written.validationData = "/v";
  written.config = "/configs/wide.json";
  written.progress = "json";
  written.spacing = {1.0, 1.5, 2.0};
  written.threads = 2;
  written.skipUnreadable = true;
  written.randomise = true;
  written.wideLesions = true;
  written.wideContrasts = true;
  written.schedule.regionDice = true;
  written.realisticFraction = 0.5;
  written.templateDir = "/templates";
  TrainingSchedule& s = written.schedule;
  s.runDir = "/run";
  s.epochs = 7;
  s.stepsPerEpoch = 3;
  s.batch = 1;
  s.learningRate = 0.1;
  s.weightDecay = 0.05;
  s.validateEvery = 2;
  s.seed = 18446744073709551557ull;  // beyond int64: written and read as unsigned
  s.augment = false;
  s.balanceCropClasses = true;
  s.resume = true;
  s.timeLimitMinutes = 7.5;
  s.initModel = "/models/start.pt";
  s.freezeEncoder = true;
  s.generatedPool = 6;
  s.fileCaseFraction = 0.3;
  written.parallel = {2, "srun", "cpu", false, "slab1", "ring", "nogather", ""};
  const TrainRequest read = readBack<TrainRequest>(
      trainArguments(written), "train",
      [](CLI::App& train, TrainRequest& r) { addTrainOptions(train, r, /*worker=*/false); });
  EXPECT_EQ(read.data, written.data);
  EXPECT_EQ(read.validationData, written.validationData);
  EXPECT_EQ(read.config, written.config);
  EXPECT_EQ(read.progress, written.progress);
  EXPECT_EQ(read.spacing, written.spacing);
  EXPECT_EQ(read.threads, written.threads);
  EXPECT_EQ(read.skipUnreadable, written.skipUnreadable);
  EXPECT_EQ(read.randomise, written.randomise);
  EXPECT_EQ(read.wideLesions, written.wideLesions);
  EXPECT_EQ(read.wideContrasts, written.wideContrasts);
  EXPECT_EQ(read.schedule.regionDice, written.schedule.regionDice);
  EXPECT_EQ(read.realisticFraction, written.realisticFraction);
  EXPECT_EQ(read.templateDir, written.templateDir);
  EXPECT_EQ(read.schedule.runDir, s.runDir);
  EXPECT_EQ(read.schedule.epochs, s.epochs);
  EXPECT_EQ(read.schedule.stepsPerEpoch, s.stepsPerEpoch);
  EXPECT_EQ(read.schedule.batch, s.batch);
  EXPECT_EQ(read.schedule.learningRate, s.learningRate);
  EXPECT_EQ(read.schedule.weightDecay, s.weightDecay);
  EXPECT_EQ(read.schedule.validateEvery, s.validateEvery);
  EXPECT_EQ(read.schedule.seed, s.seed);
  EXPECT_EQ(read.schedule.augment, s.augment);
  EXPECT_EQ(read.schedule.balanceCropClasses, s.balanceCropClasses);
  EXPECT_EQ(read.schedule.resume, s.resume);
  EXPECT_EQ(read.schedule.timeLimitMinutes, s.timeLimitMinutes);
  EXPECT_EQ(read.schedule.initModel, s.initModel);
  EXPECT_EQ(read.schedule.freezeEncoder, s.freezeEncoder);
  EXPECT_EQ(read.schedule.generatedPool, s.generatedPool);
  EXPECT_EQ(read.schedule.fileCaseFraction, s.fileCaseFraction);
  expectSameParallel(read.parallel, written.parallel);

  TrainRequest minimal;
  minimal.schedule.runDir = "/run";
  EXPECT_EQ(trainArguments(minimal), (std::vector<std::string>{"train", "--out", "/run"}));
  const TrainRequest readMinimal = readBack<TrainRequest>(
      trainArguments(minimal), "train",
      [](CLI::App& train, TrainRequest& r) { addTrainOptions(train, r, /*worker=*/false); });
  EXPECT_EQ(readMinimal.config, "") << "no --config: the default (or the --init model's)";
  EXPECT_EQ(readMinimal.schedule.initModel, "");
  EXPECT_FALSE(readMinimal.schedule.freezeEncoder);

  // Fine-tuning without a --config: the model's own; a preset given stays given.
  TrainRequest fineTune = minimal;
  fineTune.schedule.initModel = "/models/tiny.pt";
  EXPECT_EQ(trainArguments(fineTune),
            (std::vector<std::string>{"train", "--out", "/run", "--init", "/models/tiny.pt"}));
  fineTune.config = "tiny";
  const TrainRequest readFineTune = readBack<TrainRequest>(
      trainArguments(fineTune), "train",
      [](CLI::App& train, TrainRequest& r) { addTrainOptions(train, r, /*worker=*/false); });
  EXPECT_EQ(readFineTune.config, "tiny");
  EXPECT_EQ(readFineTune.schedule.initModel, "/models/tiny.pt");
}

TEST(JobContract, SynthAndEvalRequestsReadBack) {
  SynthRequest synth;
  synth.out = "/s";
  synth.cases = 4;
  synth.layout = "msd";
  synth.size = "40";
  synth.seed = 9;
  synth.randomise = synth.heldout = true;
  synth.scanner = 3;
  const auto readSynthBack = [](const SynthRequest& request) {
    return readBack<SynthRequest>(synthArguments(request), "synth",
                                  [](CLI::App& c, SynthRequest& r) { addSynthOptions(c, r); });
  };
  const SynthRequest readSynth = readSynthBack(synth);
  EXPECT_EQ(readSynth.out, synth.out);
  EXPECT_EQ(readSynth.cases, synth.cases);
  EXPECT_EQ(readSynth.layout, synth.layout);
  EXPECT_EQ(readSynth.size, synth.size);
  EXPECT_EQ(readSynth.seed, synth.seed);
  EXPECT_TRUE(readSynth.randomise && readSynth.heldout);
  EXPECT_FALSE(readSynth.heldoutHard);
  EXPECT_EQ(readSynth.scanner, synth.scanner);
  synth.heldout = false;
  synth.heldoutHard = true;
  const SynthRequest readHard = readSynthBack(synth);
  EXPECT_TRUE(readHard.randomise && readHard.heldoutHard);
  EXPECT_FALSE(readHard.heldout);
  EXPECT_FALSE(readHard.wideLesions);
  synth.heldoutHard = false;
  synth.wideLesions = true;
  const SynthRequest readWide = readSynthBack(synth);
  EXPECT_TRUE(readWide.randomise && readWide.wideLesions);
  EXPECT_FALSE(readWide.heldout || readWide.heldoutHard || readWide.wideContrasts);
  synth.wideLesions = false;
  synth.wideContrasts = true;
  const SynthRequest readContrasts = readSynthBack(synth);
  EXPECT_TRUE(readContrasts.randomise && readContrasts.wideContrasts);
  EXPECT_FALSE(readContrasts.wideLesions);

  EvalRequest eval{"/p", "/r", "nnunet", "/report.json", "max", "/probabilities"};
  const EvalRequest readEval = readBack<EvalRequest>(
      evalArguments(eval), "eval", [](CLI::App& c, EvalRequest& r) { addEvalOptions(c, r); });
  EXPECT_EQ(readEval.pred, eval.pred);
  EXPECT_EQ(readEval.ref, eval.ref);
  EXPECT_EQ(readEval.labels, eval.labels);
  EXPECT_EQ(readEval.report, eval.report);
  EXPECT_EQ(readEval.hd95, eval.hd95);
  EXPECT_EQ(readEval.probabilities, eval.probabilities);
}

TEST(JobContract, ParallelRulesRefuseWhatCannotRun) {
  const Grid3 grid{8, 8, 8};
  EXPECT_EQ(parallelProblem("slab0", "allgather", "halo", 8, grid, 4), "");
  EXPECT_EQ(parallelProblem("slab0", "allgather", "halo", 9, grid, 4),
            "split slab0: 9 ranks need at least 9 patches along A0, the patch grid is 8x8x8");
  EXPECT_EQ(parallelProblem("blocks", "allgather", "halo", 9, grid, 4), "");
  EXPECT_EQ(rankLayout(grid, 12, SplitMethod::Blocks), (Grid3{3, 2, 2}));
  EXPECT_EQ(parallelProblem("blocks", "ring", "halo", 1024, grid, 4),
            "blocks split: 1024 ranks do not fit a patch grid of 8x8x8");
  EXPECT_EQ(parallelProblem("slab0", "ulysses", "halo", 3, grid, 4),
            "ulysses attention needs the ranks (3) to divide the 4 heads of the model");
  EXPECT_EQ(parallelProblem("slab9", "ring", "halo", 2, grid, 4),
            "unknown split 'slab9' (slab0, slab1, slab2 or blocks)");
  EXPECT_NE(parallelProblem("slab0", "ring", "scatter", 2, grid, 4).find("unknown decoder"),
            std::string::npos);
}

TEST(JobContract, StatesKeepTheirSpellingsOnDiskAndInEvents) {
  for (const char* record : {"running", "done", "failed", "cancelled", "lost"}) {
    const std::optional<JobState> state = parseRecordState(record);
    ASSERT_TRUE(state.has_value()) << record;
    EXPECT_EQ(recordStateSpelling(*state), record);
  }
  for (const char* status : {"ok", "failed", "cancelled", "paused"}) {
    const std::optional<JobState> state = parseDoneStatus(status);
    ASSERT_TRUE(state.has_value()) << status;
    EXPECT_EQ(doneStatusSpelling(*state), status);
    EXPECT_TRUE(isFinished(*state));
  }
  EXPECT_EQ(parseDoneStatus("ok"), JobState::Done);
  EXPECT_EQ(recordStateSpelling(JobState::Paused), "done");
  EXPECT_FALSE(parseRecordState("paused").has_value());
  EXPECT_FALSE(parseDoneStatus("done").has_value());
  EXPECT_FALSE(isFinished(JobState::Cancelling));
}

TEST(JobContract, RunFolderNamesItsFilesAndSaysWhenItCannotStart) {
  test::TempDir dir;
  const RunFolder run(dir / "run");
  EXPECT_EQ(run.lastCheckpoint(), dir / "run/last.pt");
  EXPECT_EQ(run.pauseFile(), dir / "run/pause");
  EXPECT_EQ(run.startProblem(false), "");
  EXPECT_NE(run.startProblem(true).find("nothing to resume"), std::string::npos);
  std::filesystem::create_directories(run.path());
  test::writeFile(run.lastCheckpoint(), "x");
  EXPECT_NE(run.startProblem(false).find("not empty"), std::string::npos);
  EXPECT_EQ(run.startProblem(true), "");
}

}  // namespace
}  // namespace seqseg
