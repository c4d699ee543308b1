#pragma once
// The curves of a training run as the wizard plots them, built from the run's JSON lines: the
// metric events of `seqseg train --progress json` and the lines of RUN_DIR/metrics.jsonl are the
// same objects, so a run watched live and a run reopened later give the same points. No Qt.
#include <optional>
#include <string>
#include <vector>

#include "jobs/job_state.h"

namespace seqseg {

struct StepPoint {
  long long step = 0;
  double loss = 0;
  double learningRate = 0;
  double tokensPerSecond = 0;
  double elapsedSeconds = 0;
};

struct ValidationPoint {
  long long step = 0;
  double wt = 0, tc = 0, et = 0, mean = 0;
};

// Where a validation stands (its progress events): case `caseIndex` of `cases`, window `window`
// of `windows` of that case.
struct ValidationProgress {
  long long caseIndex = 0, cases = 0;
  long long window = 0, windows = 0;
  std::string caseId;
};

struct TrainingCurves {
  std::vector<StepPoint> steps;              // in step order
  std::vector<ValidationPoint> validations;  // in step order
  long long totalSteps = 0;                  // from the start event; 0 until known
  double etaSeconds = -1;                    // from the latest progress event; -1 unknown
  std::optional<JobState> doneStatus;        // the done event's (Done, Paused, ...); none running
  std::optional<ValidationProgress> validating;  // while a validation runs
  std::vector<std::string> logLines;             // log and error messages, oldest first
  std::vector<std::string> leftOutCases;         // "ID: reason" of cases the run could not read

  // Drops the points after `step` (a resumed run rewrites them).
  void truncateAfter(long long step);
};

// Applies one JSON line (an event, or a metrics.jsonl line: a metric without "event") to
// `curves`. Returns false for a line that is neither (ignored). A start event that resumes at
// step S drops the points after S, and clears doneStatus.
bool applyTrainingLine(const std::string& line, TrainingCurves& curves);

// The curves of RUN_DIR/metrics.jsonl (empty when it does not exist).
TrainingCurves readMetricsLog(const std::string& path);

}  // namespace seqseg
