// The Segment panel end to end under Xvfb: a real `seqseg synth` case, the real `seqseg
// --batch` worker with the bundled model, the overlay where the tumour is, the legend's
// volumes against the batch report, cancel and failure leaving no file behind, and saved
// masks with the case's exact geometry.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/gui/gui_test_support.h"
#include "tests/support/test_support.h"
#include "types/region_measurements.h"
#include "types/regions.h"
#include "ui/legend_panel.h"
#include "ui/main_window.h"
#include "ui/recent_cases.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"
#include "viz/case_views.h"
#include "viz/slice_scene.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int kLoadTimeoutMs = 60000;
constexpr int kJobTimeoutMs = 300000;
const QString kCaseId = QStringLiteral("BraTS2021_00000");

// Where the overlay is drawn in a view: coloured pixels (the case itself is grey).
struct OverlayExtent {
  long pixels = 0;
  double centreX = 0, centreY = 0;
  int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;
};
bool isOverlay(QRgb pixel) {
  return std::max(qRed(pixel), qGreen(pixel)) - qBlue(pixel) > 60;
}
OverlayExtent overlayExtent(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  OverlayExtent extent;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x)
      if (isOverlay(rgb.pixel(x, y))) {
        ++extent.pixels;
        extent.centreX += x;
        extent.centreY += y;
        extent.left = std::min(extent.left, x);
        extent.right = std::max(extent.right, x);
        extent.top = std::min(extent.top, y);
        extent.bottom = std::max(extent.bottom, y);
      }
  if (extent.pixels) {
    extent.centreX /= extent.pixels;
    extent.centreY /= extent.pixels;
  }
  return extent;
}

// The synthetic case's grid: 64 for the test suite; SEQSEG_GUI_CASE_SIZE=240x240x155 measures
// the UI stall on a BraTS-sized case.
std::string caseSize() {
  const QByteArray size = qgetenv("SEQSEG_GUI_CASE_SIZE");
  return size.isEmpty() ? std::string("64") : size.toStdString();
}

class UiSegmentationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new test::TempDir;
    settings_ = new test::TempDir;
    // Recent cases go to a folder of the test's own, not the user's settings.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       QString::fromStdString(settings_->path()));
    const test::CommandResult synth =
        test::runSeqseg({"synth", "--out", data_->path(), "--cases", "1", "--size", caseSize(),
                         "--layout", "brats2021", "--seed", "3"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
  }

  static void TearDownTestSuite() {
    delete data_;
    delete settings_;
  }

  void SetUp() override {
    window_.segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
  }

  static QString caseFolder() {
    return QDir(QString::fromStdString(data_->path())).filePath(kCaseId);
  }
  static QString caseFile(const char* part) {
    return QDir(caseFolder()).filePath(kCaseId + QStringLiteral("_%1.nii.gz").arg(part));
  }

  void openCase() {
    ASSERT_TRUE(test::showAndWait(window_));
    QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
    QSignalSpy failed(&window_, &MainWindow::loadFailed);
    window_.openCase(caseFolder());
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kLoadTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
  }

  void openReferenceSegmentation() {
    QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
    QSignalSpy failed(&window_, &MainWindow::loadFailed);
    window_.openSegmentation(caseFile("seg"));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return segmented.count() + failed.count() > 0; }, kLoadTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
  }

  QPushButton* button(const char* name) { return window_.findChild<QPushButton*>(name); }
  QImage axial() { return window_.grabView(QStringLiteral("axialView")); }

  // While the window's job runs, segments the case folder with `seqseg --batch` as a person
  // would; waits for both and gives the batch report's region volumes (mL).
  void batchVolumesWhileTheJobRuns(QSignalSpy& jobFinished, nlohmann::json& volumes) {
    test::TempDir batch;
    const int pid = test::startCommand(
        {test::seqsegExecutable(), "--batch", "-i", caseFolder().toStdString(), "-o", batch.path()},
        batch / "log");
    const bool jobEnded = QTest::qWaitFor([&] { return jobFinished.count() > 0; }, kJobTimeoutMs);
    const int batchExit = test::waitCommand(pid);
    ASSERT_TRUE(jobEnded);
    ASSERT_EQ(batchExit, 0) << test::readFile(batch / "log");
    ASSERT_EQ(window_.session().job().state, JobState::Done) << window_.session().job().message;
    const nlohmann::json report = nlohmann::json::parse(test::readFile(batch / "report.json"));
    volumes = report.at("cases").at(0).at("volume_ml");
  }

  static inline test::TempDir* data_ = nullptr;
  static inline test::TempDir* settings_ = nullptr;
  MainWindow window_;
};

