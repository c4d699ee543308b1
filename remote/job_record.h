#pragma once
// What this machine remembers of each remote job (jobRecordsFolder()/ID.json), so that
// `seqseg jobs`, `jobs attach`, `jobs cancel` and the desktop application's job list work from
// any later process. No Qt and no progress sink here: the desktop application reads it too.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "jobs/job_state.h"

namespace seqseg {

struct JobRecord {
  std::string id, cluster, kind, jobFolder;
  std::string scheduler;  // "slurm" or "process" (a detached process group on the login host)
  std::string slurmJob;   // the Slurm job id
  // On disk as its record spelling: running, done, failed, cancelled, lost.
  JobState state = JobState::Running;
  long long eventsOffset = 0;  // bytes of events.jsonl already shown
  std::string localOutput, localReport;
  std::vector<std::pair<std::string, std::string>> pathsShownAs;
  std::string created, progress;
  // What a command following the job ended with, or ends with from now on (runRemoteJob's codes:
  // 0, 1 or 2; 1 for a cancelled job); -1 while it runs.
  int exitCode = -1;

  nlohmann::json toJson() const;
  static JobRecord fromJson(const nlohmann::json& json);
};

void saveJobRecord(const JobRecord& record);
// InputError when there is no job `id`.
JobRecord loadJobRecord(const std::string& id);
std::vector<JobRecord> listJobRecords();  // sorted by id
// Changes the stored record of job `id` under an exclusive lock on the records folder, so that
// two processes (a follower noting its offset, `jobs cancel` noting the cancel) never undo each
// other's change.
void updateJobRecord(const std::string& id, const std::function<void(JobRecord&)>& change);

}  // namespace seqseg
