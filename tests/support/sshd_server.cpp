#include "tests/support/sshd_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace seqseg::test {
namespace {

namespace fs = std::filesystem;

std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

void require(const CommandResult& result, const std::string& what) {
  if (result.exitCode != 0) throw std::runtime_error(what + " failed: " + result.err + result.out);
}

// The pid's parent, from /proc/PID/stat (-1 when it is gone).
int parentOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  char state;
  int parent = -1;
  rest >> state >> parent;
  return parent;
}

std::vector<int> allProcesses() {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
      pids.push_back(std::stoi(name));
  }
  return pids;
}

// The account, with a home and no password: "*" rather than useradd's "!", which sshd (without
// PAM) takes for a locked account and refuses even with a key.
void ensureAccount(const std::string& account) {
  if (!getpwnam(account.c_str())) {
    const CommandResult added =
        runCommand({findProgram("useradd"), "-m", "-s", "/bin/sh", account});
    // 9: created meanwhile by someone else.
    if (added.exitCode != 0 && added.exitCode != 9) require(added, "useradd " + account);
  }
  require(runCommand({findProgram("usermod"), "-p", "*", account}), "usermod -p '*' " + account);
}

}  // namespace

std::string SshdServer::unavailableReason() {
  if (findProgram("sshd").empty() || findProgram("ssh").empty())
    return "sshd is not installed (scripts/bootstrap installs openssh-server)";
  if (findProgram("rsync").empty()) return "rsync is not installed (scripts/bootstrap installs it)";
  if (geteuid() != 0) return "a second local account and sshd need root";
  return "";
}

SshdServer::SshdServer(SshdOptions options) : options_(std::move(options)) {
  const std::string reason = unavailableReason();
  if (!reason.empty()) throw std::runtime_error(reason);
  try {
    ensureAccount(options_.account);
    std::random_device random;
    tag_ = std::to_string(getpid()) + "-" + std::to_string(random());
    // sshd reads authorized_keys as the account: the folders must be searchable by it.
    chmod(dir_.path().c_str(), 0755);
    fs::create_directories(dir_ / "server");
    fs::create_directories(dir_ / "client");
    chmod((dir_ / "client").c_str(), 0700);
    const std::string keygen = findProgram("ssh-keygen");
    require(runCommand({keygen, "-q", "-t", "ed25519", "-N", "", "-C", "seqseg-test-host", "-f",
                        dir_ / "server/host_ed25519"}),
            "ssh-keygen (host key)");
    require(runCommand({keygen, "-q", "-t", "ed25519", "-N", "", "-C", "seqseg-test-client", "-f",
                        identityFile()}),
            "ssh-keygen (client key)");
    writeFile(dir_ / "server/authorized_keys", readFile(identityFile() + ".pub"));
    chmod((dir_ / "server/authorized_keys").c_str(), 0644);

    port_ = freePort();
    std::ostringstream config;
    config << "Port " << port_ << "\nListenAddress " << options_.bindAddress << "\n"
           << "HostKey " << (dir_ / "server/host_ed25519") << "\n"
           << "PidFile " << (dir_ / "server/sshd.pid") << "\n"
           << "AuthorizedKeysFile " << (dir_ / "server/authorized_keys") << "\n"
           << "AllowUsers " << options_.account << "\n"
           << "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
           << "PubkeyAuthentication yes\nStrictModes no\nPermitRootLogin no\n"
           << "MaxSessions 50\nMaxStartups 50\nLogLevel VERBOSE\n"
           << "Subsystem sftp internal-sftp\n"
           << "SetEnv SEQSEG_SSHD_TAG=" << tag_;
    for (const std::string& variable : options_.sessionEnvironment) config << " " << variable;
    // The sanitizer build's settings (scripts/test-sanitizers) reach the "remote" programs too.
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"})
      if (const char* value = std::getenv(name)) config << " " << name << "=" << value;
    config << "\n";
    writeFile(dir_ / "server/sshd_config", config.str());
    fs::create_directories("/run/sshd");
    chmod("/run/sshd", 0755);

    const std::string hostKey = readFile(dir_ / "server/host_ed25519.pub");
    const std::string hostPattern = port_ == 22
                                        ? options_.bindAddress
                                        : "[" + options_.bindAddress + "]:" + std::to_string(port_);
    knownHostsLine_ = hostPattern + " " + firstLine(hostKey).substr(0, hostKey.rfind(' '));
    writeFile(knownHostsFile(), knownHostsLine_ + "\n");
    const CommandResult print = runCommand({keygen, "-lf", dir_ / "server/host_ed25519.pub"});
    require(print, "ssh-keygen -lf");
    std::istringstream fields(print.out);
    std::string bits;
    fields >> bits >> fingerprint_;

    std::vector<std::string> argv{findProgram("sshd"),         "-D", "-f",
                                  dir_ / "server/sshd_config", "-E", dir_ / "sshd.log"};
    if (!options_.netns.empty())
      argv.insert(argv.begin(), {findProgram("ip"), "netns", "exec", options_.netns});
    pid_ = startCommand(argv, dir_ / "sshd.out");
    // Ready once a real login works (also proves the key and account are right).
    std::vector<std::string> probe = sshCommand();
    probe.push_back("true");
    if (!options_.netns.empty())
      probe.insert(probe.begin(), {findProgram("ip"), "netns", "exec", options_.netns});
    CommandResult last;
    if (!waitFor(
            [&] {
              last = runCommand(probe);
              return last.exitCode == 0;
            },
            15))
      throw std::runtime_error("sshd did not accept the test key: " + last.err + "\nsshd log:\n" +
                               log() + readFile(dir_ / "sshd.out"));
  } catch (...) {
    stop();
    throw;
  }
}

