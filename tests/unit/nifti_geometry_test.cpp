// Geometry round trips: a mask written for an image has exactly the image's header geometry,
// as seen by ITK (our reader) and by nibabel (an independent one).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

using test::TempDir;

void expectMatricesNear(const nlohmann::json& a, const nlohmann::json& b, double tolerance) {
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      EXPECT_NEAR(a[r][c].get<double>(), b[r][c].get<double>(), tolerance)
          << "row " << r << " col " << c;
}

LabelVolume thresholdMask(const Volume& image) {
  LabelVolume mask;
  mask.shape = {image.shape[1], image.shape[2], image.shape[3]};
  mask.geometry = image.geometry;
  mask.labels.resize(image.voxelsPerChannel());
  for (int64_t i = 0; i < image.voxelsPerChannel(); ++i)
    mask.labels[i] = static_cast<uint8_t>(image.voxels[i] > 500 ? 1 + i % 3 : 0);
  return mask;
}

// Reads `input`, writes a mask for it under both extensions and checks both readers agree.
void checkRoundTrip(const std::string& input, const TempDir& dir) {
  const Volume image = readImage(input);
  const nlohmann::json original = test::niftiFacts(input);
  EXPECT_EQ(orientationCode(image.geometry), original["axcodes"].get<std::string>());
  const LabelVolume mask = thresholdMask(image);
  for (const char* name : {"mask.nii.gz", "mask.nii"}) {
    SCOPED_TRACE(std::string(input) + " -> " + name);
    const std::string output = dir / name;
    writeLabelMap(output, mask);
    const nlohmann::json written = test::niftiFacts(output);
    EXPECT_EQ(written["shape"],
              nlohmann::json({original["shape"][0], original["shape"][1], original["shape"][2]}));
    EXPECT_EQ(written["dtype"], "uint8");
    EXPECT_EQ(written["qform_code"], original["qform_code"]);
    EXPECT_EQ(written["sform_code"], original["sform_code"]);
    expectMatricesNear(written["qform"], original["qform"], 1e-6);
    expectMatricesNear(written["sform"], original["sform"], 1e-6);
    EXPECT_EQ(written["axcodes"], original["axcodes"]);

    const LabelVolume reread = readLabelMap(output);
    std::string difference;
    EXPECT_TRUE(sameGeometry(reread.geometry, image.geometry, &difference, 1e-6, 1e-7))
        << difference;
    EXPECT_EQ(reread.labels, mask.labels);
  }
}

TEST(NiftiGeometry, ObliqueDirectionRoundTrips) {
  TempDir dir;
  test::makeFixture("oblique", dir / "oblique.nii.gz");
  checkRoundTrip(dir / "oblique.nii.gz", dir);
}

TEST(NiftiGeometry, QformOnlyRoundTrips) {
  TempDir dir;
  test::makeFixture("qform-only", dir / "q.nii.gz");
  checkRoundTrip(dir / "q.nii.gz", dir);
  EXPECT_EQ(test::niftiFacts(dir / "mask.nii")["sform_code"], 0);
}

TEST(NiftiGeometry, SformOnlyRoundTrips) {
  TempDir dir;
  test::makeFixture("sform-only", dir / "s.nii");
  checkRoundTrip(dir / "s.nii", dir);
  EXPECT_EQ(test::niftiFacts(dir / "mask.nii")["qform_code"], 0);
}

TEST(NiftiGeometry, Colin27TemplateRoundTrips) {
  TempDir dir;
  const std::string colin = "/usr/share/mricron/templates/ch2.nii.gz";
  checkRoundTrip(colin, dir);
  const Volume image = readImage(colin);
  EXPECT_EQ(image.shape, (std::array<int64_t, 4>{1, 181, 217, 181}));
  EXPECT_EQ(image.geometry.nifti.qform_code, 0);
  EXPECT_EQ(image.geometry.nifti.sform_code, 4);
  // RAS sform offset (-90, -125, -71) is LPS origin (90, 125, -71).
  EXPECT_NEAR(image.geometry.origin[0], 90, 1e-6);
  EXPECT_NEAR(image.geometry.origin[1], 125, 1e-6);
  EXPECT_NEAR(image.geometry.origin[2], -71, 1e-6);
}

