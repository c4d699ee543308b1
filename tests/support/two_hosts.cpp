#include "tests/support/two_hosts.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace seqseg::test {
namespace {

constexpr const char* kPrefix = "seqseg-h";

CommandResult ip(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{findProgram("ip")};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return runCommand(argv);
}

void require(const CommandResult& result, const std::string& what) {
  if (result.exitCode != 0)
    throw std::runtime_error("two hosts: " + what + " failed: " + result.err + result.out);
}

std::vector<int> pidsIn(const std::string& netns) {
  std::vector<int> pids;
  std::istringstream lines(ip({"netns", "pids", netns}).out);
  for (int pid; lines >> pid;) pids.push_back(pid);
  return pids;
}

// Kills what runs inside, then deletes the namespace (its end of the veth pair goes with it).
void removeNamespace(const std::string& netns) {
  for (int round = 0; round < 3; ++round) {
    const std::vector<int> pids = pidsIn(netns);
    if (pids.empty()) break;
    for (int pid : pids) kill(pid, round == 0 ? SIGTERM : SIGKILL);
    waitFor([&] { return pidsIn(netns).empty(); }, round == 0 ? 5 : 2);
  }
  ip({"netns", "delete", netns});
}

// "seqseg-h0-1234" -> 1234; -1 when the name is not of this fixture.
int ownerOf(const std::string& netns) {
  if (netns.rfind(kPrefix, 0) != 0) return -1;
  const size_t dash = netns.rfind('-');
  const std::string digits = netns.substr(dash + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(digits);
}

}  // namespace

std::vector<std::string> TwoHosts::listedNamespaces() {
  std::vector<std::string> names;
  std::istringstream lines(ip({"netns", "list"}).out);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = line.substr(0, line.find(' '));
    if (ownerOf(name) >= 0) names.push_back(name);
  }
  return names;
}

std::string TwoHosts::unavailableReason() {
  for (const char* program : {"ip", "nsenter", "unshare"})
    if (findProgram(program).empty())
      return std::string(program) + " is not installed (iproute2, util-linux)";
  if (geteuid() != 0) return "network namespaces need root";
  const std::string probe = "seqseg-probe-" + std::to_string(getpid());
  const CommandResult added = ip({"netns", "add", probe});
  if (added.exitCode != 0)
    return "this machine does not permit network namespaces (ip netns add: " +
           added.err.substr(0, added.err.find('\n')) + ")";
  ip({"netns", "delete", probe});
  return "";
}

TwoHosts::TwoHosts() {
  const std::string reason = unavailableReason();
  if (!reason.empty()) throw std::runtime_error(reason);
  for (const std::string& name : listedNamespaces())
    if (ownerOf(name) != getpid() && !processAlive(ownerOf(name))) removeNamespace(name);
  try {
    for (int host = 0; host < kHosts; ++host) {
      netns_.push_back(kPrefix + std::to_string(host) + "-" + std::to_string(getpid()));
      removeNamespace(netns_.back());  // this process's own, from an earlier fixture
      require(ip({"netns", "add", netns_.back()}), "ip netns add " + netns_.back());
      // The wrong NIC, made first so that it is listed first.
      require(ip({"-n", netns_.back(), "link", "add", "decoy0", "type", "veth", "peer", "name",
                  "decoy1"}),
              "ip link add (decoy)");
      require(ip({"-n", netns_.back(), "addr", "add", decoyAddress(host) + "/24", "dev", "decoy0"}),
              "address " + decoyAddress(host));
      for (const char* end : {"decoy0", "decoy1"})
        require(ip({"-n", netns_.back(), "link", "set", end, "up"}), "decoy up");
    }
    require(ip({"link", "add", "eth0", "netns", netns_[0], "type", "veth", "peer", "name", "eth0",
                "netns", netns_[1]}),
            "ip link add (veth pair)");
    std::string hosts = "127.0.0.1 localhost\n";
    for (int host = 0; host < kHosts; ++host) {
      const std::vector<std::string> in{"-n", netns_[host]};
      auto inside = [&](std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), in.begin(), in.end());
        return arguments;
      };
      require(ip(inside({"link", "set", "lo", "up"})), "loopback up in " + netns_[host]);
      require(ip(inside({"addr", "add", address(host) + "/24", "dev", "eth0"})),
              "address " + address(host));
      require(ip(inside({"link", "set", "eth0", "up"})), "eth0 up in " + netns_[host]);
      hosts += address(host) + " " + hostName(host) + "\n";
    }
    writeFile(dir_ / "hosts", hosts);
    chmod(dir_.path().c_str(), 0755);
    chmod((dir_ / "hosts").c_str(), 0644);
  } catch (...) {
    tearDown();
    throw;
  }
}

TwoHosts::~TwoHosts() {
  tearDown();
}

void TwoHosts::tearDown() {
  for (const std::string& netns : netns_) removeNamespace(netns);
  netns_.clear();
}

std::vector<std::string> TwoHosts::onHost(int host, const std::vector<std::string>& argv) const {
  // nsenter rather than `ip netns exec`, which remounts /sys and so hides the cgroup file
  // system that slurmd needs; unshare makes the host name and the /etc/hosts mount private.
  std::vector<std::string> wrapped{
      findProgram("nsenter"),
      "--net=/run/netns/" + netns(host),
      findProgram("unshare"),
      "--uts",
      "--mount",
      "--",
      "/bin/sh",
      "-c",
      "mount --bind \"$0\" /etc/hosts && hostname \"$1\" && shift && exec \"$@\"",
      dir_ / "hosts",
      hostName(host)};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::vector<int> TwoHosts::processesInside() const {
  std::vector<int> pids;
  for (const std::string& netns : netns_)
    for (int pid : pidsIn(netns)) pids.push_back(pid);
  return pids;
}

}  // namespace seqseg::test
