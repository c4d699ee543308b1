#pragma once
// A file for the fuzzed bytes: readers under test take paths, as the programs do.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace seqseg::fuzz {

// Writes `data` to a per-process file named `name` under /tmp and returns its path.
inline std::string writeInput(const uint8_t* data, size_t size, const std::string& name) {
  const std::string path = "/tmp/seqseg-fuzz-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace seqseg::fuzz
