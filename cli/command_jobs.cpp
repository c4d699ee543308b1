// seqseg jobs: the remote jobs started with --cluster (list, attach, cancel).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "jobs/progress.h"
#include "remote/remote_job.h"

namespace seqseg {

void addJobsCommand(CLI::App& app, int& exitCode) {
  CLI::App* jobs = app.add_subcommand(
      "jobs",
      "Remote jobs started with --cluster: list them with their state and progress, "
      "attach to one or cancel one");
  auto cluster = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto progress = std::make_shared<std::string>("bar");
  jobs->add_option("--cluster", *cluster, "Only the jobs of this cluster profile");
  CLI::App* attach = jobs->add_subcommand(
      "attach",
      "Stream a job's events from where they were last read; when it ends, fetch its "
      "outputs into place and remove its remote folder");
  attach->add_option("id", *id, "The job's id (see seqseg jobs)")->required();
  attach->add_option("--progress", *progress, "bar (for people) or json (JSON Lines events)")
      ->capture_default_str();
  CLI::App* cancel = jobs->add_subcommand(
      "cancel", "Cancel a job (scancel, or the end of its processes) and remove its remote folder");
  cancel->add_option("id", *id, "The job's id (see seqseg jobs)")->required();

  attach->callback([id, progress, &exitCode] {
    auto sink = makeProgressSink(*progress);
    exitCode = attachRemoteJob(*id, *sink);
  });
  cancel->callback([id, &exitCode] { exitCode = cancelRemoteJob(*id, std::cout); });
  jobs->callback([jobs, cluster] {
    if (jobs->get_subcommands().empty()) listRemoteJobs(*cluster, std::cout);
  });
}

}  // namespace seqseg
