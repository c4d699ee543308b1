// DICOM SEG in the desktop application, on a study written by pydicom whose four series are
// oblique, anisotropic (0.9 x 0.7 x 3 mm) and stored with positions decreasing from file to
// file: File -> Export DICOM SEG writes the case's segmentation, and opening that file over the
// study gives back the same labels voxel for voxel; a SEG of another series is refused, naming
// it. The actions are enabled only for a DICOM study's case.
#include <gtest/gtest.h>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "io/dicom_seg.h"
#include "io/dicom_series.h"
#include "tests/gui/gui_test_support.h"
#include "tests/support/test_support.h"
#include "ui/dicom_seg_menu.h"
#include "ui/dicom_series_dialog.h"
#include "ui/main_window.h"
#include "ui/session_model.h"

namespace seqseg {
namespace {

constexpr int kTimeoutMs = 60000;

bool makeSeries(const QString& folder) {
  QProcess writer;
  writer.start(QStringLiteral("/usr/bin/python3"),
               {QStringLiteral(SEQSEG_SOURCE_DIR "/tests/tools/make_dicom.py"), "series",
                "oblique-reversed", folder});
  return writer.waitForFinished(120000) && writer.exitCode() == 0;
}

// Labels 0..3 in a pattern without symmetry; a flipped or shifted slice, row or column shows.
void paintPattern(SessionModel& session) {
  const auto& shape = session.volume()->shape;  // [4, K, R, C]
  std::vector<int64_t> voxels;
  std::vector<uint8_t> values;
  for (int64_t k = 0; k < shape[1]; ++k)
    for (int64_t j = 0; j < shape[2]; ++j)
      for (int64_t i = 0; i < shape[3]; ++i) {
        const int64_t value = (5 * i + 2 * j * j + 7 * k) % 5;
        if (value == 0 || value > 3) continue;
        voxels.push_back((k * shape[2] + j) * shape[3] + i);
        values.push_back(static_cast<uint8_t>(value));
      }
  session.applyEdit(voxels, values);
}

class DicomSegGuiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new QTemporaryDir;
    ASSERT_TRUE(data_->isValid());
    for (const char* series : {"s1", "s2", "s3", "s4"})
      ASSERT_TRUE(makeSeries(study() + "/" + series));
    ASSERT_TRUE(makeSeries(data_->filePath(QStringLiteral("other"))));
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static QString study() { return data_->filePath(QStringLiteral("OBLIQUE_STUDY")); }

  // The study opened as `seqseg DIR` opens it, its series s1..s4 chosen as T1..FLAIR.
  bool openStudy() {
    QSignalSpy offered(&window_, &MainWindow::dicomSeriesOffered);
    QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
    QSignalSpy failed(&window_, &MainWindow::loadFailed);
    window_.openCase(study());
    if (!QTest::qWaitFor([&] { return offered.count() > 0; }, kTimeoutMs)) return false;
    auto* dialog = offered.first().first().value<DicomSeriesDialog*>();
    for (int m = 0; m < kModalityCount; ++m) dialog->setChoice(m, m);
    dialog->accept();
    return test::waitForOutcome(loaded, failed, kTimeoutMs);
  }

  static inline QTemporaryDir* data_ = nullptr;
  MainWindow window_;
};

TEST_F(DicomSegGuiTest, ExportsAndReopensTheSegmentationOverTheSeries) {
  ASSERT_TRUE(test::showAndWait(window_));
  DicomSegMenu& menu = *window_.dicomSegMenu();
  EXPECT_FALSE(menu.exportAction()->isEnabled()) << "no case yet";
  EXPECT_FALSE(menu.openAction()->isEnabled()) << "no case yet";
  ASSERT_TRUE(openStudy());
  EXPECT_TRUE(menu.caseIsDicomStudy());
  EXPECT_TRUE(menu.openAction()->isEnabled());
  EXPECT_FALSE(menu.exportAction()->isEnabled()) << "no segmentation yet";

  SessionModel& session = window_.session();
  paintPattern(session);
  ASSERT_NE(session.segmentation(), nullptr);
  EXPECT_TRUE(menu.exportAction()->isEnabled());
  const std::vector<uint8_t> painted = session.segmentation()->labels;

  const QString seg = data_->filePath(QStringLiteral("OBLIQUE_STUDY_seg.dcm"));
  QSignalSpy exported(&menu, &DicomSegMenu::exported);
  QSignalSpy failed(&menu, &DicomSegMenu::failed);
  menu.exportSeg(seg);
  ASSERT_TRUE(test::waitForOutcome(exported, failed, kTimeoutMs));
  ASSERT_TRUE(QFileInfo::exists(seg));
  // Painted from nothing: segments of algorithm type MANUAL, which dciodvfy also accepts.
  const test::CommandResult check = test::runCommand({"/usr/bin/dciodvfy", seg.toStdString()});
  EXPECT_EQ((check.out + check.err).find("Error"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("\nSegmentation\n"), std::string::npos) << "the IOD it checked";

  // The SEG is what File -> Open segmentation reads for this case, over its T1 series.
  session.markSaved();
  session.clearSegmentation();
  ASSERT_EQ(session.segmentation(), nullptr);
  QSignalSpy opened(&menu, &DicomSegMenu::opened);
  window_.openSegmentation(seg);
  ASSERT_TRUE(test::waitForOutcome(opened, failed, kTimeoutMs));
  ASSERT_NE(session.segmentation(), nullptr);
  EXPECT_EQ(session.segmentation()->shape, (std::array<int64_t, 3>{24, 32, 32}));
  EXPECT_TRUE(session.segmentation()->labels == painted) << "labels differ after the round trip";
  EXPECT_FALSE(session.isDirty());
  QTest::qWait(200);  // the views draw the labels
  test::saveSnapshot(window_.grabView(QStringLiteral("window")), "dicomSegReopened");

  // A SEG of another series (its own frame of reference) is refused, naming the file.
  const DicomSeriesInfo other =
      findSingleSeries(data_->filePath(QStringLiteral("other")).toStdString());
  LabelVolume otherMask;
  otherMask.shape = {other.size[2], other.size[1], other.size[0]};
  otherMask.geometry = other.geometry;
  otherMask.labels.assign(static_cast<size_t>(otherMask.size()), 2);
  const QString otherSeg = data_->filePath(QStringLiteral("other_seg.dcm"));
  writeDicomSeg(otherSeg.toStdString(), otherMask, other, {"", false});
  QSignalSpy refused(&menu, &DicomSegMenu::failed);
  window_.openSegmentation(otherSeg);
  ASSERT_TRUE(QTest::qWaitFor([&] { return refused.count() > 0; }, kTimeoutMs));
  const QString message = refused.first().first().toString();
  EXPECT_TRUE(message.startsWith(otherSeg) && message.contains(QStringLiteral("another series")))
      << message.toStdString();
  EXPECT_TRUE(session.segmentation()->labels == painted) << "the refused SEG changed the labels";
  auto* box = window_.findChild<QMessageBox*>(QStringLiteral("dicomSegError"));
  ASSERT_NE(box, nullptr);
  test::saveSnapshot(box->grab().toImage(), "dicomSegRefused");
  box->close();
}

}  // namespace
}  // namespace seqseg
