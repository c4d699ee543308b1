// Slice views are planes of patient space whatever the storage of the file. Cases written by
// nibabel (tests/tools/make_orientation_case.py) in LPS, RAS, LAS, PIR (a sagittal
// acquisition), oblique, anisotropic, qform-only and sform-only storage open in the real main
// window; with the cursor on a bright marker at a known world point, every slice view shows the
// marker under the crosshair centre, the head around it the right way round, and a mask of the
// marker over it; clicks map to the same voxel in every view and in the status bar. The views
// are also checked for all 48 axis permutations and flips of a grid.
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <vtkRenderer.h>

#include "tests/gui/gui_test_support.h"
#include "tests/gui/orientation_case.h"
#include "ui/main_window.h"
#include "viz/case_views.h"
#include "viz/view_layout.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

using test::OrientationCase;
using test::pixelOf;
using test::Point;
using test::Voxel;
using test::writeCase;

constexpr int kLoadTimeoutMs = 60000;
constexpr SliceOrientation kOrientations[] = {SliceOrientation::Axial, SliceOrientation::Sagittal,
                                              SliceOrientation::Coronal};
// Tissue 180..420, the marker 1500: a fixed window keeps the grey levels known.
const IntensityWindow kWindow{0.0, 500.0};

Point offset(const Point& point, int axis, double mm) {
  Point moved = point;
  moved[axis] += mm;
  return moved;
}

// Mean grey of the 5 x 5 pixels around `at`.
double greyAround(const QImage& image, QPointF at) {
  const int cx = static_cast<int>(std::lround(at.x())), cy = static_cast<int>(std::lround(at.y()));
  double sum = 0;
  int count = 0;
  for (int y = cy - 2; y <= cy + 2; ++y)
    for (int x = cx - 2; x <= cx + 2; ++x)
      if (image.valid(x, y)) {
        sum += qGray(image.pixel(x, y));
        ++count;
      }
  return count ? sum / count : -1.0;
}

bool bluish(QRgb pixel) {
  return qBlue(pixel) > qRed(pixel) + 40 && qBlue(pixel) > qGreen(pixel) + 20;
}

// Crosshair pixels in the row and in the column through `at` (one pixel either side).
std::array<long, 2> crosshairThrough(const QImage& image, QPointF at) {
  const int cx = static_cast<int>(std::lround(at.x())), cy = static_cast<int>(std::lround(at.y()));
  long row = 0, column = 0;
  for (int x = 0; x < image.width(); ++x)
    for (int dy = -1; dy <= 1; ++dy)
      if (image.valid(x, cy + dy) && bluish(image.pixel(x, cy + dy))) {
        ++row;
        break;
      }
  for (int y = 0; y < image.height(); ++y)
    for (int dx = -1; dx <= 1; ++dx)
      if (image.valid(cx + dx, y) && bluish(image.pixel(cx + dx, y))) {
        ++column;
        break;
      }
  return {row, column};
}

// Pixels showing anatomy: grey (not the crosshair or letters) and not black.
double anatomyFraction(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long count = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      const int high = std::max({qRed(pixel), qGreen(pixel), qBlue(pixel)});
      const int low = std::min({qRed(pixel), qGreen(pixel), qBlue(pixel)});
      count += high > 40 && high - low < 12;
    }
  return static_cast<double>(count) / (static_cast<double>(rgb.width()) * rgb.height());
}

// The world axes across and up the screen of each view, radiologically: axial and coronal
// have the patient's left (+x) on the right; sagittal has posterior (+y) on the right; axial
// has anterior (-y) up, the others superior (+z).
struct ScreenAxes {
  int across;
  double acrossSign;  // +1: the axis grows to the right of the screen
  int up;
  double upSign;
};
ScreenAxes screenAxes(SliceOrientation orientation) {
  switch (orientation) {
    case SliceOrientation::Axial:
      return {0, 1.0, 1, -1.0};
    case SliceOrientation::Coronal:
      return {0, 1.0, 2, 1.0};
    case SliceOrientation::Sagittal:
      return {1, 1.0, 2, 1.0};
  }
  return {0, 1.0, 1, -1.0};
}

