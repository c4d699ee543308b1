// Inputs the fuzzers (tests/fuzz) found to misbehave, kept as regression tests: each is now
// refused with an InputError naming the file. The inputs live in tests/fuzz/regressions/.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "io/dataset_layout.h"
#include "io/dicom_series.h"
#include "io/image_reader.h"
#include "io/nifti_header.h"
#include "tests/support/test_support.h"
#include "types/input_error.h"

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

// An sform whose z offset is NaN: ITK's reader aborted the process (vnl's assert_finite in the
// SVD of the transform) instead of refusing the file.
TEST(FuzzFindings, NonFiniteSformOffsetIsRefused) {
  expectRefused(regression("nifti-sform-offset-nan.nii"),
                "invalid header: srow_z[3] is not finite");
}

// An sform with a subnormal entry (srow_y[3] = 1.4e-45): ITK's float SVD of the transform never
// ended (a timeout in fuzz_nifti_reader).
TEST(FuzzFindings, SubnormalSformEntryIsRefused) {
  expectRefused(regression("nifti-sform-subnormal.nii"), "invalid header: srow_y[3] is subnormal");
}

// An sform whose entries run from 1e-35 to 1e38: ITK's SVD of the transform never ended either.
TEST(FuzzFindings, SformBeyondAnyScannerIsRefused) {
  expectRefused(regression("nifti-sform-huge.nii"), "beyond any scanner's range");
}

// A 550-byte file whose header promises 717 MB of float32 voxels (3x3x1024x19456): the voxels
// were allocated before the data was read, running the fuzzer out of memory. Gzipped too.
TEST(FuzzFindings, DataPromisedBeyondTheFileIsRefused) {
  expectRefused(regression("nifti-data-promised-huge.nii"),
                "truncated: expected 717226336 bytes, found 550");
  expectRefused(regression("nifti-data-promised-huge.nii.gz"),
                "more than a gzip file of 267 bytes can hold");
}

// A DICOM file whose file meta information announces a value longer than the file: GDCM (built
// with assertions) aborted the process while the folder was scanned.
TEST(FuzzFindings, DicomFileMetaCutShortIsRefusedNamingTheFile) {
  test::TempDir study;
  std::filesystem::create_directories(study / "series");
  std::filesystem::copy_file(regression("dicom-meta-element-past-end.dcm"),
                             study / "series/IM00001");
  for (const std::string& folder : {study.path(), study / "series"}) {
    try {
      scanDicomFolder(folder);
      FAIL() << folder << " was accepted";
    } catch (const InputError& error) {
      EXPECT_EQ(error.file(), folder);
      const std::string name = folder == study.path() ? "series/IM00001" : "IM00001";
      EXPECT_EQ(error.problem(), name + " is corrupt (its file meta information is cut short)");
    }
  }
}

// A DICOM file whose file meta information holds an element of value representation "UY" (not
// one of the standard's): GDCM (built with assertions) aborted the process while reading it.
TEST(FuzzFindings, DicomFileMetaOfAnUnknownValueRepresentationIsRefused) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-meta-unknown-vr.dcm"), study / "IM00001");
  try {
    scanDicomFolder(study.path());
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(),
              "IM00001 is corrupt (its file meta information has an invalid value representation)");
  }
}

// The four bytes 08 00 00 00 (an implicit VR tag and nothing more) beside a series: GDCM (built
// with assertions) aborted the process reading it ("Assertion 'is.good()' failed"). A file
// without the DICOM preamble is now never given to GDCM: beside a series it is skipped, alone it
// is named as no DICOM file.
TEST(FuzzFindings, DicomFourByteFileIsSkipped) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-four-bytes"), study / "IM00001");
  try {
    scanDicomFolder(study.path());
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(),
              "holds no readable DICOM image series (IM00001 is not a DICOM file)");
  }
}

// A DICOM file whose data set holds the retired ACR-NEMA Recognition Code (0008,0010) with
// another value ("Test^Phantom"): GDCM's image reader (built with assertions) aborted the process
// when the series was read ("Assertion `strncmp( str, "ACR-NEMA", ...`"). Such a file is now
// refused by the structure check before GDCM reads it.
TEST(FuzzFindings, DicomRecognitionCodeThatIsNotAcrNemaIsRefused) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-recognition-code-not-acr-nema.dcm"),
                             study / "IM00001");
  try {
    for (const DicomSeriesInfo& series : scanDicomFolder(study.path())) readDicomSeries(series);
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(),
              "holds no readable DICOM image series (IM00001 is truncated or corrupt (its "
              "Recognition Code (0008,0010) is neither ACR-NEMA nor MIPS 2.0))");
  }
}

