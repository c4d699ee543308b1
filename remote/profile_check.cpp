#include "remote/profile_check.h"

#include <memory>
#include <utility>

#include "remote/shell_quote.h"
#include "remote/ssh_connection.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

std::string firstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// The checks after the connection: the remote seqseg's version, the scheduler, the partition.
void runRemoteChecks(const ClusterProfile& profile, SshConnection& connection,
                     const std::function<void(ProfileCheck)>& add) {
  const ProcessResult version = connection.run(profile.seqseg + " --version 2>&1");
  const std::string local = std::string("seqseg ") + SEQSEG_VERSION;
  const std::string remote = firstLine(version.out);
  add({"seqseg version", version.exitCode == 0 && remote.rfind(local + " ", 0) == 0,
       version.exitCode == 0
           ? remote + (remote.rfind(local + " ", 0) == 0 ? "" : " (this is " + local + ")")
           : profile.seqseg + " does not run: " + remote});

  const SchedulerSettings& s = profile.scheduler;
  if (s.type == "slurm") {
    const ProcessResult found = connection.run("command -v sbatch && command -v squeue");
    add({"scheduler found", found.exitCode == 0,
         found.exitCode == 0 ? "slurm: " + firstLine(found.out)
                             : "sbatch or squeue is not on the remote PATH"});
    if (s.partition.empty()) {
      add({"partition exists", true, "none given (the cluster's default)"});
    } else {
      const ProcessResult partition =
          connection.run("sinfo -h -p " + shellQuote(s.partition) + " -o %P 2>&1");
      const bool exists = partition.exitCode == 0 && !partition.out.empty() &&
                          partition.out.find("invalid") == std::string::npos;
      add({"partition exists", exists,
           exists ? s.partition : "no partition '" + s.partition + "' (sinfo)"});
    }
  } else if (s.hosts.empty()) {
    add({"scheduler found", true, "none needed: ranks run on the login host"});
    add({"partition exists", true, "not a Slurm profile"});
  } else {
    const ProcessResult found = connection.run("command -v mpirun");
    add({"scheduler found", found.exitCode == 0,
         found.exitCode == 0 ? "mpirun: " + firstLine(found.out)
                             : "mpirun is not on the remote PATH"});
    add({"partition exists", true, "not a Slurm profile"});
  }
}

}  // namespace

std::vector<ProfileCheck> checkClusterProfile(
    const ClusterProfile& profile, const std::function<void(const ProfileCheck&)>& onCheck) {
  std::vector<ProfileCheck> checks;
  auto add = [&](ProfileCheck check) {
    checks.push_back(std::move(check));
    if (onCheck) onCheck(checks.back());
  };
  SshConnection connection(profile);
  try {
    connection.open();
    add({"ssh reachable", true, profile.destinationText()});
    add({"host key known", true, "verified against known_hosts"});
  } catch (const InputError& refused) {
    add({"ssh reachable", true, profile.destinationText()});
    add({"host key known", false, refused.problem()});
  } catch (const RemoteUnreachable& unreachable) {
    add({"ssh reachable", false, unreachable.what()});
    add({"host key known", false, "not checked"});
  }
  const bool connected = checks[0].passed && checks[1].passed;
  const std::vector<std::string> later{"seqseg version", "scheduler found", "partition exists"};
  if (!connected) {
    for (const std::string& what : later) add({what, false, "not checked"});
    return checks;
  }

  // The connection can still fail between checks (a network drop, the host going down): the
  // check under way fails with ssh's words and the rest are not run.
  try {
    runRemoteChecks(profile, connection, add);
  } catch (const RemoteUnreachable& lost) {
    const size_t reached = checks.size() - 2;  // the later checks already reported
    for (size_t n = reached; n < later.size(); ++n)
      add({later[n], false, n == reached ? lost.what() : "not checked"});
  }
  return checks;
}

}  // namespace seqseg
