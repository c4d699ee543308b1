// Remote jobs on cluster profiles, with real parts: an sshd on 127.0.0.1 (tests/support/
// sshd_server.h) whose account is a second local user, the system's ssh and rsync, and this
// build's seqseg as the remote seqseg. The masks of `--batch --cluster` must equal a local
// one-rank run byte for byte; hostile case names must survive and run nothing; an unknown host
// key is refused; a login host behind a jump host (a second sshd) gives the same masks, and an
// unknown jump-host key is refused; a job survives a dropped connection and `jobs attach`
// completes it; a cancel leaves no remote process, and the client that followed the job ends
// with 1 and says so. Under Slurm (tests/support/slurm_cluster.h, reached through the same
// sshd): the sbatch path, scancel, and a job whose rank fails.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "remote/profile_check.h"
#include "tests/support/slurm_cluster.h"
#include "tests/support/sshd_server.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

const char* const kCase = "BraTS2021_00000";

std::string maskOf(const std::string& out, const std::string& id = kCase) {
  return out + "/" + id + ".nii.gz";
}

// The `job_id` of the first event that names one (the job's id, from --progress json output).
std::string jobIdIn(const std::string& events) {
  const std::string key = "\"job_id\":\"";
  const size_t at = events.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return events.substr(start, events.find('"', start) - start);
}

