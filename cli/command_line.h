#pragma once
// The command line shared by `seqseg` and `seqseg-worker` (docs/architecture.md, "The command line"): one
// parser, so a rank accepts exactly the options its launcher was given.
#include <functional>
#include <string>
#include <vector>

namespace seqseg {

enum class Program {
  Seqseg,  // the application: launches ranks itself for --ranks R > 1
  Worker,  // seqseg-worker: always one rank of a job (its place comes from the environment)
};

struct GuiRequest {
  std::vector<std::string> caseArguments;
  std::string segmentation;
};

// Parses argv and runs the chosen command; without one, calls openGui (an error when null).
// Returns the exit code: 0, 1 (work failed), 2 (bad usage or input).
int runCommandLine(int argc, char** argv, Program program,
                   const std::function<int(const GuiRequest&)>& openGui);

// Ends the process with `code` once a command is over: flushes the standard streams and skips
// the libraries' teardown (LibTorch deregistering its operators alone takes 0.1 s, and a
// finished command has nothing left to release). Sanitizer builds exit normally, for the leak
// check.
[[noreturn]] void exitAfterCommand(int code);

}  // namespace seqseg
