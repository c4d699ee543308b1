// Inputs the fuzzers (tests/fuzz) found to misbehave, kept as regression tests: each is now
// refused with an InputError naming the file. The inputs live in tests/fuzz/regressions/.
#include <gtest/gtest.h>

#include <string>

#include "engine/input_error.h"
#include "io/image_reader.h"
#include "io/nifti_header.h"

namespace seqseg {
namespace {

std::string regression(const std::string& name) {
  return std::string(SEQSEG_SOURCE_DIR) + "/tests/fuzz/regressions/" + name;
}

void expectRefused(const std::string& path, const std::string& phrase) {
  try {
    readNiftiHeader(path);
    FAIL() << path << " was accepted";
  } catch (const InputError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(phrase), std::string::npos) << what;
  }
  EXPECT_THROW(readImage(path), InputError);
}

// vox_offset 2.4e23: converting it to int64 was undefined behaviour (UBSan).
TEST(FuzzFindings, HugeVoxOffsetIsRefused) {
  expectRefused(regression("nifti-vox-offset-huge.nii"), "vox_offset");
}

}  // namespace
}  // namespace seqseg
