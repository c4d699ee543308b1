#include "engine/parallel/host_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

namespace seqseg {
namespace {

std::string dotted(const in_addr& address) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

struct Interface {
  std::string name;
  in_addr address{}, netmask{};
  bool loopback = false;
};

// IPv4 addresses of interfaces that are up.
std::vector<Interface> interfacesUp() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    throw std::runtime_error(std::string("getifaddrs: ") + std::strerror(errno));
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);
  std::vector<Interface> interfaces;
  for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || entry->ifa_addr->sa_family != AF_INET || !entry->ifa_netmask ||
        !(entry->ifa_flags & IFF_UP))
      continue;
    Interface i;
    i.name = entry->ifa_name;
    i.address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr;
    i.netmask = reinterpret_cast<const sockaddr_in*>(entry->ifa_netmask)->sin_addr;
    i.loopback = (entry->ifa_flags & IFF_LOOPBACK) != 0;
    interfaces.push_back(i);
  }
  return interfaces;
}

std::string firstOfList(const std::string& names) {
  return names.substr(0, names.find(','));
}

}  // namespace

std::string interfaceAddress(const std::string& name) {
  for (const Interface& i : interfacesUp())
    if (i.name == name) return dotted(i.address);
  const bool exists = if_nametoindex(name.c_str()) != 0;
  throw std::invalid_argument("network interface '" + name + "' " +
                              (exists ? "is down or has no IPv4 address" : "does not exist"));
}

std::string resolveIpv4(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (status != 0 || !found)
    throw std::invalid_argument("store host '" + host +
                                "' does not resolve to an IPv4 address: " + gai_strerror(status));
  const std::string address = dotted(reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr);
  freeaddrinfo(found);
  return address;
}

std::string routeSourceAddress(const std::string& host, int port) {
  const std::string where = host + ":" + std::to_string(port);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, resolveIpv4(host).c_str(), &target.sin_addr);
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in local{};
  socklen_t length = sizeof local;
  const bool routed = connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0 &&
                      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0;
  const int error = errno;
  close(fd);
  if (!routed)
    throw std::invalid_argument("cannot reach the store at " + where + ": " + std::strerror(error));
  return dotted(local.sin_addr);
}

std::vector<std::string> hostAddresses() {
  std::vector<std::string> addresses;
  for (const Interface& i : interfacesUp())
    if (!i.loopback) addresses.push_back(dotted(i.address));
  return addresses;
}

std::string reachableAddress(const std::vector<std::string>& candidates) {
  const std::vector<Interface> interfaces = interfacesUp();
  for (const std::string& candidate : candidates) {
    in_addr address{};
    if (inet_pton(AF_INET, candidate.c_str(), &address) != 1) continue;
    for (const Interface& i : interfaces)
      if ((address.s_addr & i.netmask.s_addr) == (i.address.s_addr & i.netmask.s_addr))
        return candidate;
  }
  return candidates.empty() ? "" : candidates.front();
}

std::vector<std::string> storeAddressCandidates(const EnvLookup& env) {
  if (auto names = env("GLOO_SOCKET_IFNAME"); names && !names->empty())
    return {interfaceAddress(firstOfList(*names))};
  std::vector<std::string> addresses = hostAddresses();
  if (addresses.empty()) addresses.push_back("127.0.0.1");
  return addresses;
}

std::string glooBindAddress(const RankInfo& info, const EnvLookup& env) {
  if (auto names = env("GLOO_SOCKET_IFNAME"); names && !names->empty())
    return interfaceAddress(firstOfList(*names));
  return routeSourceAddress(info.masterAddr, info.masterPort);
}

void waitForListener(const std::string& host, int port, std::chrono::milliseconds timeout) {
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, resolveIpv4(host).c_str(), &target.sin_addr);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0;
    const int error = errno;
    close(fd);
    if (connected) return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::invalid_argument(
          "cannot reach the store of rank 0 at " + host + ":" + std::to_string(port) + " within " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s: " + std::strerror(error));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int freeStorePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof address;
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!bound) throw std::runtime_error("could not find a free port for the store");
  return ntohs(address.sin_port);
}

}  // namespace seqseg
