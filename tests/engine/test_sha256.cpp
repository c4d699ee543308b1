// SHA-256 (types/sha256.h), which recognises the model a fine-tuning run started from: the FIPS
// 180-4 examples, a message over several blocks, and files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "types/input_error.h"
#include "types/sha256.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

TEST(Sha256, KnownDigestsAndFiles) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(sha256Hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const fs::path file =
      fs::temp_directory_path() / ("seqseg-sha256-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(file, std::ios::binary) << million;
  EXPECT_EQ(fileSha256(file.string()), sha256Hex(million));
  fs::remove(file);
  EXPECT_THROW(fileSha256(file.string()), InputError);
}

}  // namespace
}  // namespace seqseg
