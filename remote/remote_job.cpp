#include "remote/remote_job.h"

#include "jobs/job_requests.h"
#include "jobs/run_folder.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "remote/shell_quote.h"
#include "remote/ssh_connection.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

constexpr auto kPollInterval = std::chrono::milliseconds(500);
// How long a follower keeps trying to reach a cluster that stopped answering.
constexpr auto kReconnectPatience = std::chrono::seconds(30);

// Set by SIGTERM or SIGINT while a job is followed: cancel it there too. SIGHUP (a closed
// terminal) leaves it running.
volatile sig_atomic_t stopSignal = 0;
// Set by SIGUSR1 while a job is followed: stop following and leave the job running there (the
// desktop application's window closed; its job list attaches again).
volatile sig_atomic_t detachRequested = 0;

void noteStopSignal(int signal) {
  stopSignal = signal;
}

void noteDetach(int) {
  detachRequested = 1;
}

// While alive, SIGTERM and SIGINT are noted instead of ending the process (the follower then
// cancels the remote job), SIGUSR1 is noted (the follower leaves), and SIGHUP is ignored; the
// previous handlers come back afterwards.
class StopSignals {
 public:
  StopSignals() {
    stopSignal = 0;
    detachRequested = 0;
    struct sigaction note {
    }, detach{}, ignore{};
    note.sa_handler = noteStopSignal;
    sigemptyset(&note.sa_mask);
    detach.sa_handler = noteDetach;
    sigemptyset(&detach.sa_mask);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGTERM, &note, &previous_[0]);
    sigaction(SIGINT, &note, &previous_[1]);
    sigaction(SIGHUP, &ignore, &previous_[2]);
    sigaction(SIGUSR1, &detach, &previous_[3]);
  }
  ~StopSignals() {
    sigaction(SIGTERM, &previous_[0], nullptr);
    sigaction(SIGINT, &previous_[1], nullptr);
    sigaction(SIGHUP, &previous_[2], nullptr);
    sigaction(SIGUSR1, &previous_[3], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction previous_[4]{};
};

std::string newJobId() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", random() & 0xffff);
  return std::string(stamp) + "-" + suffix;
}

std::string nowText() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A remote folder as a shell word: "~/x" stays relative to the home folder.
std::string remoteFolderWord(const std::string& folder) {
  if (folder == "~") return "\"$HOME\"";
  if (folder.rfind("~/", 0) == 0) return "\"$HOME\"/" + shellQuote(folder.substr(2));
  return shellQuote(folder);
}

// Replaces every remote path prefix in the strings of an event or report by its local one.
void showPathsAsLocal(nlohmann::json& value,
                      const std::vector<std::pair<std::string, std::string>>& paths) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    bool changed = false;
    for (const auto& [remote, local] : paths)
      for (size_t at = text.find(remote); at != std::string::npos;
           at = text.find(remote, at + local.size())) {
        text.replace(at, remote.size(), local);
        changed = true;
      }
    if (changed) value = text;
  } else if (value.is_structured()) {
    for (auto& inner : value) showPathsAsLocal(inner, paths);
  }
}

// The remote shell lines that print the job's state: "exit N", "running" or "ended".
std::string stateCommand(const JobRecord& record) {
  const std::string alive =
      record.scheduler == "slurm"
          ? "squeue -h -j " + shellQuote(record.slurmJob) + " -o %T 2>/dev/null | grep -q ."
          : "{ [ ! -f pid ] || kill -0 -\"$(cat pid)\" 2>/dev/null; }";
  const std::string exitCode = RunFolder::kExitCode;
  return "if [ -f " + exitCode + " ]; then echo \"exit $(cat " + exitCode + ")\"; elif " + alive +
         "; then echo running; else echo ended; fi";
}

// What a command that followed an ended job ends with: 0 done, 2 input refused, 1 for anything
// else (a failed, cancelled or lost job).
int commandExitCode(const JobRecord& record) {
  return record.exitCode == 0 || record.exitCode == 2 ? record.exitCode : 1;
}

