// A case's four files and its reference are read on several threads at once (--batch reads the
// next case while one is segmented). ITK 5.2 is not safe for that (io/itk_lock.h): before the
// lock, two threads reading NIfTI headers together freed the same string twice, and --batch
// and training ended in glibc's "double free or corruption" once in a few hundred runs. A race
// shows every time under helgrind, whatever the timing, so the check runs the reads under it.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <string>

#include "engine/sanitizer.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/nifti_geometry.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

using test::TempDir;

// A 4-channel case and a label map on the same 6x7x8 grid, written in the BraTS 2021 layout.
CaseFiles writeSmallCase(const std::string& root) {
  Volume image;
  image.shape = {4, 6, 7, 8};
  image.geometry.spacing = {1.0, 1.2, 1.4};
  setNiftiFromPlacement(image.geometry);
  for (int v = 0; v < 4 * 6 * 7 * 8; ++v) image.voxels.push_back(static_cast<float>(v % 97));
  LabelVolume labels;
  labels.shape = {6, 7, 8};
  labels.geometry = image.geometry;
  for (int v = 0; v < 6 * 7 * 8; ++v) labels.labels.push_back(static_cast<uint8_t>(v % 4));
  writeCase(root, Layout::Brats2021, "BraTS2021_00000", image, &labels);
  return findCases(root).cases.at(0);
}

// What --batch does for each case: the images (four files on four threads) and the reference
// (one more) together, twice in a row; each read equals the same read made alone.
TEST(ConcurrentReads, ACaseAndItsReferenceReadTogetherEqualTheirReadsAlone) {
  TempDir dir;
  const CaseFiles files = writeSmallCase(dir.path());
  // The label map first, on this thread alone: libdeflate picks its CPU-specific inflate on its
  // first call and stores the choice in a global, the same value from any thread (a benign race
  // by its design, which helgrind would report when four threads make that first call).
  const LabelVolume labelsAlone = readLabelMap(files.reference);
  const Volume imageAlone = readCase(files);
  for (int round = 0; round < 2; ++round) {
    auto image = std::async(std::launch::async, [&] { return readCase(files); });
    auto labels = std::async(std::launch::async, [&] { return readLabelMap(files.reference); });
    EXPECT_EQ(image.get().voxels, imageAlone.voxels);
    EXPECT_EQ(labels.get().labels, labelsAlone.labels);
  }
}

// The reads above under helgrind (Debian's valgrind): no two threads touch ITK's state (or
// anything else) without an order between them. (Helgrind's other complaint here, a condition
// signalled without its lock in ITK's thread pool as the program exits, is no race.)
TEST(ConcurrentReads, ShowNoDataRaceUnderHelgrind) {
  // Valgrind cannot run a program whose AddressSanitizer runtime expects to come first.
  if (kAddressSanitizer) GTEST_SKIP() << "built with AddressSanitizer, which valgrind cannot run";
  const std::string valgrind = test::findProgram("valgrind");
  ASSERT_FALSE(valgrind.empty()) << "valgrind is not installed (scripts/bootstrap installs it)";
  const test::CommandResult run = test::runCommand(
      {valgrind, "--tool=helgrind", "--num-callers=12",
       std::filesystem::read_symlink("/proc/self/exe").string(),
       "--gtest_filter=ConcurrentReads.ACaseAndItsReferenceReadTogetherEqualTheirReadsAlone"});
  EXPECT_EQ(run.exitCode, 0) << run.err.substr(0, 6000);
  const size_t race = run.err.find("Possible data race");
  EXPECT_EQ(race, std::string::npos) << run.err.substr(race == std::string::npos ? 0 : race, 6000);
  EXPECT_NE(run.out.find("[  PASSED  ] 1 test"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace seqseg
