// Every class of bad input is refused with an InputError that names the file and the problem.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

using test::TempDir;

// Byte offsets in the NIfTI-1 header.
constexpr long kDimOffset = 40, kDatatypeOffset = 70, kPixdimOffset = 76, kQformCodeOffset = 252,
               kSformCodeOffset = 254, kSrowXOffset = 280;

Volume smallImage(std::array<int64_t, 4> shape = {1, 6, 7, 8}) {
  Volume image;
  image.shape = shape;
  image.voxels.resize(shape[0] * shape[1] * shape[2] * shape[3]);
  for (size_t i = 0; i < image.voxels.size(); ++i) image.voxels[i] = static_cast<float>(i % 17);
  setNiftiFromPlacement(image.geometry);
  return image;
}

std::string writeSmall(const TempDir& dir, const std::string& name,
                       const Volume& image = smallImage()) {
  const std::string path = dir / name;
  writeImage(path, image);
  return path;
}

// Expects readImage(path) to fail with an error naming `path` whose problem contains `phrase`.
void expectRefused(const std::string& path, const std::string& phrase,
                   ExpectedRank rank = ExpectedRank::Any) {
  try {
    readImage(path, rank);
    ADD_FAILURE() << path << " was accepted; expected: " << phrase;
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_NE(error.problem().find(phrase), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << "one line only";
  }
}

void setDims(const std::string& path, std::array<int16_t, 8> dims) {
  test::patchFile(path, kDimOffset, dims.data(), sizeof dims);
}

TEST(BadInput, MissingFile) {
  TempDir dir;
  expectRefused(dir / "absent.nii.gz", "file not found");
}

TEST(BadInput, FolderInsteadOfFile) {
  TempDir dir;
  expectRefused(dir.path(), "is a folder");
}

TEST(BadInput, UnreadableFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads files whatever their permissions";
  TempDir dir;
  const std::string path = writeSmall(dir, "locked.nii");
  chmod(path.c_str(), 0);
  expectRefused(path, "cannot open");
}

TEST(BadInput, EmptyFile) {
  TempDir dir;
  test::writeFile(dir / "empty.nii.gz", "");
  expectRefused(dir / "empty.nii.gz", "empty file");
}

TEST(BadInput, NotNifti) {
  TempDir dir;
  test::writeFile(dir / "notes.nii", std::string(400, 'x'));
  expectRefused(dir / "notes.nii", "not a NIfTI file");
}

TEST(BadInput, TruncatedHeader) {
  TempDir dir;
  const std::string path = writeSmall(dir, "a.nii");
  test::writeFile(path, test::readFile(path).substr(0, 200));
  expectRefused(path, "truncated");
}

TEST(BadInput, TruncatedData) {
  TempDir dir;
  const std::string path = writeSmall(dir, "a.nii");
  test::writeFile(path, test::readFile(path).substr(0, 352 + 100));
  expectRefused(path, "truncated");
}

TEST(BadInput, TruncatedGzip) {
  TempDir dir;
  const std::string path = writeSmall(dir, "a.nii.gz", smallImage({1, 30, 30, 30}));
  const std::string bytes = test::readFile(path);
  test::writeFile(path, bytes.substr(0, bytes.size() / 2));
  expectRefused(path, "truncated");
}

TEST(BadInput, CorruptedGzip) {
  TempDir dir;
  const std::string path = writeSmall(dir, "a.nii.gz", smallImage({1, 30, 30, 30}));
  std::string bytes = test::readFile(path);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i)
    bytes[i] = static_cast<char>(~bytes[i]);
  test::writeFile(path, bytes);
  expectRefused(path, "corrupted gzip data");
}

TEST(BadInput, AbsurdDimensionsAreRefusedBeforeAllocation) {
  TempDir dir;
  const std::string path = writeSmall(dir, "huge.nii");
  setDims(path, {4, 30000, 30000, 30000, 4, 1, 1, 1});
  expectRefused(path, "more than the limit");
}

