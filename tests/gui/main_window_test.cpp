// The main window opens a real case (written by `seqseg synth`) off the UI thread, draws it in
// all four views and names it in the status bar; bad input ends in loadFailed and a message.
#include <gtest/gtest.h>

#include <QDir>
#include <QMessageBox>
#include <QProcess>
#include <QScreen>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>
#include <string>

#include "tests/gui/gui_test_support.h"
#include "ui/main_window.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int kLoadTimeoutMs = 60000;
const char* const kViewNames[] = {"axialView", "sagittalView", "coronalView", "overviewView"};

class MainWindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new QTemporaryDir;
    ASSERT_TRUE(data_->isValid());
    QProcess synth;
    synth.start(QStringLiteral(SEQSEG_BINARY_DIR "/app/seqseg"),
                {"synth", "--out", data_->path(), "--cases", "1", "--size", "32", "--layout",
                 "brats2021", "--seed", "1"});
    ASSERT_TRUE(synth.waitForFinished(120000)) << synth.errorString().toStdString();
    ASSERT_EQ(synth.exitCode(), 0) << synth.readAllStandardError().toStdString();
  }

  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  static QString caseFolder() { return data_->filePath(QStringLiteral("BraTS2021_00000")); }

  VtkViewWidget* view(const char* name) { return window_.findChild<VtkViewWidget*>(name); }

  // A load's outcome: waits for caseLoaded or loadFailed, whichever comes.
  struct Outcome {
    bool loaded = false;
    QString failure;
  };
  Outcome waitForLoad(QSignalSpy& loaded, QSignalSpy& failed) {
    if (!QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kLoadTimeoutMs))
      ADD_FAILURE() << "neither caseLoaded nor loadFailed within " << kLoadTimeoutMs << " ms";
    Outcome outcome;
    outcome.loaded = loaded.count() > 0;
    if (failed.count() > 0) outcome.failure = failed.first().first().toString();
    return outcome;
  }

  static inline QTemporaryDir* data_ = nullptr;
  MainWindow window_;
};

TEST_F(MainWindowTest, OpensCaseAndDrawsItInEveryView) {
  // "[*]" is where Qt marks an unsaved segmentation; it shows as "seqseg" until then.
  EXPECT_EQ(window_.windowTitle(), QStringLiteral("seqseg[*]"));
  EXPECT_FALSE(window_.isWindowModified());
  ASSERT_TRUE(test::showAndWait(window_));
  // Before a case, every view is only its background: what makes the check below mean
  // something.
  for (const char* name : kViewNames) {
    VtkViewWidget* shown = view(name);
    ASSERT_NE(shown, nullptr) << name;
    EXPECT_LT(test::fractionUnlike(shown->grabFramebuffer(), test::backgroundOf(*shown)), 0.001)
        << name;
  }

  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openCase(caseFolder());
  EXPECT_EQ(loaded.count(), 0) << "loading must not happen on the UI thread";
  const Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_TRUE(outcome.loaded) << "load failed: " << outcome.failure.toStdString();

  ASSERT_NE(window_.volume(), nullptr);
  EXPECT_EQ(window_.volume()->shape[0], 4);
  const QString summary = window_.caseSummary();
  EXPECT_TRUE(summary.startsWith(QStringLiteral("BraTS2021_00000 — 32x32x32, spacing ")))
      << summary.toStdString();
  EXPECT_TRUE(summary.contains(QStringLiteral(" mm"))) << summary.toStdString();

  for (const char* name : kViewNames) {
    VtkViewWidget* shown = view(name);
    const QImage image = shown->grabFramebuffer();
    ASSERT_FALSE(image.isNull()) << name;
    test::saveSnapshot(image, name);
    const double drawn = test::fractionUnlike(image, test::backgroundOf(*shown));
    EXPECT_GT(drawn, 0.05) << name << " shows too little of the case";
  }

  // What reaches the screen, after Qt composes the window: grabFramebuffer above reads the
  // views' own framebuffers and would not see a view that Qt draws transparent or black.
  VtkViewWidget* axial = view("axialView");
  const QRect axialOnScreen(axial->mapTo(&window_, QPoint(0, 0)) * axial->devicePixelRatioF(),
                            axial->size() * axial->devicePixelRatioF());
  QImage onScreen;
  auto screenShowsCase = [&] {
    onScreen = axial->screen()->grabWindow(window_.winId()).toImage().copy(axialOnScreen);
    return test::fractionUnlike(onScreen, test::backgroundOf(*axial)) > 0.05;
  };
  // The repaint after the load reaches the X server soon; waiting is only for slow machines.
  EXPECT_TRUE(QTest::qWaitFor(screenShowsCase, 10000)) << "the axial view is blank on screen";
  test::saveSnapshot(onScreen, "axialOnScreen");
}

