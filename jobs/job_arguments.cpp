#include "jobs/job_arguments.h"

#include <cstdio>

namespace seqseg {
namespace {

// Appends to a command line the options that differ from their defaults.
class ArgumentWriter {
 public:
  explicit ArgumentWriter(std::vector<std::string> start) : arguments_(std::move(start)) {}

  void text(const char* option, const std::string& value, const std::string& fallback = "") {
    if (value != fallback) arguments_.insert(arguments_.end(), {option, value});
  }
  void number(const char* option, long long value, long long fallback) {
    if (value != fallback) arguments_.insert(arguments_.end(), {option, std::to_string(value)});
  }
  void real(const char* option, double value, double fallback) {
    if (value != fallback) arguments_.insert(arguments_.end(), {option, exactText(value)});
  }
  void flag(const char* option, bool value) {
    if (value) arguments_.push_back(option);
  }
  void all(const std::vector<std::string>& more) {
    arguments_.insert(arguments_.end(), more.begin(), more.end());
  }
  std::vector<std::string> take() { return std::move(arguments_); }

 private:
  std::vector<std::string> arguments_;
};

}  // namespace

std::string exactText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::vector<std::string> parallelArguments(const ParallelRequest& request) {
  const ParallelRequest defaults;
  ArgumentWriter out({});
  out.number("--ranks", request.ranks, defaults.ranks);
  out.text("--launcher", request.launcher, defaults.launcher);
  out.text("--device", request.device, defaults.device);
  out.flag("--checkpoint-activations", request.checkpointActivations);
  out.text("--split", request.split, defaults.split);
  out.text("--attention", request.attention, defaults.attention);
  out.text("--decoder", request.decoder, defaults.decoder);
  out.text("--cluster", request.cluster, defaults.cluster);
  return out.take();
}

std::vector<std::string> segmentArguments(const SegmentRequest& request) {
  const SegmentRequest defaults;
  ArgumentWriter out({"--batch"});
  out.text("--progress", request.progress, defaults.progress);
  out.text("--labels", request.labels, defaults.labels);
  if (request.caseAsFiles()) {
    out.all(
        {"--t1", request.t1, "--t1ce", request.t1ce, "--t2", request.t2, "--flair", request.flair});
  } else {
    out.text("-i", request.input);
    for (const std::string& id : request.caseIds) out.all({"--case", id});
  }
  out.text("-o", request.output);
  out.text("--model", request.model);
  out.text("--report", request.report);
  out.flag("--report-csv", request.reportCsv);
  out.flag("--skip-existing", request.skipExisting);
  out.number("--threads", request.threads, defaults.threads);
  out.real("--overlap", request.overlap, defaults.overlap);
  out.flag("--tta", request.testTimeFlips);
  out.flag("--no-postprocess", request.noPostprocess);
  out.flag("--save-probabilities", request.saveProbabilities);
  out.flag("--uncertainty", request.uncertainty);
  out.flag("--dicom-seg", request.dicomSeg);
  out.text("--hd95", request.hd95, defaults.hd95);
  out.all(parallelArguments(request.parallel));
  return out.take();
}

std::vector<std::string> trainArguments(const TrainRequest& request) {
  const TrainRequest defaults;
  const TrainingSchedule& s = request.schedule;
  const TrainingSchedule& d = defaults.schedule;
  ArgumentWriter out({"train"});
  out.text("--data", request.data);
  out.text("--out", s.runDir);
  out.text("--config", request.config, defaults.config);
  out.number("--epochs", s.epochs, d.epochs);
  out.number("--steps-per-epoch", s.stepsPerEpoch, d.stepsPerEpoch);
  out.number("--batch-size", s.batch, d.batch);
  out.real("--lr", s.learningRate, d.learningRate);
  out.real("--weight-decay", s.weightDecay, d.weightDecay);
  out.text("--val-data", request.validationData);
  if (request.validationData.empty())
    out.real("--val-fraction", request.validationFraction, defaults.validationFraction);
  out.number("--validate-every", s.validateEvery, d.validateEvery);
  out.real("--time-limit", s.timeLimitMinutes, d.timeLimitMinutes);
  out.text("--seed", std::to_string(s.seed), std::to_string(d.seed));
  if (!request.spacing.empty()) {
    out.all({"--spacing"});
    for (double mm : request.spacing) out.all({exactText(mm)});
  }
  out.flag("--resume", s.resume);
  out.text("--init", s.initModel, d.initModel);
  out.flag("--freeze-encoder", s.freezeEncoder);
  out.text("--augment", s.augment ? "on" : "off", "on");
  out.flag("--balance-crop-classes", s.balanceCropClasses);
  out.flag("--region-dice", s.regionDice);
  out.flag("--skip-unreadable", request.skipUnreadable);
  out.text("--progress", request.progress, defaults.progress);
  out.number("--threads", request.threads, defaults.threads);
  out.flag("--randomise", request.randomise);
  out.flag("--wide-lesions", request.wideLesions);
  out.flag("--wide-contrasts", request.wideContrasts);
  out.real("--realistic-fraction", request.realisticFraction, defaults.realisticFraction);
  out.real("--file-fraction", s.fileCaseFraction, d.fileCaseFraction);
  out.number("--generated-pool", s.generatedPool, d.generatedPool);
  out.text("--template-dir", request.templateDir, defaults.templateDir);
  out.all(parallelArguments(request.parallel));
  return out.take();
}

std::vector<std::string> synthArguments(const SynthRequest& request) {
  const SynthRequest defaults;
  ArgumentWriter out({"synth", "--out", request.out});
  out.number("--cases", request.cases, defaults.cases);
  out.number("--first", request.first, defaults.first);
  out.text("--layout", request.layout, defaults.layout);
  out.text("--size", request.size, defaults.size);
  out.text("--seed", std::to_string(request.seed), std::to_string(defaults.seed));
  out.text("--template-dir", request.templateDir, defaults.templateDir);
  out.flag("--randomise", request.randomise);
  out.flag("--heldout", request.heldout);
  out.flag("--heldout-hard", request.heldoutHard);
  out.flag("--wide-lesions", request.wideLesions);
  out.flag("--wide-contrasts", request.wideContrasts);
  if (request.scanner) out.text("--scanner", std::to_string(*request.scanner), "");
  return out.take();
}

std::vector<std::string> evalArguments(const EvalRequest& request) {
  const EvalRequest defaults;
  ArgumentWriter out({"eval", "--pred", request.pred, "--ref", request.ref});
  out.text("--labels", request.labels, defaults.labels);
  out.text("--report", request.report);
  out.text("--hd95", request.hd95, defaults.hd95);
  out.text("--probabilities", request.probabilities);
  return out.take();
}

}  // namespace seqseg