SshdServer::~SshdServer() {
  stop();
}

std::string SshdServer::home() const {
  const passwd* entry = getpwnam(options_.account.c_str());
  return entry ? entry->pw_dir : "";
}

void SshdServer::authorizeKey(const std::string& publicKeyFile) {
  // sshd reads the file at each login.
  std::ofstream(dir_ / "server/authorized_keys", std::ios::app) << readFile(publicKeyFile);
}

std::vector<std::string> SshdServer::sshCommand() const {
  return {findProgram("ssh"),
          "-i",
          identityFile(),
          "-o",
          "IdentitiesOnly=yes",
          "-o",
          "UserKnownHostsFile=" + knownHostsFile(),
          "-o",
          "GlobalKnownHostsFile=/dev/null",
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "BatchMode=yes",
          "-p",
          std::to_string(port_),
          destination()};
}

nlohmann::json SshdServer::clusterProfile(const std::string& name, const nlohmann::json& scheduler,
                                          const std::string& workDir) const {
  return {{"name", name},
          {"ssh",
           {{"user", account()},
            {"host", host()},
            {"port", port()},
            {"identity_file", identityFile()},
            {"known_hosts", knownHostsFile()}}},
          {"seqseg", seqsegExecutable()},
          {"scheduler", scheduler},
          {"work_dir", "~/" + workDir},
          {"keep_job_folder", false}};
}

std::vector<int> SshdServer::sessionProcesses() const {
  std::vector<int> found;
  const std::string marker = "SEQSEG_SSHD_TAG=" + tag_;
  for (int pid : allProcesses()) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    std::string variable;
    while (std::getline(in, variable, '\0'))
      if (variable == marker) {
        found.push_back(pid);
        break;
      }
  }
  return found;
}

std::vector<int> SshdServer::connectionProcesses() const {
  std::vector<int> found;
  if (pid_ <= 0) return found;
  for (int pid : allProcesses())
    for (int up = parentOf(pid); up > 1; up = parentOf(up))
      if (up == pid_) {
        found.push_back(pid);
        break;
      }
  return found;
}

void SshdServer::dropConnections() {
  for (int pid : connectionProcesses()) kill(pid, SIGKILL);
}

void SshdServer::stop() {
  dropConnections();
  stopService(std::exchange(pid_, -1));
  // What the sessions started (detached jobs too) ends with the server.
  for (int round = 0; round < 3 && !tag_.empty(); ++round) {
    const std::vector<int> left = sessionProcesses();
    if (left.empty()) break;
    for (int pid : left) kill(pid, SIGKILL);
    waitFor([&] { return sessionProcesses().empty(); }, 2);
  }
}

}  // namespace seqseg::test
