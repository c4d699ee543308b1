// The View menu and display toolbar of the main window reach the views: modality switch,
// label outlines, opacity slider, 3D surfaces and volume rendering; the status bar follows the
// cursor.
#include <gtest/gtest.h>

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include "tests/gui/gui_test_support.h"
#include "ui/main_window.h"
#include "viz/case_views.h"
#include "viz/label_colours.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

class DisplayControlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new QTemporaryDir;
    ASSERT_TRUE(data_->isValid());
    QProcess synth;
    synth.start(QStringLiteral(SEQSEG_BINARY_DIR "/app/seqseg"),
                {"synth", "--out", data_->path(), "--cases", "1", "--size", "48", "--seed", "4"});
    ASSERT_TRUE(synth.waitForFinished(120000));
    ASSERT_EQ(synth.exitCode(), 0) << synth.readAllStandardError().toStdString();
  }
  static void TearDownTestSuite() { delete data_; }

  void openCaseWithLabels() {
    ASSERT_TRUE(test::showAndWait(window_));
    QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
    window_.openCase(data_->filePath("BraTS2021_00000"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() > 0; }, 60000));
    QSignalSpy labelled(&window_, &MainWindow::segmentationLoaded);
    window_.openSegmentation(data_->filePath("BraTS2021_00000/BraTS2021_00000_seg.nii.gz"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return labelled.count() > 0; }, 60000));
  }

  QAction* action(const char* name) { return window_.findChild<QAction*>(name); }

  static inline QTemporaryDir* data_ = nullptr;
  MainWindow window_;
};

TEST_F(DisplayControlsTest, ViewMenuAndToolbarChangeWhatTheViewsShow) {
  openCaseWithLabels();
  CaseViews& views = window_.caseViews();
  auto* axial = window_.findChild<VtkViewWidget*>("axialView");
  ASSERT_NE(axial, nullptr);

  const QImage t1 = axial->grabFramebuffer();
  ASSERT_NE(action("channel3"), nullptr);
  action("channel3")->trigger();
  EXPECT_EQ(views.channel(), 3);
  EXPECT_NE(axial->grabFramebuffer(), t1) << "FLAIR looks like T1";

  action("outline")->trigger();
  EXPECT_TRUE(views.labelDisplay().outline);
  auto* opacity = window_.findChild<QSlider*>("labelOpacity");
  ASSERT_NE(opacity, nullptr);
  EXPECT_EQ(opacity->value(), 50);
  opacity->setValue(20);
  EXPECT_DOUBLE_EQ(views.labelDisplay().opacity, 0.2);

  EXPECT_TRUE(views.surfacesVisible());
  action("surfaces")->trigger();
  EXPECT_FALSE(views.surfacesVisible());
  action("volumeRendering")->trigger();
  EXPECT_TRUE(views.volumeRendering());
  action("showLabels")->trigger();
  EXPECT_FALSE(views.labelDisplay().visible);
}

TEST_F(DisplayControlsTest, StatusBarNamesTheVoxelUnderTheCursor) {
  openCaseWithLabels();
  auto* cursor = window_.findChild<QLabel*>("cursorLabel");
  ASSERT_NE(cursor, nullptr);
  // Right after the labels arrive, the cursor sits in the tumour (their busiest slices).
  EXPECT_TRUE(cursor->text().contains("label")) << cursor->text().toStdString();
  window_.caseViews().setCursorVoxel({10, 12, 14});
  EXPECT_TRUE(cursor->text().startsWith("voxel 10, 12, 14")) << cursor->text().toStdString();
  EXPECT_TRUE(cursor->text().contains("label")) << cursor->text().toStdString();
}

// The label names and colours come from resources/labels/brats.json ($SEQSEG_RESOURCES here).
TEST(MainWindowColours, LabelColoursAreReadFromTheResourcesTable) {
  test::ensureApplication();
  QTemporaryDir resources;
  ASSERT_TRUE(QDir().mkpath(resources.filePath("labels")));
  QFile table(resources.filePath("labels/brats.json"));
  ASSERT_TRUE(table.open(QIODevice::WriteOnly));
  table.write(R"({"labels": [{"value": 0, "name": "Background", "abbreviation": "BG",
    "color": [0, 0, 0]}, {"value": 2, "name": "Oedema", "abbreviation": "ED",
    "color": [10, 20, 250]}]})");
  table.close();
  qputenv("SEQSEG_RESOURCES", resources.path().toUtf8());
  MainWindow window;
  qunsetenv("SEQSEG_RESOURCES");
  const LabelClass* oedema = window.caseViews().labelDisplay().colours.find(2);
  ASSERT_NE(oedema, nullptr);
  EXPECT_EQ(oedema->colour, (std::array<uint8_t, 3>{10, 20, 250}));
  EXPECT_EQ(window.caseViews().labelDisplay().colours.find(1), nullptr);
}

}  // namespace
}  // namespace seqseg
