#include "cli/rank_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "engine/parallel/process_group.h"
#include "types/atomic_file.h"

namespace seqseg {
namespace {

constexpr auto kGracePeriod = std::chrono::seconds(10);  // SIGTERM to SIGKILL

int signalPipe[2] = {-1, -1};

void forwardSignal(int signal) {
  const unsigned char byte = static_cast<unsigned char>(signal);
  [[maybe_unused]] const ssize_t written = write(signalPipe[1], &byte, 1);
}

// While a job runs, SIGTERM/SIGINT/SIGHUP cancel it (through the loop below) instead of ending
// this process at once.
class CancelSignals {
 public:
  CancelSignals() {
    if (signalPipe[0] < 0 && pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
      throw std::runtime_error("pipe() failed");
    struct sigaction action {};
    action.sa_handler = forwardSignal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &previous_[i]);
  }
  ~CancelSignals() {
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
  }
  int fd() const { return signalPipe[0]; }

 private:
  static constexpr std::array<int, 3> kSignals{SIGTERM, SIGINT, SIGHUP};
  std::array<struct sigaction, 3> previous_{};
};

std::string describeStatus(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

std::vector<char*> argvOf(std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  return argv;
}

struct Child {
  pid_t pid = -1;
  int rank = 0;  // -1: the launcher process (mpirun, srun)
  bool running = true;
  int status = 0;
};

// Starts one child with its stdout on `stdoutFd` (or /dev/null when -1), in process group
// `group` (0: a new group led by the child).
pid_t startChild(std::vector<std::string> argv, int stdoutFd, pid_t group,
                 const std::function<void()>& prepare) {
  const pid_t launcher = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork() failed: ") + std::strerror(errno));
  if (pid == 0) {
    setpgid(0, group);
    prctl(PR_SET_PDEATHSIG, SIGTERM);     // no orphaned ranks if the launcher dies
    if (getppid() != launcher) _exit(1);  // it died before the line above
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal, &action, nullptr);
    const int out = stdoutFd >= 0 ? stdoutFd : open("/dev/null", O_WRONLY);
    dup2(out, STDOUT_FILENO);
    if (prepare) prepare();
    execvp(argv[0].c_str(), argvOf(argv).data());
    std::fprintf(stderr, "seqseg: cannot start %s: %s\n", argv[0].c_str(), std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, group == 0 ? pid : group);  // also here, so no signal races the child's own call
  return pid;
}

}  // namespace

std::string workerProgram() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "seqseg-worker";
  return (self.parent_path() / "seqseg-worker").string();
}

int runRanks(const ParallelRequest& options, const std::vector<std::string>& workerArguments,
             ProgressSink& progress, const std::vector<std::string>& outputFolders) {
  CancelSignals cancelSignals;
  int events[2];
  if (pipe2(events, O_CLOEXEC) != 0) throw std::runtime_error("pipe() failed");

  std::vector<std::string> worker{workerProgram()};
  worker.insert(worker.end(), workerArguments.begin(), workerArguments.end());
  std::vector<Child> children;
  pid_t group = 0;
  if (options.launcher == "local") {
    const int port = freeLoopbackPort();
    for (int rank = 0; rank < options.ranks; ++rank) {
      const pid_t pid = startChild(worker, rank == 0 ? events[1] : -1, group, [&, rank] {
        setLocalRankEnvironment(rank, options.ranks, port);
      });
      if (group == 0) group = pid;
      children.push_back({pid, rank});
    }
  } else if (options.launcher == "mpirun") {
    std::vector<std::string> argv{"mpirun", "-np", std::to_string(options.ranks)};
    if (geteuid() == 0) argv.push_back("--allow-run-as-root");
    if (options.ranks > static_cast<int>(std::thread::hardware_concurrency()))
      argv.push_back("--oversubscribe");
    argv.insert(argv.end(), worker.begin(), worker.end());
    const pid_t pid = startChild(argv, events[1], 0, {});
    group = pid;
    children.push_back({pid, -1});
  } else if (options.launcher == "srun") {
    // A step of the current allocation, or a job of its own outside one. Only rank 0's stdout
    // (the events) comes back, as with local ranks; every rank's stderr does; one failed rank
    // ends the step.
    std::vector<std::string> argv{
        "srun",        "-n",           std::to_string(options.ranks), "--output=0",
        "--error=all", "--input=none", "--kill-on-bad-exit=1"};
    argv.insert(argv.end(), worker.begin(), worker.end());
    const pid_t pid = startChild(argv, events[1], 0, {});
    group = pid;
    children.push_back({pid, -1});
  } else {
    throw std::invalid_argument("unknown launcher '" + options.launcher + "'");
  }
  close(events[1]);

  std::string pending;  // an incomplete line from rank 0
  bool forwardedDone = false, stopping = false;
  int cancelSignal = 0;
  std::string failure;
  std::chrono::steady_clock::time_point killAt{};
  auto stopAll = [&] {
    if (stopping) return;
    stopping = true;
    kill(-group, SIGTERM);
    killAt = std::chrono::steady_clock::now() + kGracePeriod;
  };
  auto forwardLine = [&](const std::string& line) {
    if (line.empty()) return;
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_discarded() || !event.is_object() || !event.contains("event")) {
      std::cerr << line << "\n";
      return;
    }
    if (event["event"] == "done") forwardedDone = true;
    progress.emit(event);
  };

