#include "jobs/job_requests.h"

#include <filesystem>

namespace seqseg {

std::string reportCsvPath(const std::string& reportPath) {
  return std::filesystem::path(reportPath).replace_extension(".csv").string();
}

}  // namespace seqseg
