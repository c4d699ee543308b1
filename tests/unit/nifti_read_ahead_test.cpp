// The launcher's read-ahead (io/nifti_read_ahead.h): a real detached process inflates real
// .nii.gz files into shared memory; the reader takes their bytes only when they are what its own
// inflate would give, and reads the file itself otherwise.
#include <gtest/gtest.h>

#include <cstdlib>

#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/nifti_geometry.h"
#include "io/nifti_read_ahead.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

using test::TempDir;

Volume image(float salt, std::array<int64_t, 4> shape = {1, 30, 31, 32}) {
  Volume volume;
  volume.shape = shape;
  volume.voxels.resize(shape[0] * shape[1] * shape[2] * shape[3]);
  for (size_t i = 0; i < volume.voxels.size(); ++i)
    volume.voxels[i] = static_cast<float>(i % 23) + salt;
  setNiftiFromPlacement(volume.geometry);
  return volume;
}

// Starts the read-ahead of `paths` and adopts it, as the launcher and the program do.
void readAhead(const std::vector<std::string>& paths, bool verbose = false) {
  ASSERT_TRUE(startReadAhead(paths, verbose));
  ASSERT_NE(std::getenv(kReadAheadHandoverVariable), nullptr);
  adoptReadAhead();
  EXPECT_EQ(std::getenv(kReadAheadHandoverVariable), nullptr) << "left for child processes";
}

TEST(ReadAhead, GivesEachFilesInflatedBytesOnce) {
  TempDir dir;
  const std::string a = dir / "a.nii.gz", b = dir / "b.nii.gz";
  writeImage(a, image(0));
  writeImage(b, image(100));
  readAhead({a, b, a});

  const ReadAheadBytes bytes = takeReadAhead(b);
  ASSERT_NE(bytes.data, nullptr);
  EXPECT_EQ(std::string(bytes.data, static_cast<size_t>(bytes.size)), test::inflatedFile(b));
  releaseReadAhead(bytes);
  EXPECT_EQ(takeReadAhead(b).data, nullptr) << "taken twice";
  // The reader takes a's bytes: the same voxels as the file.
  EXPECT_EQ(readImage(a).voxels, image(0).voxels);
  EXPECT_EQ(takeReadAhead(a).data, nullptr);
}

TEST(ReadAhead, AFileReplacedSinceIsReadAgain) {
  TempDir dir;
  const std::string path = dir / "a.nii.gz";
  writeImage(path, image(0));
  testing::internal::CaptureStderr();
  readAhead({path}, true);
  writeImage(path, image(7));  // a new file under the same name
  EXPECT_EQ(readImage(path).voxels, image(7).voxels);
  // "changed since" or, when the read-ahead opened the new file, "not inflated" (its size is not
  // the one recorded): either way the file itself is read.
  const std::string told = testing::internal::GetCapturedStderr();
  EXPECT_NE(told.find(", read again"), std::string::npos) << told;
}

TEST(ReadAhead, ATruncatedFileIsRefusedAsWithoutIt) {
  TempDir dir;
  const std::string path = dir / "a.nii.gz";
  writeImage(path, image(0));
  const std::string bytes = test::readFile(path);
  // Cut in the middle; the gzip trailer (and its inflated size) kept.
  test::writeFile(path, bytes.substr(0, bytes.size() / 2) + bytes.substr(bytes.size() - 8));
  const auto refusal = [&] {
    try {
      readImage(path);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  testing::internal::CaptureStderr();
  readAhead({path}, true);
  const std::string withReadAhead = refusal();
  EXPECT_NE(testing::internal::GetCapturedStderr().find("not inflated, read again"),
            std::string::npos);
  EXPECT_NE(withReadAhead.find("truncated"), std::string::npos) << withReadAhead;
  EXPECT_EQ(withReadAhead, refusal());  // the second read has no read-ahead left
}

TEST(ReadAhead, TakesOnlyFewRegularGzippedNiftiFiles) {
  TempDir dir;
  writeImage(dir / "plain.nii", image(0));
  EXPECT_FALSE(startReadAhead({dir / "plain.nii", dir.path(), dir / "missing.nii.gz"}, false));
  std::vector<std::string> many;
  for (int i = 0; i <= kReadAheadMaxFiles; ++i) {
    many.push_back(dir / ("c" + std::to_string(i) + ".nii.gz"));
    writeImage(many.back(), image(static_cast<float>(i), {1, 4, 4, 4}));
  }
  EXPECT_FALSE(startReadAhead(many, false)) << "more files than one case has";
  EXPECT_EQ(std::getenv(kReadAheadHandoverVariable), nullptr);
}

}  // namespace
}  // namespace seqseg