TEST_F(MainWindowTest, MissingFolderFailsWithTheIoMessage) {
  ASSERT_TRUE(test::showAndWait(window_));
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  const QString missing = QDir::temp().filePath(QStringLiteral("seqseg-no-such-folder-4711"));
  window_.openCase(missing);
  const Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_FALSE(outcome.loaded);
  EXPECT_EQ(outcome.failure, missing + QStringLiteral(": folder not found"));
  EXPECT_EQ(window_.volume(), nullptr);

  // The person sees the same message, in a box that does not block the window.
  auto* box = window_.findChild<QMessageBox*>();
  ASSERT_NE(box, nullptr);
  EXPECT_TRUE(box->isVisible());
  EXPECT_EQ(box->informativeText(), outcome.failure);
  box->close();
}

TEST_F(MainWindowTest, FolderWithoutCaseFailsNamingTheLayoutsTried) {
  QTemporaryDir empty;
  ASSERT_TRUE(empty.isValid());
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openCase(empty.path());
  const Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_FALSE(outcome.loaded);
  EXPECT_TRUE(outcome.failure.contains(QStringLiteral("no case found")))
      << outcome.failure.toStdString();
  EXPECT_TRUE(outcome.failure.contains(QStringLiteral("BraTS 2021")))
      << outcome.failure.toStdString();
}

TEST_F(MainWindowTest, OpensFourExplicitFiles) {
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  const QDir folder(caseFolder());
  QStringList files;
  for (const char* part : {"t1", "t1ce", "t2", "flair"})
    files << folder.filePath(QStringLiteral("BraTS2021_00000_%1.nii.gz").arg(part));
  window_.openFiles(files);
  const Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_TRUE(outcome.loaded) << "load failed: " << outcome.failure.toStdString();
  EXPECT_TRUE(window_.caseSummary().startsWith(QStringLiteral("BraTS2021_00000 — ")))
      << window_.caseSummary().toStdString();
}

TEST_F(MainWindowTest, WrongNumberOfFilesFails) {
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openFiles({QStringLiteral("a.nii.gz"), QStringLiteral("b.nii.gz")});
  ASSERT_EQ(failed.count(), 1);
  EXPECT_TRUE(failed.first().first().toString().contains(QStringLiteral("four")));
}

TEST_F(MainWindowTest, UnreadableModalityFailsNamingTheFile) {
  QTemporaryDir scratch;
  ASSERT_TRUE(scratch.isValid());
  const QString broken = scratch.filePath(QStringLiteral("broken_t2.nii.gz"));
  {
    QFile file(broken);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("this is not a NIfTI image");
  }
  const QDir folder(caseFolder());
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openFiles({folder.filePath(QStringLiteral("BraTS2021_00000_t1.nii.gz")),
                     folder.filePath(QStringLiteral("BraTS2021_00000_t1ce.nii.gz")), broken,
                     folder.filePath(QStringLiteral("BraTS2021_00000_flair.nii.gz"))});
  const Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_FALSE(outcome.loaded);
  EXPECT_TRUE(outcome.failure.startsWith(broken + QStringLiteral(": ")))
      << outcome.failure.toStdString();
}