  bool streamOpen = true;
  for (;;) {
    pollfd fds[2] = {{events[0], POLLIN, 0}, {cancelSignals.fd(), POLLIN, 0}};
    poll(fds, streamOpen ? 2 : 0, streamOpen ? 200 : 0);
    if (!streamOpen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (streamOpen && (fds[0].revents & (POLLIN | POLLHUP))) {
      char buffer[65536];
      const ssize_t n = read(events[0], buffer, sizeof buffer);
      if (n <= 0) {
        streamOpen = false;
      } else {
        pending.append(buffer, static_cast<size_t>(n));
        for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
          forwardLine(pending.substr(0, end));
          pending.erase(0, end + 1);
        }
      }
    }
    unsigned char signal = 0;
    if (read(cancelSignals.fd(), &signal, 1) == 1 && !cancelSignal) {
      cancelSignal = signal;
      stopAll();
    }
    int running = 0;
    for (Child& child : children) {
      if (child.running && waitpid(child.pid, &child.status, WNOHANG) == child.pid) {
        child.running = false;
        const bool failed = !WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0;
        if (failed && failure.empty() && !cancelSignal) {
          failure = (child.rank >= 0 ? "rank " + std::to_string(child.rank) : options.launcher) +
                    " " + describeStatus(child.status);
          if (child.rank >= 0)
            progress.emit({{"event", "error"}, {"rank", child.rank}, {"message", failure}});
          else
            progress.emit({{"event", "error"}, {"message", failure}});
          stopAll();
        }
      }
      running += child.running;
    }
    if (stopping && std::chrono::steady_clock::now() > killAt) kill(-group, SIGKILL);
    if (running == 0 && !streamOpen) break;
    if (running == 0 && streamOpen && !(fds[0].revents & POLLIN)) break;
  }
  if (!pending.empty()) forwardLine(pending);
  close(events[0]);

  const bool ok = failure.empty() && !cancelSignal;
  if (!ok) {
    for (const std::string& folder : outputFolders)
      for (const Child& child : children)
        removeTemporaryFilesOf(folder, child.rank >= 0 ? child.pid : -1);
    if (!forwardedDone)
      progress.emit(doneEvent(cancelSignal ? JobState::Cancelled : JobState::Failed));
  }
  if (cancelSignal) return 128 + cancelSignal;
  if (ok) return 0;
  // Every rank stopped with the same code by itself (e.g. 2: they all refused the same input).
  const int first = children.front().status;
  for (const Child& child : children)
    if (!WIFEXITED(child.status) || child.status != first) return 1;
  return WIFEXITED(first) ? WEXITSTATUS(first) : 1;
}

}  // namespace seqseg
