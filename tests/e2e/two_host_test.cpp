// Jobs whose ranks run on two hosts: two network namespaces joined by a veth pair
// (tests/support/two_hosts.h), ranks placed on both by mpirun (over ssh to an sshd on the second
// host), by Slurm (a slurmd on each host) and torchrun-style by hand. The mask must be the one
// of `--ranks 1` byte for byte, and each rank must report the store at 198.18.0.1 and its Gloo
// device on its own host's address. Every namespace and daemon the tests made must be gone
// afterwards.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <regex>
#include <stdexcept>

#include "tests/support/slurm_cluster.h"
#include "tests/support/sshd_server.h"
#include "tests/support/test_support.h"
#include "tests/support/two_hosts.h"

namespace seqseg {
namespace {

using test::CommandResult;
using test::TempDir;
using test::TwoHosts;

class TwoHostJob : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    skip_ = TwoHosts::unavailableReason();
    if (!skip_.empty()) return;
    dir_ = new TempDir();
    // Ranks on the second host may run as another account: they read the case and the model.
    chmod(dir_->path().c_str(), 0755);
    const CommandResult synth = test::runSeqseg(
        {"synth", "--out", *dir_ / "cases", "--cases", "1", "--size", "32", "--seed", "11"});
    const CommandResult one =
        test::runSeqseg(test::batchArguments(*dir_ / "cases", *dir_ / "r1", {"--ranks", "1"}));
    reference_ = test::readFile(mask(*dir_ / "r1"));
    if (synth.exitCode != 0 || one.exitCode != 0 || reference_.empty())
      startError_ = "the one-rank reference failed: " + synth.err + one.err;
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  // After a test's hosts are gone: none of their namespaces is listed and no process that ran in
  // them (daemons, ranks) is left.
  static void expectCleanedUp(const std::vector<std::string>& namespaces,
                              const std::vector<int>& processes) {
    for (const std::string& listed : TwoHosts::listedNamespaces())
      EXPECT_EQ(std::count(namespaces.begin(), namespaces.end(), listed), 0)
          << listed << " outlived the test";
    for (int pid : processes)
      EXPECT_FALSE(test::processAlive(pid)) << "process " << pid << " outlived the test";
  }

  // The line a rank of a job on several hosts writes about its addresses.
  static std::smatch addressLine(const std::string& err, int rank) {
    std::smatch match;
    std::regex_search(err, match,
                      std::regex("seqseg: rank " + std::to_string(rank) +
                                 " of 2 on ([^:]+): store at ([0-9.]+):([0-9]+), Gloo bound to "
                                 "([0-9.]+)\n"));
    return match;
  }

  // Both ranks' lines: the store on the first host, each Gloo device on its own host.
  static void expectRanksOnBothHosts(const std::string& err) {
    const std::smatch first = addressLine(err, 0), second = addressLine(err, 1);
    ASSERT_FALSE(first.empty()) << err;
    ASSERT_FALSE(second.empty()) << err;
    EXPECT_EQ(first[2], "198.18.0.1");
    EXPECT_EQ(second[2], "198.18.0.1");
    EXPECT_EQ(first[3], second[3]);
    EXPECT_EQ(first[4], "198.18.0.1");
    EXPECT_EQ(second[4], "198.18.0.2");
  }

  static void expectOneDoneEvent(const std::string& out) {
    EXPECT_NE(out.find("\"event\":\"done\""), std::string::npos) << out;
    EXPECT_EQ(out.find("\"event\":\"done\""), out.rfind("\"event\":\"done\"")) << out;
  }

  static std::string mask(const std::string& out) { return out + "/BraTS2021_00000.nii.gz"; }
  static std::string cases() { return *dir_ / "cases"; }