// Pixels that only the label overlay draws: the case itself is grey (red = green = blue).
struct OverlayPixels {
  long red = 0;    // NCR (and the red half of ET's yellow)
  long green = 0;  // ED
  long total = 0;  // any clearly coloured pixel
};
OverlayPixels countOverlayPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  OverlayPixels counts;
  for (int y = 0; y < rgb.height(); ++y) {
    const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = 0; x < rgb.width(); ++x) {
      const int r = qRed(line[x]), g = qGreen(line[x]), b = qBlue(line[x]);
      if (std::max(r, g) - b <= 60) continue;
      ++counts.total;
      if (r > g + 40) ++counts.red;
      if (g > r + 40) ++counts.green;
    }
  }
  return counts;
}

TEST_F(MainWindowTest, OverlaysTheSegmentationOnTheSliceViews) {
  ASSERT_TRUE(test::showAndWait(window_));
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openCase(caseFolder());
  Outcome outcome = waitForLoad(loaded, failed);
  ASSERT_TRUE(outcome.loaded) << "load failed: " << outcome.failure.toStdString();
  VtkViewWidget* axial = view("axialView");
  const OverlayPixels before = countOverlayPixels(axial->grabFramebuffer());
  EXPECT_EQ(before.total, 0) << "the case alone is grey";

  QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
  window_.openSegmentation(
      QDir(caseFolder()).filePath(QStringLiteral("BraTS2021_00000_seg.nii.gz")));
  EXPECT_EQ(segmented.count(), 0) << "reading must not happen on the UI thread";
  ASSERT_TRUE(
      QTest::qWaitFor([&] { return segmented.count() + failed.count() > 0; }, kLoadTimeoutMs));
  ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();

  // The view has moved to the slice with the most tumour, so the labels are in sight.
  for (const char* name : {"axialView", "sagittalView", "coronalView"}) {
    const QImage image = view(name)->grabFramebuffer();
    test::saveSnapshot(image, (std::string(name) + "WithLabels").c_str());
    const OverlayPixels after = countOverlayPixels(image);
    const double pixels = static_cast<double>(image.width()) * image.height();
    EXPECT_GT(after.total / pixels, 0.005) << name << ": too little overlay";
    EXPECT_GT(after.green, 0) << name << ": no oedema (green) drawn";
    EXPECT_GT(after.red, 0) << name << ": no core (red) drawn";
  }

  // Another case clears the labels.
  window_.openCase(caseFolder());
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() == 2; }, kLoadTimeoutMs));
  EXPECT_EQ(countOverlayPixels(axial->grabFramebuffer()).total, 0);
}

TEST_F(MainWindowTest, SegmentationOfAnotherGridFailsNamingTheFile) {
  QTemporaryDir other;
  ASSERT_TRUE(other.isValid());
  QProcess synth;
  synth.start(QStringLiteral(SEQSEG_BINARY_DIR "/app/seqseg"),
              {"synth", "--out", other.path(), "--cases", "1", "--size", "16", "--layout",
               "brats2021", "--seed", "1"});
  ASSERT_TRUE(synth.waitForFinished(120000)) << synth.errorString().toStdString();
  ASSERT_EQ(synth.exitCode(), 0) << synth.readAllStandardError().toStdString();
  const QString smaller =
      QDir(other.path()).filePath(QStringLiteral("BraTS2021_00000/BraTS2021_00000_seg.nii.gz"));

  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  window_.openSegmentation(smaller);  // no case yet
  ASSERT_EQ(failed.count(), 1);
  EXPECT_TRUE(failed.first().first().toString().startsWith(smaller + QStringLiteral(": ")));

  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  window_.openCase(caseFolder());
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() > 0; }, kLoadTimeoutMs));
  QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
  window_.openSegmentation(smaller);
  ASSERT_TRUE(QTest::qWaitFor([&] { return failed.count() == 2; }, kLoadTimeoutMs));
  EXPECT_EQ(segmented.count(), 0);
  const QString message = failed.at(1).first().toString();
  EXPECT_TRUE(message.startsWith(smaller + QStringLiteral(": "))) << message.toStdString();
  EXPECT_TRUE(message.contains(QStringLiteral("16x16x16"))) << message.toStdString();
  EXPECT_TRUE(message.contains(QStringLiteral("32x32x32"))) << message.toStdString();
}

}  // namespace
}  // namespace seqseg