// A DICOM image of 1 bit allocated per pixel, signed (BitsAllocated 1, PixelRepresentation 1):
// GDCM's pixel format (built with assertions) aborted the process when the series was read
// ("Assertion `type <= INT64' failed"). Only 8, 16 and 32 bits per pixel are read now.
TEST(FuzzFindings, DicomOfOneBitSignedPixelsIsRefused) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-one-bit-signed-pixels.dcm"), study / "IM00001");
  const std::vector<DicomSeriesInfo> found = scanDicomFolder(study.path());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].problem, "IM00001 has 1 bits allocated per pixel (8, 16 or 32 are read)");
  EXPECT_THROW(readDicomSeries(found[0]), InputError);
}

// A DICOM image of 65025 x 8195 pixels whose Pixel Data is empty: taken for compressed data
// (no byte value), it was read, and GDCM inverted its MONOCHROME1 pixels byte by byte into a
// buffer of half a gigabyte (a timeout of the fuzzer). An empty Pixel Data is no image now.
TEST(FuzzFindings, DicomOfEmptyPixelDataIsNoImage) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-empty-pixel-data-huge-rows.dcm"), study / "IM00001");
  try {
    scanDicomFolder(study.path());
    FAIL() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problem(),
              "holds no readable DICOM image series (IM00001 is truncated or corrupt)");
  }
}

// A DICOM image storing 1 of its 16 bits with a Rescale Intercept of -99: ITK's GDCM reader
// (built with assertions) aborted the process ("Pixel type larger than output type": the
// rescaled values fit a smaller type than the stored ones). At least half the bits allocated
// must be stored now.
TEST(FuzzFindings, DicomStoringOneOfSixteenBitsIsRefused) {
  test::TempDir study;
  std::filesystem::copy_file(regression("dicom-one-of-sixteen-bits-stored.dcm"), study / "IM00001");
  const std::vector<DicomSeriesInfo> found = scanDicomFolder(study.path());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].problem, "IM00001 stores 1 of its 16 bits per pixel (at least half are read)");
  EXPECT_THROW(readDicomSeries(found[0]), InputError);
}

// An nnU-Net images folder with a file whose channel number is none of the four modalities
// (found as "cas%_0006.nii.gz"): discovery listed a case none of whose files exist.
TEST(FuzzFindings, NnUnetFileOfAnUnknownChannelIsNoCase) {
  test::TempDir dataset;
  std::filesystem::create_directories(dataset / "imagesTr");
  for (const char* name : {"case_0000", "case_0001", "case_0002", "case_0003", "other_0006"})
    test::writeFile(dataset / "imagesTr/" + std::string(name) + ".nii.gz", "");
  const Dataset found = findCases(dataset.path());
  EXPECT_EQ(found.layout, Layout::NnUnet);
  ASSERT_EQ(found.cases.size(), 1u);
  EXPECT_EQ(found.cases[0].id, "case");
}

// A dataset.json whose channel_names had a key that is no number (";", read as channel 0 by
// atoi) gave FLAIR and T1 one channel: a case found by its channel-3 file had none of its
// images (regressions/layout-channel-not-a-number.txt). Channel keys are now 0-3, each once.
TEST(FuzzFindings, NnUnetChannelNamesMustBeFourDifferentNumbers) {
  const std::vector<std::pair<std::string, std::string>> refused{
      {R"({"0":"T1","1":"T1ce","2":"T2",";":"FLAIR"})",
       "channel \";\" is not a channel number 0-3"},
      {R"({"0":"T1","1":"T1ce","2":"T2","01":"FLAIR"})",
       "channel \"01\" is not a channel number 0-3"},
      {R"({"0":"T1","1":"T1ce","2":"T2","3":"T1"})",
       "channel 3 (\"T1\") repeats a channel or a modality"}};
  for (const auto& [channels, problem] : refused) {
    SCOPED_TRACE(channels);
    test::TempDir dataset;
    std::filesystem::create_directories(dataset / "imagesTr");
    test::writeFile(dataset / "imagesTr/case_0003.nii.gz", "");
    test::writeFile(dataset / "dataset.json", R"({"channel_names":)" + channels + "}");
    try {
      findCases(dataset.path());
      FAIL() << "accepted";
    } catch (const InputError& error) {
      EXPECT_EQ(error.problem(), problem);
      EXPECT_EQ(error.file(), dataset / "dataset.json");
    }
  }
}

}  // namespace
}  // namespace seqseg
