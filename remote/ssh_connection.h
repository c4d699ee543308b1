#pragma once
// One multiplexed ssh connection to a cluster profile's login host, through the system's ssh
// and rsync: a ControlMaster in a user-only runtime folder, BatchMode (never a password prompt)
// and StrictHostKeyChecking against the profile's known_hosts. Every remote command goes through
// shellQuote (remote/shell_quote.h) by its callers; files are created user-only (umask 077).
#include <stdexcept>
#include <string>
#include <vector>

#include "remote/cluster_profile.h"
#include "remote/process.h"

namespace seqseg {

// The cluster cannot be reached (after the host key was accepted): network, sshd, login.
class RemoteUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SshConnection {
 public:
  explicit SshConnection(ClusterProfile profile);
  ~SshConnection();  // closes the master connection
  SshConnection(const SshConnection&) = delete;
  SshConnection& operator=(const SshConnection&) = delete;

  const ClusterProfile& profile() const { return profile_; }

  // Opens the master connection. An unknown host key is an InputError naming the profile, the
  // key's fingerprint and the command that accepts it; a changed one is refused likewise; any
  // other failure is RemoteUnreachable with ssh's own words.
  void open();
  // Opens it again unless it is still up (after a dropped connection).
  void reopen();

  // Runs `command` (a POSIX shell line, arguments already quoted) remotely under umask 077.
  // Throws RemoteUnreachable when ssh itself fails (exit 255).
  ProcessResult run(const std::string& command, const std::string& input = "") const;

  // rsync of local paths (relative to `localBase`, which ends in '/') into the remote folder
  // `remoteFolder` (absolute), keeping their relative paths; resumable (--partial).
  void upload(const std::string& localBase, const std::vector<std::string>& relativePaths,
              const std::string& remoteFolder) const;
  // rsync of a remote folder's content into a local folder.
  void download(const std::string& remoteFolder, const std::string& localFolder) const;

  // ssh's argv up to (not including) the destination, as used for every call.
  std::vector<std::string> sshOptions() const;
  std::string destination() const;

 private:
  // `ssh -p PORT` with the profile's host-key and key rules; also how a jump host is reached.
  std::vector<std::string> authenticatedSsh(const std::string& port) const;
  // ssh to the profile's jump host, its stdin and stdout forwarded to `forwardTo` (host:port).
  std::vector<std::string> jumpHostSsh(const std::string& forwardTo) const;
  // An unknown or changed host key (of the login host, or of the jump host when that one is the
  // cause) is an InputError; anything else RemoteUnreachable.
  [[noreturn]] void refuse(const ProcessResult& failed) const;
  std::string knownHostsFile() const;

  ClusterProfile profile_;
  std::string controlPath_;
  bool open_ = false;
};

}  // namespace seqseg