struct Follower {
  JobRecord& record;
  SshConnection& connection;
  ProgressSink& progress;
  std::string pending;  // the start of an event line not yet complete
  nlohmann::json heldDone;

  // One look: the job's state, then the events written since the last look.
  std::string poll() {
    const ProcessResult result =
        connection.run("cd " + shellQuote(record.jobFolder) +
                       " 2>/dev/null || { echo gone; exit 0; }; " + stateCommand(record) +
                       "; tail -c +" + std::to_string(record.eventsOffset + 1 + pending.size()) +
                       " " + RunFolder::kEvents + " 2>/dev/null; true");
    const size_t newline = result.out.find('\n');
    const std::string state = result.out.substr(0, newline);
    if (newline != std::string::npos) consume(result.out.substr(newline + 1));
    return state;
  }

  void consume(const std::string& bytes) {
    pending += bytes;
    size_t start = 0;
    for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      nlohmann::json event =
          nlohmann::json::parse(pending.substr(start, end - start), nullptr, false);
      if (event.is_discarded() || !event.is_object() || !event.contains("event")) continue;
      showPathsAsLocal(event, record.pathsShownAs);
      if (event["event"] == "done") {
        if (event.contains("report") && !record.localReport.empty())
          event["report"] = record.localReport;
        heldDone = event;  // shown once the outputs are in place
        continue;
      }
      if (event["event"] == "progress" && event.contains("done") && event.contains("total"))
        record.progress = event["done"].dump() + "/" + event["total"].dump();
      progress.emit(event);
    }
    if (start > 0) {
      record.eventsOffset += static_cast<long long>(start);
      pending.erase(0, start);
      // Only what this reader knows: a cancel from another process keeps its state.
      updateJobRecord(record.id, [this](JobRecord& stored) {
        stored.eventsOffset = record.eventsOffset;
        stored.progress = record.progress;
      });
    }
  }
};

// Moves every entry of `from` into `to` (each a rename on one file system), then removes `from`.
void moveEntries(const std::string& from, const std::string& to) {
  for (const auto& entry : fs::directory_iterator(from)) {
    const fs::path target = fs::path(to) / entry.path().filename();
    if (fs::is_directory(entry.path()) && fs::is_directory(target)) {
      moveEntries(entry.path().string(), target.string());
      continue;
    }
    fs::rename(entry.path(), target);
  }
  fs::remove_all(from);
}

// Downloads JOB/out into place: first into a hidden folder beside the outputs, then each file
// renamed, so no partial mask ever has its final name.
void fetchOutputs(SshConnection& connection, JobRecord& record) {
  fs::create_directories(record.localOutput);
  const std::string staging = record.localOutput + "/.seqseg-download-" + record.id;
  fs::create_directories(staging);
  connection.download(record.jobFolder + "/out", staging);
  const std::string report = staging + "/report.json";
  if (fs::exists(report)) {
    std::ifstream in(report);
    nlohmann::json json = nlohmann::json::parse(in, nullptr, false);
    if (!json.is_discarded()) {
      showPathsAsLocal(json, record.pathsShownAs);
      const std::string target = record.localReport.empty() ? report : record.localReport;
      if (!record.localReport.empty()) {
        fs::create_directories(fs::absolute(target).parent_path());
        fs::remove(report);
      }
      writeFileAtomically(target, json.dump(2) + "\n");
    }
  }
  // The CSV goes beside the report (--report-csv); it names cases, not paths.
  const std::string csv = reportCsvPath(report);
  if (fs::exists(csv) && !record.localReport.empty()) {
    std::ifstream in(csv, std::ios::binary);
    writeFileAtomically(reportCsvPath(record.localReport),
                        std::string(std::istreambuf_iterator<char>(in), {}));
    in.close();
    fs::remove(csv);
  }
  moveEntries(staging, record.localOutput);
}

void removeJobFolder(SshConnection& connection, const JobRecord& record) {
  if (connection.profile().keepJobFolder) return;
  connection.run("rm -rf -- " + shellQuote(record.jobFolder));
}

