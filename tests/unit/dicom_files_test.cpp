// DICOM files checked before GDCM reads them (GDCM, built with assertions, aborts the process
// on malformed files): bytes put together here element by element are sound or refused with the
// reason; a series folder with files that are no DICOM image (a 4-byte file, an empty file, a
// README, thumbs.db, DICOMDIR) reads its series and names those files in one note; a slice that
// is a corrupt DICOM file still refuses the series.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/dicom_file_check.h"
#include "io/dicom_series.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using Bytes = std::string;

Bytes u16(uint16_t value) {
  return Bytes{static_cast<char>(value & 0xff), static_cast<char>(value >> 8)};
}
Bytes u32(uint32_t value) {
  return u16(static_cast<uint16_t>(value & 0xffff)) + u16(static_cast<uint16_t>(value >> 16));
}
Bytes tag(uint16_t group, uint16_t element) {
  return u16(group) + u16(element);
}
// Explicit VR little endian elements.
Bytes shortElement(uint16_t group, uint16_t element, const char* vr, const Bytes& value) {
  return tag(group, element) + vr + u16(static_cast<uint16_t>(value.size())) + value;
}
Bytes longElement(uint16_t group, uint16_t element, const char* vr, uint32_t length) {
  return tag(group, element) + vr + u16(0) + u32(length);
}
Bytes implicitElement(uint16_t group, uint16_t element, const Bytes& value) {
  return tag(group, element) + u32(static_cast<uint32_t>(value.size())) + value;
}
Bytes item(uint32_t length) {
  return tag(0xfffe, 0xe000) + u32(length);
}
Bytes itemEnd() {
  return tag(0xfffe, 0xe00d) + u32(0);
}
Bytes sequenceEnd() {
  return tag(0xfffe, 0xe0dd) + u32(0);
}
constexpr uint32_t kUndefined = 0xffffffffu;

const char* kExplicit = "1.2.840.10008.1.2.1";
const char* kImplicit = "1.2.840.10008.1.2";

// Preamble, "DICM", file meta information naming `syntax`, then `dataSet`.
Bytes part10(const std::string& syntax, const Bytes& dataSet) {
  Bytes uid = syntax;
  if (uid.size() % 2) uid.push_back('\0');
  return Bytes(128, '\0') + "DICM" + shortElement(0x0002, 0x0010, "UI", uid) + dataSet;
}

class DicomFileCheckTest : public ::testing::Test {
 protected:
  DicomFileCheck check(const Bytes& bytes) {
    const std::string path = dir_ / "IM00001";
    std::ofstream(path, std::ios::binary) << bytes;
    return checkDicomFile(path);
  }
  void expectCorrupt(const Bytes& bytes, const std::string& phrase) {
    const DicomFileCheck result = check(bytes);
    EXPECT_EQ(result.kind, DicomFileCheck::Kind::CorruptDataSet) << result.problem;
    EXPECT_NE(result.problem.find(phrase), std::string::npos) << result.problem;
  }
  test::TempDir dir_;
};

const Bytes kDescription = shortElement(0x0008, 0x103e, "LO", "T1 axial");

TEST_F(DicomFileCheckTest, FilesWithoutThePreambleAreNotDicom) {
  for (const Bytes& bytes : {Bytes("\x08\x00\x00\x00", 4), Bytes(), Bytes("Exported.\n"),
                             Bytes(131, '\0') /* one byte short of "DICM" */}) {
    EXPECT_EQ(check(bytes).kind, DicomFileCheck::Kind::NotDicom) << bytes.size() << " bytes";
  }
}

