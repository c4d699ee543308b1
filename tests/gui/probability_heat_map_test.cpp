// The Probabilities panel end to end under Xvfb: the Segment panel's real `seqseg --batch` run
// keeps the case's probabilities; a region's probability or the uncertainty is drawn as a heat
// map over the voxels it belongs to (their colour at and above the threshold, the picture as it
// was below), with its colour bar and opacity, on a synthetic case and on one stored PIR; the
// 3D view's surface at a level lies within the case; an edit or an opened file has none.
#include <gtest/gtest.h>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>

#include <vtkImageData.h>
#include <vtkPolyData.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "tests/gui/gui_test_support.h"
#include "tests/gui/orientation_case.h"
#include "tests/support/test_support.h"
#include "ui/main_window.h"
#include "ui/probability_maps.h"
#include "ui/probability_panel.h"
#include "ui/segmentation_job.h"
#include "viz/case_views.h"
#include "viz/heat_map.h"
#include "viz/overview_scene.h"
#include "viz/slice_scene.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

using test::Point;
using test::Voxel;

constexpr int kJobTimeoutMs = 300000;
const QString kCaseId = QStringLiteral("BraTS2021_00000");

// The LPS world point of voxel (i, j, k)'s centre, by the geometry ITK read.
Point worldOf(const Geometry& geometry, const Voxel& voxel) {
  Point world = geometry.origin;
  for (int row = 0; row < 3; ++row)
    for (int column = 0; column < 3; ++column)
      world[row] += geometry.direction[row * 3 + column] * geometry.spacing[column] *
                    static_cast<double>(voxel[column]);
  return world;
}

float valueAt(const Volume& maps, int channel, const Voxel& voxel) {
  return maps.channel(channel)[(voxel[2] * maps.shape[2] + voxel[1]) * maps.shape[3] + voxel[0]];
}

bool near(QRgb pixel, const std::array<uint8_t, 3>& colour, int tolerance) {
  return std::abs(qRed(pixel) - colour[0]) <= tolerance &&
         std::abs(qGreen(pixel) - colour[1]) <= tolerance &&
         std::abs(qBlue(pixel) - colour[2]) <= tolerance;
}

std::array<uint8_t, 3> rgbOf(QRgb pixel) {
  return {static_cast<uint8_t>(qRed(pixel)), static_cast<uint8_t>(qGreen(pixel)),
          static_cast<uint8_t>(qBlue(pixel))};
}

// What the axial view shows at the centre of each voxel on its plane.
struct VoxelPixel {
  Voxel voxel;
  float value;
  QPoint pixel;
};

// The voxels of channel `channel` whose centres lie on the axial plane through the cursor and
// that the view draws away from its edges and its colour bar (upper right), each with its
// value and its pixel.
std::vector<VoxelPixel> axialVoxelPixels(MainWindow& window, const Volume& maps, int channel,
                                         const std::function<Point(const Voxel&)>& world) {
  VtkViewWidget* view = window.caseViews().view(SliceOrientation::Axial);
  const double planeZ = window.caseViews().cursor()[2];
  std::vector<VoxelPixel> found;
  for (int64_t k = 0; k < maps.shape[1]; ++k)
    for (int64_t j = 0; j < maps.shape[2]; ++j)
      for (int64_t i = 0; i < maps.shape[3]; ++i) {
        const Voxel voxel{i, j, k};
        const Point point = world(voxel);
        if (std::abs(point[2] - planeZ) > 1e-3) continue;
        const QPoint pixel = test::pixelOf(view, point).toPoint();
        const bool inColourBar =
            pixel.x() > 0.78 * view->width() && pixel.y() < 0.45 * view->height();
        if (pixel.x() < 25 || pixel.y() < 25 || pixel.x() > view->width() - 25 ||
            pixel.y() > view->height() - 25 || inColourBar)
          continue;
        found.push_back({voxel, valueAt(maps, channel, voxel), pixel});
      }
  return found;
}

