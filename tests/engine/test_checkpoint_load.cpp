// Checkpoints from strangers: a file that is not a checkpoint, or one cut short, is refused with
// one InputError naming the file, and LibTorch's zip reader never reads past its bytes (the
// sanitizer build, scripts/test-sanitizers, checks that part).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/checkpoint.h"
#include "engine_test_env.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

void expectRefusedNaming(const std::string& path) {
  try {
    Checkpoint info;
    loadModel(path, &info);
    FAIL() << path << " was loaded";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_FALSE(error.problem().empty());
  }
}

// Found by fuzz_checkpoint: a text file (a mutated model card) made torch::pickle_load's reader
// copy 4096 bytes from past the end of the file's bytes (AddressSanitizer: heap-buffer-overflow).
TEST(CheckpointLoad, ATextFileIsRefusedNamingIt) {
  expectRefusedNaming(std::string(SEQSEG_SOURCE_DIR) +
                      "/tests/fuzz/regressions/checkpoint-not-a-zip.txt");
}

TEST(CheckpointLoad, EveryCutOfTheBundledModelIsRefusedNamingIt) {
  std::ifstream in(std::string(SEQSEG_SOURCE_DIR) + "/resources/models/tiny.pt", std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100000u);
  const std::string path =
      (fs::temp_directory_path() / ("seqseg-cut-" + std::to_string(::getpid()) + ".pt")).string();
  for (const size_t length :
       {size_t{1}, size_t{21}, size_t{22}, size_t{100}, size_t{4095}, size_t{4097},
        bytes.size() / 2, bytes.size() - 4096, bytes.size() - 22, bytes.size() - 1}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(length));
    SCOPED_TRACE(length);
    expectRefusedNaming(path);
  }
  fs::remove(path);
}

}  // namespace
}  // namespace seqseg
