// Review and keep under Xvfb, with real clicks and keys: File -> Review a folder segments three
// synthetic cases with the bundled model (`seqseg --batch --uncertainty`) and lists them most
// uncertain first; Next opens the first with its predicted mask; a stroke corrects it; Ctrl+K
// keeps it in the corrections folder (read back: BraTS 2021 layout through ITK, the corrected
// voxels, provenance with the model's SHA-256) and the list marks it; Next and Previous move on
// without asking about an unsaved mask, since the kept one holds it.
#include <gtest/gtest.h>

#include <QCryptographicHash>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "io/corrections_dataset.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "tests/gui/gui_test_support.h"
#include "tests/support/test_support.h"
#include "types/resource_paths.h"
#include "ui/corrections_menu.h"
#include "ui/edit_panel.h"
#include "ui/main_window.h"
#include "ui/review_panel.h"
#include "ui/segmentation_job.h"
#include "viz/case_views.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int kReviewTimeoutMs = 300000;  // three cases with test-time flips, on a busy machine
constexpr int kLoadTimeoutMs = 60000;

class CorrectionsGuiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }

  void SetUp() override {
    ASSERT_TRUE(dir_.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.filePath("settings"));
    const test::CommandResult synth =
        test::runSeqseg({"synth", "--out", (dir_.filePath("cases")).toStdString(), "--cases", "3",
                         "--size", "48", "--seed", "11"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
    window_ = std::make_unique<MainWindow>();
    // The review runs the segmentation job's executable (by default the running program: here
    // the test itself).
    window_->segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
    CorrectionsMenu::setCorrectionsFolder(dir_.filePath("corrections"));
    window_->correctionsMenu()->reviewPanel()->setCacheFolder(dir_.filePath("review"));
    ASSERT_TRUE(test::showAndWait(*window_));
  }

  QTemporaryDir dir_;
  std::unique_ptr<MainWindow> window_;
};

std::string sha256Of(const std::string& path) {
  QFile file(QString::fromStdString(path));
  EXPECT_TRUE(file.open(QIODevice::ReadOnly));
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&file);
  return hash.result().toHex().toStdString();
}