  static TempDir* dir_;
  static std::string skip_, startError_, reference_;
};
TempDir* TwoHostJob::dir_ = nullptr;
std::string TwoHostJob::skip_, TwoHostJob::startError_, TwoHostJob::reference_;

// mpirun on the first host starts the second rank through ssh (OpenMPI's rsh agent) on the
// second host's sshd; OpenMPI's own traffic is kept on the hosts' network. Rank 0 offers its
// addresses over MPI; each rank binds Gloo on the address that routes to the store.
TEST_F(TwoHostJob, MpirunOverSshWritesTheOneRankMask) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  std::vector<std::string> namespaces;
  std::vector<int> processes;
  {
    TwoHosts hosts;
    namespaces = {hosts.netns(0), hosts.netns(1)};
    test::SshdOptions options;
    options.bindAddress = hosts.address(1);
    options.netns = hosts.netns(1);
    test::SshdServer sshd(options);
    TempDir job;
    chmod(job.path().c_str(), 0755);
    // OpenMPI runs the agent as `AGENT HOST COMMAND...`: ssh with the test key and host key, as
    // the server's account.
    std::vector<std::string> ssh = sshd.sshCommand();
    ssh.back() = "-l";
    ssh.push_back(sshd.account());
    std::string agent = "#!/bin/sh\nexec";
    for (const std::string& argument : ssh) agent += " '" + argument + "'";
    test::writeFile(job / "ssh-agent", agent + " \"$@\"\n");
    chmod((job / "ssh-agent").c_str(), 0755);

    std::vector<std::string> argv{test::findProgram("mpirun"),
                                  "--allow-run-as-root",
                                  "--host",
                                  hosts.address(0) + "," + hosts.address(1),
                                  "-np",
                                  "2",
                                  "--mca",
                                  "plm_rsh_agent",
                                  job / "ssh-agent",
                                  "--mca",
                                  "oob_tcp_if_include",
                                  hosts.network(),
                                  "--mca",
                                  "btl_tcp_if_include",
                                  hosts.network(),
                                  test::seqsegExecutable()};
    for (const std::string& a : test::batchArguments(cases(), job / "o")) argv.push_back(a);
    const CommandResult run = test::runCommand(hosts.onHost(0, argv));
    ASSERT_EQ(run.exitCode, 0) << run.err << "\nsshd:\n" << sshd.log();
    EXPECT_EQ(test::readFile(mask(job / "o")), reference_);
    expectOneDoneEvent(run.out);
    expectRanksOnBothHosts(run.err);
    // The second rank came through the second host's sshd, from the first host.
    EXPECT_NE(
        sshd.log().find("Accepted publickey for " + sshd.account() + " from " + hosts.address(0)),
        std::string::npos)
        << sshd.log();
    processes = hosts.processesInside();
    EXPECT_FALSE(processes.empty());  // at least sshd
  }
  expectCleanedUp(namespaces, processes);
}

// A slurmd on each host (one CPU each, so two tasks need both nodes), the controller on the
// first. Ranks derive the store from the step's node list: the first node's name, which each
// host's /etc/hosts resolves to 198.18.0.1.
TEST_F(TwoHostJob, SlurmNodesOnTwoHostsWriteTheOneRankMask) {
  const std::string reason = test::SlurmCluster::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  std::vector<std::string> namespaces;
  std::vector<int> processes;
  {
    TwoHosts hosts;
    namespaces = {hosts.netns(0), hosts.netns(1)};
    std::vector<test::SlurmNode> nodes;
    for (int host = 0; host < TwoHosts::kHosts; ++host)
      nodes.push_back({hosts.hostName(host), hosts.address(host), 1,
                       [&hosts, host](const std::vector<std::string>& argv) {
                         return hosts.onHost(host, argv);
                       }});
    std::unique_ptr<test::SlurmCluster> cluster;
    try {
      cluster = std::make_unique<test::SlurmCluster>(nodes);
    } catch (const std::runtime_error& error) {
      FAIL() << error.what();
    }
    TempDir job;
    chmod(job.path().c_str(), 0755);

    std::vector<std::string> srun{cluster->program("srun"), "-N", "2", "-n", "2", "--input=none",
                                  test::seqsegExecutable()};
    for (const std::string& a : test::batchArguments(cases(), job / "srun")) srun.push_back(a);
    const CommandResult direct = test::runCommand(cluster->onController(srun));
    ASSERT_EQ(direct.exitCode, 0) << direct.err;
    EXPECT_EQ(test::readFile(mask(job / "srun")), reference_);
    expectOneDoneEvent(direct.out);
    expectRanksOnBothHosts(direct.err);
    EXPECT_EQ(addressLine(direct.err, 0)[1], hosts.hostName(0));
    EXPECT_EQ(addressLine(direct.err, 1)[1], hosts.hostName(1));

    // seqseg's own srun launcher: one step, a task on each node.
    const int stepsBefore = cluster->stepsLaunched();
    std::vector<std::string> launcher{test::seqsegExecutable()};
    for (const std::string& a :
         test::batchArguments(cases(), job / "launcher", {"--ranks", "2", "--launcher", "srun"}))
      launcher.push_back(a);
    const CommandResult launched = test::runCommand(cluster->onController(launcher));
    ASSERT_EQ(launched.exitCode, 0) << launched.err;
    EXPECT_EQ(test::readFile(mask(job / "launcher")), reference_);
    EXPECT_EQ(cluster->stepsLaunched(), stepsBefore + 2);
    expectOneDoneEvent(launched.out);
    expectRanksOnBothHosts(launched.err);

    cluster.reset();
    processes = hosts.processesInside();
    EXPECT_TRUE(processes.empty()) << processes.size() << " processes left after Slurm stopped";
  }
  expectCleanedUp(namespaces, processes);
}