// `bytes` gzip-compressed at `level` into `path`.
void writeGzipped(const std::string& path, const std::string& bytes, int level) {
  gzFile file = gzopen(path.c_str(), ("wb" + std::to_string(level)).c_str());
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// Exits 0 when readImage(path) refuses the file with an InputError whose problem contains
// `phrase` while its address space allows only 256 MiB more than it has mapped (not under
// AddressSanitizer, whose shadow memory needs more): refused, not out of memory.
[[noreturn]] void readWithinMemory(const std::string& path, const std::string& phrase) {
#if !defined(__SANITIZE_ADDRESS__)
  long pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  const rlim_t limit = static_cast<rlim_t>(pages) * sysconf(_SC_PAGESIZE) + (rlim_t{256} << 20);
  const rlimit memory{limit, limit};
  setrlimit(RLIMIT_AS, &memory);
#endif
  try {
    readImage(path);
  } catch (const InputError& error) {
    std::exit(error.file() == path && error.problem().find(phrase) != std::string::npos ? 0 : 3);
  } catch (const std::bad_alloc&) {
    std::exit(4);
  }
  std::exit(5);
}

void expectRefusedWithinMemory(const std::string& path, const std::string& phrase) {
  EXPECT_EXIT(readWithinMemory(path, phrase), ::testing::ExitedWithCode(0), "");
}

// A header promising 713 MB of voxels in a file of a few hundred bytes: refused from the file's
// size, before the voxels are allocated. A gzip file cannot hold more than 1032 times its size.
TEST(BadInput, DataPromisedBeyondTheFileIsRefusedBeforeAllocation) {
  TempDir dir;
  const std::string plain = writeSmall(dir, "a.nii");
  setDims(plain, {3, 1024, 1024, 170, 1, 1, 1, 1});
  expectRefused(plain, "truncated: expected 713032032 bytes, found ");
  expectRefusedWithinMemory(plain, "truncated");

  const std::string gzipped = dir / "a.nii.gz";
  writeGzipped(gzipped, test::readFile(plain), 9);
  expectRefused(
      gzipped,
      "truncated: expected 713032032 bytes after decompression, more than a gzip file of ");
  expectRefusedWithinMemory(gzipped, "more than a gzip file");

  // zlib reads a plain file named .nii.gz, and a compressed one named .nii, by their content.
  const std::string plainNamedGz = dir / "plain.nii.gz";
  std::filesystem::copy_file(plain, plainNamedGz);
  expectRefused(plainNamedGz, "truncated: expected 713032032 bytes, found ");
  const std::string gzippedNamedPlain = dir / "gzipped.nii";
  std::filesystem::copy_file(gzipped, gzippedNamedPlain);
  expectRefused(gzippedNamedPlain, "more than a gzip file");
}

// The densest gzip there is (a constant volume at level 9, about 1030:1) is still read: the
// limit above refuses only what no deflate stream can hold.
TEST(BadInput, MaximallyCompressedDataIsRead) {
  TempDir dir;
  LabelVolume zeros;
  zeros.shape = {128, 256, 256};
  zeros.labels.assign(128 * 256 * 256, 0);
  setNiftiFromPlacement(zeros.geometry);
  const std::string plain = dir / "zeros.nii";
  writeLabelMap(plain, zeros);
  const std::string gzipped = dir / "zeros.nii.gz";
  writeGzipped(gzipped, test::readFile(plain), 9);
  EXPECT_GT(static_cast<double>(std::filesystem::file_size(plain)) /
                static_cast<double>(std::filesystem::file_size(gzipped)),
            1000.0);
  const LabelVolume read = readLabelMap(gzipped);
  EXPECT_EQ(read.shape, zeros.shape);
  EXPECT_EQ(read.labels, zeros.labels);
}

TEST(BadInput, NegativeDimension) {
  TempDir dir;
  const std::string path = writeSmall(dir, "neg.nii");
  setDims(path, {3, 8, -7, 6, 1, 1, 1, 1});
  expectRefused(path, "has size -7");
}

TEST(BadInput, ZeroSpacing) {
  TempDir dir;
  const std::string path = writeSmall(dir, "zero.nii");
  const float zero = 0.0f;
  test::patchFile(path, kPixdimOffset + 4 * 2, &zero, sizeof zero);
  expectRefused(path, "spacing along axis 1");
}

TEST(BadInput, NegativeSpacing) {
  TempDir dir;
  const std::string path = writeSmall(dir, "negative.nii");
  const float negative = -1.5f;
  test::patchFile(path, kPixdimOffset + 4 * 3, &negative, sizeof negative);
  expectRefused(path, "must be positive");
}

TEST(BadInput, NonFiniteVoxels) {
  TempDir dir;
  Volume image = smallImage();
  image.voxels[5] = std::numeric_limits<float>::quiet_NaN();
  image.voxels[9] = std::numeric_limits<float>::infinity();
  expectRefused(writeSmall(dir, "nan.nii.gz", image), "2 voxel values are NaN or infinite");
}

TEST(BadInput, TwoDimensionalData) {
  TempDir dir;
  const std::string path = writeSmall(dir, "flat.nii", smallImage({1, 1, 7, 8}));
  expectRefused(path, "is 2D");
  setDims(path, {2, 8, 7, 1, 1, 1, 1, 1});
  expectRefused(path, "is 2D");
}

TEST(BadInput, FiveDimensionalData) {
  TempDir dir;
  const std::string path = writeSmall(dir, "five.nii", smallImage({2, 6, 7, 8}));
  setDims(path, {5, 8, 7, 6, 1, 2, 1, 1});
  expectRefused(path, "is 5D");
}

TEST(BadInput, WrongRankForTheLayout) {
  TempDir dir;
  expectRefused(writeSmall(dir, "four.nii", smallImage({4, 6, 7, 8})), "single 3D volume",
                ExpectedRank::Volume3D);
  expectRefused(writeSmall(dir, "three.nii"), "4D file with one volume per modality",
                ExpectedRank::MultiChannel4D);
}

TEST(BadInput, UnsupportedVoxelType) {
  TempDir dir;
  const std::string path = writeSmall(dir, "complex.nii");
  const int16_t complex64 = 32;
  test::patchFile(path, kDatatypeOffset, &complex64, sizeof complex64);
  expectRefused(path, "unsupported voxel type");
}

TEST(BadInput, NonOrthonormalDirection) {
  TempDir dir;
  const std::string path = writeSmall(dir, "shear.nii");
  const int16_t codes[2] = {0, 1};  // sform only
  test::patchFile(path, kQformCodeOffset, codes, sizeof codes);
  const float shearedRowX[4] = {1.0f, 0.4f, 0.0f, 0.0f};
  test::patchFile(path, kSrowXOffset, shearedRowX, sizeof shearedRowX);
  expectRefused(path, "not orthonormal");
  (void)kSformCodeOffset;
}

TEST(BadInput, LabelMapWithFractionalValues) {
  TempDir dir;
  Volume image = smallImage();
  image.voxels[3] = 1.5f;
  const std::string path = writeSmall(dir, "seg.nii.gz", image);
  try {
    readLabelMap(path);
    ADD_FAILURE() << "fractional label accepted";
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("not a label map"), std::string::npos) << error.what();
  }
}

