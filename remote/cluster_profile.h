#pragma once
// Cluster profiles: where a remote job runs. They live in the user's config folder
// (clusters.json, see README "Clusters") and hold no password: ssh authenticates with keys or an
// agent, and verifies the host key against known_hosts.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace seqseg {

struct SshTarget {
  std::string user;  // empty: ssh's default (the local user or ~/.ssh/config)
  std::string host;
  int port = 22;
  std::string jump;          // optional jump host, [user@]host[:port]
  std::string identityFile;  // optional private key (ssh's default keys and agent otherwise)
  std::string knownHosts;    // optional known_hosts file (~/.ssh/known_hosts otherwise)
};

struct SchedulerSettings {
  std::string type = "mpirun";  // slurm or mpirun
  // slurm
  std::string partition, account, time;
  int nodes = 1, tasksPerNode = 1, gpusPerNode = 0;
  // mpirun: "host:slots" entries; empty: the login host itself
  std::vector<std::string> hosts;

  // The job's ranks: nodes x tasks per node (slurm), the hosts' slots (mpirun).
  int ranks() const;
};

struct ClusterProfile {
  std::string name;
  SshTarget ssh;
  // The remote seqseg: a path, or a shell line that ends with it ("module load seqseg && seqseg").
  std::string seqseg = "seqseg";
  SchedulerSettings scheduler;
  std::string workDir = "~/seqseg-jobs";  // remote folder for job folders (~ is the home)
  bool keepJobFolder = false;

  // "user@host:port" (as people write it) for messages.
  std::string destinationText() const;
};

// The user's seqseg config folder: $SEQSEG_CONFIG_DIR, else $XDG_CONFIG_HOME/seqseg, else
// ~/.config/seqseg.
std::string configFolder();
// configFolder()/clusters.json
std::string clustersFilePath();
// Where records of remote jobs are kept: $SEQSEG_CONFIG_DIR/jobs when set, else
// $XDG_STATE_HOME/seqseg/jobs, else ~/.local/state/seqseg/jobs.
std::string jobRecordsFolder();

// "~/x" -> "$HOME/x" on this machine.
std::string expandHome(const std::string& path);

// The profiles of a clusters.json; a missing file is no profile. Bad JSON, a missing or wrong
// key, or a password is an InputError naming the file (and profile).
std::vector<ClusterProfile> loadClusterProfiles(const std::string& path);
// The profile called `name` from clustersFilePath(); InputError when there is none.
ClusterProfile findClusterProfile(const std::string& name);

ClusterProfile profileFromJson(const nlohmann::json& entry, const std::string& file);
nlohmann::json profileToJson(const ClusterProfile& profile);
// Replaces (by name) or adds the profile in the file, written atomically and user-only.
void saveClusterProfile(const std::string& path, const ClusterProfile& profile);

}  // namespace seqseg
