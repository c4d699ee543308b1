// Jobs under a real single-node Slurm: the suite starts munged (with a key made for it),
// slurmctld and slurmd on unprivileged loopback ports from a temporary slurm.conf, then
// `srun -n 2 seqseg --batch` and `seqseg --batch --ranks 2 --launcher srun` must write the mask
// of `--ranks 1` byte for byte. The services are stopped by process id afterwards.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <thread>
#include <utility>

#include "tests/support/test_support.h"

extern char** environ;

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

// An absolute path to a program from PATH or the sbin folders (daemons live there); empty when
// it is not installed.
std::string findProgram(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin";
  for (size_t start = 0; start <= path.size();) {
    const size_t end = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, end - start)) / name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return "";
}

// A loopback port nobody listens on right now (the kernel's pick).
int freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// SIGTERM, then SIGKILL if the service has not gone within 10 s.
void stopService(int pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

class SlurmJob : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    for (const char* name :
         {"munged", "mungekey", "slurmctld", "slurmd", "srun", "sinfo", "squeue"}) {
      programs_[name] = findProgram(name);
      if (programs_[name].empty()) {
        skip_ =
            std::string(name) + " is not installed (scripts/bootstrap installs slurm-wlm munge)";
        return;
      }
    }
    // slurmd starts job steps as the submitting user, which needs root.
    if (geteuid() != 0) {
      skip_ = "slurmd has to run as root to start job steps";
      return;
    }
    start();
    if (!startError_.empty()) return;
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "cases", "--cases", "1", "--size", "64", "--seed", "5"});
    const CommandResult one =
        test::runSeqseg(test::batchArguments(*dir_ / "cases", *dir_ / "r1", {"--ranks", "1"}));
    reference_ = test::readFile(mask(*dir_ / "r1"));
    if (synth.exitCode != 0 || one.exitCode != 0 || reference_.empty())
      startError_ = "the one-rank reference failed: " + synth.err + one.err;
  }

  static void TearDownTestSuite() {
    // Jobs stay listed (completing) until their slurmstepd processes have cleaned up: let them
    // finish before slurmd goes, so no process of this cluster outlives the suite.
    if (slurmctld_ > 0)
      waitFor([] { return test::runCommand({programs_["squeue"], "-h"}).out.empty(); }, 15);
    for (int* pid : {&slurmd_, &slurmctld_, &munged_}) stopService(std::exchange(*pid, -1));
    unsetenv("SLURM_CONF");
    delete dir_;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  // munged with its own key and socket, then slurmctld and slurmd in the foreground; waits
  // until the node is idle.
  static void start() {
    const std::string root = dir_->path();
    fs::create_directories(root + "/state");
    fs::create_directories(root + "/spool");
    // munged wants every folder above its socket searchable by all, and a private key.
    chmod(root.c_str(), 0755);
    const CommandResult key =
        test::runCommand({programs_["mungekey"], "--create", "--keyfile=" + root + "/munge.key"});
    if (key.exitCode != 0) {
      startError_ = "mungekey: " + key.err;
      return;
    }
    munged_ = test::startCommand(
        {programs_["munged"], "--foreground", "--key-file=" + root + "/munge.key",
         "--socket=" + root + "/munge.sock", "--pid-file=" + root + "/munged.pid",
         "--seed-file=" + root + "/munged.seed", "--log-file=" + root + "/munged.log"},
        root + "/munged.out");
    if (!waitFor([&] { return fs::exists(root + "/munge.sock"); }, 10)) {
      startError_ = "munged did not start: " + test::readFile(root + "/munged.out");
      return;
    }

    // The node is "localhost" at 127.0.0.1, so the store host a rank derives from the step's
    // node list resolves on any machine. The first job id varies so that concurrent runs
    // derive different store ports.
    test::writeFile(root + "/plugstack.conf", "");
    std::ostringstream conf;
    conf << "ClusterName=seqseg-test\n"
         << "SlurmctldHost=localhost(127.0.0.1)\n"
         << "SlurmctldPort=" << freePort() << "\nSlurmdPort=" << freePort() << "\n"
         << "SlurmUser=root\nSlurmdUser=root\n"
         << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << root << "/munge.sock\n"
         << "StateSaveLocation=" << root << "/state\nSlurmdSpoolDir=" << root << "/spool\n"
         << "SlurmctldPidFile=" << root << "/slurmctld.pid\nSlurmdPidFile=" << root
         << "/slurmd.pid\n"
         << "PlugStackConfig=" << root << "/plugstack.conf\n"
         << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
         << "JobAcctGatherType=jobacct_gather/none\n"
         << "AccountingStorageType=accounting_storage/none\n"
         << "SchedulerType=sched/builtin\n"
         << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
         << "MpiDefault=none\nMailProg=/bin/true\nReturnToService=2\nKillWait=5\n"
         // Whatever the machine's cores, the node offers 4 CPUs: 2 ranks always fit.
         << "SlurmdParameters=config_overrides\n"
         << "FirstJobId=" << 1000 + getpid() % 100000 << "\n"
         << "NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN\n"
         << "PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n";
    test::writeFile(root + "/slurm.conf", conf.str());

    // The clients (srun, sinfo and the srun that seqseg starts) find this cluster through
    // SLURM_CONF; variables of a surrounding Slurm job would point them at another one.
    std::vector<std::string> inherited;
    for (char** variable = environ; *variable; ++variable)
      if (std::string(*variable).rfind("SLURM_", 0) == 0)
        inherited.push_back(std::string(*variable).substr(0, std::string(*variable).find('=')));
    for (const std::string& name : inherited) unsetenv(name.c_str());
    setenv("SLURM_CONF", (root + "/slurm.conf").c_str(), 1);

    slurmctld_ = test::startCommand({programs_["slurmctld"], "-D", "-i"}, root + "/slurmctld.log");
    slurmd_ =
        test::startCommand({programs_["slurmd"], "-D", "-N", "localhost"}, root + "/slurmd.log");
    std::string state;
    if (!waitFor(
            [&] {
              state =
                  test::runCommand({programs_["sinfo"], "-h", "-n", "localhost", "-o", "%T"}).out;
              return state == "idle\n";
            },
            30))
      startError_ = "the node did not become idle (sinfo: '" + state + "')\nslurmctld:\n" +
                    test::readFile(root + "/slurmctld.log") + "\nslurmd:\n" +
                    test::readFile(root + "/slurmd.log");
  }

  static bool waitFor(const std::function<bool()>& condition, int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return true;
  }

  // Job steps slurmd has launched so far (one line per step in its log).
  static int stepsLaunched() {
    const std::string log = test::readFile(dir_->path() + "/slurmd.log");
    int steps = 0;
    for (size_t at = log.find("launch task StepId="); at != std::string::npos;
         at = log.find("launch task StepId=", at + 1))
      ++steps;
    return steps;
  }

  static std::string mask(const std::string& out) { return out + "/BraTS2021_00000.nii.gz"; }
  static std::string cases() { return *dir_ / "cases"; }

  static TempDir* dir_;
  static std::map<std::string, std::string> programs_;
  static std::string skip_, startError_, reference_;
  static int munged_, slurmctld_, slurmd_;
};
TempDir* SlurmJob::dir_ = nullptr;
std::map<std::string, std::string> SlurmJob::programs_;
std::string SlurmJob::skip_, SlurmJob::startError_, SlurmJob::reference_;
int SlurmJob::munged_ = -1, SlurmJob::slurmctld_ = -1, SlurmJob::slurmd_ = -1;

