#pragma once
// The one error type for bad input files: it names the file and the problem, so that every
// front end (CLI, GUI, batch report) can show one clear line.
#include <stdexcept>
#include <string>

namespace seqseg {

class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, const std::string& problem)
      : std::runtime_error(file + ": " + problem), file_(file), problem_(problem) {}

  const std::string& file() const { return file_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string problem_;
};

}  // namespace seqseg
