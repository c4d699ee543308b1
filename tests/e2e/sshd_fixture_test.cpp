// The sshd test fixture itself: a login as the second account with the generated key, a host
// key that ssh verifies, and no process of its sessions left once it is gone.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "tests/support/sshd_server.h"

namespace seqseg {
namespace {

TEST(SshdFixture, LogsInAsTheAccountAndLeavesNoSessionProcessBehind) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  std::vector<int> detached;
  {
    test::SshdServer server;
    std::vector<std::string> whoami = server.sshCommand();
    whoami.push_back("id -un; echo $HOME");
    const test::CommandResult who = test::runCommand(whoami);
    ASSERT_EQ(who.exitCode, 0) << who.err << server.log();
    EXPECT_EQ(who.out, server.account() + "\n" + server.home() + "\n");
    EXPECT_EQ(server.hostKeyFingerprint().rfind("SHA256:", 0), 0u);

    // A process detached from its session is still found, and ended with the server.
    std::vector<std::string> detach = server.sshCommand();
    detach.push_back("setsid sleep 300 </dev/null >/dev/null 2>&1 &");
    ASSERT_EQ(test::runCommand(detach).exitCode, 0);
    ASSERT_TRUE(test::waitFor([&] { return !server.sessionProcesses().empty(); }, 5));
    detached = server.sessionProcesses();
  }
  for (int pid : detached)
    EXPECT_FALSE(test::processAlive(pid)) << "process " << pid << " outlived sshd";
}

TEST(SshdFixture, AnotherHostKeyIsRefused) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  test::SshdServer first, second;
  // The second server's client settings, with the first server's known_hosts.
  std::vector<std::string> argv = second.sshCommand();
  for (std::string& argument : argv)
    if (argument == "UserKnownHostsFile=" + second.knownHostsFile())
      argument = "UserKnownHostsFile=" + first.knownHostsFile();
  argv.push_back("true");
  const test::CommandResult refused = test::runCommand(argv);
  EXPECT_EQ(refused.exitCode, 255);
  EXPECT_NE(refused.err.find("Host key verification failed"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace seqseg
