#include "remote/ssh_connection.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "remote/shell_quote.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

// A folder only this user can enter, for the control sockets: $XDG_RUNTIME_DIR/seqseg or
// /tmp/seqseg-UID. Refuses one that belongs to someone else or is open to others.
std::string runtimeFolder() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  const std::string folder = xdg && *xdg && fs::is_directory(xdg)
                                 ? std::string(xdg) + "/seqseg"
                                 : "/tmp/seqseg-" + std::to_string(getuid());
  mkdir(folder.c_str(), 0700);
  struct stat info {};
  if (lstat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != getuid() ||
      (info.st_mode & 077) != 0)
    throw InputError(folder,
                     "the folder for ssh control sockets must be a folder of this user "
                     "that nobody else can enter");
  return folder;
}

// A jump host, "[user@]host[:port]", as ssh's destination, host and port.
struct JumpHost {
  std::string destination, host;
  int port = 22;
};

JumpHost parseJump(const std::string& jump) {
  JumpHost hop{jump, jump};
  const size_t at = jump.rfind('@');
  const size_t colon = jump.rfind(':');
  if (colon != std::string::npos && (at == std::string::npos || colon > at)) {
    hop.destination = jump.substr(0, colon);
    hop.port = std::atoi(jump.c_str() + colon + 1);
  }
  hop.host = at == std::string::npos ? hop.destination : hop.destination.substr(at + 1);
  return hop;
}

std::string percentsDoubled(const std::string& text) {
  std::string doubled;
  for (char c : text) {
    if (c == '%') doubled += '%';
    doubled += c;
  }
  return doubled;
}

// ssh refused the host's key (unknown, or not the one known).
bool knownHostProblem(const std::string& said) {
  return said.find("Host key verification failed") != std::string::npos ||
         said.find("host key is known") != std::string::npos ||
         said.find("REMOTE HOST IDENTIFICATION HAS CHANGED") != std::string::npos;
}

std::string lastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const size_t newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

}  // namespace

SshConnection::SshConnection(ClusterProfile profile) : profile_(std::move(profile)) {
  controlPath_ = runtimeFolder() + "/cm-" + std::to_string(getpid()) + "-%C";
}

SshConnection::~SshConnection() {
  if (!open_) return;
  std::vector<std::string> argv = sshOptions();
  argv.insert(argv.end(), {"-O", "exit", destination()});
  runProcess(argv);
}

std::string SshConnection::knownHostsFile() const {
  return expandHome(profile_.ssh.knownHosts.empty() ? "~/.ssh/known_hosts"
                                                    : profile_.ssh.knownHosts);
}

std::string SshConnection::destination() const {
  return (profile_.ssh.user.empty() ? "" : profile_.ssh.user + "@") + profile_.ssh.host;
}

// `ssh` to `port` with this profile's rules: never a password prompt, only known host keys (from
// the profile's known_hosts), and the profile's key when it names one.
std::vector<std::string> SshConnection::authenticatedSsh(const std::string& port) const {
  std::vector<std::string> argv{"ssh",
                                "-o",
                                "BatchMode=yes",
                                "-o",
                                "StrictHostKeyChecking=yes",
                                "-o",
                                "UserKnownHostsFile=" + knownHostsFile(),
                                "-p",
                                port};
  if (!profile_.ssh.identityFile.empty())
    argv.insert(argv.end(),
                {"-o", "IdentitiesOnly=yes", "-i", expandHome(profile_.ssh.identityFile)});
  return argv;
}

std::vector<std::string> SshConnection::jumpHostSsh(const std::string& forwardTo) const {
  const JumpHost jump = parseJump(profile_.ssh.jump);
  std::vector<std::string> argv = authenticatedSsh(std::to_string(jump.port));
  argv.insert(argv.end(), {"-o", "ConnectTimeout=15", "-W", forwardTo, jump.destination});
  return argv;
}