class MismatchedModalities : public ::testing::Test {
 protected:
  // Writes T1, T1ce, T2 from smallImage() and FLAIR from `flair`; returns the error of readCase.
  std::string readWithFlair(const Volume& flair) {
    std::vector<std::string> files;
    for (const char* name : {"t1.nii.gz", "t1ce.nii.gz", "t2.nii.gz"})
      files.push_back(writeSmall(dir_, name));
    files.push_back(writeSmall(dir_, "flair.nii.gz", flair));
    try {
      readCase(explicitCase(files[0], files[1], files[2], files[3]));
    } catch (const InputError& error) {
      EXPECT_EQ(error.file(), files[3]);
      return error.problem();
    }
    return "accepted";
  }
  TempDir dir_;
};

TEST_F(MismatchedModalities, DimensionsDiffer) {
  EXPECT_NE(readWithFlair(smallImage({1, 6, 7, 9})).find("FLAIR has dimensions 9x7x6"),
            std::string::npos);
}

TEST_F(MismatchedModalities, OriginDiffers) {
  Volume flair = smallImage();
  flair.geometry.origin[1] += 0.01;
  setNiftiFromPlacement(flair.geometry);
  EXPECT_NE(readWithFlair(flair).find("geometry differs from T1"), std::string::npos);
}

