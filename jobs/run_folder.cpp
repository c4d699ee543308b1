#include "jobs/run_folder.h"

#include <filesystem>

namespace seqseg {

namespace fs = std::filesystem;

RunFolder::RunFolder(std::string path) : path_(std::move(path)) {}

std::string RunFolder::file(const char* name) const {
  return (fs::path(path_) / name).string();
}

std::string RunFolder::startProblem(bool resume) const {
  if (path_.empty()) return "choose an output folder for the run";
  std::error_code error;
  const fs::path folder(path_);
  if (resume) {
    if (!fs::exists(lastCheckpoint(), error)) return path_ + ": nothing to resume (no last.pt)";
    return {};
  }
  if (fs::exists(folder, error) && !fs::is_directory(folder, error))
    return path_ + ": not a folder";
  if (fs::is_directory(folder, error) && !fs::is_empty(folder, error))
    return path_ + ": the folder is not empty (choose an empty one, or resume the run in it)";
  return {};
}

}  // namespace seqseg