TEST_F(UiSegmentationTest, SegmentsWithTheBundledModelWhereTheTumourIs) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  EXPECT_EQ(overlayExtent(axial()).pixels, 0) << "the case alone is grey";
  EXPECT_EQ(RecentCases().entries().value(0), QStringList{caseFolder()});

  // Every change of the job's progress the panel shows.
  std::vector<double> fractions;
  struct Watcher : SessionListener {
    SessionModel* session;
    std::vector<double>* fractions;
    void jobChanged() override {
      if (session->job().state == JobState::Running) fractions->push_back(session->job().fraction);
    }
  } watcher;
  watcher.session = &window_.session();
  watcher.fractions = &fractions;
  window_.session().addListener(&watcher);

  QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
  QSignalSpy failed(&window_, &MainWindow::segmentationJobFailed);
  ASSERT_TRUE(button("segmentButton")->isEnabled());
  QTest::mouseClick(button("segmentButton"), Qt::LeftButton);
  const QString output = window_.segmentationJob().outputFolder();
  ASSERT_FALSE(output.isEmpty());
  EXPECT_TRUE(QFileInfo::exists(output));
  EXPECT_EQ(window_.session().job().state, JobState::Running);
  EXPECT_FALSE(button("segmentButton")->isEnabled()) << "one job at a time";
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kJobTimeoutMs));
  window_.session().removeListener(&watcher);
  ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
  ASSERT_EQ(window_.session().job().state, JobState::Done) << window_.session().job().message;
  EXPECT_FALSE(QFileInfo::exists(output)) << "the private output folder is removed";
  ASSERT_NE(window_.session().segmentation(), nullptr);
  EXPECT_TRUE(window_.session().isDirty()) << "a new result is not saved yet";
  EXPECT_TRUE(window_.isWindowModified());

  // Progress events arrived while it ran, not only at the end.
  ASSERT_GE(fractions.size(), 3u);
  bool midway = false;
  for (double fraction : fractions) midway = midway || (fraction > 0 && fraction < 1);
  EXPECT_TRUE(midway) << "no progress between start and end";

  std::cout << "longest UI-thread stall during the segmentation: "
            << window_.lastJobLongestStallMs() << " ms\n";
  RecordProperty("longest_ui_stall_ms", std::to_string(window_.lastJobLongestStallMs()));
  EXPECT_GT(window_.lastJobLongestStallMs(), 0.0) << "the heartbeat ran";

  // The overlay is where the reference puts the tumour, and nowhere far from it.
  const QImage predicted = axial();
  test::saveSnapshot(predicted, "axialSegmented");
  const OverlayExtent mine = overlayExtent(predicted);
  ASSERT_GT(mine.pixels, 0) << "no overlay drawn";
  window_.session().markSaved();  // no prompt: the reference replaces it next
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  const QImage reference = axial();
  test::saveSnapshot(reference, "axialReference");
  const OverlayExtent truth = overlayExtent(reference);
  ASSERT_GT(truth.pixels, 0);
  const double size = std::max(predicted.width(), predicted.height());
  EXPECT_LT(std::hypot(mine.centreX - truth.centreX, mine.centreY - truth.centreY), 0.05 * size);
  // Coloured pixels away from the reference tumour's box (with a margin): none to speak of.
  const int margin = static_cast<int>(0.05 * size);
  const QImage rgb = predicted.convertToFormat(QImage::Format_RGB32);
  long far = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x)
      if (isOverlay(rgb.pixel(x, y)) && (x < truth.left - margin || x > truth.right + margin ||
                                         y < truth.top - margin || y > truth.bottom + margin))
        ++far;
  EXPECT_LT(far, mine.pixels / 50) << "overlay far from the tumour";
}

