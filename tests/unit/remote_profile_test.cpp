// The Qt-free parts of remote jobs: the quoting functions (checked by a real /bin/sh and rsync on
// hostile strings), cluster profiles (the documented schema, and one clear error per mistake),
// and the job script and sbatch options a profile gives.
#include <gtest/gtest.h>

#include <cstdlib>

#include "remote/cluster_profile.h"
#include "remote/process.h"
#include "remote/remote_job.h"
#include "remote/shell_quote.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

const std::vector<std::string> kHostile{"plain",
                                        "",
                                        "with space",
                                        "it's",
                                        "'",
                                        "''\\'",
                                        "a;b && echo pwned",
                                        "$(echo pwned)",
                                        "`echo pwned`",
                                        "${HOME}$HOME",
                                        "line\nbreak\n",
                                        "tab\there",
                                        "back\\slash\\",
                                        "\"double\"",
                                        "-n",
                                        "*?[a-z]~",
                                        "Übergröße ñ 日本",
                                        "glob * and | pipe > redirect < in & bg"};

TEST(ShellQuote, EveryHostileStringReachesTheProgramUnchangedThroughARealShell) {
  for (const std::string& text : kHostile) {
    // printf '%s' ARG: the shell must hand over exactly the bytes, and run nothing.
    const ProcessResult printed = runProcess({"/bin/sh", "-c", "printf '%s' " + shellQuote(text)});
    EXPECT_EQ(printed.exitCode, 0) << text;
    EXPECT_EQ(printed.out, text) << shellQuote(text);
  }
  // Several arguments stay several, however they look.
  const ProcessResult counted =
      runProcess({"/bin/sh", "-c", "for a in " + shellCommand(kHostile) + "; do echo x; done"});
  EXPECT_EQ(counted.out.size(), 2 * kHostile.size());
}

TEST(ShellQuote, QuotingTwiceSurvivesTwoShells) {
  // ssh hands a command line to the remote shell, which may run another shell.
  for (const std::string& text : kHostile) {
    const std::string inner = "printf '%s' " + shellQuote(text);
    const ProcessResult printed = runProcess({"/bin/sh", "-c", "sh -c " + shellQuote(inner)});
    EXPECT_EQ(printed.out, text);
  }
}

TEST(ShellQuote, RsyncSplitsItsRemoteShellIntoTheSameArguments) {
  if (test::findProgram("rsync").empty()) GTEST_SKIP() << "rsync is not installed";
  test::TempDir dir;
  // The "remote shell" writes its arguments, each ended by a NUL, and leaves.
  std::vector<std::string> shell{"/bin/sh", "-c",
                                 "printf '%s\\0' \"$@\" > " + shellQuote(dir / "args"), "sh"};
  shell.insert(shell.end(), kHostile.begin(), kHostile.end());
  runProcess({"rsync", "-e", rsyncRemoteShell(shell), dir / "args", "host:x"});
  const std::string written = test::readFile(dir / "args");
  std::vector<std::string> arguments;
  for (size_t start = 0, end; (end = written.find('\0', start)) != std::string::npos;
       start = end + 1)
    arguments.push_back(written.substr(start, end - start));
  ASSERT_GE(arguments.size(), kHostile.size()) << written;
  arguments.resize(kHostile.size());  // rsync's own arguments follow
  EXPECT_EQ(arguments, kHostile);
}

class ClusterProfiles : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    test::writeFile(dir_ / "clusters.json", text);
    return dir_ / "clusters.json";
  }
  // The InputError message for a clusters.json with this content ("" when it loads).
  std::string errorOf(const std::string& text) {
    try {
      loadClusterProfiles(write(text));
    } catch (const InputError& error) {
      return error.what();
    }
    return "";
  }
  test::TempDir dir_;
};

