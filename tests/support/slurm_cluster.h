#pragma once
// A real single-node Slurm for tests: munged (with a key made for it), slurmctld and slurmd on
// unprivileged loopback ports from a temporary slurm.conf; the node is "localhost" at 127.0.0.1
// with 4 CPUs in partition "test". SLURM_CONF points this process (and what it starts) at it.
// Stopped by process id when the object goes.
#include <map>
#include <string>

#include "tests/support/test_support.h"

namespace seqseg::test {

class SlurmCluster {
 public:
  // Why this machine cannot run it (Slurm or munge not installed, not root); empty when it can.
  static std::string unavailableReason();

  // Starts the services and waits until the node is idle; throws std::runtime_error (with the
  // services' logs) when it does not become so, leaving nothing running.
  SlurmCluster();
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  std::string configPath() const { return dir_ / "slurm.conf"; }
  // An absolute path to a Slurm program (srun, sbatch, squeue, sinfo, scancel).
  std::string program(const std::string& name) const;
  // Job steps slurmd has launched so far (one line per step in its log).
  int stepsLaunched() const;
  // Jobs the controller still lists (any state), one squeue line each.
  std::string queue() const;

 private:
  void start();
  void stop();

  TempDir dir_;
  std::map<std::string, std::string> programs_;
  int munged_ = -1, slurmctld_ = -1, slurmd_ = -1;
};

}  // namespace seqseg::test