TEST_F(UiSegmentationTest, LegendVolumesEqualTheBatchReport) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
  window_.segmentPanel()->segment();
  nlohmann::json volumes;
  ASSERT_NO_FATAL_FAILURE(batchVolumesWhileTheJobRuns(finished, volumes));
  const LegendPanel& legend = *window_.legendPanel();
  const char* regions[] = {"WT", "TC", "ET"};
  for (int r = 0; r < 3; ++r) {
    const double expected = volumes.at(regions[r]).get<double>();
    EXPECT_NEAR(window_.session().volumes().perRegion[r], expected, 1e-6) << regions[r];
    EXPECT_NEAR(legend.volumeMl(LegendPanel::kLabelRows + r), expected, 1e-6) << regions[r];
  }
  EXPECT_GT(volumes.at("WT").get<double>(), 0.0) << "a case without tumour proves little";
  // Labels add up to the regions: WT = NCR + ED + ET, TC = NCR + ET.
  EXPECT_NEAR(legend.volumeMl(0) + legend.volumeMl(1) + legend.volumeMl(2), legend.volumeMl(3),
              1e-9);
  EXPECT_NEAR(legend.volumeMl(0) + legend.volumeMl(2), legend.volumeMl(4), 1e-9);
}

// A case opened as four files goes to the worker as --t1 --t1ce --t2 --flair, here with two
// ranks (halo decoder, the default): the same tumour as one rank on the case folder.
TEST_F(UiSegmentationTest, FourFilesWithTwoRanksGiveTheOneRankVolumes) {
  auto* ranks = window_.segmentPanel()->findChild<QSpinBox*>(QStringLiteral("ranksChoice"));
  ASSERT_NE(ranks, nullptr);
  if (ranks->maximum() < 2) GTEST_SKIP() << "one core: the panel offers one rank only";
  ASSERT_TRUE(test::showAndWait(window_));
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy loadFailed(&window_, &MainWindow::loadFailed);
  window_.openFiles({caseFile("t1"), caseFile("t1ce"), caseFile("t2"), caseFile("flair")});
  ASSERT_TRUE(
      QTest::qWaitFor([&] { return loaded.count() + loadFailed.count() > 0; }, kLoadTimeoutMs));
  ASSERT_EQ(loadFailed.count(), 0) << loadFailed.first().first().toString().toStdString();
  ASSERT_EQ(window_.session().layout(), Layout::Explicit);
  ranks->setValue(2);
  EXPECT_EQ(window_.segmentPanel()->settings().ranks, 2);

  QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
  QTest::mouseClick(button("segmentButton"), Qt::LeftButton);
  nlohmann::json volumes;
  ASSERT_NO_FATAL_FAILURE(batchVolumesWhileTheJobRuns(finished, volumes));
  // Equal up to float rounding at a class boundary: a voxel or two at most.
  const double voxelMl = voxelVolumeMl(window_.session().volume()->geometry);
  const char* regions[] = {"WT", "TC", "ET"};
  for (int r = 0; r < 3; ++r)
    EXPECT_NEAR(window_.session().volumes().perRegion[r], volumes.at(regions[r]).get<double>(),
                2.5 * voxelMl)
        << regions[r];
}

// The live (not zombie) process `root` and its descendants, from /proc.
std::set<long> processTree(long root) {
  std::map<long, std::vector<long>> children;
  std::set<long> alive;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string stat = test::readFile(entry.path().string() + "/stat");
    // pid (comm) state ppid ...: comm may hold spaces, so read after its ')'.
    const size_t close = stat.rfind(')');
    char state = 0;
    long parent = 0;
    if (close == std::string::npos ||
        std::sscanf(stat.c_str() + close + 1, " %c %ld", &state, &parent) != 2 || state == 'Z')
      continue;
    const long pid = std::atol(stat.c_str());
    alive.insert(pid);
    children[parent].push_back(pid);
  }
  std::set<long> tree;
  std::vector<long> pending{root};
  while (!pending.empty()) {
    const long pid = pending.back();
    pending.pop_back();
    if (!alive.count(pid) || !tree.insert(pid).second) continue;
    for (long child : children[pid]) pending.push_back(child);
  }
  return tree;
}

bool anyAlive(const std::set<long>& pids) {
  for (long pid : pids) {
    const std::string stat = test::readFile("/proc/" + std::to_string(pid) + "/stat");
    const size_t close = stat.rfind(')');
    if (close != std::string::npos && stat[close + 2] != 'Z') return true;
  }
  return false;
}