std::vector<std::string> SshConnection::sshOptions() const {
  std::vector<std::string> argv = authenticatedSsh(std::to_string(profile_.ssh.port));
  argv.insert(argv.end(),
              {"-o", "ControlPath=" + controlPath_, "-o", "ControlMaster=no", "-o",
               "ConnectTimeout=15", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3"});
  if (!profile_.ssh.jump.empty()) {
    // The jump host is reached with the same key and host-key rules (ProxyJump would not pass
    // the known_hosts file on).
    std::vector<std::string> proxy = jumpHostSsh("%h:%p");
    // ssh expands %-tokens in a ProxyCommand: a '%' in a path or name must stay one.
    for (std::string& word : proxy)
      if (word != "%h:%p") word = percentsDoubled(word);
    argv.insert(argv.end(), {"-o", "ProxyCommand=" + shellCommand(proxy)});
  }
  return argv;
}

void SshConnection::refuse(const ProcessResult& failed) const {
  std::string where = "cluster '" + profile_.name + "' (" + profile_.destinationText() + ")";
  ProcessResult result = failed;
  std::string host = profile_.ssh.host;
  int port = profile_.ssh.port;
  if (!profile_.ssh.jump.empty() && !knownHostProblem(failed.err)) {
    // ssh sends the ProxyCommand's words of a ControlPersist master to /dev/null: when the login
    // host was not the problem, the hop alone says whether the jump host is.
    const ProcessResult hop =
        runProcess(jumpHostSsh(profile_.ssh.host + ":" + std::to_string(profile_.ssh.port)), "");
    if (hop.exitCode == 255) {
      const JumpHost jump = parseJump(profile_.ssh.jump);
      where += ": jump host " + profile_.ssh.jump;
      result = hop;
      host = jump.host;
      port = jump.port;
    }
  }
  if (result.err.find("REMOTE HOST IDENTIFICATION HAS CHANGED") != std::string::npos)
    throw InputError(knownHostsFile(), where +
                                           ": the host's key differs from the one known here; "
                                           "refused (if the server's key really changed, remove "
                                           "its old line with ssh-keygen -R)");
  if (knownHostProblem(result.err)) {
    std::string scan = "ssh-keyscan";
    if (port != 22) scan += " -p " + std::to_string(port);
    scan += " " + host;
    // The key the server offers now, to compare with what its administrators publish.
    const ProcessResult keys =
        runProcess({"ssh-keyscan", "-T", "10", "-p", std::to_string(port), host});
    std::string fingerprints;
    if (keys.exitCode == 0 && !keys.out.empty()) {
      const std::string scanned =
          (fs::temp_directory_path() / ("seqseg-keyscan-" + std::to_string(getpid()))).string();
      std::ofstream(scanned) << keys.out;
      const ProcessResult printed = runProcess({"ssh-keygen", "-lf", scanned});
      fs::remove(scanned);
      std::istringstream lines(printed.out);
      for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string bits, hash, host, type;
        fields >> bits >> hash >> host >> type;
        if (hash.empty()) continue;
        if (!fingerprints.empty()) fingerprints += ", ";
        fingerprints += (type.size() > 2 ? type.substr(1, type.size() - 2) : type) + " " + hash;
      }
    }
    throw InputError(knownHostsFile(),
                     where + ": the host key is not known" +
                         (fingerprints.empty() ? std::string(" (the server offered none)")
                                               : " (the server offers " + fingerprints + ")") +
                         "; if that is the server's key, accept it with: " + scan + " >> " +
                         shellQuote(knownHostsFile()));
  }
  const std::string said = lastLine(result.err);
  throw RemoteUnreachable(where + ": cannot connect: " + (said.empty() ? "ssh failed" : said));
}

void SshConnection::open() {
  std::vector<std::string> argv = sshOptions();
  // The master goes to the background once logged in (-f), with its output sent to /dev/null.
  for (std::string& option : argv)
    if (option == "ControlMaster=no") option = "ControlMaster=yes";
  argv.insert(argv.end(), {"-o", "ControlPersist=yes", "-f", "-N", destination()});
  const ProcessResult master = runProcess(argv);
  if (master.exitCode != 0) refuse(master);
  open_ = true;
}

void SshConnection::reopen() {
  std::vector<std::string> check = sshOptions();
  check.insert(check.end(), {"-O", "check", destination()});
  if (runProcess(check).exitCode == 0) return;
  open();
}

ProcessResult SshConnection::run(const std::string& command, const std::string& input) const {
  std::vector<std::string> argv = sshOptions();
  argv.insert(argv.end(), {"-T", destination(), "umask 077; " + command});
  ProcessResult result = runProcess(argv, input);
  if (result.exitCode == 255) refuse(result);
  return result;
}

namespace {

// rsync over this connection: the same ssh options (quoted for rsync's own splitting), names
// passed to the remote rsync unchanged (--protect-args) and created user-only.
std::vector<std::string> rsyncCommand(const std::vector<std::string>& sshOptions) {
  return {"rsync",
          "-a",
          "-r",
          "--partial",
          "--protect-args",
          "--chmod=Du=rwx,Dgo=,Fu=rw,Fgo=",
          "--rsync-path=umask 077; rsync",
          "-e",
          rsyncRemoteShell(sshOptions)};
}

}  // namespace

void SshConnection::upload(const std::string& localBase,
                           const std::vector<std::string>& relativePaths,
                           const std::string& remoteFolder) const {
  std::string list;
  for (const std::string& path : relativePaths) list += path + '\0';
  std::vector<std::string> argv = rsyncCommand(sshOptions());
  argv.insert(argv.end(),
              {"--from0", "--files-from=-", localBase, destination() + ":" + remoteFolder + "/"});
  const ProcessResult result = runProcess(argv, list);
  if (result.exitCode != 0)
    throw RemoteUnreachable("cluster '" + profile_.name + "': upload of " + localBase +
                            " failed: " + lastLine(result.err));
}

void SshConnection::download(const std::string& remoteFolder,
                             const std::string& localFolder) const {
  std::vector<std::string> argv = rsyncCommand(sshOptions());
  argv.insert(argv.end(), {destination() + ":" + remoteFolder + "/", localFolder + "/"});
  const ProcessResult result = runProcess(argv);
  if (result.exitCode != 0)
    throw RemoteUnreachable("cluster '" + profile_.name + "': download of " + remoteFolder +
                            " failed: " + lastLine(result.err));
}

}  // namespace seqseg
