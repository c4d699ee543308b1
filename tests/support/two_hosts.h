#pragma once
// Two hosts on one machine for tests: network namespaces seqseg-h0-PID and seqseg-h1-PID joined
// by a veth pair ("eth0" in each), 198.18.0.1/24 and 198.18.0.2/24 (the range set aside for
// network tests), loopback up in both. onHost() runs a program on one of them: in its network
// namespace, with a host name of its own (seqseg-h0, seqseg-h1) and an /etc/hosts (bind-mounted
// in a private mount namespace) that names both hosts. Each host also has a wrong NIC, listed
// before eth0: "decoy0" at 198.19.H.1/24, a veth whose peer stays on the same host, so it leads
// nowhere (a program that takes the first address it finds goes wrong). The mount namespace is
// otherwise shared, so both hosts see the same files, as hosts of a cluster see a shared file
// system.
//
// The destructor kills every process still inside the namespaces and deletes them (the veth
// pair goes with them); the constructor first removes what a crashed earlier run of this
// fixture left (namespaces of this prefix whose process is gone).
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace seqseg::test {

class TwoHosts {
 public:
  // Why this machine cannot make the hosts (no `ip`, not root, namespaces not permitted); empty
  // when it can. Tries to add (and deletes) a namespace.
  static std::string unavailableReason();

  // Makes the namespaces and the link; throws std::runtime_error (leaving nothing behind) when
  // a step fails.
  TwoHosts();
  ~TwoHosts();
  TwoHosts(const TwoHosts&) = delete;
  TwoHosts& operator=(const TwoHosts&) = delete;

  static constexpr int kHosts = 2;
  const std::string& netns(int host) const { return netns_.at(host); }
  std::string address(int host) const { return "198.18.0." + std::to_string(host + 1); }
  std::string decoyAddress(int host) const { return "198.19." + std::to_string(host) + ".1"; }
  std::string hostName(int host) const { return "seqseg-h" + std::to_string(host); }
  // The hosts' network, for tools that take one (OpenMPI's *_if_include).
  std::string network() const { return "198.18.0.0/24"; }

  // argv run on `host` (see above); the program keeps this process's environment.
  std::vector<std::string> onHost(int host, const std::vector<std::string>& argv) const;

  // Processes inside the namespaces now.
  std::vector<int> processesInside() const;

  // The namespaces this machine lists now that have this fixture's prefix (any run's).
  static std::vector<std::string> listedNamespaces();

 private:
  void tearDown();

  TempDir dir_;
  std::vector<std::string> netns_;
};

}  // namespace seqseg::test