// With two ranks when the machine has two cores: the cancel reaches every worker process.
TEST_F(UiSegmentationTest, CancelMidRunLeavesNothingAndReturnsToIdle) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  auto* ranks = window_.segmentPanel()->findChild<QSpinBox*>(QStringLiteral("ranksChoice"));
  ranks->setValue(std::min(2, ranks->maximum()));
  QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
  QSignalSpy failed(&window_, &MainWindow::segmentationJobFailed);
  window_.segmentPanel()->segment();
  const QString output = window_.segmentationJob().outputFolder();
  ASSERT_FALSE(output.isEmpty());
  const qint64 job = window_.segmentationJob().processGroup();
  ASSERT_GT(job, 0);
  // Mid-run: once the worker reports progress inside the case.
  ASSERT_TRUE(QTest::qWaitFor(
      [&] {
        const JobStatus& job = window_.session().job();
        return job.state != JobState::Running || job.fraction > 0;
      },
      kJobTimeoutMs));
  ASSERT_EQ(window_.session().job().state, JobState::Running) << "it ended before the cancel";
  // seqseg and its rank processes, once they have started (rank 0 reports progress).
  std::set<long> processes;
  EXPECT_TRUE(QTest::qWaitFor(
      [&] {
        return (processes = processTree(job)).size() >
               static_cast<size_t>(ranks->value() > 1 ? ranks->value() : 0);
      },
      10000))
      << processes.size() << " processes for " << ranks->value() << " ranks";
  ASSERT_TRUE(button("cancelButton")->isEnabled());
  QTest::mouseClick(button("cancelButton"), Qt::LeftButton);
  EXPECT_EQ(window_.session().job().state, JobState::Cancelling);
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, 30000));
  EXPECT_EQ(window_.session().job().state, JobState::Idle);
  EXPECT_EQ(failed.count(), 0) << "a cancel is not a failure";
  EXPECT_FALSE(QFileInfo::exists(output)) << "no folder, no mask left behind";
  EXPECT_TRUE(QTest::qWaitFor([&] { return !anyAlive(processes); }, 15000))
      << "processes of the job still run";
  EXPECT_EQ(window_.session().segmentation(), nullptr);
  EXPECT_FALSE(window_.session().isDirty());
  EXPECT_TRUE(button("segmentButton")->isEnabled());
  EXPECT_EQ(overlayExtent(axial()).pixels, 0);
}

TEST_F(UiSegmentationTest, ClosingTheWindowEndsARunningJob) {
  auto window = std::make_unique<MainWindow>();
  window->segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
  window->show();
  QSignalSpy loaded(window.get(), &MainWindow::caseLoaded);
  window->openCase(caseFolder());
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() > 0; }, kLoadTimeoutMs));
  window->segmentPanel()->segment();
  const QString output = window->segmentationJob().outputFolder();
  const qint64 job = window->segmentationJob().processGroup();
  ASSERT_GT(job, 0);
  ASSERT_TRUE(QTest::qWaitFor([&] { return window->session().job().fraction > 0; }, kJobTimeoutMs));
  ASSERT_EQ(window->session().job().state, JobState::Running);
  const std::set<long> processes = processTree(job);
  ASSERT_FALSE(processes.empty());
  window.reset();
  EXPECT_TRUE(QTest::qWaitFor([&] { return !anyAlive(processes); }, 5000))
      << "the job outlives its window";
  EXPECT_FALSE(QFileInfo::exists(output));
}

TEST_F(UiSegmentationTest, CorruptModelShowsTheWorkersMessage) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  test::TempDir scratch;
  const std::string model = scratch / "corrupt.pt";
  test::writeFile(model, "this is not a checkpoint");
  window_.segmentPanel()->setModelPath(QString::fromStdString(model));
  EXPECT_EQ(window_.segmentPanel()->settings().model, model);
  QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
  QSignalSpy failed(&window_, &MainWindow::segmentationJobFailed);
  QTest::mouseClick(button("segmentButton"), Qt::LeftButton);
  const QString output = window_.segmentationJob().outputFolder();
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kJobTimeoutMs));
  ASSERT_EQ(failed.count(), 1);
  const QString message = failed.first().first().toString();
  EXPECT_TRUE(message.contains(QString::fromStdString(model))) << message.toStdString();
  EXPECT_EQ(window_.session().job().state, JobState::Failed);
  EXPECT_FALSE(QFileInfo::exists(output));
  EXPECT_EQ(window_.session().segmentation(), nullptr);
  // The person reads the worker's own words.
  QMessageBox* box = nullptr;
  for (QMessageBox* candidate : window_.findChildren<QMessageBox*>())
    if (candidate->isVisible() && candidate->informativeText() == message) box = candidate;
  ASSERT_NE(box, nullptr) << "no dialog with the worker's message";
  EXPECT_EQ(box->windowTitle(), QStringLiteral("Segmentation failed"));
  box->close();
}