// torchrun-style variables set by hand: LOCAL_WORLD_SIZE 1 of WORLD_SIZE 2 says the ranks are on
// different hosts, and MASTER_ADDR is all they know of rank 0. Rank 0 finds its address by the
// route to the store, rank 1 by GLOO_SOCKET_IFNAME.
TEST_F(TwoHostJob, TorchrunVariablesOnTwoHostsWriteTheOneRankMask) {
  TwoHosts hosts;
  TempDir job;
  chmod(job.path().c_str(), 0755);
  std::vector<int> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    std::vector<std::string> argv{
        test::findProgram("env"), "RANK=" + std::to_string(rank),
        "WORLD_SIZE=2",           "LOCAL_RANK=0",
        "LOCAL_WORLD_SIZE=1",     "MASTER_ADDR=" + hosts.address(0),
        "MASTER_PORT=29517",      "GLOO_SOCKET_IFNAME=" + std::string(rank == 1 ? "eth0" : ""),
        test::seqsegExecutable()};
    for (const std::string& a : test::batchArguments(cases(), job / "o")) argv.push_back(a);
    ranks.push_back(
        test::startCommand(hosts.onHost(rank, argv), job / ("rank" + std::to_string(rank))));
  }
  for (int pid : ranks) EXPECT_EQ(test::waitCommand(pid), 0);
  const std::string log = test::readFile(job / "rank0") + test::readFile(job / "rank1");
  EXPECT_EQ(test::readFile(mask(job / "o")), reference_) << log;
  expectRanksOnBothHosts(log);
}

// A store host no route leads to: one line naming the address and the port, exit 2, at once.
TEST_F(TwoHostJob, AnUnreachableStoreIsOneLineNamingItsAddress) {
  TwoHosts hosts;
  TempDir job;
  std::vector<std::string> argv{test::findProgram("env"),
                                "RANK=1",
                                "WORLD_SIZE=2",
                                "LOCAL_WORLD_SIZE=1",
                                "MASTER_ADDR=203.0.113.9",
                                "MASTER_PORT=29518",
                                test::seqsegExecutable()};
  for (const std::string& a : test::batchArguments(cases(), job / "o")) argv.push_back(a);
  const CommandResult run = test::runCommand(hosts.onHost(1, argv));
  EXPECT_EQ(run.exitCode, 2) << run.err;
  EXPECT_EQ(run.err,
            "seqseg: error: rank 1 of 2 on seqseg-h1: cannot reach the store at "
            "203.0.113.9:29518: Network is unreachable\n");
}

// The fixture itself: what a crashed run left (a namespace of a process that is gone, with a
// process still inside) is removed by the next, and its own hosts are gone after it.
TEST(TwoHostsFixture, RemovesLeftoversOfACrashedRunAndLeavesNothingBehind) {
  const std::string reason = TwoHosts::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  const int gone = test::startCommand({test::findProgram("true")}, "/dev/null");
  ASSERT_EQ(test::waitCommand(gone), 0);
  const std::string leftover = "seqseg-h0-" + std::to_string(gone);
  ASSERT_EQ(test::runCommand({test::findProgram("ip"), "netns", "add", leftover}).exitCode, 0);
  const int inside = test::startCommand(
      {test::findProgram("ip"), "netns", "exec", leftover, test::findProgram("sleep"), "300"},
      "/dev/null");
  ASSERT_TRUE(test::waitFor(
      [&] {
        const auto listed = TwoHosts::listedNamespaces();
        return std::count(listed.begin(), listed.end(), leftover) == 1;
      },
      5));
  std::vector<std::string> namespaces;
  {
    TwoHosts hosts;
    namespaces = {hosts.netns(0), hosts.netns(1)};
    EXPECT_FALSE(test::processAlive(inside));
    const auto listed = TwoHosts::listedNamespaces();
    EXPECT_EQ(std::count(listed.begin(), listed.end(), leftover), 0);
    for (const std::string& netns : namespaces)
      EXPECT_EQ(std::count(listed.begin(), listed.end(), netns), 1) << netns;
    // The route to the other host leaves by eth0 from this host's address, not by the decoy.
    const CommandResult routes = test::runCommand(
        hosts.onHost(1, {test::findProgram("ip"), "-o", "route", "get", hosts.address(0)}));
    EXPECT_NE(routes.out.find("dev eth0 src " + hosts.address(1)), std::string::npos)
        << routes.out << routes.err;
    const CommandResult named = test::runCommand(
        hosts.onHost(1, {test::findProgram("sh"), "-c", "hostname; getent hosts seqseg-h0"}));
    EXPECT_EQ(named.out, "seqseg-h1\n198.18.0.1      seqseg-h0\n") << named.err;
  }
  test::waitCommand(inside);
  const auto listed = TwoHosts::listedNamespaces();
  for (const std::string& netns : namespaces)
    EXPECT_EQ(std::count(listed.begin(), listed.end(), netns), 0) << netns;
}

}  // namespace
}  // namespace seqseg