// The job's own words on failure: its stderr (and Slurm's output), verbatim.
void showRemoteErrors(SshConnection& connection, const JobRecord& record) {
  const ProcessResult errors = connection.run("cd " + shellQuote(record.jobFolder) +
                                              " 2>/dev/null && cat " + RunFolder::kStderr +
                                              " slurm.out "
                                              "2>/dev/null; true");
  if (!errors.out.empty()) std::cerr << errors.out << (errors.out.back() == '\n' ? "" : "\n");
}

// Cancels the job there: scancel, or the end of its script's whole session (ranks, mpirun);
// waits up to 20 s for it to be gone, then removes its folder.
void stopJob(JobRecord& record, SshConnection& connection) {
  const std::string inFolder = "cd " + shellQuote(record.jobFolder) + " 2>/dev/null && ";
  // Recorded first, so that a process following the job reports it as cancelled.
  record.state = JobState::Cancelled;
  record.exitCode = 1;
  updateJobRecord(record.id, [](JobRecord& stored) {
    stored.state = JobState::Cancelled;
    stored.exitCode = 1;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  if (record.scheduler == "slurm") {
    connection.run("scancel " + shellQuote(record.slurmJob));
    while (
        std::chrono::steady_clock::now() < deadline &&
        !connection.run("squeue -h -j " + shellQuote(record.slurmJob) + " 2>/dev/null").out.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } else {
    // The job script leads its own session: every process it started (ranks, mpirun) is in it.
    const std::string session = "\"$(cat pid)\"";
    connection.run(inFolder + "pkill -TERM -s " + session + "; true");
    while (std::chrono::steady_clock::now() < deadline &&
           connection.run(inFolder + "pgrep -s " + session + " > /dev/null").exitCode == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    connection.run(inFolder + "pkill -KILL -s " + session + "; true");
  }
  removeJobFolder(connection, record);
}

// Follows until the job ends, then fetches its outputs and cleans up. Returns its exit code.
int follow(JobRecord& record, SshConnection& connection, ProgressSink& progress) {
  Follower follower{record, connection, progress, "", nullptr};
  StopSignals signals;
  auto lastContact = std::chrono::steady_clock::now();
  std::string state;
  for (;;) {
    if (stopSignal != 0) {
      // Cancelled here (Ctrl-C, or the desktop application's Cancel): cancelled there too.
      const int signal = stopSignal;
      connection.reopen();
      stopJob(record, connection);
      progress.emit(doneEvent(JobState::Cancelled));
      return 128 + signal;
    }
    if (detachRequested != 0) {
      // The record holds where the events were read to (each poll notes it): attach goes on
      // from there.
      std::cerr << "seqseg: job " << record.id << " goes on on cluster '" << record.cluster
                << "'; follow it again with: seqseg jobs attach " << record.id << "\n";
      return 1;
    }
    try {
      state = follower.poll();
      lastContact = std::chrono::steady_clock::now();
    } catch (const RemoteUnreachable& error) {
      if (std::chrono::steady_clock::now() - lastContact > kReconnectPatience)
        throw RemoteUnreachable(std::string(error.what()) + "; the job goes on there: seqseg " +
                                "jobs attach " + record.id);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      try {
        connection.reopen();
      } catch (const RemoteUnreachable&) {
      }
      continue;
    }
    if (stopSignal != 0) continue;  // the look may have been cut short by the same signal
    if (state != "running") break;
    std::this_thread::sleep_for(kPollInterval);
  }
  // `jobs cancel` records the cancel before it ends the job and removes its folder.
  const JobRecord stored = loadJobRecord(record.id);
  const bool cancelled = stored.state == JobState::Cancelled;
  if (state == "gone" && !cancelled) {
    // Another `jobs attach` finished it meanwhile, or someone removed the folder.
    if (stored.state != JobState::Running) return commandExitCode(stored);
    record.state = JobState::Lost;
    saveJobRecord(record);
    std::cerr << "seqseg: job " << record.id << ": its folder " << record.jobFolder
              << " is gone from cluster '" << record.cluster << "'\n";
    return 1;
  }
  int code = 1;
  if (state.rfind("exit ", 0) == 0) {
    code = std::atoi(state.c_str() + 5);
    if (code == 0 || (code == 1 && !cancelled)) fetchOutputs(connection, record);
    if (code != 0) showRemoteErrors(connection, record);
    record.state = code == 0 ? JobState::Done : cancelled ? JobState::Cancelled : JobState::Failed;
  } else {
    showRemoteErrors(connection, record);
    record.state = cancelled ? JobState::Cancelled : JobState::Lost;
    if (!cancelled)
      std::cerr << "seqseg: job " << record.id << " on cluster '" << record.cluster
                << "' ended without finishing (killed by its scheduler, or its processes were "
                   "ended)\n";
  }
  if (record.state == JobState::Cancelled)
    std::cerr << "seqseg: job " << record.id << " on cluster '" << record.cluster
              << "' was cancelled\n";
  if (!follower.heldDone.is_null()) {
    progress.emit(follower.heldDone);
  } else {
    // The job could not say how it ended (its processes were ended): say it for it.
    if (record.state != JobState::Cancelled)
      progress.emit({{"event", "error"},
                     {"message", "remote job " + record.id + " ended with " +
                                     (code >= 0 && state.rfind("exit ", 0) == 0
                                          ? "exit code " + std::to_string(code)
                                          : std::string("no exit code"))}});
    progress.emit(
        doneEvent(record.state == JobState::Cancelled ? JobState::Cancelled : JobState::Failed));
  }
  // The command line's codes: 0 done, 2 bad input (the remote seqseg said which), 1 otherwise.
  record.exitCode = (code == 0 || code == 2) && record.state != JobState::Cancelled ? code : 1;
  saveJobRecord(record);
  removeJobFolder(connection, record);
  return record.exitCode;
}

std::string versionWords(const std::string& text) {
  std::istringstream words(text);
  std::string program, version;
  words >> program >> version;
  return program + " " + version;
}

}  // namespace

std::string remoteLauncher(const ClusterProfile& profile) {
  const SchedulerSettings& s = profile.scheduler;
  return s.type == "slurm" ? "srun" : s.hosts.empty() ? "local" : "mpirun";
}

std::string remoteJobScript(const ClusterProfile& profile, const std::string& jobFolder,
                            const std::vector<std::string>& arguments) {
  std::ostringstream script;
  script << "#!/bin/sh\n"
         << "# A seqseg job: events to " << RunFolder::kEvents << ", errors to "
         << RunFolder::kStderr << ", the exit code last.\n"
         << "umask 077\n"
         << "cd " << shellQuote(jobFolder) << " || exit 1\n"
         << "echo $$ > pid\n";
  if (profile.scheduler.type == "mpirun" && !profile.scheduler.hosts.empty())
    script << "OMPI_MCA_orte_default_hostfile=" << shellQuote(jobFolder + "/hostfile")
           << "\nexport OMPI_MCA_orte_default_hostfile\n";
  // The profile's own command line (a path, or a line such as "module load seqseg && seqseg").
  // Under Slurm each task of one srun step is a rank: its seqseg-worker (beside seqseg) finds
  // its rank in the task's environment, rank 0 writes the events, and one failed task ends the
  // step.
  std::string command = profile.seqseg;
  if (profile.scheduler.type == "slurm") {
    const size_t split = profile.seqseg.find_last_of(" \t");
    const std::string setup = split == std::string::npos ? "" : profile.seqseg.substr(0, split + 1);
    command = setup + "srun --kill-on-bad-exit=1 --input=none " +
              profile.seqseg.substr(split == std::string::npos ? 0 : split + 1) + "-worker";
  }
  script << command << " " << shellCommand(arguments) << " > " << RunFolder::kEvents << " 2> "
         << RunFolder::kStderr << " < /dev/null\n"
         << "echo $? > " << RunFolder::kExitCode << ".part && mv " << RunFolder::kExitCode
         << ".part " << RunFolder::kExitCode << "\n";
  return script.str();
}

std::vector<std::string> sbatchOptions(const ClusterProfile& profile, const std::string& jobId,
                                       const std::string& jobFolder) {
  const SchedulerSettings& s = profile.scheduler;
  std::vector<std::string> options{"--parsable",
                                   "--job-name=seqseg-" + jobId,
                                   "--chdir=" + jobFolder,
                                   "--output=" + jobFolder + "/slurm.out",
                                   "--nodes=" + std::to_string(s.nodes),
                                   "--ntasks-per-node=" + std::to_string(s.tasksPerNode)};
  if (!s.partition.empty()) options.push_back("--partition=" + s.partition);
  if (!s.account.empty()) options.push_back("--account=" + s.account);
  if (!s.time.empty()) options.push_back("--time=" + s.time);
  if (s.gpusPerNode > 0) options.push_back("--gpus-per-node=" + std::to_string(s.gpusPerNode));
  return options;
}

int runRemoteJob(const ClusterProfile& profile, const RemoteJobRequest& request,
                 ProgressSink& progress) {
  SshConnection connection(profile);
  connection.open();
  const std::string where = "cluster '" + profile.name + "'";

  const ProcessResult version = connection.run(profile.seqseg + " --version");
  if (version.exitCode != 0)
    throw InputError(clustersFilePath(), where + ": the remote seqseg does not run (" +
                                             profile.seqseg + "): " + version.err);
  const std::string local = std::string("seqseg ") + SEQSEG_VERSION;
  if (versionWords(version.out) != local)
    throw InputError(clustersFilePath(), where + ": the remote seqseg is '" +
                                             versionWords(version.out) + "', this is '" + local +
                                             "'; install the same version there");

  JobRecord record;
  record.id = newJobId();
  record.cluster = profile.name;
  record.kind = request.kind;
  record.scheduler = profile.scheduler.type == "slurm" ? "slurm" : "process";
  record.localOutput = fs::absolute(request.localOutput).string();
  record.localReport =
      request.localReport.empty() ? "" : fs::absolute(request.localReport).string();
  record.created = nowText();

  const ProcessResult made =
      connection.run("mkdir -p -- " + remoteFolderWord(profile.workDir) + " && cd -- " +
                     remoteFolderWord(profile.workDir) + " && mkdir -- " + shellQuote(record.id) +
                     " && cd -- " + shellQuote(record.id) + " && mkdir out && pwd");
  if (made.exitCode != 0)
    throw InputError(clustersFilePath(), where + ": cannot create a job folder in " +
                                             profile.workDir + ": " + made.err);
  record.jobFolder = made.out.substr(0, made.out.find('\n'));
  record.pathsShownAs.emplace_back(record.jobFolder + "/out", record.localOutput);
  for (const auto& [remote, local] : request.pathsShownAs)
    record.pathsShownAs.emplace_back(record.jobFolder + "/" + remote, local);

  for (const RemoteJobRequest::Upload& upload : request.uploads) {
    const std::string target = record.jobFolder + "/" + upload.remoteFolder;
    connection.run("mkdir -p -- " + shellQuote(target));
    connection.upload(fs::absolute(upload.localBase).string() + "/", upload.paths, target);
  }
  const std::vector<std::string> arguments = request.arguments(record.jobFolder);
  const std::string script = remoteJobScript(profile, record.jobFolder, arguments);
  const std::string inFolder = "cd " + shellQuote(record.jobFolder) + " && ";
  connection.run(inFolder + "cat > job.sh", script);
  if (profile.scheduler.type == "mpirun" && !profile.scheduler.hosts.empty()) {
    std::string hostfile;
    for (const std::string& host : profile.scheduler.hosts) {
      const size_t colon = host.rfind(':');
      hostfile += colon == std::string::npos
                      ? host + "\n"
                      : host.substr(0, colon) + " slots=" + host.substr(colon + 1) + "\n";
    }
    connection.run(inFolder + "cat > hostfile", hostfile);
  }

  if (profile.scheduler.type == "slurm") {
    std::vector<std::string> sbatch{"sbatch"};
    for (const std::string& option : sbatchOptions(profile, record.id, record.jobFolder))
      sbatch.push_back(option);
    sbatch.push_back("job.sh");
    const ProcessResult submitted = connection.run(inFolder + shellCommand(sbatch));
    if (submitted.exitCode != 0) {
      removeJobFolder(connection, record);
      throw InputError(clustersFilePath(), where + ": sbatch refused the job: " + submitted.err);
    }
    record.slurmJob = submitted.out.substr(0, submitted.out.find_first_of(";\n"));
  } else {
    const ProcessResult started =
        connection.run(inFolder + "setsid sh job.sh < /dev/null > /dev/null 2>&1 &");
    if (started.exitCode != 0)
      throw std::runtime_error(where + ": the job did not start: " + started.err);
  }
  saveJobRecord(record);
  progress.emit({{"event", "log"},
                 {"message", "remote job " + record.id + " on cluster '" + profile.name + "' (" +
                                 record.jobFolder + ")"},
                 {"job_id", record.id}});
  return follow(record, connection, progress);
}

int attachRemoteJob(const std::string& id, ProgressSink& progress) {
  JobRecord record = loadJobRecord(id);
  if (record.state != JobState::Running) {
    std::cerr << "seqseg: job " << id << " has ended (" << recordStateSpelling(record.state)
              << ")\n";
    return commandExitCode(record);
  }
  SshConnection connection(findClusterProfile(record.cluster));
  connection.open();
  progress.emit({{"event", "log"},
                 {"message", "following remote job " + record.id + " on cluster '" +
                                 record.cluster + "' (" + record.jobFolder + ")"},
                 {"job_id", record.id}});
  return follow(record, connection, progress);
}

int cancelRemoteJob(const std::string& id, std::ostream& out) {
  JobRecord record = loadJobRecord(id);
  if (record.state != JobState::Running) {
    out << "job " << id << " has already ended (" << recordStateSpelling(record.state) << ")\n";
    return 0;
  }
  SshConnection connection(findClusterProfile(record.cluster));
  connection.open();
  stopJob(record, connection);
  out << "cancelled job " << id << " on cluster '" << record.cluster << "'\n";
  return 0;
}

void listRemoteJobs(const std::string& cluster, std::ostream& out) {
  std::vector<JobRecord> records = listJobRecords();
  out << std::left << std::setw(22) << "ID" << std::setw(14) << "CLUSTER" << std::setw(7) << "KIND"
      << std::setw(12) << "STATE"
      << "PROGRESS\n";
  for (JobRecord& record : records) {
    if (!cluster.empty() && record.cluster != cluster) continue;
    std::string state = recordStateSpelling(record.state), shown = record.progress;
    if (record.state == JobState::Running) {
      try {
        SshConnection connection(findClusterProfile(record.cluster));
        connection.open();
        const ProcessResult look = connection.run(
            "cd " + shellQuote(record.jobFolder) + " 2>/dev/null || { echo gone; exit 0; }; " +
            stateCommand(record) + "; tail -n 200 " + RunFolder::kEvents +
            " 2>/dev/null | grep '\"event\":\"progress\"' | tail -n 1");
        std::istringstream lines(look.out);
        std::string remoteState, last;
        std::getline(lines, remoteState);
        std::getline(lines, last);
        state = remoteState == "running"            ? "running"
                : remoteState.rfind("exit", 0) == 0 ? "finished"  // outputs not fetched yet
                                                    : "ended";
        const nlohmann::json event = nlohmann::json::parse(last, nullptr, false);
        if (event.is_object() && event.contains("done") && event.contains("total"))
          shown = event["done"].dump() + "/" + event["total"].dump();
      } catch (const std::exception&) {
        state = "unreachable";
      }
    }
    out << std::left << std::setw(22) << record.id << std::setw(14) << record.cluster
        << std::setw(7) << record.kind << std::setw(12) << state << shown << "\n";
  }
}

}  // namespace seqseg
