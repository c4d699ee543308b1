#include "tests/support/test_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace seqseg::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "seqseg-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string inflatedFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw std::runtime_error("cannot open " + path);
  std::string bytes;
  char buffer[1 << 16];
  for (int got; (got = gzread(file, buffer, sizeof buffer)) > 0;) bytes.append(buffer, got);
  gzclose(file);
  return bytes;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

void patchFile(const std::string& path, long offset, const void* bytes, size_t size) {
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  file.seekp(offset);
  file.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  if (!file) throw std::runtime_error("cannot patch " + path);
}

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::string& outPath,
            const std::string& errPath) {
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    const int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err =
        errPath == outPath ? out : open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return child;
}

}  // namespace

int startCommand(const std::vector<std::string>& argv, const std::string& logPath) {
  return spawn(argv, logPath, logPath);
}

int waitCommand(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CommandResult runCommand(const std::vector<std::string>& argv) {
  TempDir capture;
  CommandResult result;
  result.exitCode = waitCommand(spawn(argv, capture / "stdout", capture / "stderr"));
  result.out = readFile(capture / "stdout");
  result.err = readFile(capture / "stderr");
  return result;
}

std::string findProgram(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin";
  for (size_t start = 0; start <= path.size();) {
    const size_t end = std::min(path.find(':', start), path.size());
    const std::filesystem::path candidate =
        std::filesystem::path(path.substr(start, end - start)) / name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return "";
}

int freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

void stopService(int pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool processAlive(int pid) {
  const std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

bool waitFor(const std::function<bool()>& condition, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

std::string seqsegExecutable() {
  return std::string(SEQSEG_BINARY_DIR) + "/app/seqseg";
}

CommandResult runSeqseg(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), seqsegExecutable());
  return runCommand(arguments);
}

std::vector<std::string> batchArguments(const std::string& in, const std::string& out,
                                        const std::vector<std::string>& more) {
  std::vector<std::string> arguments{"--batch",  "-i",        in,  "-o",         out,   "--labels",
                                     "internal", "--threads", "1", "--progress", "json"};
  arguments.insert(arguments.end(), more.begin(), more.end());
  return arguments;
}

std::string systemPython() {
  return "/usr/bin/python3";
}

nlohmann::json niftiFacts(const std::string& path) {
  const CommandResult result = runCommand(
      {systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/nifti_facts.py", path});
  if (result.exitCode != 0)
    throw std::runtime_error("nibabel failed on " + path + ": " + result.err);
  return nlohmann::json::parse(result.out).at(path);
}

void makeFixture(const std::string& kind, const std::string& path) {
  const CommandResult result =
      runCommand({systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/make_fixture.py",
                  kind, path});
  if (result.exitCode != 0) throw std::runtime_error("make_fixture " + kind + ": " + result.err);
}

std::vector<double> stepLosses(const std::string& metricsPath) {
  std::vector<double> losses;
  std::istringstream lines(readFile(metricsPath));
  for (std::string line; std::getline(lines, line);) {
    if (lines.eof()) break;  // no newline after it: still being written
    const auto entry = nlohmann::json::parse(line);
    if (entry.contains("loss")) losses.push_back(entry["loss"].get<double>());
  }
  return losses;
}

}  // namespace seqseg::test