TEST_F(UiSegmentationTest, SavedSegmentationKeepsTheCaseGeometryAndNativeLabels) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  test::TempDir out;
  const QString saved = QString::fromStdString(out / "saved_seg.nii.gz");
  QSignalSpy done(&window_, &MainWindow::segmentationSaved);
  QSignalSpy failed(&window_, &MainWindow::saveFailed);
  window_.saveSegmentation(saved);
  EXPECT_EQ(done.count(), 0) << "writing must not happen on the UI thread";
  ASSERT_TRUE(QTest::qWaitFor([&] { return done.count() + failed.count() > 0; }, kLoadTimeoutMs));
  ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();

  const nlohmann::json image = test::niftiFacts(caseFile("t1").toStdString());
  const nlohmann::json reference = test::niftiFacts(caseFile("seg").toStdString());
  const nlohmann::json mask = test::niftiFacts(saved.toStdString());
  EXPECT_EQ(mask["shape"], image["shape"]);
  for (const char* key : {"qform_code", "sform_code", "axcodes"})
    EXPECT_EQ(mask[key], image[key]) << key;
  for (const char* key : {"qform", "sform"})
    for (int row = 0; row < 4; ++row)
      for (int column = 0; column < 4; ++column)
        EXPECT_NEAR(mask[key][row][column].get<double>(), image[key][row][column].get<double>(),
                    1e-6)
            << key << " " << row << "," << column;
  // BraTS 2021's native labels come back exactly: ET is 4 again.
  EXPECT_EQ(mask["max"], reference["max"]);
  EXPECT_EQ(mask["sum"], reference["sum"]);
  EXPECT_FALSE(window_.session().isDirty());
}

// Screenshots of the main window with an overlay, as PNG files in $SEQSEG_SCREENSHOT_DIR (or
// a temporary folder): the whole window and each view.
TEST_F(UiSegmentationTest, WritesScreenshotsWithTheOverlay) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  test::TempDir fallback;
  const QString folder = qEnvironmentVariableIsEmpty("SEQSEG_SCREENSHOT_DIR")
                             ? QString::fromStdString(fallback.path())
                             : qEnvironmentVariable("SEQSEG_SCREENSHOT_DIR");
  ASSERT_TRUE(QDir().mkpath(folder));
  for (const char* view : {"window", "axialView", "sagittalView", "coronalView", "overviewView"}) {
    const QString path = QDir(folder).filePath(QStringLiteral("%1.png").arg(view));
    QFile::remove(path);
    QSignalSpy saved(&window_, &MainWindow::screenshotSaved);
    QSignalSpy failed(&window_, &MainWindow::saveFailed);
    window_.exportScreenshot(QString::fromLatin1(view), path);
    ASSERT_TRUE(QTest::qWaitFor([&] { return saved.count() + failed.count() > 0; }, 30000));
    ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
    const QImage image(path);
    ASSERT_FALSE(image.isNull()) << path.toStdString();
    if (std::string(view) != "overviewView") {
      EXPECT_GT(overlayExtent(image).pixels, 50) << view << ": no overlay in the screenshot";
    }
  }
  std::cout << "screenshots in " << folder.toStdString() << "\n";
}

// Green pixels: what the views draw oedema (ED, label 2) with.
long greenPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long green = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      if (isOverlay(pixel) && qGreen(pixel) > qRed(pixel) + 40) ++green;
    }
  return green;
}

TEST_F(UiSegmentationTest, LegendCheckboxesHideAndShowALabel) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  auto* table = window_.legendPanel()->findChild<QTableWidget*>(QStringLiteral("legendTable"));
  ASSERT_NE(table, nullptr);
  QTableWidgetItem* oedema = table->item(1, 0);
  EXPECT_TRUE(oedema->text().contains(QStringLiteral("ED"))) << oedema->text().toStdString();
  ASSERT_GT(greenPixels(axial()), 100) << "the reference has oedema in this slice";
  const long others = overlayExtent(axial()).pixels - greenPixels(axial());

  oedema->setCheckState(Qt::Unchecked);
  EXPECT_FALSE(window_.legendPanel()->labelVisible(2));
  EXPECT_EQ(greenPixels(axial()), 0) << "hidden oedema is still drawn";
  EXPECT_NEAR(overlayExtent(axial()).pixels, others, 0.05 * others) << "other labels stay";
  oedema->setCheckState(Qt::Checked);
  EXPECT_GT(greenPixels(axial()), 100);
}