// With the cursor on the marker, `view` shows the marker under the crosshair centre, the
// crosshair's two lines through it, and the head the right way round around it: brighter
// towards the patient's left (axial, coronal) and top (sagittal, coronal), as the tissue is.
void expectMarkerUnderCrosshair(CaseViews& views, SliceOrientation orientation,
                                const std::string& name) {
  const std::string where = name + " " + orientationName(orientation);
  VtkViewWidget* view = views.view(orientation);
  const Point cursor = views.cursor();
  views.setCrosshairVisible(true);
  const QImage withCrosshair = view->grabFramebuffer();
  test::saveSnapshot(withCrosshair, (name + "_" + orientationName(orientation)).c_str());
  const QPointF centre = pixelOf(view, cursor);
  ASSERT_TRUE(withCrosshair.rect().contains(centre.toPoint())) << where;
  const std::array<long, 2> lines = crosshairThrough(withCrosshair, centre);
  EXPECT_GT(lines[0], withCrosshair.width() / 3) << where << ": no horizontal line at the cursor";
  EXPECT_GT(lines[1], withCrosshair.height() / 3) << where << ": no vertical line at the cursor";

  views.setCrosshairVisible(false);
  const QImage image = view->grabFramebuffer();
  EXPECT_GT(anatomyFraction(image), 0.15) << where << ": the view does not show the head";
  EXPECT_GT(greyAround(image, centre), 240) << where << ": no marker under the crosshair";

  const ScreenAxes axes = screenAxes(orientation);
  // 8 mm either way: outside the 4 mm marker, inside the head.
  const QPointF acrossPlus = pixelOf(view, offset(cursor, axes.across, 8.0));
  const QPointF acrossMinus = pixelOf(view, offset(cursor, axes.across, -8.0));
  const QPointF upPlus = pixelOf(view, offset(cursor, axes.up, 8.0));
  const QPointF upMinus = pixelOf(view, offset(cursor, axes.up, -8.0));
  EXPECT_GT(axes.acrossSign * (acrossPlus.x() - acrossMinus.x()), 40) << where;
  EXPECT_LT(std::abs(acrossPlus.y() - acrossMinus.y()), 1.0) << where << ": not level";
  EXPECT_LT(axes.upSign * (upPlus.y() - upMinus.y()), -40) << where;
  EXPECT_LT(std::abs(upPlus.x() - upMinus.x()), 1.0) << where << ": not upright";
  for (const QPointF& point : {acrossPlus, acrossMinus, upPlus, upMinus}) {
    const double grey = greyAround(image, point);
    EXPECT_GT(grey, 60) << where << ": background 8 mm from the marker";
    EXPECT_LT(grey, 235) << where << ": the marker is larger than it is";
  }
  // Tissue: 300 + 4 x + 2 z (LPS mm): +64 and +32 over 16 mm, 33 and 16 grey levels.
  if (axes.across == 0) {
    EXPECT_GT(greyAround(image, acrossPlus) - greyAround(image, acrossMinus), 15)
        << where << ": the patient's left is not brighter";
  }
  if (axes.up == 2) {
    EXPECT_GT(greyAround(image, upPlus) - greyAround(image, upMinus), 6)
        << where << ": superior is not brighter";
  }
  views.setCrosshairVisible(true);
}

class OrientationViewsTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }

  QString statusText() {
    auto* label = window_.findChild<QLabel*>(QStringLiteral("cursorLabel"));
    return label ? label->text() : QString();
  }
  static QString voxelText(const Voxel& voxel) {
    return QStringLiteral("voxel %1, %2, %3 ").arg(voxel[0]).arg(voxel[1]).arg(voxel[2]);
  }

  MainWindow window_;
};