// Checks the heat map (opacity 1) in `shown` against the view without it (`plain`): each voxel
// at or above `threshold` has its value's colour, each one below is as it was. Voxels within
// 0.02 of the threshold are left out (the colour of a value is looked up in 256 steps).
struct HeatMapCount {
  int coloured = 0;
  int clear = 0;
};
HeatMapCount expectHeatMapOverVoxels(const std::vector<VoxelPixel>& voxels, const QImage& shown,
                                     const QImage& plain, double threshold) {
  HeatMapCount count;
  int reported = 0;
  for (const VoxelPixel& at : voxels) {
    if (std::abs(at.value - threshold) < 0.02) continue;
    const QRgb pixel = shown.pixel(at.pixel);
    const bool drawn = at.value >= threshold;
    const std::array<uint8_t, 3> expected =
        drawn ? heatColour(HeatColourMap::Inferno, at.value) : rgbOf(plain.pixel(at.pixel));
    if (near(pixel, expected, drawn ? 12 : 6)) {
      ++(drawn ? count.coloured : count.clear);
    } else if (reported++ < 5) {
      ADD_FAILURE() << "voxel " << at.voxel[0] << ", " << at.voxel[1] << ", " << at.voxel[2]
                    << " (value " << at.value << ", threshold " << threshold << ") at pixel "
                    << at.pixel.x() << ", " << at.pixel.y() << " is " << qRed(pixel) << ", "
                    << qGreen(pixel) << ", " << qBlue(pixel) << "; expected " << int(expected[0])
                    << ", " << int(expected[1]) << ", " << int(expected[2]);
    }
  }
  return count;
}

class ProbabilityHeatMapTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::ensureApplication();
    data_ = new test::TempDir;
    settings_ = new test::TempDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       QString::fromStdString(settings_->path()));
    const test::CommandResult synth =
        test::runSeqseg({"synth", "--out", data_->path(), "--cases", "1", "--size", "64",
                         "--layout", "brats2021", "--seed", "3"});
    ASSERT_EQ(synth.exitCode, 0) << synth.err;
  }

  static void TearDownTestSuite() {
    delete data_;
    delete settings_;
  }

  void SetUp() override {
    // Without it the job would run this test binary.
    window_.segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
  }

  static QString caseFolder() {
    return QDir(QString::fromStdString(data_->path())).filePath(kCaseId);
  }

  ProbabilityPanel* panel() { return window_.probabilityPanel(); }
  template <typename Widget>
  Widget* control(const char* name) {
    return panel()->findChild<Widget*>(QString::fromLatin1(name));
  }
  QImage axial() {
    return window_.grabView(QStringLiteral("axialView")).convertToFormat(QImage::Format_RGB32);
  }

  void segment() {
    QSignalSpy finished(&window_, &MainWindow::segmentationJobFinished);
    QSignalSpy failed(&window_, &MainWindow::segmentationJobFailed);
    auto* button = window_.findChild<QPushButton*>(QStringLiteral("segmentButton"));
    ASSERT_NE(button, nullptr);
    ASSERT_TRUE(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kJobTimeoutMs));
    ASSERT_EQ(failed.count(), 0) << failed.first().first().toString().toStdString();
    ASSERT_EQ(window_.session().job().state, JobState::Done) << window_.session().job().message;
    ASSERT_NE(window_.session().probabilities(), nullptr) << "Segment keeps the probabilities";
  }

  // WT at opacity 1 and `threshold`, labels and crosshair hidden: the heat map over the image.
  void showWholeTumour(double threshold) {
    window_.caseViews().setLabelsVisible(false);
    window_.caseViews().setCrosshairVisible(false);
    control<QSlider>("probabilityOpacitySlider")->setValue(100);
    control<QSlider>("probabilityThresholdSlider")->setValue(static_cast<int>(threshold * 100));
    auto* map = control<QComboBox>("probabilityMapBox");
    map->setCurrentIndex(map->findData(static_cast<int>(ProbabilityMap::WholeTumour)));
    ASSERT_EQ(panel()->shownMap(), static_cast<int>(ProbabilityMap::WholeTumour));
  }

  QImage plainAxial() {
    auto* map = control<QComboBox>("probabilityMapBox");
    const int shown = map->currentIndex();
    map->setCurrentIndex(0);  // None
    const QImage plain = axial();
    map->setCurrentIndex(shown);
    return plain;
  }

  static inline test::TempDir* data_ = nullptr;
  static inline test::TempDir* settings_ = nullptr;
  MainWindow window_;
};

