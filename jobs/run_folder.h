#pragma once
// A job's folder, as one type: a training run's (checkpoints, metrics, its pause file) and what
// the job runners keep beside any job's outputs (its plan, event stream, stderr, process record
// and exit code). The names are the files' names on disk; a remote job's folder on the cluster
// uses the same ones (docs/architecture.md, "The run folder").
#include <string>

namespace seqseg {

class RunFolder {
 public:
  static constexpr const char* kPlan = "plan.json";          // the request that started the run
  static constexpr const char* kEvents = "events.jsonl";     // the job's events, one per line
  static constexpr const char* kStderr = "stderr.log";       // what the job said on stderr
  static constexpr const char* kProcess = "process.json";    // the process running the job
  static constexpr const char* kExitCode = "exit_code";      // written when the job ends
  static constexpr const char* kPause = "pause";             // appears: stop after this step
  static constexpr const char* kLastCheckpoint = "last.pt";  // where a resume continues
  static constexpr const char* kBestCheckpoint = "best.pt";  // best mean validation Dice
  static constexpr const char* kConfig = "config.json";      // the model's config
  static constexpr const char* kMetrics = "metrics.jsonl";   // a line per step and validation

  explicit RunFolder(std::string path);
  const std::string& path() const { return path_; }

  std::string plan() const { return file(kPlan); }
  std::string events() const { return file(kEvents); }
  std::string stderrLog() const { return file(kStderr); }
  std::string processRecord() const { return file(kProcess); }
  std::string exitCode() const { return file(kExitCode); }
  std::string pauseFile() const { return file(kPause); }
  std::string lastCheckpoint() const { return file(kLastCheckpoint); }
  std::string bestCheckpoint() const { return file(kBestCheckpoint); }
  std::string config() const { return file(kConfig); }
  std::string metrics() const { return file(kMetrics); }

  // Why this folder cannot take a new run (not a folder, not empty) or a resume (no last.pt);
  // empty when it can.
  std::string startProblem(bool resume) const;

 private:
  std::string file(const char* name) const;
  std::string path_;
};

}  // namespace seqseg
