#pragma once
// The one vocabulary of a job's state, for the command line, the desktop application, the remote
// client and the job records. On disk and in events the states keep their spellings: a job
// record says running, done, failed, cancelled or lost; a done event's status says ok, failed,
// cancelled or paused (docs/architecture.md, "The event stream").
#include <optional>
#include <string>

namespace seqseg {

enum class JobState {
  Idle,  // nothing started yet (the desktop application's panels)
  Running,
  Cancelling,  // asked to stop, not yet stopped
  Done,        // finished well: record "done", done status "ok"
  Failed,
  Cancelled,
  Paused,  // a training run stopped at a step boundary, to be resumed
  Lost,    // a remote job whose processes vanished without an exit code
};

// "idle", "running", "cancelling", "done", "failed", "cancelled", "paused", "lost".
const char* jobStateName(JobState state);

// A job record's state: running, done, failed, cancelled, lost.
std::string recordStateSpelling(JobState state);
std::optional<JobState> parseRecordState(const std::string& text);

// A done event's status: ok, failed, cancelled, paused.
std::string doneStatusSpelling(JobState state);
std::optional<JobState> parseDoneStatus(const std::string& text);

// Whether the job has ended (done, failed, cancelled, paused or lost).
bool isFinished(JobState state);

}  // namespace seqseg
