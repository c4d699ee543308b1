#include "tests/support/slurm_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

extern char** environ;

namespace seqseg::test {
namespace {

const char* const kPrograms[] = {"munged", "mungekey", "slurmctld", "slurmd", "srun",
                                 "sbatch", "scancel",  "sinfo",     "squeue"};

}  // namespace

std::string SlurmCluster::unavailableReason() {
  for (const char* name : kPrograms)
    if (findProgram(name).empty())
      return std::string(name) + " is not installed (scripts/bootstrap installs slurm-wlm munge)";
  // slurmd starts job steps as the submitting user, which needs root.
  if (geteuid() != 0) return "slurmd has to run as root to start job steps";
  return "";
}

SlurmCluster::SlurmCluster(std::vector<SlurmNode> nodes) : nodes_(std::move(nodes)) {
  const std::string reason = unavailableReason();
  if (!reason.empty()) throw std::runtime_error(reason);
  for (const char* name : kPrograms) programs_[name] = findProgram(name);
  try {
    start();
  } catch (...) {
    stop();
    throw;
  }
}

SlurmCluster::~SlurmCluster() {
  stop();
}

std::string SlurmCluster::program(const std::string& name) const {
  return programs_.at(name);
}

// munged with its own key and socket, then slurmctld and the slurmds in the foreground; waits
// until every node is idle.
void SlurmCluster::start() {
  const std::string root = dir_.path();
  std::filesystem::create_directories(root + "/state");
  for (const SlurmNode& node : nodes_)
    std::filesystem::create_directories(root + "/spool-" + node.name);
  // munged wants every folder above its socket searchable by all, and a private key.
  chmod(root.c_str(), 0755);
  const CommandResult key =
      runCommand({programs_["mungekey"], "--create", "--keyfile=" + root + "/munge.key"});
  if (key.exitCode != 0) throw std::runtime_error("mungekey: " + key.err);
  munged_ =
      startCommand({programs_["munged"], "--foreground", "--key-file=" + root + "/munge.key",
                    "--socket=" + root + "/munge.sock", "--pid-file=" + root + "/munged.pid",
                    "--seed-file=" + root + "/munged.seed", "--log-file=" + root + "/munged.log"},
                   root + "/munged.out");
  if (!waitFor([&] { return std::filesystem::exists(root + "/munge.sock"); }, 10))
    throw std::runtime_error("munged did not start: " + readFile(root + "/munged.out"));

  // The default node is "localhost" at 127.0.0.1, so the store host a rank derives from the
  // step's node list resolves on any machine. The first job id varies so that concurrent runs
  // derive different store ports.
  writeFile(root + "/plugstack.conf", "");
  std::ostringstream conf;
  conf << "ClusterName=seqseg-test\n"
       << "SlurmctldHost=" << nodes_[0].name << "(" << nodes_[0].address << ")\n"
       << "SlurmctldPort=" << freePort() << "\nSlurmdPort=" << freePort() << "\n"
       << "SlurmUser=root\nSlurmdUser=root\n"
       << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << root << "/munge.sock\n"
       << "StateSaveLocation=" << root << "/state\nSlurmdSpoolDir=" << root << "/spool-%n\n"
       << "SlurmctldPidFile=" << root << "/slurmctld.pid\nSlurmdPidFile=" << root
       << "/slurmd-%n.pid\n"
       << "PlugStackConfig=" << root << "/plugstack.conf\n"
       << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
       << "JobAcctGatherType=jobacct_gather/none\n"
       << "AccountingStorageType=accounting_storage/none\n"
       << "SchedulerType=sched/builtin\n"
       << "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
       << "MpiDefault=none\nMailProg=/bin/true\nReturnToService=2\nKillWait=5\n"
       // Whatever the machine's cores, a node offers the CPUs it is given here.
       << "SlurmdParameters=config_overrides\n"
       << "FirstJobId=" << 1000 + getpid() % 100000 << "\n";
  std::string names;
  for (const SlurmNode& node : nodes_) {
    conf << "NodeName=" << node.name << " NodeHostname=" << node.name
         << " NodeAddr=" << node.address << " CPUs=" << node.cpus << " State=UNKNOWN\n";
    names += (names.empty() ? "" : ",") + node.name;
  }
  conf << "PartitionName=test Nodes=" << names << " Default=YES MaxTime=INFINITE State=UP\n";
  writeFile(root + "/slurm.conf", conf.str());

  // The clients (srun, sinfo and the srun that seqseg starts) find this cluster through
  // SLURM_CONF; variables of a surrounding Slurm job would point them at another one.
  std::vector<std::string> inherited;
  for (char** variable = environ; *variable; ++variable)
    if (std::string(*variable).rfind("SLURM_", 0) == 0)
      inherited.push_back(std::string(*variable).substr(0, std::string(*variable).find('=')));
  for (const std::string& name : inherited) unsetenv(name.c_str());
  setenv("SLURM_CONF", configPath().c_str(), 1);

  slurmctld_ =
      startCommand(onController({programs_["slurmctld"], "-D", "-i"}), root + "/slurmctld.log");
  for (const SlurmNode& node : nodes_) {
    const std::vector<std::string> slurmd{programs_["slurmd"], "-D", "-N", node.name};
    slurmd_.push_back(startCommand(node.launch ? node.launch(slurmd) : slurmd,
                                   root + "/slurmd-" + node.name + ".log"));
  }
  std::string idle, state;
  for (size_t i = 0; i < nodes_.size(); ++i) idle += "idle\n";
  if (!waitFor(
          [&] {
            state = runCommand(onController({programs_["sinfo"], "-h", "-N", "-o", "%T"})).out;
            return state == idle;
          },
          30)) {
    std::string logs = "slurmctld:\n" + readFile(root + "/slurmctld.log");
    for (const SlurmNode& node : nodes_)
      logs += "\nslurmd " + node.name + ":\n" + readFile(root + "/slurmd-" + node.name + ".log");
    throw std::runtime_error("the nodes did not become idle (sinfo: '" + state + "')\n" + logs);
  }
}

std::vector<std::string> SlurmCluster::onController(const std::vector<std::string>& argv) const {
  return nodes_[0].launch ? nodes_[0].launch(argv) : argv;
}

void SlurmCluster::stop() {
  // Jobs stay listed (completing) until their slurmstepd processes have cleaned up: let them
  // finish before slurmd goes, so no process of this cluster outlives it.
  if (slurmctld_ > 0) waitFor([&] { return queue().empty(); }, 15);
  for (int pid : slurmd_) stopService(pid);
  slurmd_.clear();
  for (int* pid : {&slurmctld_, &munged_}) stopService(std::exchange(*pid, -1));
  unsetenv("SLURM_CONF");
}

int SlurmCluster::stepsLaunched() const {
  int steps = 0;
  for (const SlurmNode& node : nodes_) {
    const std::string log = readFile(dir_ / ("slurmd-" + node.name + ".log"));
    for (size_t at = log.find("launch task StepId="); at != std::string::npos;
         at = log.find("launch task StepId=", at + 1))
      ++steps;
  }
  return steps;
}

std::string SlurmCluster::queue() const {
  return runCommand(onController({programs_.at("squeue"), "-h"})).out;
}

}  // namespace seqseg::test
