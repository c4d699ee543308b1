// How a rank picks its addresses when the ranks are on several hosts (engine/parallel/
// host_address.h), on this machine's real interfaces and routing table.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "dist_launch.h"
#include "engine/parallel/host_address.h"

namespace seqseg {
namespace {

using test::envOf;

TEST(HostAddress, TheRouteToALocalAddressLeavesFromIt) {
  EXPECT_EQ(routeSourceAddress("127.0.0.1", 29500), "127.0.0.1");
  EXPECT_EQ(routeSourceAddress("localhost", 29500), "127.0.0.1");
  for (const std::string& own : hostAddresses()) EXPECT_EQ(routeSourceAddress(own, 29500), own);
}

TEST(HostAddress, HostAddressesLeaveLoopbackOut) {
  for (const std::string& address : hostAddresses()) EXPECT_NE(address.rfind("127.", 0), 0u);
}

TEST(HostAddress, AStoreHostThatDoesNotResolveIsNamed) {
  try {
    routeSourceAddress("no-such-host.invalid", 29500);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'no-such-host.invalid'"), std::string::npos)
        << error.what();
  }
}

TEST(HostAddress, GlooSocketIfnameNamesTheInterface) {
  RankInfo info;
  info.masterAddr = "127.0.0.1";
  info.masterPort = 29500;
  EXPECT_EQ(glooBindAddress(info, envOf({{"GLOO_SOCKET_IFNAME", "lo"}})), "127.0.0.1");
  EXPECT_EQ(glooBindAddress(info, envOf({{"GLOO_SOCKET_IFNAME", "lo,eth9"}})), "127.0.0.1");
  EXPECT_EQ(storeAddressCandidates(envOf({{"GLOO_SOCKET_IFNAME", "lo"}})),
            std::vector<std::string>{"127.0.0.1"});
  // Without it: the address that routes to the store.
  EXPECT_EQ(glooBindAddress(info, envOf({})), "127.0.0.1");
  try {
    glooBindAddress(info, envOf({{"GLOO_SOCKET_IFNAME", "nosuchnic0"}}));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "network interface 'nosuchnic0' does not exist");
  }
}

TEST(HostAddress, RankZeroOffersItsOwnAddresses) {
  const std::vector<std::string> offered = storeAddressCandidates(envOf({}));
  ASSERT_FALSE(offered.empty());
  if (hostAddresses().empty())
    EXPECT_EQ(offered, std::vector<std::string>{"127.0.0.1"});
  else
    EXPECT_EQ(offered, hostAddresses());
}

// Of rank 0's addresses, a rank takes the first on a network it is attached to: 203.0.113.0/24
// (a documentation range) is on no interface here, loopback's 127.0.0.0/8 is.
TEST(HostAddress, ARankTakesTheOfferedAddressOnItsOwnNetwork) {
  EXPECT_EQ(reachableAddress({"203.0.113.5", "127.0.0.1"}), "127.0.0.1");
  EXPECT_EQ(reachableAddress({"203.0.113.5", "127.0.0.9"}), "127.0.0.9");
  EXPECT_EQ(reachableAddress({"203.0.113.5", "203.0.113.6"}), "203.0.113.5");
  EXPECT_EQ(reachableAddress({}), "");
  for (const std::string& own : hostAddresses())
    EXPECT_EQ(reachableAddress({"203.0.113.5", own}), own);
}

// Nobody listens at the store's address: the rank gives up after the group's timeout with one
// line naming the address and port (exit 2 in the programs).
TEST(HostAddress, AStoreNobodyAnswersIsOneLineNamingItsAddress) {
  RankInfo info;
  info.rank = 1;
  info.size = 2;
  info.masterPort = freeLoopbackPort();
  ProcessGroupOptions options;
  options.timeout = std::chrono::seconds(1);
  try {
    ProcessGroup::create(info, options);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()),
              "rank 1 of 2: cannot reach the store of rank 0 at 127.0.0.1:" +
                  std::to_string(info.masterPort) + " within 1 s: Connection refused");
  }
}

}  // namespace
}  // namespace seqseg
