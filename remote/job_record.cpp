#include "remote/job_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>

#include "remote/cluster_profile.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

std::string recordPath(const std::string& id) {
  return jobRecordsFolder() + "/" + id + ".json";
}

}  // namespace

nlohmann::json JobRecord::toJson() const {
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& [remote, local] : pathsShownAs) paths.push_back({remote, local});
  return {{"id", id},
          {"cluster", cluster},
          {"kind", kind},
          {"job_folder", jobFolder},
          {"scheduler", scheduler},
          {"slurm_job", slurmJob},
          {"state", recordStateSpelling(state)},
          {"events_offset", eventsOffset},
          {"local_output", localOutput},
          {"local_report", localReport},
          {"paths_shown_as", paths},
          {"created", created},
          {"progress", progress},
          {"exit_code", exitCode}};
}

JobRecord JobRecord::fromJson(const nlohmann::json& json) {
  JobRecord record;
  record.id = json.value("id", "");
  record.cluster = json.value("cluster", "");
  record.kind = json.value("kind", "");
  record.jobFolder = json.value("job_folder", "");
  record.scheduler = json.value("scheduler", "");
  record.slurmJob = json.value("slurm_job", "");
  // A record this version cannot read the state of is no job it can follow.
  record.state = parseRecordState(json.value("state", "")).value_or(JobState::Lost);
  record.eventsOffset = json.value("events_offset", 0LL);
  record.localOutput = json.value("local_output", "");
  record.localReport = json.value("local_report", "");
  if (json.contains("paths_shown_as"))
    for (const auto& pair : json["paths_shown_as"])
      record.pathsShownAs.emplace_back(pair.at(0).get<std::string>(),
                                       pair.at(1).get<std::string>());
  record.created = json.value("created", "");
  record.progress = json.value("progress", "");
  record.exitCode = json.value("exit_code", -1);
  return record;
}

void saveJobRecord(const JobRecord& record) {
  fs::create_directories(jobRecordsFolder());
  chmod(jobRecordsFolder().c_str(), 0700);
  writeFileAtomically(recordPath(record.id), record.toJson().dump(2) + "\n");
}

JobRecord loadJobRecord(const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id.front() == '.')
    throw InputError(jobRecordsFolder(), "'" + id + "' is not a job id");
  std::ifstream in(recordPath(id));
  if (!in) throw InputError(jobRecordsFolder(), "no remote job '" + id + "'");
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded()) throw InputError(recordPath(id), "not valid JSON");
  return JobRecord::fromJson(json);
}

std::vector<JobRecord> listJobRecords() {
  std::vector<JobRecord> records;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(jobRecordsFolder(), error)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_discarded()) records.push_back(JobRecord::fromJson(json));
  }
  std::sort(records.begin(), records.end(),
            [](const JobRecord& a, const JobRecord& b) { return a.id < b.id; });
  return records;
}

void updateJobRecord(const std::string& id, const std::function<void(JobRecord&)>& change) {
  fs::create_directories(jobRecordsFolder());
  struct FolderLock {
    int fd;
    ~FolderLock() {
      if (fd >= 0) close(fd);  // which releases the lock
    }
  } lock{open(jobRecordsFolder().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  while (lock.fd >= 0 && flock(lock.fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  JobRecord stored = loadJobRecord(id);
  change(stored);
  saveJobRecord(stored);
}

}  // namespace seqseg