TEST_P(OrientationViewsTest, MarkerUnderTheCrosshairClicksRoundTripAndTheMaskLinesUp) {
  const std::string kind = GetParam();
  QTemporaryDir folder;
  ASSERT_TRUE(folder.isValid());
  const OrientationCase written = writeCase(GetParam(), folder.path());
  ASSERT_NO_FATAL_FAILURE(test::openInWindow(window_, written));
  CaseViews& views = window_.caseViews();
  views.setWindow(kWindow);

  // At the starting cursor every slice view shows the head.
  for (SliceOrientation orientation : kOrientations) {
    const QImage start = views.view(orientation)->grabFramebuffer();
    test::saveSnapshot(start, (kind + "_start_" + orientationName(orientation)).c_str());
    EXPECT_GT(anatomyFraction(start), 0.15)
        << kind << " " << orientationName(orientation) << " is blank at the start";
  }

  views.setCursorVoxel(written.markerVoxel);
  ASSERT_EQ(views.cursorVoxel(), written.markerVoxel);
  for (int axis = 0; axis < 3; ++axis)
    EXPECT_NEAR(views.cursor()[axis], written.markerWorld[axis], 1e-3) << kind << " axis " << axis;
  EXPECT_TRUE(statusText().startsWith(voxelText(written.markerVoxel)))
      << statusText().toStdString();
  for (SliceOrientation orientation : kOrientations)
    expectMarkerUnderCrosshair(views, orientation, kind);

  // A click in each view at a point of its plane: the cursor moves to the voxel holding it (by
  // nibabel's affine), the status bar says so, and the other two views pass through it: their
  // crosshairs cross there, and a click there keeps the voxel.
  for (SliceOrientation clicked : kOrientations) {
    views.setCursorVoxel(written.markerVoxel);
    const ScreenAxes axes = screenAxes(clicked);
    Point target{};
    Voxel expected{};
    bool found = false;
    // A point well inside a voxel (away from the faces, where a pixel could tip the rounding).
    for (const auto& [across, up] : std::vector<std::pair<double, double>>{
             {6.2, -5.3}, {5.1, 7.4}, {-7.3, 4.2}, {4.4, -6.6}, {-5.6, -4.8}, {7.7, 3.1}}) {
      target = offset(offset(views.cursor(), axes.across, across), axes.up, up);
      const Point index = written.indexOf(target);
      bool clear = true;
      for (int axis = 0; axis < 3; ++axis) {
        clear = clear && std::abs(index[axis] - std::floor(index[axis]) - 0.5) > 0.15;
        expected[axis] = std::lround(index[axis]);
      }
      if (clear) {
        found = true;
        break;
      }
    }
    ASSERT_TRUE(found) << kind;
    VtkViewWidget* view = views.view(clicked);
    view->grabFramebuffer();  // the camera as drawn
    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, pixelOf(view, target).toPoint());
    const std::string where = kind + " click in " + orientationName(clicked);
    ASSERT_EQ(views.cursorVoxel(), expected) << where;
    EXPECT_TRUE(statusText().startsWith(voxelText(expected)))
        << where << ": " << statusText().toStdString();
    const Point centre = written.worldOf(expected);
    for (int axis = 0; axis < 3; ++axis) EXPECT_NEAR(views.cursor()[axis], centre[axis], 1e-3);
    for (SliceOrientation other : kOrientations) {
      if (other == clicked) continue;
      VtkViewWidget* otherView = views.view(other);
      const QImage image = otherView->grabFramebuffer();
      const QPointF at = pixelOf(otherView, views.cursor());
      const std::array<long, 2> lines = crosshairThrough(image, at);
      EXPECT_GT(lines[0], image.width() / 3) << where << ", " << orientationName(other);
      EXPECT_GT(lines[1], image.height() / 3) << where << ", " << orientationName(other);
      QTest::mouseClick(otherView, Qt::LeftButton, Qt::NoModifier, at.toPoint());
      EXPECT_EQ(views.cursorVoxel(), expected)
          << where << ": a click on the cursor in " << orientationName(other) << " moved it";
    }
  }

  // The mask labels the marker: over it in every view, where the bright voxels are.
  QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
  QSignalSpy maskFailed(&window_, &MainWindow::loadFailed);
  window_.openSegmentation(written.mask);
  ASSERT_TRUE(test::waitForOutcome(segmented, maskFailed));
  views.setCursorVoxel(written.markerVoxel);
  EXPECT_GT(views.labelAtCursor(), 0) << kind;
  EXPECT_TRUE(statusText().contains(QStringLiteral("label "))) << statusText().toStdString();
  views.setLabelOpacity(1.0);
  views.setCrosshairVisible(false);
  for (SliceOrientation orientation : kOrientations) {
    const std::string where = kind + " mask in " + orientationName(orientation);
    VtkViewWidget* view = views.view(orientation);
    const QImage labelled = view->grabFramebuffer();
    test::saveSnapshot(labelled, (kind + "_mask_" + orientationName(orientation)).c_str());
    views.setLabelsVisible(false);
    const QImage plain = view->grabFramebuffer();
    views.setLabelsVisible(true);
    const ScreenAxes axes = screenAxes(orientation);
    const QPointF centre = pixelOf(view, views.cursor());
    const double pixelsPerMm =
        std::abs(pixelOf(view, offset(views.cursor(), axes.across, 1.0)).x() - centre.x());
    const int half = static_cast<int>(7 * pixelsPerMm);
    long coloured = 0, bright = 0, both = 0;
    for (int y = static_cast<int>(centre.y()) - half; y <= centre.y() + half; ++y)
      for (int x = static_cast<int>(centre.x()) - half; x <= centre.x() + half; ++x) {
        if (!labelled.valid(x, y)) continue;
        const QRgb pixel = labelled.pixel(x, y);
        const bool isLabel = std::max({qRed(pixel), qGreen(pixel), qBlue(pixel)}) -
                                 std::min({qRed(pixel), qGreen(pixel), qBlue(pixel)}) >
                             60;
        const bool isMarker = qGray(plain.pixel(x, y)) > 230;
        coloured += isLabel;
        bright += isMarker;
        both += isLabel && isMarker;
      }
    EXPECT_GT(coloured, 30) << where << ": no label drawn";
    const double overlap = static_cast<double>(both) / std::max(1L, coloured + bright - both);
    EXPECT_GT(overlap, 0.6) << where << ": labels " << coloured << ", marker " << bright
                            << ", both " << both;
  }
}

