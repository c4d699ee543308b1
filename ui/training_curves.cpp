#include "ui/training_curves.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace seqseg {
namespace {

constexpr size_t kLogLinesKept = 200;

template <typename Point>
void keepUpTo(std::vector<Point>& points, long long step) {
  points.erase(std::remove_if(points.begin(), points.end(),
                              [step](const Point& p) { return p.step > step; }),
               points.end());
}

void addLog(TrainingCurves& curves, std::string line) {
  curves.logLines.push_back(std::move(line));
  if (curves.logLines.size() > kLogLinesKept)
    curves.logLines.erase(curves.logLines.begin(),
                          curves.logLines.end() - static_cast<long>(kLogLinesKept));
}

void applyMetric(const nlohmann::json& metric, TrainingCurves& curves) {
  const long long step = metric.value("step", 0LL);
  curves.validating.reset();  // a step or a validation's result: no validation runs now
  if (metric.contains("loss")) {
    curves.truncateAfter(step - 1);  // the same step again (a resume) replaces the old one
    curves.steps.push_back({step, metric.value("loss", 0.0), metric.value("lr", 0.0),
                            metric.value("tokens_per_s", 0.0), metric.value("elapsed_s", 0.0)});
  } else if (metric.contains("val_dice_wt")) {
    keepUpTo(curves.validations, step - 1);
    curves.validations.push_back(
        {step, metric.value("val_dice_wt", 0.0), metric.value("val_dice_tc", 0.0),
         metric.value("val_dice_et", 0.0), metric.value("val_dice_mean", 0.0)});
  }
}

}  // namespace

void TrainingCurves::truncateAfter(long long step) {
  keepUpTo(steps, step);
  keepUpTo(validations, step);
}

bool applyTrainingLine(const std::string& line, TrainingCurves& curves) {
  const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return false;
  const std::string kind =
      event.value("event", std::string(event.contains("step") ? "metric" : ""));
  if (kind == "metric") {
    applyMetric(event, curves);
  } else if (kind == "start") {
    if (event.value("job", std::string()) != "train") return true;
    curves.totalSteps = event.value("total", 0LL);
    curves.truncateAfter(event.value("resumed_at_step", 0LL));
    curves.doneStatus.reset();
  } else if (kind == "progress") {
    if (event.value("label", std::string()) == "validation") {
      curves.validating = ValidationProgress{
          event.value("case_index", 0LL), event.value("cases", 0LL), event.value("done", 0LL),
          event.value("total", 0LL), event.value("case", std::string())};
      return true;
    }
    if (event.contains("eta_s") && event["eta_s"].is_number())
      curves.etaSeconds = event["eta_s"].get<double>();
  } else if (kind == "log") {
    addLog(curves, event.value("message", std::string()));
  } else if (kind == "error") {
    const std::string message = event.value("message", std::string());
    if (event.contains("case"))
      curves.leftOutCases.push_back(event.value("case", std::string()) + ": " + message);
    addLog(curves, "error: " + message);
  } else if (kind == "result") {
    addLog(curves, event.value("message", std::string()));
  } else if (kind == "done") {
    curves.validating.reset();
    // A status this version does not know ended the run all the same.
    curves.doneStatus =
        parseDoneStatus(event.value("status", std::string("ok"))).value_or(JobState::Failed);
  } else {
    return false;
  }
  return true;
}

TrainingCurves readMetricsLog(const std::string& path) {
  TrainingCurves curves;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) applyTrainingLine(line, curves);
  return curves;
}

}  // namespace seqseg
