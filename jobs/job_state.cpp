#include "jobs/job_state.h"

#include <stdexcept>

namespace seqseg {

const char* jobStateName(JobState state) {
  switch (state) {
    case JobState::Idle:
      return "idle";
    case JobState::Running:
      return "running";
    case JobState::Cancelling:
      return "cancelling";
    case JobState::Done:
      return "done";
    case JobState::Failed:
      return "failed";
    case JobState::Cancelled:
      return "cancelled";
    case JobState::Paused:
      return "paused";
    case JobState::Lost:
      return "lost";
  }
  return "?";
}

std::string recordStateSpelling(JobState state) {
  switch (state) {
    case JobState::Running:
    case JobState::Cancelling:
      return "running";
    case JobState::Done:
    case JobState::Paused:  // a run that paused ended well; resuming it is a new job
      return "done";
    case JobState::Failed:
      return "failed";
    case JobState::Cancelled:
      return "cancelled";
    case JobState::Lost:
      return "lost";
    case JobState::Idle:
      break;
  }
  throw std::invalid_argument(std::string("a job record has no state ") + jobStateName(state));
}

std::optional<JobState> parseRecordState(const std::string& text) {
  for (JobState state :
       {JobState::Running, JobState::Done, JobState::Failed, JobState::Cancelled, JobState::Lost})
    if (text == recordStateSpelling(state)) return state;
  return std::nullopt;
}

std::string doneStatusSpelling(JobState state) {
  switch (state) {
    case JobState::Done:
      return "ok";
    case JobState::Failed:
      return "failed";
    case JobState::Cancelled:
      return "cancelled";
    case JobState::Paused:
      return "paused";
    default:
      break;
  }
  throw std::invalid_argument(std::string("a done event has no status ") + jobStateName(state));
}

std::optional<JobState> parseDoneStatus(const std::string& text) {
  for (JobState state : {JobState::Done, JobState::Failed, JobState::Cancelled, JobState::Paused})
    if (text == doneStatusSpelling(state)) return state;
  return std::nullopt;
}

bool isFinished(JobState state) {
  return state != JobState::Idle && state != JobState::Running && state != JobState::Cancelling;
}

}  // namespace seqseg
