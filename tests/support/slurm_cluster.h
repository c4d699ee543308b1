#pragma once
// A real Slurm for tests: munged (with a key made for it), slurmctld and one slurmd per node on
// unprivileged ports from a temporary slurm.conf. By default one node, "localhost" at 127.0.0.1
// with 4 CPUs; several nodes may each run on a host of their own (a launch prefix such as
// TwoHosts::onHost), the controller on the first node's host. All nodes are in partition "test".
// SLURM_CONF points this process (and what it starts) at it. Stopped by process id when the
// object goes.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace seqseg::test {

struct SlurmNode {
  std::string name = "localhost";
  std::string address = "127.0.0.1";
  int cpus = 4;
  // Runs a program on this node's host: the prefix's arguments, then the program's (empty: here).
  std::function<std::vector<std::string>(const std::vector<std::string>&)> launch;
};

class SlurmCluster {
 public:
  // Why this machine cannot run it (Slurm or munge not installed, not root); empty when it can.
  static std::string unavailableReason();

  // Starts the services and waits until the node is idle; throws std::runtime_error (with the
  // services' logs) when it does not become so, leaving nothing running.
  explicit SlurmCluster(std::vector<SlurmNode> nodes = {SlurmNode{}});
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  std::string configPath() const { return dir_ / "slurm.conf"; }
  // An absolute path to a Slurm program (srun, sbatch, squeue, sinfo, scancel).
  std::string program(const std::string& name) const;
  // Job steps the slurmd of every node has launched so far (one line per step in their logs).
  int stepsLaunched() const;
  // argv run where the clients of this cluster run (the first node's host).
  std::vector<std::string> onController(const std::vector<std::string>& argv) const;
  // Jobs the controller still lists (any state), one squeue line each.
  std::string queue() const;

 private:
  void start();
  void stop();

  TempDir dir_;
  std::vector<SlurmNode> nodes_;
  std::map<std::string, std::string> programs_;
  int munged_ = -1, slurmctld_ = -1;
  std::vector<int> slurmd_;
};

}  // namespace seqseg::test