TEST_F(DicomFileCheckTest, WellFormedDataSetsAreSound) {
  // A sequence of undefined length holding an item of undefined length, then one of defined
  // length, then pixel data.
  const Bytes nested = kDescription;
  const Bytes sequence = longElement(0x0008, 0x1140, "SQ", kUndefined) + item(kUndefined) + nested +
                         itemEnd() + item(static_cast<uint32_t>(nested.size())) + nested +
                         sequenceEnd();
  const Bytes pixels = longElement(0x7fe0, 0x0010, "OW", 8) + Bytes(8, '\x01');
  EXPECT_EQ(check(part10(kExplicit, kDescription + sequence + pixels)).kind,
            DicomFileCheck::Kind::Sound);
  // Implicit VR: a sequence is told by its undefined length.
  const Bytes implicit = implicitElement(0x0008, 0x103e, "T1") + tag(0x0008, 0x1140) +
                         u32(kUndefined) + item(kUndefined) +
                         implicitElement(0x0008, 0x1150, "12") + itemEnd() + sequenceEnd() +
                         implicitElement(0x7fe0, 0x0010, Bytes(8, 'x'));
  EXPECT_EQ(check(part10(kImplicit, implicit)).kind, DicomFileCheck::Kind::Sound);
  // Encapsulated (JPEG lossless) pixel data: an empty offset table, one fragment.
  const Bytes fragments = longElement(0x7fe0, 0x0010, "OB", kUndefined) + item(0) + item(4) +
                          "\xff\xd8\xff\xd9" + sequenceEnd();
  EXPECT_EQ(check(part10("1.2.840.10008.1.2.4.70", kDescription + fragments)).kind,
            DicomFileCheck::Kind::Sound);
}

TEST_F(DicomFileCheckTest, MalformedDataSetsAreRefusedWithTheReason) {
  const Bytes pixels = longElement(0x7fe0, 0x0010, "OW", 800) + Bytes(100, '\x01');
  expectCorrupt(part10(kExplicit, kDescription + pixels),
                "(7FE0,0010) runs 700 bytes past the end of the file");
  expectCorrupt(part10(kExplicit, shortElement(0x0008, 0x103e, "ZZ", "T1")),
                "(0008,103E) has an invalid value representation");
  expectCorrupt(part10(kExplicit, shortElement(0x0008, 0x103e, "LO", "T1a")), "odd length");
  // GDCM rewrites the length of a 6-byte UL in group 0009 (a vendor's quirk) and reads on
  // misaligned.
  expectCorrupt(part10(kExplicit, shortElement(0x0009, 0x1001, "UL", Bytes(6, '\0'))),
                "not a multiple of 4");
  expectCorrupt(part10(kExplicit, kDescription + item(0)), "misplaced item tag (FFFE,E000)");
  expectCorrupt(part10(kExplicit, longElement(0x0008, 0x1140, "SQ", kUndefined) + item(0)),
                "cut short");
  expectCorrupt(part10(kExplicit, kDescription + "\x10\x00"), "cut short");
  expectCorrupt(part10(kExplicit, longElement(0x0008, 0x1140, "SQ", 8) + kDescription),
                "instead of an item");
  expectCorrupt(part10(kExplicit, longElement(0x0009, 0x1001, "OB", kUndefined) + sequenceEnd()),
                "undefined length");
  expectCorrupt(part10(kExplicit, shortElement(0x0002, 0x0003, "UI", "12") + kDescription +
                                      shortElement(0x0002, 0x0012, "UI", "12")),
                "file meta element (0002,0012) inside the data set");
  // GDCM reads an implicit element of 13 bytes as 10 (another vendor's quirk).
  expectCorrupt(part10(kImplicit, implicitElement(0x0010, 0x0010, Bytes(13, 'A'))), "odd length");
  Bytes deep;
  for (int level = 0; level < 40; ++level)
    deep += longElement(0x0008, 0x1140, "SQ", kUndefined) + item(kUndefined);
  expectCorrupt(part10(kExplicit, deep), "nested deeper than 32 levels");
  expectCorrupt(
      part10(kExplicit, longElement(0x7fe0, 0x0010, "OB", kUndefined) + item(0) + item(kUndefined)),
      "fragment of the compressed Pixel Data");
  expectCorrupt(part10("1.2.840.10008.1.2.1.99", kDescription), "is not supported");
  expectCorrupt(part10(kExplicit, ""), "holds no data set");
}

