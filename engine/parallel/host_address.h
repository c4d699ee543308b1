#pragma once
// Which of this host's addresses a rank uses when the ranks of a job are on several hosts
// (docs/architecture.md, "Ranks, launch, jobs"). The conventions are PyTorch's: GLOO_SOCKET_IFNAME names
// the interface; without it, a rank binds the local address the kernel would use to reach rank
// 0's store (MASTER_ADDR), so the interface that reaches the other hosts is chosen by the
// routing table, never 127.0.0.1 or a NIC that leads elsewhere. IPv4 only.
#include <chrono>
#include <string>
#include <vector>

#include "engine/parallel/process_group.h"

namespace seqseg {

// The IPv4 address of this host's interface `name`. Throws std::invalid_argument naming the
// interface when it does not exist or has no IPv4 address.
std::string interfaceAddress(const std::string& name);

// The IPv4 address `host` (a name or a dotted quad) resolves to. Throws std::invalid_argument
// naming the host when it does not resolve.
std::string resolveIpv4(const std::string& host);

// The local address the kernel picks to reach host:port (a UDP socket connected to it: no packet
// is sent). Throws std::invalid_argument naming host and port when the host does not resolve or
// no route leads there.
std::string routeSourceAddress(const std::string& host, int port);

// This host's IPv4 addresses on interfaces that are up, loopback excluded, in interface order.
std::vector<std::string> hostAddresses();

// The first of `candidates` (rank 0's addresses) on a network attached to one of this host's
// interfaces (or one of this host's own addresses); else the first. Empty for no candidates.
std::string reachableAddress(const std::vector<std::string>& candidates);

// The addresses rank 0 offers the other ranks for its store: GLOO_SOCKET_IFNAME's address when
// that is set, else hostAddresses(). Never empty: 127.0.0.1 when nothing else is up.
std::vector<std::string> storeAddressCandidates(const EnvLookup& env = processEnvironment());

// The address this rank's Gloo device binds in a job on several hosts: GLOO_SOCKET_IFNAME's
// address (the first of a comma-separated list), else routeSourceAddress(masterAddr, port).
std::string glooBindAddress(const RankInfo& info, const EnvLookup& env = processEnvironment());

// Waits until something accepts TCP connections at host:port (rank 0's store), trying every
// 100 ms. Throws std::invalid_argument naming host and port, with the last error, when nothing
// did within `timeout`.
void waitForListener(const std::string& host, int port, std::chrono::milliseconds timeout);

// A TCP port free on every address of this host a moment ago, for rank 0's store.
int freeStorePort();

}  // namespace seqseg