INSTANTIATE_TEST_SUITE_P(Storage, OrientationViewsTest,
                         ::testing::Values("lps", "ras", "las", "pir", "oblique", "anisotropic",
                                           "qform-only", "sform-only"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Every axis permutation and flip of a grid (48 direction matrices), anisotropic spacing: the
// same head in patient space, with a marker left, front and top of its centre, shows the
// marker under the crosshair and the head the right way round in every view.
class EveryAxisOrderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }
  void SetUp() override {
    for (auto*& view : views_) view = new VtkViewWidget;
    layout_ = std::make_unique<ViewLayout>(views_[0], views_[1], views_[2], views_[3]);
    layout_->resize(640, 640);
    caseViews_ = std::make_unique<CaseViews>(views_[0], views_[1], views_[2], views_[3]);
    ASSERT_TRUE(test::showAndWait(*layout_));
  }
  std::array<VtkViewWidget*, 4> views_{};
  std::unique_ptr<ViewLayout> layout_;  // owns the views
  std::unique_ptr<CaseViews> caseViews_;
};

TEST_F(EveryAxisOrderTest, MarkerUnderTheCrosshairForAll48Storages) {
  const std::array<int64_t, 3> shape{36, 34, 32};  // A0 (k), A1 (j), A2 (i)
  const std::array<double, 3> spacing{1.0, 1.2, 1.5};
  const std::array<int, 3> permutations[6] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                              {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  const Point headCentre{3.0, -7.0, 12.0};  // LPS
  const Point markerWanted{headCentre[0] + 7, headCentre[1] - 5, headCentre[2] + 6};
  int checked = 0;
  for (const auto& permutation : permutations)
    for (int signs = 0; signs < 8; ++signs) {
      // Voxel axis a runs along world axis permutation[a], in sense +1 or -1.
      Geometry geometry;
      geometry.spacing = spacing;
      geometry.direction.fill(0.0);
      for (int axis = 0; axis < 3; ++axis)
        geometry.direction[permutation[axis] * 3 + axis] = (signs >> axis) & 1 ? -1.0 : 1.0;
      const int size[3] = {static_cast<int>(shape[2]), static_cast<int>(shape[1]),
                           static_cast<int>(shape[0])};  // i, j, k
      // Origin: the grid's centre on the head's centre.
      for (int row = 0; row < 3; ++row) {
        double along = 0;
        for (int axis = 0; axis < 3; ++axis)
          along += geometry.direction[row * 3 + axis] * spacing[axis] * (size[axis] - 1) / 2.0;
        geometry.origin[row] = headCentre[row] - along;
      }
      auto worldOf = [&](int i, int j, int k) {
        const int index[3] = {i, j, k};
        Point world = geometry.origin;
        for (int row = 0; row < 3; ++row)
          for (int axis = 0; axis < 3; ++axis)
            world[row] += geometry.direction[row * 3 + axis] * spacing[axis] * index[axis];
        return world;
      };
      // The marker voxel: the one nearest to markerWanted (direction is a signed permutation).
      Voxel marker{};
      for (int axis = 0; axis < 3; ++axis) {
        const int row = permutation[axis];
        const double sense = geometry.direction[row * 3 + axis];
        marker[axis] =
            std::lround((markerWanted[row] - geometry.origin[row]) / (sense * spacing[axis]));
      }
      const Point markerWorld = worldOf(static_cast<int>(marker[0]), static_cast<int>(marker[1]),
                                        static_cast<int>(marker[2]));
      auto volume = std::make_shared<Volume>();
      volume->shape = {1, shape[0], shape[1], shape[2]};
      volume->geometry = geometry;
      volume->voxels.assign(shape[0] * shape[1] * shape[2], 0.0f);
      size_t n = 0;
      for (int k = 0; k < size[2]; ++k)
        for (int j = 0; j < size[1]; ++j)
          for (int i = 0; i < size[0]; ++i, ++n) {
            const Point world = worldOf(i, j, k);
            const double x = world[0] - headCentre[0], y = world[1] - headCentre[1],
                         z = world[2] - headCentre[2];
            const double mx = world[0] - markerWorld[0], my = world[1] - markerWorld[1],
                         mz = world[2] - markerWorld[2];
            if (mx * mx + my * my + mz * mz <= 9.0)
              volume->voxels[n] = 1500.0f;
            else if ((x / 17) * (x / 17) + (y / 18) * (y / 18) + (z / 19) * (z / 19) <= 1.0)
              volume->voxels[n] = static_cast<float>(300 + 4 * x + 2 * z);
          }
      caseViews_->show(volume, 0);
      caseViews_->setWindow(kWindow);
      caseViews_->setCursorVoxel(marker);
      ASSERT_EQ(caseViews_->cursorVoxel(), marker);
      const std::string name = "permutation " + std::to_string(permutation[0]) +
                               std::to_string(permutation[1]) + std::to_string(permutation[2]) +
                               " signs " + std::to_string(signs);
      for (SliceOrientation orientation : kOrientations) {
        const std::string where = name + " " + orientationName(orientation);
        VtkViewWidget* view = caseViews_->view(orientation);
        caseViews_->setCrosshairVisible(false);
        const QImage image = view->grabFramebuffer();
        const QPointF centre = pixelOf(view, caseViews_->cursor());
        EXPECT_GT(greyAround(image, centre), 240) << where << ": no marker under the cursor";
        const ScreenAxes axes = screenAxes(orientation);
        const QPointF across = pixelOf(view, offset(caseViews_->cursor(), axes.across, 6.0));
        const QPointF up = pixelOf(view, offset(caseViews_->cursor(), axes.up, 6.0));
        EXPECT_GT(axes.acrossSign * (across.x() - centre.x()), 20) << where;
        EXPECT_LT(axes.upSign * (up.y() - centre.y()), -20) << where;
        // Tissue 6 mm away, brighter towards the patient's left and top.
        const QPointF acrossBack = pixelOf(view, offset(caseViews_->cursor(), axes.across, -6.0));
        const QPointF down = pixelOf(view, offset(caseViews_->cursor(), axes.up, -6.0));
        for (const QPointF& point : {across, acrossBack, up, down})
          EXPECT_GT(greyAround(image, point), 60) << where << ": background next to the marker";
        if (axes.across == 0) {
          EXPECT_GT(greyAround(image, across) - greyAround(image, acrossBack), 15) << where;
        }
        if (axes.up == 2) {
          EXPECT_GT(greyAround(image, up) - greyAround(image, down), 6) << where;
        }
      }
      ++checked;
    }
  EXPECT_EQ(checked, 48);
}

}  // namespace
}  // namespace seqseg