TEST_F(DicomFileCheckTest, BrokenFileMetaInformationIsCorruptMeta) {
  const Bytes preamble = Bytes(128, '\0') + "DICM";
  for (const Bytes& bytes :
       {preamble + kDescription, preamble + shortElement(0x0002, 0x0010, "UI", "1.2") + "\x02",
        preamble + tag(0x0002, 0x0010) + "UI" + u16(40) + "1.2"}) {
    const DicomFileCheck result = check(bytes);
    EXPECT_EQ(result.kind, DicomFileCheck::Kind::CorruptMeta) << result.problem;
    EXPECT_EQ(result.problem.rfind("its file meta information ", 0), 0u) << result.problem;
  }
}

// A series folder written by pydicom (tests/tools/make_dicom.py).
std::string makeSeries(const test::TempDir& dir, const std::string& kind) {
  const std::string folder = dir / kind;
  const test::CommandResult result = test::runCommand(
      {test::systemPython(), std::string(SEQSEG_SOURCE_DIR) + "/tests/tools/make_dicom.py",
       "series", kind, folder});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return folder;
}

TEST(DicomSeriesFolder, FilesThatAreNoDicomImageAreSkippedAndNamedInOneNote) {
  test::TempDir dir;
  const std::string folder = makeSeries(dir, "stray-files");
  const std::vector<DicomSeriesInfo> series = scanDicomFolder(folder);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].files.size(), 24u);
  EXPECT_EQ(series[0].skipped, (std::vector<std::string>{"DICOMDIR", "EMPTY", "IM_FOUR_BYTES",
                                                         "README", "thumbs.db"}));
  std::string note;
  const Volume volume = readDicomSeriesFolder(folder, &note);
  EXPECT_EQ(note,
            "skipped 5 files that are not a DICOM image: DICOMDIR, EMPTY, IM_FOUR_BYTES, README, "
            "thumbs.db");
  ASSERT_EQ(volume.shape, (std::array<int64_t, 4>{1, 24, 32, 32}));
  // Stored value i + 32 j + 1024 k: every slice in its place.
  for (int64_t k : {0, 11, 23})
    EXPECT_EQ(volume.voxels[static_cast<size_t>(k * 1024 + 5 * 32 + 7)],
              static_cast<float>(7 + 32 * 5 + 1024 * k));
  // Only the files that are no DICOM image: the folder holds no series, named by its first file.
  for (const std::string& slice : series[0].files) fs::remove(slice);
  fs::remove(folder + "/DICOMDIR");
  try {
    scanDicomFolder(folder);
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(), "holds no readable DICOM image series (EMPTY is not a DICOM file)");
  }
}

TEST(DicomSeriesFolder, ASliceThatIsACorruptDicomFileRefusesTheSeries) {
  test::TempDir dir;
  const std::string folder = makeSeries(dir, "corrupt-slice");
  const std::vector<DicomSeriesInfo> series = scanDicomFolder(folder);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_NE(series[0].problem.find(
                "is truncated or corrupt ((0008,103E) has an invalid value representation)"),
            std::string::npos)
      << series[0].problem;
  EXPECT_THROW(readDicomSeriesFolder(folder), InputError);
}

TEST(DicomSeriesFolder, ImplicitVrSeriesReads) {
  test::TempDir dir;
  const Volume volume = readDicomSeriesFolder(makeSeries(dir, "implicit"));
  ASSERT_EQ(volume.shape, (std::array<int64_t, 4>{1, 24, 32, 32}));
  EXPECT_EQ(volume.voxels.back(), static_cast<float>(31 + 32 * 31 + 1024 * 23));
}

}  // namespace
}  // namespace seqseg
