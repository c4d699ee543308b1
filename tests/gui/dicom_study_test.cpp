// A DICOM study written by pydicom (an independent writer) opens in the desktop application:
// the folder is scanned, its four series are offered with a guess of which is T1, T1ce, T2 and
// FLAIR, and the chosen series open as one case drawn in every view. A series on another grid
// opens only when resampling is allowed.
#include <gtest/gtest.h>

#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "io/dicom_series.h"
#include "io/nifti_geometry.h"
#include "tests/gui/gui_test_support.h"
#include "ui/dicom_series_dialog.h"
#include "ui/main_window.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int kTimeoutMs = 60000;

class DicomStudyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new QTemporaryDir;
    ASSERT_TRUE(data_->isValid());
    // FLAIR on its own grid (28x26x20, 1x1x2.5 mm) beside three series on one grid.
    QProcess writer;
    writer.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral(SEQSEG_SOURCE_DIR "/tests/tools/make_dicom.py"), "study", study(),
                  "--flair-grid", "other"});
    ASSERT_TRUE(writer.waitForFinished(120000)) << writer.errorString().toStdString();
    ASSERT_EQ(writer.exitCode(), 0) << writer.readAllStandardError().toStdString();
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static QString study() { return data_->filePath(QStringLiteral("PHANTOM_STUDY")); }

  // Opens the study as `seqseg DIR` and a drop do (openCase) and waits for the series dialog.
  DicomSeriesDialog* offeredDialog() {
    QSignalSpy offered(&window_, &MainWindow::dicomSeriesOffered);
    window_.openCase(study());
    if (!QTest::qWaitFor([&] { return offered.count() > 0; }, kTimeoutMs)) return nullptr;
    return offered.first().first().value<DicomSeriesDialog*>();
  }

  static inline QTemporaryDir* data_ = nullptr;
  MainWindow window_;
};

TEST_F(DicomStudyTest, OffersTheSeriesAndOpensTheChosenFourAsOneCase) {
  ASSERT_TRUE(test::showAndWait(window_));
  DicomSeriesDialog* dialog = offeredDialog();
  ASSERT_NE(dialog, nullptr) << "no series dialog";
  EXPECT_TRUE(dialog->isVisible());
  ASSERT_EQ(dialog->series().size(), 4u);
  // Sorted by series number; the guess comes from the descriptions alone.
  EXPECT_EQ(dialog->series()[1].description, "T1 SE tra POST GD");
  const std::array<int, 4> guessed = dialog->choice();
  EXPECT_EQ(guessed, (std::array<int, 4>{0, 1, 2, 3}));
  test::saveSnapshot(dialog->grab().toImage(), "dicomSeriesDialog");

  // FLAIR is on another grid: without resampling the load fails naming its folder.
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  dialog->accept();
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kTimeoutMs));
  ASSERT_EQ(failed.count(), 1);
  const QString failure = failed.first().first().toString();
  EXPECT_TRUE(failure.contains(QStringLiteral("s4")) && failure.contains("another grid"))
      << failure.toStdString();
  if (auto* box = window_.findChild<QMessageBox*>()) box->close();

  // Again, with the user's correction of a choice and resampling allowed.
  dialog = offeredDialog();
  ASSERT_NE(dialog, nullptr);
  dialog->setChoice(2, 2);
  dialog->setResampleAllowed(true);
  failed.clear();
  dialog->accept();
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kTimeoutMs));
  ASSERT_EQ(loaded.count(), 1) << (failed.count() ? failed.first().first().toString().toStdString()
                                                  : std::string());
  const auto volume = window_.volume();
  ASSERT_NE(volume, nullptr);
  EXPECT_EQ(volume->shape, (std::array<int64_t, 4>{4, 24, 32, 32}));
  // The case is on T1's grid exactly: the grid masks are saved in.
  const DicomSeriesInfo t1 = findSingleSeries((study() + "/s1").toStdString());
  std::string difference;
  EXPECT_TRUE(sameGeometry(volume->geometry, t1.geometry, &difference)) << difference;
  EXPECT_TRUE(window_.caseSummary().startsWith(QStringLiteral("PHANTOM_STUDY — 32x32x24")))
      << window_.caseSummary().toStdString();
  EXPECT_TRUE(window_.caseSummary().contains(QStringLiteral("resampled")))
      << window_.caseSummary().toStdString();

  for (const char* name : {"axialView", "sagittalView", "coronalView", "overviewView"}) {
    auto* view = window_.findChild<VtkViewWidget*>(name);
    ASSERT_NE(view, nullptr) << name;
    const QImage image = view->grabFramebuffer();
    test::saveSnapshot(image, (std::string("dicom_") + name).c_str());
    EXPECT_GT(test::fractionUnlike(image, test::backgroundOf(*view)), 0.05)
        << name << " shows too little of the case";
  }
}

// A series folder that also holds files that are no DICOM image (the 4-byte file once aborted
// the application): the series is offered, and the dialog names the skipped files.
TEST_F(DicomStudyTest, NamesTheFilesItSkipsBesideASeries) {
  ASSERT_TRUE(test::showAndWait(window_));
  const QString folder = data_->filePath(QStringLiteral("stray"));
  QProcess writer;
  writer.start(QStringLiteral("/usr/bin/python3"),
               {QStringLiteral(SEQSEG_SOURCE_DIR "/tests/tools/make_dicom.py"), "series",
                "stray-files", folder});
  ASSERT_TRUE(writer.waitForFinished(120000));
  ASSERT_EQ(writer.exitCode(), 0) << writer.readAllStandardError().toStdString();
  QSignalSpy offered(&window_, &MainWindow::dicomSeriesOffered);
  window_.openCase(folder);
  ASSERT_TRUE(QTest::qWaitFor([&] { return offered.count() > 0; }, kTimeoutMs));
  auto* dialog = offered.first().first().value<DicomSeriesDialog*>();
  ASSERT_EQ(dialog->series().size(), 1u);
  auto* note = dialog->findChild<QLabel*>(QStringLiteral("skippedFilesNote"));
  ASSERT_NE(note, nullptr);
  EXPECT_TRUE(note->isVisible());
  EXPECT_EQ(note->text().toStdString(),
            "skipped 5 files that are not a DICOM image: DICOMDIR, EMPTY, IM_FOUR_BYTES, README, "
            "thumbs.db");
  test::saveSnapshot(dialog->grab().toImage(), "dicomSeriesDialog_skipped");
  dialog->reject();
}

}  // namespace
}  // namespace seqseg
