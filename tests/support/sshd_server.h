#pragma once
// A real OpenSSH server for tests: `sshd -D` with a generated configuration and host key on a
// free port of a given address (optionally inside a network namespace), accepting a generated
// ed25519 client key for a second local account. Stopped, with every process its sessions
// started, when the object goes.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace seqseg::test {

struct SshdOptions {
  std::string bindAddress = "127.0.0.1";
  std::string netns;                      // run sshd inside this network namespace when set
  std::string account = "seqseg-remote";  // the remote account (created with useradd if missing)
  // NAME=VALUE variables set in every session (sshd's SetEnv), e.g. SLURM_CONF.
  std::vector<std::string> sessionEnvironment;
};

class SshdServer {
 public:
  // Why this machine cannot run the server (sshd not installed, not root); empty when it can.
  static std::string unavailableReason();

  // Starts the server and waits until it accepts connections; throws std::runtime_error (with
  // sshd's log) when it does not, leaving nothing running.
  explicit SshdServer(SshdOptions options = {});
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  const std::string& host() const { return options_.bindAddress; }
  int port() const { return port_; }
  const std::string& account() const { return options_.account; }
  std::string home() const;  // the account's home folder
  std::string destination() const { return options_.account + "@" + options_.bindAddress; }

  std::string identityFile() const { return dir_ / "client/id_ed25519"; }
  // Lets another client key log in too (e.g. another server's identityFile() + ".pub"), so that
  // one key reaches both a jump host and the host behind it.
  void authorizeKey(const std::string& publicKeyFile);
  // A known_hosts file holding this server's host key (and nothing else), and its one line.
  std::string knownHostsFile() const { return dir_ / "client/known_hosts"; }
  std::string knownHostsLine() const { return knownHostsLine_; }
  // "SHA256:..." of the host key, as ssh-keygen -lf prints it.
  std::string hostKeyFingerprint() const { return fingerprint_; }

  // ssh options that reach this server as the account with the generated key, verifying the
  // host key against knownHostsFile(); append a command.
  std::vector<std::string> sshCommand() const;

  // A clusters.json profile named `name` that reaches this server as its account (its key, its
  // known_hosts) and runs the test build's seqseg under `scheduler`, in ~/`workDir`.
  nlohmann::json clusterProfile(const std::string& name, const nlohmann::json& scheduler,
                                const std::string& workDir) const;

  // Processes the account runs that came from this server's sessions (their environment holds
  // this server's tag), in no particular order.
  std::vector<int> sessionProcesses() const;
  // Ends every connection: kills the per-connection sshd processes, not what they started.
  void dropConnections();

  std::string log() const { return readFile(dir_ / "sshd.log"); }

 private:
  void stop();
  std::vector<int> connectionProcesses() const;

  SshdOptions options_;
  TempDir dir_;
  std::string tag_;
  std::string knownHostsLine_, fingerprint_;
  int port_ = 0;
  int pid_ = -1;
};

}  // namespace seqseg::test
