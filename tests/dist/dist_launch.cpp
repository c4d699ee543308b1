#include "dist_launch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/parallel/process_group.h"

namespace seqseg::test {

std::map<std::string, std::string> rankEnvironment(EnvStyle style, int rank, int size, int port) {
  const std::string r = std::to_string(rank), n = std::to_string(size);
  std::map<std::string, std::string> env{{"MASTER_ADDR", "127.0.0.1"},
                                         {"MASTER_PORT", std::to_string(port)}};
  switch (style) {
    case EnvStyle::Torchrun:
      env.insert({{"RANK", r}, {"WORLD_SIZE", n}, {"LOCAL_RANK", r}});
      break;
    case EnvStyle::OpenMpi:
      env.insert({{"OMPI_COMM_WORLD_RANK", r},
                  {"OMPI_COMM_WORLD_SIZE", n},
                  {"OMPI_COMM_WORLD_LOCAL_RANK", r}});
      break;
    case EnvStyle::Slurm:
      env.insert({{"SLURM_PROCID", r}, {"SLURM_NTASKS", n}, {"SLURM_LOCALID", r}});
      break;
    case EnvStyle::Pmi:
      env.insert({{"PMI_RANK", r}, {"PMI_SIZE", n}});
      break;
  }
  return env;
}

std::vector<RankRun> runRanks(const std::vector<std::string>& argv, int size, EnvStyle style,
                              const std::string& logDir, double deadlineSeconds, int expendable) {
  const int port = seqseg::freeLoopbackPort();
  const auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  std::vector<std::string> logs;
  for (int rank = 0; rank < size; ++rank) {
    logs.push_back(logDir + "/rank" + std::to_string(rank) + ".log");
    const auto env = rankEnvironment(style, rank, size, port);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Rank variables of other schemes may leak in from the test's own environment.
      for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID", "RANK"})
        unsetenv(name);
      for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
      const int fd = open(logs.back().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  std::vector<RankRun> runs(size);
  int running = expendable >= 0 && expendable < size ? size - 1 : size;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (running > 0 && elapsed() < deadlineSeconds) {
    for (int r = 0; r < size; ++r) {
      if (pids[r] == 0) continue;
      int status = 0;
      if (waitpid(pids[r], &status, WNOHANG) == pids[r]) {
        runs[r].exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        runs[r].seconds = elapsed();
        pids[r] = 0;
        if (r != expendable) --running;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int r = 0; r < size; ++r) {
    if (pids[r] == 0) continue;
    kill(pids[r], SIGKILL);  // past the deadline (or stopped on purpose)
    waitpid(pids[r], nullptr, 0);
    runs[r].exitCode = -1;
    runs[r].seconds = elapsed();
  }
  for (int r = 0; r < size; ++r) {
    std::ifstream in(logs[r]);
    std::stringstream text;
    text << in.rdbuf();
    runs[r].log = text.str();
  }
  return runs;
}

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace seqseg::test
