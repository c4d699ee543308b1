// Failure drill: the desktop application given a 2 GiB case (four uncompressed float32 NIfTI
// files of 512^3 voxels). Whatever happens, the window keeps serving its event loop: the
// longest stall of the UI thread stays under kMaxStallMs from the request until the case is
// drawn, and the outcome is either the case in the views or a refusal naming the file and the
// size.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <QMessageBox>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tests/gui/gui_test_support.h"
#include "tests/support/test_support.h"
#include "ui/main_window.h"
#include "ui/ui_stall_meter.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int64_t kSide = 512;        // 512^3 float32 voxels: 512 MiB per modality, 2 GiB in all
constexpr int64_t kBrightSide = 128;  // a bright cube in the middle, for the views to show
// 185-270 ms measured on a quiet 2-core machine, 844 ms with its load average at 11 (other
// builds), 1194 ms once while the shared host ran slow (the longest stall is the first render
// of the loaded case, on the UI thread as OpenGL requires); the window that copied and
// converted the case itself stalled 5.5 s. The bound guards against that freeze, not a speed
// (the test prints the stall; speed belongs in bench/): generous, so a busy machine passes.
constexpr double kMaxStallMs = 2000;
constexpr int kLoadTimeoutMs = 300000;

template <typename T>
void put(std::vector<char>& header, size_t offset, T value) {
  std::memcpy(header.data() + offset, &value, sizeof(T));
}

// A NIfTI-1 file (qform: 1 mm voxels, identity orientation) written sparse: the header, the
// bright cube, and a hole of zeros for everything else, so that writing takes a second.
void writeLargeNifti(const std::string& path, float brightValue) {
  std::vector<char> header(352, 0);
  put<int32_t>(header, 0, 348);
  const int16_t dim[8] = {3, kSide, kSide, kSide, 1, 1, 1, 1};
  std::memcpy(header.data() + 40, dim, sizeof dim);
  put<int16_t>(header, 70, 16);  // DT_FLOAT32
  put<int16_t>(header, 72, 32);
  const float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  std::memcpy(header.data() + 76, pixdim, sizeof pixdim);
  put<float>(header, 108, 352.0f);  // vox_offset
  put<char>(header, 123, 2);        // millimetres
  put<int16_t>(header, 252, 1);     // qform_code: scanner
  std::memcpy(header.data() + 344, "n+1", 4);

  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, header.data(), header.size(), 0), static_cast<ssize_t>(header.size()));
  const off_t dataBytes = static_cast<off_t>(kSide * kSide * kSide * sizeof(float));
  ASSERT_EQ(::ftruncate(fd, 352 + dataBytes), 0) << path;
  const std::vector<float> row(kBrightSide, brightValue);
  const int64_t first = (kSide - kBrightSide) / 2;
  for (int64_t k = first; k < first + kBrightSide; ++k)
    for (int64_t j = first; j < first + kBrightSide; ++j) {
      const off_t offset =
          352 + static_cast<off_t>(((k * kSide + j) * kSide + first) * sizeof(float));
      ASSERT_EQ(::pwrite(fd, row.data(), row.size() * sizeof(float), offset),
                static_cast<ssize_t>(row.size() * sizeof(float)));
    }
  ::close(fd);
}

TEST(LargeCaseDrill, TwoGigabyteCaseLoadsOrIsRefusedWithoutFreezingTheWindow) {
  test::ensureApplication();
  test::TempDir data;
  const std::string caseDir = data / "Large_00000";
  ASSERT_EQ(::mkdir(caseDir.c_str(), 0755), 0);
  float value = 400;
  for (const char* modality : {"t1", "t1ce", "t2", "flair"}) {
    writeLargeNifti(caseDir + "/Large_00000_" + modality + ".nii", value);
    value += 100;
  }
  const std::string t1 = caseDir + "/Large_00000_t1.nii";

  MainWindow window;
  ASSERT_TRUE(test::showAndWait(window));
  QSignalSpy loaded(&window, &MainWindow::caseLoaded);
  QSignalSpy failed(&window, &MainWindow::loadFailed);
  UiStallMeter stalls(10);
  stalls.start();
  window.openCase(QString::fromStdString(caseDir));
  const bool ended =
      QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kLoadTimeoutMs);
  // The first renders of the views after the load count too.
  QTest::qWait(2000);
  stalls.stop();
  ASSERT_TRUE(ended) << "neither caseLoaded nor loadFailed within " << kLoadTimeoutMs << " ms";
  std::cout << "longest UI stall while a 2 GiB case was opened: " << stalls.longestStallMs()
            << " ms\n";
  EXPECT_LT(stalls.longestStallMs(), kMaxStallMs);

  if (failed.count() > 0) {
    // Refused: one message naming the file and how much memory the case needs.
    const QString message = failed.first().first().toString();
    std::cout << "refused: " << message.toStdString() << "\n";
    EXPECT_TRUE(message.startsWith(QString::fromStdString(t1))) << message.toStdString();
    EXPECT_TRUE(message.contains(QStringLiteral("GB"))) << message.toStdString();
    auto* box = window.findChild<QMessageBox*>();
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->isVisible());
    box->close();
    EXPECT_EQ(window.volume(), nullptr);
    return;
  }
  ASSERT_NE(window.volume(), nullptr);
  EXPECT_EQ(window.volume()->shape, (std::array<int64_t, 4>{4, kSide, kSide, kSide}));
  EXPECT_TRUE(window.caseSummary().startsWith(QStringLiteral("Large_00000 — 512x512x512")))
      << window.caseSummary().toStdString();
  // The axial view shows the bright cube: a quarter of the slice's width and height.
  auto* axial = window.findChild<VtkViewWidget*>("axialView");
  ASSERT_NE(axial, nullptr);
  const QImage image = axial->grabFramebuffer();
  test::saveSnapshot(image, "large-case-axial");
  EXPECT_GT(test::fractionUnlike(image, test::backgroundOf(*axial)), 0.02);
}

}  // namespace
}  // namespace seqseg