TEST_F(ProbabilityHeatMapTest, SegmentKeepsProbabilitiesDrawnAsAHeatMapWithAColourBar) {
  window_.resize(1200, 900);
  ASSERT_TRUE(test::showAndWait(window_));
  QSignalSpy loaded(&window_, &MainWindow::caseLoaded);
  QSignalSpy loadFailed(&window_, &MainWindow::loadFailed);
  window_.openCase(caseFolder());
  ASSERT_TRUE(test::waitForOutcome(loaded, loadFailed));
  EXPECT_FALSE(control<QComboBox>("probabilityMapBox")->isEnabled()) << "nothing to show yet";
  ASSERT_NO_FATAL_FAILURE(segment());

  // The maps: WT >= TC >= ET (sums of nested sets of classes), all within 0..1.
  const std::shared_ptr<const Volume> maps = window_.session().probabilities();
  ASSERT_EQ(maps->shape[0], kProbabilityMapCount);
  EXPECT_EQ(maps->shape[1], window_.volume()->shape[1]);
  for (int64_t n = 0; n < maps->voxelsPerChannel(); n += 7) {
    const float wt = maps->channel(0)[n], tc = maps->channel(1)[n], et = maps->channel(2)[n];
    const float uncertainty = maps->channel(3)[n];
    ASSERT_TRUE(wt >= tc - 1e-5f && tc >= et - 1e-5f && et >= -1e-5f && wt <= 1.0f + 1e-4f)
        << "voxel " << n << ": WT " << wt << ", TC " << tc << ", ET " << et;
    ASSERT_TRUE(uncertainty >= -1e-5f && uncertainty <= 1.0f + 1e-4f) << uncertainty;
  }
  EXPECT_TRUE(control<QComboBox>("probabilityMapBox")->isEnabled());

  const double threshold = 0.5;
  ASSERT_NO_FATAL_FAILURE(showWholeTumour(threshold));
  const QImage shown = axial();
  const QImage plain = plainAxial();
  test::saveSnapshot(window_.grabView(QStringLiteral("window")), "probability_heat_map_window");
  const Geometry geometry = window_.volume()->geometry;
  const std::vector<VoxelPixel> voxels =
      axialVoxelPixels(window_, *maps, 0, [&](const Voxel& v) { return worldOf(geometry, v); });
  const HeatMapCount count = expectHeatMapOverVoxels(voxels, shown, plain, threshold);
  EXPECT_GE(count.coloured, 20) << "the tumour's voxels are drawn in the heat map's colours";
  EXPECT_GE(count.clear, 20) << "voxels below the threshold are not drawn";

  // The colour bar, in every slice view, at the upper right.
  SliceScene& scene = window_.caseViews().sliceScene(SliceOrientation::Axial);
  EXPECT_TRUE(scene.colourBarShown());
  int barPixels = 0;
  for (int y = static_cast<int>(0.05 * shown.height()); y < 0.4 * shown.height(); ++y)
    for (int x = static_cast<int>(0.81 * shown.width()); x < 0.97 * shown.width(); ++x)
      if (!near(shown.pixel(x, y), rgbOf(plain.pixel(x, y)), 30)) ++barPixels;
  EXPECT_GT(barPixels, 300) << "the colour bar is drawn";

  // Opacity: the coloured voxels blend with the image below.
  control<QSlider>("probabilityOpacitySlider")->setValue(30);
  const QImage faint = axial();
  int changed = 0, colouredVoxels = 0;
  for (const VoxelPixel& at : voxels) {
    if (at.value < threshold + 0.02) continue;
    ++colouredVoxels;
    if (!near(faint.pixel(at.pixel), rgbOf(shown.pixel(at.pixel)), 15)) ++changed;
  }
  EXPECT_GT(changed, colouredVoxels * 8 / 10) << changed << " of " << colouredVoxels;

  // The 3D view: the surface of WT's probability at 0.5, within the case.
  control<QCheckBox>("levelSurfaceCheck")->setChecked(true);
  vtkPolyData* surface = window_.caseViews().overviewScene().levelSurface();
  ASSERT_NE(surface, nullptr);
  EXPECT_GT(surface->GetNumberOfPoints(), 100);
  std::array<double, 3> low, high;
  low.fill(std::numeric_limits<double>::max());
  high.fill(std::numeric_limits<double>::lowest());
  for (int corner = 0; corner < 8; ++corner) {
    const Voxel voxel{(corner & 1) ? maps->shape[3] - 1 : 0, (corner & 2) ? maps->shape[2] - 1 : 0,
                      (corner & 4) ? maps->shape[1] - 1 : 0};
    const Point point = worldOf(geometry, voxel);
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], point[axis]);
      high[axis] = std::max(high[axis], point[axis]);
    }
  }
  double bounds[6];
  surface->GetBounds(bounds);
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_GE(bounds[2 * axis], low[axis] - 1e-3) << "axis " << axis;
    EXPECT_LE(bounds[2 * axis + 1], high[axis] + 1e-3) << "axis " << axis;
    EXPECT_LT(bounds[2 * axis + 1] - bounds[2 * axis], high[axis] - low[axis])
        << "the tumour, not the whole case";
  }
  test::saveSnapshot(window_.grabView(QStringLiteral("overviewView")), "probability_surface");

  // The uncertainty, with the same controls.
  auto* map = control<QComboBox>("probabilityMapBox");
  map->setCurrentIndex(map->findData(static_cast<int>(ProbabilityMap::Uncertainty)));
  EXPECT_EQ(panel()->shownMap(), static_cast<int>(ProbabilityMap::Uncertainty));
  EXPECT_TRUE(scene.colourBarShown());

  // An edit: the probabilities were the model's result's; they go, and the panel says why.
  window_.session().paint({0}, 2);
  window_.session().endStroke();
  EXPECT_EQ(window_.session().probabilities(), nullptr);
  EXPECT_FALSE(window_.caseViews().hasHeatMap());
  EXPECT_EQ(window_.caseViews().overviewScene().levelSurface(), nullptr);
  EXPECT_FALSE(scene.colourBarShown());
  EXPECT_TRUE(panel()->statusText().contains(QStringLiteral("edited")))
      << panel()->statusText().toStdString();
  EXPECT_FALSE(map->isEnabled());
}