TEST_F(ClusterProfiles, TheDocumentedExampleLoadsAndRoundTrips) {
  const std::string path = write(R"({"clusters":[
    {"name":"lab","ssh":{"user":"alice","host":"login.example.org","port":22,
      "jump":"bob@bastion:22","identity_file":"~/.ssh/id_ed25519",
      "known_hosts":"~/.ssh/known_hosts"},
     "seqseg":"module load seqseg && seqseg",
     "scheduler":{"type":"slurm","partition":"gpu","account":"","time":"01:00:00","nodes":2,
       "tasks_per_node":2,"gpus_per_node":1},
     "work_dir":"~/seqseg-jobs","keep_job_folder":false},
    {"name":"ws","ssh":{"host":"ws.example.org"},
     "scheduler":{"type":"mpirun","hosts":["node1:2","node2:3"]}}]})");
  const std::vector<ClusterProfile> profiles = loadClusterProfiles(path);
  ASSERT_EQ(profiles.size(), 2u);
  const ClusterProfile& lab = profiles[0];
  EXPECT_EQ(lab.ssh.user, "alice");
  EXPECT_EQ(lab.ssh.jump, "bob@bastion:22");
  EXPECT_EQ(lab.seqseg, "module load seqseg && seqseg");
  EXPECT_EQ(lab.scheduler.ranks(), 4);
  EXPECT_EQ(lab.destinationText(), "alice@login.example.org:22");
  EXPECT_EQ(profiles[1].scheduler.ranks(), 5);
  EXPECT_EQ(profiles[1].ssh.port, 22);
  EXPECT_EQ(profiles[1].seqseg, "seqseg");
  EXPECT_EQ(profiles[1].workDir, "~/seqseg-jobs");
  // Saved and loaded again: the same profile.
  saveClusterProfile(dir_ / "saved.json", lab);
  EXPECT_EQ(profileToJson(loadClusterProfiles(dir_ / "saved.json").at(0)), profileToJson(lab));
}

TEST_F(ClusterProfiles, EachMistakeIsOneLineNamingTheFileAndTheProfile) {
  const std::string file = dir_ / "clusters.json";
  EXPECT_EQ(errorOf("{\"clusters\": ["), file + ": not valid JSON");
  EXPECT_EQ(errorOf("[]"), file + ": expected {\"clusters\": [ ... ]}");
  EXPECT_EQ(errorOf(R"({"clusters":[{"ssh":{"host":"h"}}]})"),
            file + ": a cluster profile has no \"name\"");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a"}]})"),
            file + ": cluster 'a': needs an \"ssh\" object with at least \"host\"");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h","port":"22"}}]})"),
            file + ": cluster 'a': \"port\" has the wrong type (string)");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h","port":0}}]})"),
            file + ": cluster 'a': \"port\" must be 1..65535");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h","password":"x"}}]})"),
            file +
                ": cluster 'a': holds a \"password\"; seqseg never stores passwords (use an "
                "ssh key or agent)");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"-oProxyCommand=x"}}]})"),
            file + ": cluster 'a': '-oProxyCommand=x' is not a host or user name");
  for (const std::string jump : {"bob@bastion:ssh", "bastion:0", "bastion:70000", "bob@:22", "h:"})
    EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h","jump":")" + jump + R"("}}]})"),
              file + ": cluster 'a': '" + jump + "' is not a jump host ([user@]host[:port])");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h","jump":"bob@bastion"}}]})"), "");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h"},"scheduler":{"type":"pbs"}}]})"),
            file + ": cluster 'a': scheduler \"type\" must be \"slurm\" or \"mpirun\", not 'pbs'");
  EXPECT_EQ(errorOf(R"({"clusters":[{"name":"a","ssh":{"host":"h"}},
                                     {"name":"a","ssh":{"host":"g"}}]})"),
            file + ": two cluster profiles are called 'a'");
  // No file: no profiles, and asking for one names the file.
  EXPECT_TRUE(loadClusterProfiles(dir_ / "none.json").empty());
}

