#pragma once
// The jobs protocol: long work reports events, one JSON object each, with an "event" key:
//   start    {job, total?}              work begins (total: steps, epochs or cases)
//   progress {done, total, eta_s?, ...} a step of the work finished
//   metric   {name: value, ...}         numbers worth plotting (loss, Dice)
//   log      {message}                  something a person may want to read
//   result   {...}                      a product of the work (a mask written, a checkpoint)
//   error    {message, rank?, case?}    a failure (fatal or of one case)
//   done     {status}                   the end: "ok", "failed", "cancelled" or "paused"
// The GUI, the terminal progress line and remote launchers all read this same stream
// (docs/architecture.md, "The event stream"); a done status is a JobState's spelling
// (jobs/job_state.h).
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "jobs/job_state.h"

namespace seqseg {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void emit(const nlohmann::json& event) = 0;
};

// JSON Lines on a stream (stdout by default), flushed per event.
class JsonLinesSink : public ProgressSink {
 public:
  explicit JsonLinesSink(std::FILE* out = stdout) : out_(out) {}
  void emit(const nlohmann::json& event) override;

 private:
  std::FILE* out_;
};

// Discards every event: the sink of ranks that do not report.
class NullSink : public ProgressSink {
 public:
  void emit(const nlohmann::json&) override {}
};

// For people at a terminal: progress redrawn in place on one line, logs and results as lines,
// errors on stderr. Without a terminal (a log file), progress is printed at most every 10 s.
class TerminalSink : public ProgressSink {
 public:
  explicit TerminalSink(std::FILE* out = stdout);
  void emit(const nlohmann::json& event) override;

 private:
  void endProgressLine();
  std::FILE* out_;
  bool interactive_;
  bool progressLineOpen_ = false;
  std::chrono::steady_clock::time_point lastPrinted_{};
};

// The done event ending a job in `state` (its status spelled as jobs/job_state.h spells it),
// with `fields` added.
nlohmann::json doneEvent(JobState state, nlohmann::json fields = nlohmann::json::object());

// "json" -> JsonLinesSink, "bar" -> TerminalSink; anything else is std::invalid_argument.
std::unique_ptr<ProgressSink> makeProgressSink(const std::string& kind);

// Seconds left at a steady rate, from the time since `start` and the fraction done.
double estimateSecondsLeft(std::chrono::steady_clock::time_point start, double done, double total);

// "1:02:03" / "4:05" for an ETA.
std::string formatDuration(double seconds);

}  // namespace seqseg