TEST_F(ProbabilityHeatMapTest, HeatMapLiesOverTheSameVoxelsAsTheLabelsOnAPirCase) {
  test::TempDir folder;
  const test::OrientationCase pir = test::writeCase("pir", QString::fromStdString(folder.path()));
  ASSERT_NO_FATAL_FAILURE(test::openInWindow(window_, pir));
  ASSERT_NO_FATAL_FAILURE(segment());
  const std::shared_ptr<const Volume> maps = window_.session().probabilities();
  const std::shared_ptr<const LabelVolume> labels = window_.session().segmentation();
  const auto world = [&](const Voxel& voxel) { return pir.worldOf(voxel); };

  // A threshold halfway through the plane's values: voxels on both sides of it.
  window_.caseViews().setCrosshairVisible(false);
  std::vector<VoxelPixel> voxels = axialVoxelPixels(window_, *maps, 0, world);
  ASSERT_GT(voxels.size(), 100u);
  const auto [lowest, highest] = std::minmax_element(
      voxels.begin(), voxels.end(),
      [](const VoxelPixel& a, const VoxelPixel& b) { return a.value < b.value; });
  ASSERT_GT(highest->value - lowest->value, 0.1) << "the model's WT probability varies";
  const double threshold = std::round(50.0 * (lowest->value + highest->value)) / 100.0;
  ASSERT_NO_FATAL_FAILURE(showWholeTumour(threshold));
  voxels = axialVoxelPixels(window_, *maps, 0, world);
  const QImage shown = axial();
  const QImage plain = plainAxial();
  test::saveSnapshot(shown, "probability_heat_map_pir");
  const HeatMapCount count = expectHeatMapOverVoxels(voxels, shown, plain, threshold);
  EXPECT_GE(count.coloured, 10);
  EXPECT_GE(count.clear, 10);

  // The labels (opaque, heat map hidden) at the same pixels: each voxel's own label colour.
  auto* map = control<QComboBox>("probabilityMapBox");
  map->setCurrentIndex(0);
  window_.caseViews().setLabelsVisible(true);
  window_.caseViews().setLabelOpacity(1.0);
  const QImage labelled = axial();
  const LabelColourTable& colours = window_.caseViews().labelDisplay().colours;
  int labelledVoxels = 0, wrong = 0, underHeat = 0;
  for (const VoxelPixel& at : voxels) {
    const uint8_t label = labels->labels[static_cast<size_t>(
        (at.voxel[2] * labels->shape[1] + at.voxel[1]) * labels->shape[2] + at.voxel[0])];
    if (label == 0) continue;
    ++labelledVoxels;
    if (!near(shown.pixel(at.pixel), rgbOf(plain.pixel(at.pixel)), 6)) ++underHeat;
    const LabelClass* entry = colours.find(label);
    ASSERT_NE(entry, nullptr);
    if (!near(labelled.pixel(at.pixel), {entry->colour[0], entry->colour[1], entry->colour[2]}, 12))
      ++wrong;
  }
  EXPECT_GT(labelledVoxels, 10) << "the model finds the bright ball";
  EXPECT_GE(underHeat, labelledVoxels * 9 / 10) << "the labelled voxels are WT-probable";
  EXPECT_EQ(wrong, 0) << "of " << labelledVoxels << " labelled voxels";
}