TEST_F(ClusterProfiles, TheConfigFolderComesFromTheEnvironment) {
  setenv("SEQSEG_CONFIG_DIR", dir_.path().c_str(), 1);
  EXPECT_EQ(clustersFilePath(), dir_ / "clusters.json");
  EXPECT_EQ(jobRecordsFolder(), dir_ / "jobs");
  write(R"({"clusters":[{"name":"a","ssh":{"host":"h"}}]})");
  EXPECT_EQ(findClusterProfile("a").ssh.host, "h");
  try {
    findClusterProfile("b");
    ADD_FAILURE() << "an unknown profile was found";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              dir_ / "clusters.json" + ": no cluster profile called 'b'");
  }
  unsetenv("SEQSEG_CONFIG_DIR");
}

TEST(RemoteJobScript, RunsTheProfilesSeqsegWithQuotedArgumentsAndRecordsTheExitCodeLast) {
  ClusterProfile profile;
  profile.seqseg = "module load seqseg && seqseg";
  const std::string script =
      remoteJobScript(profile, "/home/a/jobs/1",
                      {"--batch", "-i", "/home/a/jobs/1/in", "--case", "x'; rm -rf ~; echo '"});
  EXPECT_NE(script.find("umask 077\n"), std::string::npos);
  EXPECT_NE(script.find("cd '/home/a/jobs/1' || exit 1\n"), std::string::npos);
  EXPECT_NE(script.find("module load seqseg && seqseg '--batch' '-i' '/home/a/jobs/1/in' "
                        "'--case' 'x'\\''; rm -rf ~; echo '\\''' > events.jsonl"),
            std::string::npos)
      << script;
  EXPECT_NE(script.rfind("mv exit_code.part exit_code\n"), std::string::npos);
  // Under Slurm the ranks are the tasks of one srun step of the workers beside seqseg.
  profile.scheduler.type = "slurm";
  EXPECT_NE(remoteJobScript(profile, "/j", {"--batch"})
                .find("module load seqseg && srun --kill-on-bad-exit=1 --input=none "
                      "seqseg-worker '--batch' > events.jsonl"),
            std::string::npos);
  profile.scheduler.type = "mpirun";
  // The script runs in a real shell: with `true` as seqseg, exit code 0 lands in exit_code.
  test::TempDir job;
  profile.seqseg = "true";
  test::writeFile(job / "job.sh", remoteJobScript(profile, job.path(), {"a; touch pwned"}));
  EXPECT_EQ(runProcess({"/bin/sh", job / "job.sh"}).exitCode, 0);
  EXPECT_EQ(test::readFile(job / "exit_code"), "0\n");
  EXPECT_FALSE(std::filesystem::exists(job / "pwned"));
}

TEST(RemoteJobScript, SbatchOptionsAndLauncherFollowTheProfile) {
  ClusterProfile profile;
  profile.scheduler.type = "slurm";
  profile.scheduler.partition = "gpu";
  profile.scheduler.time = "01:00:00";
  profile.scheduler.nodes = 2;
  profile.scheduler.tasksPerNode = 4;
  profile.scheduler.gpusPerNode = 4;
  EXPECT_EQ(sbatchOptions(profile, "J", "/w/J"),
            (std::vector<std::string>{"--parsable", "--job-name=seqseg-J", "--chdir=/w/J",
                                      "--output=/w/J/slurm.out", "--nodes=2", "--ntasks-per-node=4",
                                      "--partition=gpu", "--time=01:00:00", "--gpus-per-node=4"}));
  EXPECT_EQ(remoteLauncher(profile), "srun");
  EXPECT_EQ(profile.scheduler.ranks(), 8);
  profile.scheduler.type = "mpirun";
  EXPECT_EQ(remoteLauncher(profile), "local");
  profile.scheduler.hosts = {"a:2", "b"};
  EXPECT_EQ(remoteLauncher(profile), "mpirun");
  EXPECT_EQ(profile.scheduler.ranks(), 3);
}

}  // namespace
}  // namespace seqseg
