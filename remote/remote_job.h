#pragma once
// Remote jobs on a cluster profile: a job folder on the login host holding the inputs (uploaded
// with rsync), a generated job script (sbatch, or a detached process group that runs mpirun or
// local ranks), the job's JSON Lines events (events.jsonl) and its outputs. The events are read
// from the file by byte offset, so a dropped connection loses nothing and `seqseg jobs attach`
// resumes where the last reader stopped. A local record per job (jobRecordsFolder()) lets
// `jobs`, `jobs attach` and `jobs cancel` work from any later process.
#include <nlohmann/json.hpp>

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "jobs/progress.h"
#include "remote/cluster_profile.h"
#include "remote/job_record.h"

namespace seqseg {

struct RemoteJobRequest {
  std::string kind;  // "batch" or "train": what `jobs` shows
  struct Upload {
    std::string localBase;           // a local folder
    std::vector<std::string> paths;  // files or folders relative to it ("." for all of it)
    std::string remoteFolder;        // relative to the job folder
  };
  std::vector<Upload> uploads;
  // The remote seqseg's arguments, given the absolute remote job folder (outputs go to
  // JOB/out, uploads are under JOB/<remoteFolder>), with --ranks and --launcher from the profile.
  std::function<std::vector<std::string>(const std::string& jobFolder)> arguments;
  std::string localOutput;  // JOB/out's content goes here
  std::string localReport;  // when set: JOB/out/report.json goes here instead
  // Remote paths in events and the report are shown as these local ones (JOB/<first> -> second).
  std::vector<std::pair<std::string, std::string>> pathsShownAs;
};

// The job script: runs `seqseg ARGS` (under Slurm `srun seqseg-worker ARGS`) in the job folder
// with events to events.jsonl, stderr to stderr.log and the exit code to exit_code (written
// last, renamed into place).
std::string remoteJobScript(const ClusterProfile& profile, const std::string& jobFolder,
                            const std::vector<std::string>& arguments);
// sbatch's options for a profile (partition, account, time, nodes, tasks, GPUs, output, folder).
std::vector<std::string> sbatchOptions(const ClusterProfile& profile, const std::string& jobId,
                                       const std::string& jobFolder);
// The --launcher the remote seqseg uses for the profile's scheduler (its --ranks are
// profile.scheduler.ranks()): srun inside the sbatch job, mpirun over the host list, or local
// ranks on the login host.
std::string remoteLauncher(const ClusterProfile& profile);

// Uploads, submits, follows the job (events to `progress`), downloads its outputs into place and
// removes the job folder (unless the profile keeps it). Returns 0 when the job succeeded, 2 when
// the remote seqseg refused its input, 1 otherwise (failed cases, a failed rank, an ended job,
// a job cancelled by another process: it says so on stderr and ends with done: cancelled).
// SIGINT or SIGTERM to this process cancels the job there too and returns 128 + the signal;
// SIGUSR1 stops following and returns 1, the job going on there (SIGHUP is ignored).
// The remote seqseg must be this version (InputError otherwise).
int runRemoteJob(const ClusterProfile& profile, const RemoteJobRequest& request,
                 ProgressSink& progress);
// Follows a job from where its record stopped, then finishes it as runRemoteJob does; for a job
// that has already ended, returns its record's exitCode without asking the cluster.
int attachRemoteJob(const std::string& id, ProgressSink& progress);
// Cancels a job (scancel, or the end of its process group) and removes its job folder; returns
// 0. The job is recorded as cancelled before anything is sent, so that a process following it,
// whether it then finds the job's processes ended or its folder gone, ends with 1.
int cancelRemoteJob(const std::string& id, std::ostream& out);
// One line per job (of `cluster`, or all): id, cluster, kind, state, progress.
void listRemoteJobs(const std::string& cluster, std::ostream& out);

}  // namespace seqseg