// Every pixel where `overlay` (RGBA) draws something; -1 for a slice of another extent.
std::vector<bool> drawnPixels(vtkImageData* overlay) {
  std::vector<bool> drawn;
  if (!overlay) return drawn;
  const auto* rgba = static_cast<const uint8_t*>(overlay->GetScalarPointer());
  for (vtkIdType n = 0; n < overlay->GetNumberOfPoints(); ++n) drawn.push_back(rgba[4 * n + 3] > 0);
  return drawn;
}

// On grids that are oblique or anisotropic, the heat map of a map that is high exactly where
// the opened mask labels is drawn at exactly the label overlay's pixels, in every slice view:
// both are resliced the same way.
TEST_F(ProbabilityHeatMapTest, OnObliqueAndAnisotropicGridsTheHeatMapCoversTheLabelOverlay) {
  for (const char* kind : {"oblique", "anisotropic"}) {
    SCOPED_TRACE(kind);
    test::TempDir folder;
    const test::OrientationCase written =
        test::writeCase(kind, QString::fromStdString(folder.path()));
    ASSERT_NO_FATAL_FAILURE(test::openInWindow(window_, written));
    QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
    QSignalSpy failed(&window_, &MainWindow::loadFailed);
    window_.openSegmentation(written.mask);
    ASSERT_TRUE(test::waitForOutcome(segmented, failed));
    EXPECT_TRUE(panel()->statusText().contains(QStringLiteral("opened from a file")))
        << panel()->statusText().toStdString();

    const LabelVolume& labels = *window_.session().segmentation();
    Volume maps;
    maps.shape = {1, labels.shape[0], labels.shape[1], labels.shape[2]};
    maps.geometry = window_.volume()->geometry;
    for (uint8_t label : labels.labels) maps.voxels.push_back(label != 0 ? 0.9f : 0.1f);
    HeatMapDisplay display;
    display.threshold = 0.5;
    window_.caseViews().showHeatMap(maps, 0, display);
    for (SliceOrientation orientation :
         {SliceOrientation::Axial, SliceOrientation::Sagittal, SliceOrientation::Coronal}) {
      SliceScene& scene = window_.caseViews().sliceScene(orientation);
      const std::vector<bool> heat = drawnPixels(scene.heatMapOverlay());
      const std::vector<bool> labelled = drawnPixels(scene.labelOverlay());
      ASSERT_EQ(heat.size(), labelled.size());
      EXPECT_GT(std::count(labelled.begin(), labelled.end(), true), 10) << "the marker ball";
      EXPECT_EQ(heat, labelled) << "view " << static_cast<int>(orientation);
    }
    window_.caseViews().clearHeatMap();
  }
}

}  // namespace
}  // namespace seqseg
