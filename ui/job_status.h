#pragma once
// What the desktop application knows of one running job: its state, how far it is, and what
// it last said. Fed with the JSON Lines events of the jobs protocol (jobs/progress.h).
#include <optional>
#include <string>

#include "jobs/job_state.h"

namespace seqseg {

struct JobStatus {
  JobState state = JobState::Idle;
  double fraction = 0;       // 0..1 of the whole job
  std::string message;       // for people: the latest detail, result or error
  std::string errorMessage;  // the first error event's message, empty if none
  std::string caseId;        // the case wanted; empty: any
  std::string maskPath;      // the mask of the wanted case's result event, empty if none
  bool doneEventSeen = false;
  std::optional<JobState> doneStatus;  // the done event's status (ok: Done), when one came
  std::string remoteJobId;  // a job run on a cluster: its id (`seqseg jobs`), once submitted
};

// Applies one line of a job's stdout to `status`. Returns false for a line that is not a
// protocol event (ignored). A result event for a case other than status.caseId (a dataset
// folder segmented whole) does not set maskPath. Progress is the fraction of cases done plus the
// running case's share of sliding windows.
bool applyJobEventLine(const std::string& line, JobStatus& status);

}  // namespace seqseg