int countOf(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// A client whose job was cancelled by `jobs cancel` says so, in words and in its one done event.
void expectToldCancelled(const std::string& log, const std::string& id) {
  EXPECT_NE(log.find("seqseg: job " + id + " on cluster 'lab' was cancelled\n"), std::string::npos)
      << log;
  EXPECT_EQ(countOf(log, "\"event\":\"done\""), 1) << log;
  EXPECT_NE(log.find("\"status\":\"cancelled\""), std::string::npos) << log;
}

// "what: passed|FAILED" per check, one line each, for comparing whole outcomes.
std::string outcome(const std::vector<ProfileCheck>& checks) {
  std::string text;
  for (const ProfileCheck& check : checks)
    text += check.what + ": " + (check.passed ? "passed" : "FAILED") + "\n";
  return text;
}

std::string details(const std::vector<ProfileCheck>& checks) {
  std::string text;
  for (const ProfileCheck& check : checks) text += check.what + ": " + check.detail + "\n";
  return text;
}

// The value of variable `name` in a process's environment ("" when absent).
std::string environmentOf(int pid, const std::string& name) {
  std::istringstream variables(test::readFile("/proc/" + std::to_string(pid) + "/environ"));
  for (std::string variable; std::getline(variables, variable, '\0');)
    if (variable.rfind(name + "=", 0) == 0) return variable.substr(name.size() + 1);
  return "";
}

// A config folder with one profile for `server`, found by seqseg through SEQSEG_CONFIG_DIR.
class RemoteSuite : public ::testing::Test {
 protected:
  static std::string setUpServer(const std::vector<std::string>& sessionEnvironment) {
    std::string reason = test::SshdServer::unavailableReason();
    if (!reason.empty()) return reason;
    config_ = new TempDir();
    setenv("SEQSEG_CONFIG_DIR", config_->path().c_str(), 1);
    test::SshdOptions options;
    options.sessionEnvironment = sessionEnvironment;
    server_ = new test::SshdServer(options);
    workDir_ = "seqseg-test-jobs-" + std::to_string(getpid());
    return "";
  }

  static void tearDownServer() {
    if (server_) runRemote("rm -rf ~/" + workDir_);
    delete server_;
    server_ = nullptr;
    delete config_;
    config_ = nullptr;
    unsetenv("SEQSEG_CONFIG_DIR");
  }

  static nlohmann::json profile(const std::string& name, const nlohmann::json& scheduler) {
    return server_->clusterProfile(name, scheduler, workDir_);
  }

  static void writeProfiles(const std::vector<nlohmann::json>& profiles) {
    test::writeFile(*config_ / "clusters.json", nlohmann::json{{"clusters", profiles}}.dump(2));
  }

  static CommandResult runRemote(const std::string& command) {
    std::vector<std::string> argv = server_->sshCommand();
    argv.push_back(command);
    return test::runCommand(argv);
  }

  // The remote work folder's entries (job folders left behind), one per line.
  static std::string remoteJobFolders() {
    return runRemote("ls -A ~/" + workDir_ + " 2>/dev/null; true").out;
  }

  static nlohmann::json record(const std::string& id) {
    return nlohmann::json::parse(test::readFile(*config_ / ("jobs/" + id + ".json")));
  }

  // Starts `seqseg ARGS` with its output to `log`; waits until the job's id is in it.
  static int startUntilSubmitted(const std::vector<std::string>& arguments, const std::string& log,
                                 std::string& id) {
    std::vector<std::string> argv{test::seqsegExecutable()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const int pid = test::startCommand(argv, log);
    test::waitFor(
        [&] {
          id = jobIdIn(test::readFile(log));
          return !id.empty();
        },
        60);
    return pid;
  }

  static TempDir* config_;
  static test::SshdServer* server_;
  static std::string workDir_;
};
TempDir* RemoteSuite::config_ = nullptr;
test::SshdServer* RemoteSuite::server_ = nullptr;
std::string RemoteSuite::workDir_;

class RemoteJob : public RemoteSuite {
 protected:
  static void SetUpTestSuite() {
    try {
      skip_ = setUpServer({});
      if (!skip_.empty()) return;
      // Two ranks under mpirun over the profile's host list, on the login host.
      writeProfiles({profile("lab", {{"type", "mpirun"}, {"hosts", {"localhost:2"}}}),
                     profile("login", {{"type", "mpirun"}, {"hosts", nlohmann::json::array()}})});
      data_ = new TempDir();
      chmod(data_->path().c_str(), 0755);
      const CommandResult synth = test::runSeqseg(
          {"synth", "--out", *data_ / "cases", "--cases", "2", "--size", "32", "--seed", "3"});
      const CommandResult one =
          test::runSeqseg(test::batchArguments(*data_ / "cases", *data_ / "r1", {"--ranks", "1"}));
      if (synth.exitCode != 0 || one.exitCode != 0)
        startError_ = "the one-rank reference failed: " + synth.err + one.err;
    } catch (const std::exception& error) {
      startError_ = error.what();
    }
  }

  static void TearDownTestSuite() {
    delete jump_;
    jump_ = nullptr;
    tearDownServer();
    delete data_;
    data_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  // A second sshd of the same fixture, on another port, that lets the login host's key in: a
  // jump host in front of the login host.
  static test::SshdServer& jumpHost() {
    if (!jump_) {
      jump_ = new test::SshdServer();
      jump_->authorizeKey(server_->identityFile() + ".pub");
    }
    return *jump_;
  }

  // Runs seqseg with `extra` added to the profiles for this run only.
  static CommandResult runWithProfile(const nlohmann::json& extra,
                                      const std::vector<std::string>& arguments) {
    const std::string saved = test::readFile(*config_ / "clusters.json");
    auto profiles = nlohmann::json::parse(saved)["clusters"];
    profiles.push_back(extra);
    writeProfiles(profiles);
    const CommandResult run = test::runSeqseg(arguments);
    test::writeFile(*config_ / "clusters.json", saved);
    return run;
  }

  static std::string cases() { return *data_ / "cases"; }
  static std::string reference(const std::string& id = kCase) {
    return test::readFile(maskOf(*data_ / "r1", id));
  }

  // Cases that keep a job busy for a while: 4 of 48^3, with the 8 test-time flips.
  static std::string slowCases() {
    const std::string folder = *data_ / "slow";
    if (!fs::exists(folder))
      test::runSeqseg({"synth", "--out", folder, "--cases", "4", "--size", "48", "--seed", "9"});
    return folder;
  }

  // The slow cases as a --tta batch on "lab", submitted, and whether its ranks then run there
  // (mpirun and two seqseg-worker processes of the remote account); the events go to out/log.
  struct SlowJob {
    int pid = -1;
    std::string id;
    bool ranksRunning = false;
  };
  static SlowJob startSlowJobOnLab(const TempDir& out) {
    SlowJob job;
    job.pid = startUntilSubmitted(
        test::batchArguments(slowCases(), out / "o", {"--cluster", "lab", "--tta"}), out / "log",
        job.id);
    job.ranksRunning = !job.id.empty() &&
                       test::waitFor([&] { return server_->sessionProcesses().size() >= 4; }, 60);
    return job;
  }

  static TempDir* data_;
  static test::SshdServer* jump_;
  static std::string skip_, startError_;
};
TempDir* RemoteJob::data_ = nullptr;
test::SshdServer* RemoteJob::jump_ = nullptr;
std::string RemoteJob::skip_, RemoteJob::startError_;

TEST_F(RemoteJob, BatchOnAClusterWritesTheMasksOfALocalOneRankRunAndCleansUp) {
  TempDir out;
  const CommandResult run = test::runSeqseg(test::batchArguments(
      cases(), out / "o", {"--cluster", "lab", "--report", out / "r.json", "--report-csv"}));
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
  for (const char* id : {"BraTS2021_00000", "BraTS2021_00001"}) {
    ASSERT_TRUE(fs::exists(maskOf(out / "o", id))) << run.out;
    EXPECT_EQ(test::readFile(maskOf(out / "o", id)), reference(id)) << id;
  }
  // Events and report name the local files; one done event, after the masks are in place.
  const std::string id = jobIdIn(run.out);
  ASSERT_FALSE(id.empty()) << run.out;
  EXPECT_EQ(countOf(run.out, "\"event\":\"done\""), 1) << run.out;
  EXPECT_NE(run.out.find(maskOf(out / "o")), std::string::npos) << run.out;
  const auto report = nlohmann::json::parse(test::readFile(out / "r.json"));
  EXPECT_EQ(report["cases"][0]["mask"], maskOf(out / "o"));
  EXPECT_EQ(report["input"], cases());
  EXPECT_FALSE(fs::exists(out / "o/report.json"));
  // The CSV goes beside the report too.
  EXPECT_EQ(test::readFile(out / "r.csv").rfind("case,status,region,", 0), 0u);
  EXPECT_FALSE(fs::exists(out / "o/report.csv"));
  // Nothing left behind: no staging folder here, no job folder there.
  for (const auto& entry : fs::directory_iterator(out / "o"))
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
  EXPECT_EQ(remoteJobFolders(), "");
  EXPECT_EQ(record(id)["state"], "done");
  const CommandResult jobs = test::runSeqseg({"jobs", "--cluster", "lab"});
  EXPECT_EQ(jobs.exitCode, 0) << jobs.err;
  EXPECT_NE(jobs.out.find(id), std::string::npos) << jobs.out;
}

TEST_F(RemoteJob, HostileCaseNamesSurviveUploadJobAndDownloadAndRunNothing) {
  TempDir work;
  chmod(work.path().c_str(), 0755);
  // Were any of it run, a file "seqseg-pwned" would appear where that shell was (the remote home
  // or job folder, or here).
  const std::vector<std::string> names{
      "case with spaces 'quoted' \"double\"; rm -rf ~ ; $(touch seqseg-pwned)",
      "`touch seqseg-pwned` new\nline \\ Übergröße-ñ"};
  fs::create_directories(work / "in");
  for (const std::string& name : names) {
    fs::create_directories(work / ("in/" + name));
    for (const char* modality : {"t1", "t1ce", "t2", "flair", "seg"})
      fs::copy_file(cases() + "/" + kCase + "/" + kCase + "_" + modality + ".nii.gz",
                    work / ("in/" + name + "/" + name + "_" + modality + ".nii.gz"));
  }
  // The login profile: one rank, run directly, so the names also pass through a job script.
  const CommandResult run = test::runSeqseg(test::batchArguments(
      work / "in", work / "out", {"--cluster", "login", "--case", names[1], "--case", names[0]}));
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
  for (const std::string& name : names) {
    ASSERT_TRUE(fs::exists(maskOf(work / "out", name))) << run.out;
    EXPECT_EQ(test::readFile(maskOf(work / "out", name)), reference()) << name;
  }
  EXPECT_FALSE(fs::exists("seqseg-pwned"));
  EXPECT_EQ(runRemote("find ~ -name seqseg-pwned").out, "");
  EXPECT_EQ(remoteJobFolders(), "");
}

TEST_F(RemoteJob, AnUnknownHostKeyIsRefusedWithItsFingerprintAndHowToAcceptIt) {
  TempDir known;
  test::writeFile(known / "known_hosts", "");
  nlohmann::json stranger = profile("stranger", {{"type", "mpirun"}});
  stranger["ssh"]["known_hosts"] = known / "known_hosts";
  const std::string saved = test::readFile(*config_ / "clusters.json");
  auto profiles = nlohmann::json::parse(saved)["clusters"];
  profiles.push_back(stranger);
  writeProfiles(profiles);
  TempDir out;
  const CommandResult run =
      test::runSeqseg(test::batchArguments(cases(), out / "o", {"--cluster", "stranger"}));
  test::writeFile(*config_ / "clusters.json", saved);
  EXPECT_EQ(run.exitCode, 2) << run.err;
  EXPECT_EQ(countOf(run.err, "\n"), 1) << run.err;
  EXPECT_NE(run.err.find("cluster 'stranger'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("not known"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(server_->hostKeyFingerprint()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ssh-keyscan -p " + std::to_string(server_->port()) + " " +
                         server_->host() + " >> '" + known / "known_hosts" + "'"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(test::readFile(known / "known_hosts"), "");  // nothing accepted behind one's back
  EXPECT_FALSE(fs::exists(out / "o"));
}

// The login host behind a jump host ("jump": user@host:port), both reached with the profile's
// key and verified against its known_hosts.
TEST_F(RemoteJob, BatchThroughAJumpHostWritesTheMasksOfALocalOneRankRunAndCleansUp) {
  test::SshdServer& jump = jumpHost();
  TempDir work;
  test::writeFile(work / "known_hosts",
                  server_->knownHostsLine() + "\n" + jump.knownHostsLine() + "\n");
  nlohmann::json behind = profile("behind", {{"type", "mpirun"}, {"hosts", {"localhost:2"}}});
  behind["ssh"]["jump"] = jump.destination() + ":" + std::to_string(jump.port());
  behind["ssh"]["known_hosts"] = work / "known_hosts";
  const int loginsBefore = countOf(jump.log(), "Accepted publickey");
  const CommandResult run =
      runWithProfile(behind, test::batchArguments(cases(), work / "o", {"--cluster", "behind"}));
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
  for (const char* id : {"BraTS2021_00000", "BraTS2021_00001"}) {
    ASSERT_TRUE(fs::exists(maskOf(work / "o", id))) << run.out;
    EXPECT_EQ(test::readFile(maskOf(work / "o", id)), reference(id)) << id;
  }
  EXPECT_EQ(countOf(run.out, "\"event\":\"done\""), 1) << run.out;
  EXPECT_EQ(remoteJobFolders(), "");
  // The connection went through the jump host: it let the key in (once: the later calls share
  // the master connection).
  EXPECT_EQ(countOf(jump.log(), "Accepted publickey"), loginsBefore + 1) << jump.log();
}

TEST_F(RemoteJob, AnUnknownJumpHostKeyIsRefusedWithItsFingerprintAndHowToAcceptIt) {
  test::SshdServer& jump = jumpHost();
  TempDir work;
  // Only the login host's key is known.
  test::writeFile(work / "known_hosts", server_->knownHostsLine() + "\n");
  nlohmann::json behind = profile("behind", {{"type", "mpirun"}});
  behind["ssh"]["jump"] = jump.destination() + ":" + std::to_string(jump.port());
  behind["ssh"]["known_hosts"] = work / "known_hosts";
  const CommandResult run =
      runWithProfile(behind, test::batchArguments(cases(), work / "o", {"--cluster", "behind"}));
  EXPECT_EQ(run.exitCode, 2) << run.err;
  EXPECT_EQ(countOf(run.err, "\n"), 1) << run.err;
  EXPECT_NE(run.err.find("cluster 'behind'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("jump host " + jump.destination() + ":" + std::to_string(jump.port())),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("not known"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(jump.hostKeyFingerprint()), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(server_->hostKeyFingerprint()), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ssh-keyscan -p " + std::to_string(jump.port()) + " " + jump.host() +
                         " >> '" + work / "known_hosts" + "'"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(test::readFile(work / "known_hosts"), server_->knownHostsLine() + "\n");
  EXPECT_FALSE(fs::exists(work / "o"));
}

TEST_F(RemoteJob, UnknownProfilesAndMalformedClusterFilesAreOneLineErrors) {
  TempDir out;
  const CommandResult unknown =
      test::runSeqseg(test::batchArguments(cases(), out / "o", {"--cluster", "nowhere"}));
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_EQ(unknown.err, "seqseg: error: " + *config_ / "clusters.json" +
                             ": no cluster profile called 'nowhere'\n");
  const std::string saved = test::readFile(*config_ / "clusters.json");
  test::writeFile(*config_ / "clusters.json", "{\"clusters\": [ {\"name\": \"lab\" ");
  const CommandResult malformed = test::runSeqseg({"jobs", "attach", "x"});
  const CommandResult batch =
      test::runSeqseg(test::batchArguments(cases(), out / "o", {"--cluster", "lab"}));
  test::writeFile(*config_ / "clusters.json", saved);
  EXPECT_EQ(batch.exitCode, 2);
  EXPECT_EQ(batch.err, "seqseg: error: " + *config_ / "clusters.json" + ": not valid JSON\n");
  EXPECT_EQ(malformed.exitCode, 2);
  EXPECT_EQ(malformed.err, "seqseg: error: " + *config_ / "jobs" + ": no remote job 'x'\n");
  // An unreachable host: one line naming the profile, exit 2.
  nlohmann::json closed = profile("closed", {{"type", "mpirun"}});
  closed["ssh"]["port"] = test::freePort();
  auto profiles = nlohmann::json::parse(saved)["clusters"];
  profiles.push_back(closed);
  writeProfiles(profiles);
  const CommandResult unreachable =
      test::runSeqseg(test::batchArguments(cases(), out / "o", {"--cluster", "closed"}));
  test::writeFile(*config_ / "clusters.json", saved);
  EXPECT_EQ(unreachable.exitCode, 2);
  EXPECT_EQ(countOf(unreachable.err, "\n"), 1) << unreachable.err;
  EXPECT_NE(unreachable.err.find("cluster 'closed'"), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("cannot connect"), std::string::npos) << unreachable.err;
}

TEST_F(RemoteJob, TrainOnAClusterFollowsTheLocalLossCurveAndBringsTheRunFolderBack) {
  TempDir work;
  chmod(work.path().c_str(), 0755);
  test::writeFile(work / "small.json", test::kSmallModelConfig);
  auto train = [&](const std::string& run, const std::vector<std::string>& more) {
    std::vector<std::string> arguments{"train",
                                       "--data",
                                       cases(),
                                       "--out",
                                       run,
                                       "--config",
                                       work / "small.json",
                                       "--epochs",
                                       "1",
                                       "--steps-per-epoch",
                                       "3",
                                       "--batch-size",
                                       "1",
                                       "--threads",
                                       "1",
                                       "--seed",
                                       "5",
                                       "--val-fraction",
                                       "0",
                                       "--progress",
                                       "json"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return test::runSeqseg(arguments);
  };
  const CommandResult local = train(work / "local", {});
  ASSERT_EQ(local.exitCode, 0) << local.err;
  const CommandResult remote = train(work / "remote", {"--cluster", "login"});
  ASSERT_EQ(remote.exitCode, 0) << remote.err << remote.out;
  for (const char* file : {"last.pt", "config.json", "metrics.jsonl"})
    EXPECT_TRUE(fs::exists(work / ("remote/" + std::string(file)))) << file;
  const std::vector<double> losses = test::stepLosses(work / "remote/metrics.jsonl");
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_EQ(losses, test::stepLosses(work / "local/metrics.jsonl"));
  EXPECT_EQ(countOf(remote.out, "\"event\":\"done\""), 1);
  EXPECT_EQ(record(jobIdIn(remote.out))["kind"], "train");
  EXPECT_EQ(remoteJobFolders(), "");
}

// --init on a cluster: the model file is uploaded and the remote run starts from it, on the
// local run's loss curve.
TEST_F(RemoteJob, FineTuningOnAClusterUploadsTheInitModel) {
  TempDir work;
  chmod(work.path().c_str(), 0755);
  test::writeFile(work / "small.json", test::kSmallModelConfig);
  auto train = [&](const std::string& run, const std::vector<std::string>& more) {
    std::vector<std::string> arguments{
        "train", "--data",       cases(), "--out",     run, "--epochs", "1", "--steps-per-epoch",
        "2",     "--batch-size", "1",     "--threads", "1", "--seed",   "5", "--val-fraction",
        "0",     "--progress",   "json"};
    arguments.insert(arguments.end(), more.begin(), more.end());
    return test::runSeqseg(arguments);
  };
  ASSERT_EQ(train(work / "start", {"--config", work / "small.json"}).exitCode, 0);
  const std::string start = work / "start/last.pt";
  const CommandResult local = train(work / "local", {"--init", start, "--freeze-encoder"});
  ASSERT_EQ(local.exitCode, 0) << local.err;
  const CommandResult remote =
      train(work / "remote", {"--init", start, "--freeze-encoder", "--cluster", "login"});
  ASSERT_EQ(remote.exitCode, 0) << remote.err << remote.out;
  const std::vector<double> losses = test::stepLosses(work / "remote/metrics.jsonl");
  ASSERT_EQ(losses.size(), 2u);
  EXPECT_EQ(losses, test::stepLosses(work / "local/metrics.jsonl"));
  EXPECT_NE(remote.out.find("starting from " + start), std::string::npos)
      << "the uploaded model is shown by its local path";
  EXPECT_EQ(remoteJobFolders(), "");
}

TEST_F(RemoteJob, TestingAProfileShowsEachCheckWithItsResult) {
  const auto good = checkClusterProfile(
      profileFromJson(profile("lab", {{"type", "mpirun"}, {"hosts", {"localhost:2"}}}), "t"));
  EXPECT_EQ(outcome(good),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: passed\n"
            "scheduler found: passed\npartition exists: passed\n")
      << details(good);
  EXPECT_NE(good[3].detail.find("mpirun"), std::string::npos) << details(good);

  TempDir known;
  test::writeFile(known / "known_hosts", "");
  nlohmann::json stranger = profile("stranger", {{"type", "mpirun"}});
  stranger["ssh"]["known_hosts"] = known / "known_hosts";
  const auto unknownKey = checkClusterProfile(profileFromJson(stranger, "t"));
  EXPECT_EQ(outcome(unknownKey),
            "ssh reachable: passed\nhost key known: FAILED\nseqseg version: FAILED\n"
            "scheduler found: FAILED\npartition exists: FAILED\n")
      << details(unknownKey);
  EXPECT_NE(unknownKey[1].detail.find(server_->hostKeyFingerprint()), std::string::npos);

  nlohmann::json closed = profile("closed", {{"type", "mpirun"}});
  closed["ssh"]["port"] = test::freePort();
  const auto unreachable = checkClusterProfile(profileFromJson(closed, "t"));
  EXPECT_FALSE(unreachable[0].passed) << details(unreachable);
  EXPECT_NE(unreachable[0].detail.find("cannot connect"), std::string::npos);

  nlohmann::json elsewhere = profile("elsewhere", {{"type", "mpirun"}});
  elsewhere["seqseg"] = "/nonexistent/seqseg";
  const auto noSeqseg = checkClusterProfile(profileFromJson(elsewhere, "t"));
  EXPECT_EQ(outcome(noSeqseg),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: FAILED\n"
            "scheduler found: passed\npartition exists: passed\n")
      << details(noSeqseg);

  // The connection drops between checks (here the remote command ends its own ssh session):
  // the check under way fails with ssh's words, the rest are not run, nothing is thrown.
  nlohmann::json dropping = profile("dropping", {{"type", "mpirun"}, {"hosts", {"localhost:2"}}});
  dropping["seqseg"] = "kill -9 $PPID;";
  const auto dropped = checkClusterProfile(profileFromJson(dropping, "t"));
  EXPECT_EQ(outcome(dropped),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: FAILED\n"
            "scheduler found: FAILED\npartition exists: FAILED\n")
      << details(dropped);
  EXPECT_EQ(dropped[3].detail, "not checked") << details(dropped);
}

TEST_F(RemoteJob, AJobOutlivesADroppedConnectionAndAttachCompletesIt) {
  TempDir out;
  const std::string slow = slowCases();
  std::string id;
  const int pid = startUntilSubmitted(
      test::batchArguments(slow, out / "o", {"--cluster", "lab", "--tta"}), out / "log", id);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  // Some events seen, then this machine's side goes away: the client and every connection.
  ASSERT_TRUE(test::waitFor([&] { return record(id)["events_offset"].get<long long>() > 0; }, 60));
  kill(pid, SIGKILL);
  test::waitCommand(pid);
  server_->dropConnections();
  const std::string before = test::readFile(out / "log");
  EXPECT_EQ(record(id)["state"], "running");

  const CommandResult attach = test::runSeqseg({"jobs", "attach", id, "--progress", "json"});
  ASSERT_EQ(attach.exitCode, 0) << attach.err << attach.out;
  // Every case's result exactly once over the two readers: attach resumed where it stopped.
  EXPECT_EQ(countOf(before, "\"event\":\"result\"") + countOf(attach.out, "\"event\":\"result\""),
            4)
      << before << "\n---\n"
      << attach.out;
  EXPECT_EQ(countOf(attach.out, "\"event\":\"done\""), 1);
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(fs::exists(out / ("o/BraTS2021_0000" + std::to_string(i) + ".nii.gz")));
  EXPECT_EQ(record(id)["state"], "done");
  EXPECT_EQ(remoteJobFolders(), "");
}

// The client following the job may look while the job's processes are ending, after they ended
// or after the folder is gone: each way it ends with 1 and says the job was cancelled.
TEST_F(RemoteJob, CancelEndsEveryRemoteProcessAndRemovesTheJobFolder) {
  TempDir out;
  const auto [pid, id, ranksRunning] = startSlowJobOnLab(out);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  ASSERT_TRUE(ranksRunning);
  const CommandResult cancel = test::runSeqseg({"jobs", "cancel", id});
  EXPECT_EQ(cancel.exitCode, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("cancelled job " + id), std::string::npos) << cancel.out;
  // The attached client sees the end and stops by itself.
  EXPECT_EQ(test::waitCommand(pid), 1) << test::readFile(out / "log");
  expectToldCancelled(test::readFile(out / "log"), id);
  EXPECT_TRUE(test::waitFor([&] { return server_->sessionProcesses().empty(); }, 10))
      << server_->sessionProcesses().size() << " remote processes left";
  EXPECT_EQ(record(id)["state"], "cancelled");
  EXPECT_EQ(remoteJobFolders(), "");
  EXPECT_FALSE(fs::exists(maskOf(out / "o")));
}

// The client's first look after `jobs cancel` finds the job folder already removed (it was
// stopped meanwhile): the record says why, and it ends as when it sees the processes end.
TEST_F(RemoteJob, AClientThatFindsItsCancelledJobGoneEndsWith1AndSaysSo) {
  TempDir out;
  const auto [pid, id, ranksRunning] = startSlowJobOnLab(out);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  ASSERT_TRUE(ranksRunning);
  kill(pid, SIGSTOP);
  const CommandResult cancel = test::runSeqseg({"jobs", "cancel", id});
  EXPECT_EQ(cancel.exitCode, 0) << cancel.err;
  EXPECT_EQ(remoteJobFolders(), "");
  kill(pid, SIGCONT);
  EXPECT_EQ(test::waitCommand(pid), 1) << test::readFile(out / "log");
  expectToldCancelled(test::readFile(out / "log"), id);
  EXPECT_EQ(record(id)["state"], "cancelled");
  EXPECT_EQ(record(id)["exit_code"], 1);
  // Attaching later says it ended, with the same code.
  const CommandResult attach = test::runSeqseg({"jobs", "attach", id});
  EXPECT_EQ(attach.exitCode, 1) << attach.err;
  EXPECT_NE(attach.err.find("has ended (cancelled)"), std::string::npos) << attach.err;
  EXPECT_FALSE(fs::exists(maskOf(out / "o")));
}

// The desktop application cancels a job as it cancels a local one: SIGTERM to the command's
// process group. The remote job is then cancelled too.
TEST_F(RemoteJob, SigtermToTheCommandCancelsTheRemoteJob) {
  TempDir out;
  const auto [pid, id, ranksRunning] = startSlowJobOnLab(out);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  ASSERT_TRUE(ranksRunning);
  kill(pid, SIGTERM);
  EXPECT_EQ(test::waitCommand(pid), 128 + SIGTERM) << test::readFile(out / "log");
  EXPECT_NE(test::readFile(out / "log").find("\"status\":\"cancelled\""), std::string::npos);
  EXPECT_TRUE(test::waitFor([&] { return server_->sessionProcesses().empty(); }, 10))
      << server_->sessionProcesses().size() << " remote processes left";
  EXPECT_EQ(record(id)["state"], "cancelled");
  EXPECT_EQ(remoteJobFolders(), "");
}

// Slurm behind the login host: sbatch, scancel, a failed rank.
class RemoteSlurmJob : public RemoteSuite {
 protected:
  static void SetUpTestSuite() {
    try {
      skip_ = test::SlurmCluster::unavailableReason();
      if (!skip_.empty()) return;
      slurm_ = new test::SlurmCluster();
      skip_ = setUpServer({"SLURM_CONF=" + slurm_->configPath()});
      if (!skip_.empty()) return;
      writeProfiles({profile("hpc", {{"type", "slurm"},
                                     {"partition", "test"},
                                     {"account", ""},
                                     {"time", "00:10:00"},
                                     {"nodes", 1},
                                     {"tasks_per_node", 2},
                                     {"gpus_per_node", 0}})});
      data_ = new TempDir();
      chmod(data_->path().c_str(), 0755);
      const CommandResult synth = test::runSeqseg(
          {"synth", "--out", *data_ / "cases", "--cases", "1", "--size", "32", "--seed", "4"});
      const CommandResult one =
          test::runSeqseg(test::batchArguments(*data_ / "cases", *data_ / "r1"));
      const CommandResult slow = test::runSeqseg(
          {"synth", "--out", *data_ / "slow", "--cases", "4", "--size", "48", "--seed", "9"});
      if (synth.exitCode != 0 || one.exitCode != 0 || slow.exitCode != 0)
        startError_ = "the one-rank reference failed: " + synth.err + one.err + slow.err;
    } catch (const std::exception& error) {
      startError_ = error.what();
    }
  }

  static void TearDownTestSuite() {
    tearDownServer();
    delete slurm_;
    slurm_ = nullptr;
    delete data_;
    data_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  static std::string squeue() {
    return test::runCommand({slurm_->program("squeue"), "-h", "-o", "%i %j %u %T"}).out;
  }

  // The processes of the job's rank `rank` (its task environment says SLURM_PROCID=rank).
  static std::vector<int> rankProcesses(int rank) {
    std::vector<int> found;
    for (int pid : server_->sessionProcesses())
      if (environmentOf(pid, "SLURM_PROCID") == std::to_string(rank) &&
          test::readFile("/proc/" + std::to_string(pid) + "/cmdline").find("seqseg-worker") !=
              std::string::npos)
        found.push_back(pid);
    return found;
  }

  static test::SlurmCluster* slurm_;
  static TempDir* data_;
  static std::string skip_, startError_;
};
test::SlurmCluster* RemoteSlurmJob::slurm_ = nullptr;
TempDir* RemoteSlurmJob::data_ = nullptr;
std::string RemoteSlurmJob::skip_, RemoteSlurmJob::startError_;

TEST_F(RemoteSlurmJob, SbatchRunsTheRanksAsASlurmJobAndWritesTheOneRankMask) {
  TempDir out;
  const int stepsBefore = slurm_->stepsLaunched();
  const CommandResult run =
      test::runSeqseg(test::batchArguments(*data_ / "cases", out / "o", {"--cluster", "hpc"}));
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
  EXPECT_EQ(test::readFile(maskOf(out / "o")), test::readFile(maskOf(*data_ / "r1")));
  // The ranks ran as one srun step of the sbatch job.
  EXPECT_EQ(slurm_->stepsLaunched(), stepsBefore + 1);
  const std::string id = jobIdIn(run.out);
  EXPECT_FALSE(record(id)["slurm_job"].get<std::string>().empty());
  EXPECT_EQ(remoteJobFolders(), "");
}

TEST_F(RemoteSlurmJob, TestingAProfileFindsSlurmAndItsPartition) {
  nlohmann::json hpc =
      nlohmann::json::parse(test::readFile(*config_ / "clusters.json"))["clusters"][0];
  const auto good = checkClusterProfile(profileFromJson(hpc, "t"));
  EXPECT_EQ(outcome(good),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: passed\n"
            "scheduler found: passed\npartition exists: passed\n")
      << details(good);
  hpc["scheduler"]["partition"] = "nope";
  const auto missing = checkClusterProfile(profileFromJson(hpc, "t"));
  EXPECT_FALSE(missing[4].passed) << details(missing);
  EXPECT_EQ(missing[4].detail, "no partition 'nope' (sinfo)");
}

TEST_F(RemoteSlurmJob, ScancelEndsTheJobAndLeavesNoRemoteProcess) {
  TempDir out;
  std::string id;
  const int pid = startUntilSubmitted(
      test::batchArguments(*data_ / "slow", out / "o", {"--cluster", "hpc", "--tta"}), out / "log",
      id);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  ASSERT_TRUE(test::waitFor([&] { return !rankProcesses(1).empty(); }, 60)) << squeue();
  const CommandResult cancel = test::runSeqseg({"jobs", "cancel", id});
  EXPECT_EQ(cancel.exitCode, 0) << cancel.err;
  EXPECT_EQ(test::waitCommand(pid), 1) << test::readFile(out / "log");
  EXPECT_TRUE(test::waitFor([&] { return squeue().empty(); }, 30)) << squeue();
  EXPECT_TRUE(test::waitFor([&] { return server_->sessionProcesses().empty(); }, 20));
  EXPECT_EQ(record(id)["state"], "cancelled");
  EXPECT_EQ(remoteJobFolders(), "");
}

TEST_F(RemoteSlurmJob, AFailedRankReachesTheUserVerbatim) {
  TempDir out;
  std::string id;
  const int pid = startUntilSubmitted(
      test::batchArguments(*data_ / "slow", out / "o", {"--cluster", "hpc", "--tta"}), out / "log",
      id);
  ASSERT_FALSE(id.empty()) << test::readFile(out / "log");
  ASSERT_TRUE(test::waitFor([&] { return !rankProcesses(1).empty(); }, 60)) << squeue();
  for (int rank : rankProcesses(1)) kill(rank, SIGKILL);
  EXPECT_EQ(test::waitCommand(pid), 1);
  const std::string log = test::readFile(out / "log");
  // Slurm's words about the task (rank 1) reach the user as they were written, and the job
  // ends as failed.
  EXPECT_NE(log.find("srun: error: localhost: task 1: Killed"), std::string::npos) << log;
  EXPECT_NE(log.find("\"status\":\"failed\""), std::string::npos) << log;
  EXPECT_EQ(record(id)["state"], "failed");
  EXPECT_FALSE(fs::exists(maskOf(out / "o")));
  EXPECT_TRUE(test::waitFor([&] { return squeue().empty(); }, 30)) << squeue();
}

}  // namespace
}  // namespace seqseg