// Pixels of the measurement rulers' magenta (viz/slice_scene.cpp); no label colour, the grey
// anatomy or the bluish crosshair comes near it.
struct RulerPixels {
  long count = 0;
  int left = 1 << 30, top = 1 << 30, right = -1, bottom = -1;
  double diagonal() const { return count ? std::hypot(right - left, bottom - top) : 0.0; }
};
RulerPixels rulerPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  RulerPixels found;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      if (qRed(pixel) > 200 && qBlue(pixel) > 200 && qGreen(pixel) < 120) {
        ++found.count;
        found.left = std::min(found.left, x);
        found.right = std::max(found.right, x);
        found.top = std::min(found.top, y);
        found.bottom = std::max(found.bottom, y);
      }
    }
  return found;
}

// The Labels panel measures each region as the batch report does; a click on a region row
// takes the views to its axial plane of largest area and draws both diameters there, at their
// length on screen; another slice hides them.
TEST_F(UiSegmentationTest, LegendMeasuresRegionsAndAClickDrawsTheAxialDiameters) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  LegendPanel& legend = *window_.legendPanel();
  ASSERT_TRUE(QTest::qWaitFor([&] { return legend.hasMeasurements(); }, kLoadTimeoutMs));
  const CaseMeasurements expected = measureRegions(*window_.session().segmentation());
  auto* table = legend.findChild<QTableWidget*>(QStringLiteral("legendTable"));
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->columnCount(), 4);
  for (int r = 0; r < 3; ++r) {
    SCOPED_TRACE(r);
    ASSERT_GT(expected.regions[r].voxels, 0) << "the reference has every region";
    EXPECT_EQ(legend.measurement(r).voxels, expected.regions[r].voxels);
    const int row = LegendPanel::kLabelRows + r;
    EXPECT_EQ(table->item(row, 2)->text(),
              QString::number(expected.regions[r].largestDiameter.lengthMm(), 'f', 1));
    EXPECT_EQ(table->item(row, 3)->text(),
              QStringLiteral("%1 × %2")
                  .arg(expected.axial[r].longest.lengthMm(), 0, 'f', 1)
                  .arg(expected.axial[r].perpendicular.lengthMm(), 0, 'f', 1));
  }
  const QImage before = axial();
  EXPECT_EQ(rulerPixels(before).count, 0) << "no ruler before a click";

  // A real click on the enhancing tumour's row.
  const int etRow = LegendPanel::kLabelRows + 2;
  QSignalSpy chosen(&legend, &LegendPanel::regionChosen);
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                    table->visualItemRect(table->item(etRow, 0)).center());
  ASSERT_EQ(chosen.count(), 1);
  const BidimensionalMeasurement& et = expected.axial[2];
  const Geometry& geometry = window_.session().volume()->geometry;
  // The axial view is on the measured plane (LPS z is RAS S), within half a voxel.
  EXPECT_NEAR(window_.caseViews().cursor()[2], et.planeSuperiorMm, 0.5 * geometry.spacing[2]);
  EXPECT_EQ(window_.caseViews().sliceScene(SliceOrientation::Axial).rulersShown(), 2);
  EXPECT_EQ(window_.caseViews().sliceScene(SliceOrientation::Sagittal).rulersShown(), 0);
  const QImage shown = axial();
  // SEQSEG_GUI_SCREENSHOTS=DIR keeps the view for a person to look at.
  if (const QByteArray folder = qgetenv("SEQSEG_GUI_SCREENSHOTS"); !folder.isEmpty())
    for (const QString& view : {QStringLiteral("axialView"), QStringLiteral("window")})
      window_.grabView(view).save(
          QDir(QString::fromLocal8Bit(folder)).filePath(QStringLiteral("rulers_%1.png").arg(view)));
  const RulerPixels rulers = rulerPixels(shown);
  EXPECT_GT(rulers.count, 20) << "the diameters are not drawn";
  // Drawn at their length: the longest diameter spans at least its length in screen pixels
  // (the view's scale: its height shows twice the camera's parallel scale).
  const double pixelsPerMm =
      shown.height() /
      (2 * window_.caseViews().sliceScene(SliceOrientation::Axial).parallelScale());
  EXPECT_GE(rulers.diagonal(), 0.9 * et.longest.lengthMm() * pixelsPerMm);
  EXPECT_LE(std::max(rulers.right - rulers.left, rulers.bottom - rulers.top),
            1.1 * et.longest.lengthMm() * pixelsPerMm + 4);

  // Another axial slice: the rulers stay on their own plane.
  window_.caseViews().stepSlice(SliceOrientation::Axial, 4);
  EXPECT_EQ(rulerPixels(axial()).count, 0);
  window_.caseViews().stepSlice(SliceOrientation::Axial, -4);
  EXPECT_GT(rulerPixels(axial()).count, 20);
}