TEST_F(CorrectionsGuiTest, ReviewMostUncertainFirstCorrectKeepAndMoveOn) {
  MainWindow& window = *window_;
  CorrectionsMenu& menu = *window.correctionsMenu();
  ReviewPanel& review = *menu.reviewPanel();
  QSignalSpy ready(&review, &ReviewPanel::ready);
  QSignalSpy reviewFailed(&review, &ReviewPanel::failed);
  menu.review(dir_.filePath("cases"));
  ASSERT_TRUE(test::waitForOutcome(ready, reviewFailed, kReviewTimeoutMs));

  // Three cases, most uncertain first, as the table shows them.
  const std::vector<ReviewEntry> entries = review.entries();
  ASSERT_EQ(entries.size(), 3u);
  for (size_t n = 0; n + 1 < entries.size(); ++n) {
    if (!std::isnan(entries[n + 1].uncertainty)) {
      EXPECT_GE(entries[n].uncertainty, entries[n + 1].uncertainty);
    }
  }
  auto* table = review.findChild<QTableWidget*>(QStringLiteral("reviewTable"));
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(table->isVisible());
  ASSERT_EQ(table->rowCount(), 3);
  for (int row = 0; row < 3; ++row) {
    EXPECT_EQ(table->item(row, 0)->text().toStdString(), entries[row].id);
    EXPECT_TRUE(table->item(row, 3)->text().isEmpty()) << "nothing kept yet";
  }

  // Next: the first case with its predicted mask.
  auto* next = review.findChild<QPushButton*>(QStringLiteral("reviewNext"));
  auto* previous = review.findChild<QPushButton*>(QStringLiteral("reviewPrevious"));
  QSignalSpy loaded(&window, &MainWindow::segmentationLoaded);
  QSignalSpy loadFailed(&window, &MainWindow::loadFailed);
  QTest::mouseClick(next, Qt::LeftButton);
  ASSERT_TRUE(test::waitForOutcome(loaded, loadFailed, kLoadTimeoutMs));
  SessionModel& session = window.session();
  EXPECT_EQ(session.caseFiles().id, entries[0].id);
  EXPECT_EQ(review.currentRow(), 0);
  EXPECT_EQ(session.segmentationOrigin().kind, "model");
  EXPECT_EQ(session.segmentationOrigin().path, bundledModelPath());
  const LabelVolume predicted = readLabelMap(entries[0].mask);
  EXPECT_EQ(session.segmentation()->labels,
            toInternalLabels(predicted, Layout::Brats2021, entries[0].mask).labels);

  // A correction: key 3 (enhancing tumour), one click of a 6 mm brush in the axial view.
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  VtkViewWidget* axial = window.caseViews().view(SliceOrientation::Axial);
  axial->setFocus();
  QTest::keyClick(axial, Qt::Key_3);
  ASSERT_TRUE(window.editPanel()->painting());
  window.editPanel()->setRadiusMm(6.0);
  axial->grabFramebuffer();  // the camera as drawn
  QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, axial->rect().center());
  ASSERT_TRUE(session.canUndo());
  ASSERT_TRUE(session.isDirty());
  const LabelChanges changes =
      countLabelChanges(session.startingSegmentation().get(), *session.segmentation());
  ASSERT_GT(changes.gained[3], 0);

  // Ctrl+K keeps it.
  QSignalSpy kept(&menu, &CorrectionsMenu::caseKept);
  QSignalSpy keepFailed(&menu, &CorrectionsMenu::keepFailed);
  ASSERT_TRUE(menu.keepAction()->isEnabled());
  QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
  ASSERT_TRUE(test::waitForOutcome(kept, keepFailed));
  EXPECT_FALSE(session.isDirty()) << "the corrections folder holds the mask";
  const Dataset corrections = findCases(dir_.filePath("corrections").toStdString());
  ASSERT_EQ(corrections.cases.size(), 1u);
  EXPECT_EQ(corrections.cases[0].id, correctionCaseId(entries[0].id));
  const LabelVolume written = readLabelMap(corrections.cases[0].reference);
  EXPECT_EQ(toInternalLabels(written, Layout::Brats2021, corrections.cases[0].reference).labels,
            session.segmentation()->labels);
  const nlohmann::json provenance = nlohmann::json::parse(
      test::readFile(kept.front().front().toString().toStdString() + "/provenance.json"));
  EXPECT_EQ(provenance["voxels_changed"]["total"], changes.changed);
  EXPECT_EQ(provenance["voxels_changed"]["ET"]["gained"], changes.gained[3]);
  EXPECT_EQ(provenance["segmentation_before"]["sha256"], sha256Of(bundledModelPath()));
  EXPECT_EQ(provenance["source"]["images"][0], session.caseFiles().images[0]);
  EXPECT_EQ(table->item(0, 3)->text(), QStringLiteral("\u2713"));
  EXPECT_TRUE(table->item(1, 3)->text().isEmpty());
  test::saveSnapshot(window.grab().toImage(), "review_and_keep");

  // Next and Previous: no question about an unsaved mask.
  loaded.clear();
  QTest::mouseClick(next, Qt::LeftButton);
  ASSERT_TRUE(test::waitForOutcome(loaded, loadFailed, kLoadTimeoutMs));
  EXPECT_EQ(session.caseFiles().id, entries[1].id);
  loaded.clear();
  QTest::mouseClick(previous, Qt::LeftButton);
  ASSERT_TRUE(test::waitForOutcome(loaded, loadFailed, kLoadTimeoutMs));
  EXPECT_EQ(session.caseFiles().id, entries[0].id);
  EXPECT_FALSE(previous->isEnabled());

  // Reviewing the same folder again reads the report kept for it (no second segmentation).
  ready.clear();
  menu.review(dir_.filePath("cases"));
  EXPECT_EQ(ready.size(), 1);
  EXPECT_EQ(review.entries().size(), 3u);
  EXPECT_TRUE(review.entries()[0].kept);
}

}  // namespace
}  // namespace seqseg
