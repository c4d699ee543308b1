#pragma once
// Runs a local program (ssh, rsync, ssh-keyscan) with an argv array, no shell, and captures
// what it says.
#include <string>
#include <vector>

namespace seqseg {

struct ProcessResult {
  int exitCode = -1;  // 128 + signal when killed; 127 when it could not be started
  std::string out, err;
};

// Runs argv[0] (looked up in PATH) with `input` on its stdin; waits for it.
ProcessResult runProcess(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace seqseg