TEST_F(UiSegmentationTest, CloseWithAnUnsavedSegmentationAsksFirst) {
  ASSERT_NO_FATAL_FAILURE(openCase());
  ASSERT_NO_FATAL_FAILURE(openReferenceSegmentation());
  EXPECT_FALSE(window_.session().isDirty()) << "read from a file: nothing to save";
  window_.session().setSegmentation(window_.session().segmentation(), /*unsaved=*/true);
  ASSERT_TRUE(window_.session().isDirty());

  // Answers the question the window asks with `choice`, once it is on screen.
  int asked = 0;
  auto answerWith = [&](QMessageBox::StandardButton choice) {
    QTimer::singleShot(0, [&, choice] {
      if (!QTest::qWaitFor([] { return QApplication::activeModalWidget() != nullptr; }, 10000))
        return;  // no question asked: `asked` stays as it was
      if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
        ++asked;
        box->button(choice)->click();
      }
    });
  };
  answerWith(QMessageBox::Cancel);
  EXPECT_FALSE(window_.close()) << "Cancel keeps the window open";
  EXPECT_EQ(asked, 1);
  EXPECT_TRUE(window_.isVisible());
  answerWith(QMessageBox::Discard);
  EXPECT_TRUE(window_.close());
  EXPECT_EQ(asked, 2);
}

TEST_F(UiSegmentationTest, DroppedFilesOpenInModalityOrder) {
  ASSERT_TRUE(test::showAndWait(window_));
  QMimeData dropped;
  dropped.setUrls({QUrl::fromLocalFile(caseFile("flair")), QUrl::fromLocalFile(caseFile("t1ce")),
                   QUrl::fromLocalFile(caseFile("t1")), QUrl::fromLocalFile(caseFile("t2"))});
  const QPointF centre(window_.width() / 2.0, window_.height() / 2.0);
  QDragEnterEvent enter(centre.toPoint(), Qt::CopyAction, &dropped, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window_, &enter);
  EXPECT_TRUE(enter.isAccepted());
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  QDropEvent drop(centre, Qt::CopyAction, &dropped, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window_, &drop);
  ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kLoadTimeoutMs));
  ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
  const std::vector<std::string>& images = window_.session().caseFiles().images;
  ASSERT_EQ(images.size(), 4u);
  EXPECT_EQ(images[0], caseFile("t1").toStdString());
  EXPECT_EQ(images[1], caseFile("t1ce").toStdString());
  EXPECT_EQ(images[2], caseFile("t2").toStdString());
  EXPECT_EQ(images[3], caseFile("flair").toStdString());
}

TEST(UiRecentCases, KeepsTheNewestEightAndDropsMissingOnes) {
  test::ensureApplication();
  test::TempDir settings, files;
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString(settings.path()));
  RecentCases recent;
  for (int i = 0; i < 10; ++i) {
    const std::string folder = files / ("case" + std::to_string(i));
    std::filesystem::create_directories(folder);
    recent.add({QString::fromStdString(folder)});
  }
  const QList<QStringList> entries = recent.entries();
  ASSERT_EQ(entries.size(), RecentCases::kMaximum);
  EXPECT_EQ(entries.front(), QStringList{QString::fromStdString(files / "case9")});
  recent.add({QString::fromStdString(files / "case5")});  // again: to the front, once
  EXPECT_EQ(recent.entries().front(), QStringList{QString::fromStdString(files / "case5")});
  EXPECT_EQ(recent.entries().size(), RecentCases::kMaximum);
  std::filesystem::remove_all(files / "case7");
  const QList<QStringList> missing = recent.removeMissing();
  EXPECT_EQ(missing, QList<QStringList>{QStringList{QString::fromStdString(files / "case7")}});
  EXPECT_EQ(recent.entries().size(), RecentCases::kMaximum - 1);
}

}  // namespace
}  // namespace seqseg