TEST_F(MismatchedModalities, SpacingDiffers) {
  Volume flair = smallImage();
  flair.geometry.spacing[2] = 1.2;
  setNiftiFromPlacement(flair.geometry);
  EXPECT_NE(readWithFlair(flair).find("spacing[2] differs"), std::string::npos);
}

TEST_F(MismatchedModalities, TinyDifferencesWithinToleranceAreAccepted) {
  Volume flair = smallImage();
  flair.geometry.origin[0] += 1e-4;
  setNiftiFromPlacement(flair.geometry);
  EXPECT_EQ(readWithFlair(flair), "accepted");
}

TEST_F(MismatchedModalities, ProblemsAreNamedInModalityOrder) {
  // T1ce's data is cut short and FLAIR is on another grid: T1ce's problem comes first, whether
  // FLAIR's dimensions or only its placement differ (the four files are read concurrently).
  for (const bool otherDimensions : {true, false}) {
    SCOPED_TRACE(otherDimensions ? "dimensions" : "placement");
    std::vector<std::string> files;
    for (const char* name : {"t1.nii", "t1ce.nii", "t2.nii"})
      files.push_back(writeSmall(dir_, name));
    Volume flair = smallImage(otherDimensions ? std::array<int64_t, 4>{1, 6, 7, 9}
                                              : std::array<int64_t, 4>{1, 6, 7, 8});
    flair.geometry.origin[1] += 1;
    setNiftiFromPlacement(flair.geometry);
    files.push_back(writeSmall(dir_, "flair.nii", flair));
    test::writeFile(files[1], test::readFile(files[1]).substr(0, 352 + 20));
    try {
      readCase(explicitCase(files[0], files[1], files[2], files[3]));
      ADD_FAILURE() << "accepted";
    } catch (const InputError& error) {
      EXPECT_EQ(error.file(), files[1]);
      EXPECT_NE(error.problem().find("truncated"), std::string::npos) << error.what();
    }
  }
}

TEST(ReadCase, FourFilesOnOneGridComeBackAsEachFileReads) {
  TempDir dir;
  std::vector<std::string> files;
  Volume expected;
  for (int m = 0; m < 4; ++m) {
    Volume modality = smallImage({1, 9, 8, 7});
    for (size_t v = 0; v < modality.voxels.size(); ++v)
      modality.voxels[v] = static_cast<float>(m * 1000) + 0.25f * static_cast<float>(v);
    files.push_back(writeSmall(dir, "m" + std::to_string(m) + ".nii.gz", modality));
    const Volume read = readImage(files.back());
    if (m == 0)
      expected = read;
    else
      expected.voxels.insert(expected.voxels.end(), read.voxels.begin(), read.voxels.end());
  }
  const Volume stacked = readCase(explicitCase(files[0], files[1], files[2], files[3]));
  EXPECT_EQ(stacked.shape, (std::array<int64_t, 4>{4, 9, 8, 7}));
  EXPECT_EQ(stacked.voxels, expected.voxels);
  std::string difference;
  EXPECT_TRUE(sameGeometry(stacked.geometry, expected.geometry, &difference)) << difference;
}

}  // namespace
}  // namespace seqseg