// Each task of the step is a rank: SLURM_PROCID/NTASKS, and a store address every task derives
// from the step's node list and ids.
TEST_F(SlurmJob, SrunTwoTasksWriteTheOneRankMask) {
  TempDir out;
  std::vector<std::string> argv{programs_["srun"], "-n", "2", "--input=none",
                                test::seqsegExecutable()};
  for (const std::string& a : test::batchArguments(cases(), out / "o")) argv.push_back(a);
  const CommandResult run = test::runCommand(argv);
  ASSERT_EQ(run.exitCode, 0) << run.err;
  EXPECT_EQ(test::readFile(mask(out / "o")), reference_);
  // Only rank 0 reports: one done event.
  EXPECT_NE(run.out.find("\"event\":\"done\""), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("\"event\":\"done\""), run.out.rfind("\"event\":\"done\"")) << run.out;
}

TEST_F(SlurmJob, LauncherSrunRunsTheRanksAsAJobAndWritesTheOneRankMask) {
  TempDir out;
  const int stepsBefore = stepsLaunched();
  const CommandResult run = test::runSeqseg(
      test::batchArguments(cases(), out / "o", {"--ranks", "2", "--launcher", "srun"}));
  ASSERT_EQ(run.exitCode, 0) << run.err;
  // The ranks ran as a step of this cluster, not as local processes.
  EXPECT_EQ(stepsLaunched(), stepsBefore + 1);
  EXPECT_EQ(test::readFile(mask(out / "o")), reference_);
  EXPECT_NE(run.out.find("\"event\":\"done\""), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("\"event\":\"done\""), run.out.rfind("\"event\":\"done\"")) << run.out;
}

}  // namespace
}  // namespace seqseg
