// The desktop application's reader of the jobs protocol (JSON Lines on a job's stdout): any
// line is applied or ignored, and the job's progress stays a fraction between 0 and 1.
#include <cmath>
#include <cstdint>
#include <string>

#include "ui/job_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  seqseg::JobStatus status;
  status.state = seqseg::JobState::Running;
  status.caseId = "BraTS2021_00000";
  const std::string input(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    seqseg::applyJobEventLine(input.substr(start, end - start), status);
    if (!(status.fraction >= 0.0 && status.fraction <= 1.0)) __builtin_trap();
    start = end + 1;
  }
  return 0;
}