TEST(NiftiGeometry, LpsAndRasFilesRoundTripWithTheirOrientation) {
  TempDir dir;
  test::makeFixture("lps", dir / "lps.nii.gz");
  test::makeFixture("ras", dir / "ras.nii.gz");
  EXPECT_EQ(orientationCode(readImage(dir / "lps.nii.gz").geometry), "LPS");
  EXPECT_EQ(orientationCode(readImage(dir / "ras.nii.gz").geometry), "RAS");
  checkRoundTrip(dir / "lps.nii.gz", dir);
  checkRoundTrip(dir / "ras.nii.gz", dir);
}

TEST(NiftiGeometry, Msd4dReadsFourChannelsInFileOrder) {
  TempDir dir;
  test::makeFixture("msd4d", dir / "case.nii.gz");
  const Volume image = readImage(dir / "case.nii.gz", ExpectedRank::MultiChannel4D);
  ASSERT_EQ(image.shape, (std::array<int64_t, 4>{4, 8, 10, 12}));
  // The fixture adds 1000 * channel to the same data; voxel (i=3, j=2, k=1) of each channel.
  const int64_t voxel = (1 * 10 + 2) * 12 + 3;
  for (int c = 1; c < 4; ++c)
    EXPECT_NEAR(image.channel(c)[voxel] - image.channel(0)[voxel], 1000.0f * c, 1e-3);
  checkRoundTrip(dir / "case.nii.gz", dir);
}

// Float images are deflated by ISA-L as they stream out, whole or row by row as they are
// computed (writeImageRows), gzipped or not: ordinary files that we, ITK and nibabel read back.
TEST(NiftiGeometry, LargeGzippedImagesRoundTripAndReadInNibabel) {
  TempDir dir;
  Volume image;
  image.shape = {1, 40, 80, 96};  // 1.2 MB of float32
  for (int64_t i = 0; i < 40 * 80 * 96; ++i)
    image.voxels.push_back(static_cast<float>(i % 1009) * 0.37f - 50.0f);
  setNiftiFromPlacement(image.geometry);
  writeImage(dir / "large.nii.gz", image);
  EXPECT_EQ(readImage(dir / "large.nii.gz").voxels, image.voxels);
  EXPECT_EQ(test::inflatedFile(dir / "large.nii.gz").size(), 352 + image.voxels.size() * 4);
  const nlohmann::json facts = test::niftiFacts(dir / "large.nii.gz");
  EXPECT_EQ(facts["shape"], nlohmann::json::parse("[96, 80, 40]"));
  EXPECT_FLOAT_EQ(facts["max"].get<double>(),
                  *std::max_element(image.voxels.begin(), image.voxels.end()));

  for (const std::string name : {"rows.nii.gz", "rows.nii"}) {
    SCOPED_TRACE(name);
    writeImageRows(dir / name, image.shape, image.geometry,
                   [&](int64_t channel, int64_t a0, int64_t a1, float* row) {
                     const float* from = image.voxels.data() + ((channel * 40 + a0) * 80 + a1) * 96;
                     std::copy(from, from + 96, row);
                   });
    const Volume reread = readImage(dir / name);
    EXPECT_EQ(reread.voxels, image.voxels);
    EXPECT_EQ(test::niftiFacts(dir / name), facts);
  }
}

TEST(NiftiGeometry, FloatImagesRoundTripExactly) {
  TempDir dir;
  Volume image;
  image.shape = {2, 3, 4, 5};
  for (int i = 0; i < 120; ++i) image.voxels.push_back(0.25f * i - 7.0f);
  image.geometry.spacing = {0.5, 2.0, 3.0};
  image.geometry.origin = {10, -5, 2};
  image.geometry.direction = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  setNiftiFromPlacement(image.geometry);
  writeImage(dir / "image.nii.gz", image);
  const Volume reread = readImage(dir / "image.nii.gz");
  EXPECT_EQ(reread.shape, image.shape);
  EXPECT_EQ(reread.voxels, image.voxels);
  std::string difference;
  EXPECT_TRUE(sameGeometry(reread.geometry, image.geometry, &difference, 1e-6, 1e-6)) << difference;
}

TEST(NiftiGeometry, WritesLeaveNoTemporaryFiles) {
  TempDir dir;
  test::makeFixture("lps", dir / "lps.nii.gz");
  writeLabelMap(dir / "mask.nii.gz", thresholdMask(readImage(dir / "lps.nii.gz")));
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2);
}

}  // namespace
}  // namespace seqseg
