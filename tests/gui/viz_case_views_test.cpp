// The interactive case views under Xvfb: a synthetic head with a labelled tumour drawn in the
// axial, sagittal, coronal and 3D views; the linked cursor, slice stepping, zoom, pan and
// window/level by real Qt mouse and key events; orientation letters for LPS, RAS and oblique
// grids; filled and outlined labels, and edits drawn again only where they changed; label
// surfaces, and edited labels' surfaces rebuilt off the UI thread; volume rendering, layout,
// screenshots.
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <string>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>

#include "tests/gui/gui_test_support.h"
#include "viz/case_views.h"
#include "viz/label_colours.h"
#include "viz/label_overlay.h"
#include "viz/label_surfaces.h"
#include "viz/overview_scene.h"
#include "viz/slice_scene.h"
#include "viz/view_layout.h"
#include "viz/view_screenshot.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

constexpr int kSize = 40;

std::array<double, 9> rotationAboutZ(double degrees) {
  const double c = std::cos(degrees * M_PI / 180), s = std::sin(degrees * M_PI / 180);
  return {c, -s, 0, s, c, 0, 0, 0, 1};
}

// A head: an ellipsoid of tissue whose brightness rises along i, in air, four channels with
// different contrast; a marker of bright voxels at the centre's patient-left (world +x).
std::shared_ptr<Volume> syntheticHead(const Geometry& geometry) {
  auto volume = std::make_shared<Volume>();
  volume->shape = {4, kSize, kSize, kSize};
  volume->geometry = geometry;
  volume->voxels.assign(4 * kSize * kSize * kSize, 0.0f);
  const double centre = (kSize - 1) / 2.0;
  for (int c = 0; c < 4; ++c) {
    float* voxels = volume->channel(c);
    for (int k = 0; k < kSize; ++k)
      for (int j = 0; j < kSize; ++j)
        for (int i = 0; i < kSize; ++i) {
          const double x = (i - centre) / 17.0, y = (j - centre) / 18.0, z = (k - centre) / 16.0;
          if (x * x + y * y + z * z <= 1.0)
            voxels[(k * kSize + j) * kSize + i] = static_cast<float>(100 * (c + 1) + 2 * i + j);
        }
  }
  return volume;
}

// Labels: an oedema ball (2) around a core (1) with an enhancing rim part (3), off centre.
LabelVolume syntheticTumour(const Geometry& geometry) {
  LabelVolume labels;
  labels.shape = {kSize, kSize, kSize};
  labels.geometry = geometry;
  labels.labels.assign(kSize * kSize * kSize, 0);
  for (int k = 0; k < kSize; ++k)
    for (int j = 0; j < kSize; ++j)
      for (int i = 0; i < kSize; ++i) {
        const double r =
            std::sqrt((i - 14.0) * (i - 14.0) + (j - 22.0) * (j - 22.0) + (k - 20.0) * (k - 20.0));
        uint8_t label = 0;
        if (r <= 3.0)
          label = 1;
        else if (r <= 5.0)
          label = i > 14 ? 3 : 1;
        else if (r <= 9.0)
          label = 2;
        labels.labels[(k * kSize + j) * kSize + i] = label;
      }
  return labels;
}

// Pixels of `image` within `tolerance` of `colour` in every channel.
long pixelsNear(const QImage& image, const QColor& colour, int tolerance = 30) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long count = 0;
  for (int y = 0; y < rgb.height(); ++y) {
    const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = 0; x < rgb.width(); ++x)
      count += std::abs(qRed(line[x]) - colour.red()) <= tolerance &&
               std::abs(qGreen(line[x]) - colour.green()) <= tolerance &&
               std::abs(qBlue(line[x]) - colour.blue()) <= tolerance;
  }
  return count;
}

// Pixels whose green clearly dominates (lit oedema surface) and grey pixels (anatomy).
long greenPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long count = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      count +=
          qGreen(pixel) > 60 && qGreen(pixel) > 2 * qRed(pixel) && qGreen(pixel) > 2 * qBlue(pixel);
    }
  return count;
}
long greyPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long count = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      const int high = std::max({qRed(pixel), qGreen(pixel), qBlue(pixel)});
      const int low = std::min({qRed(pixel), qGreen(pixel), qBlue(pixel)});
      count += high > 25 && high - low < 12;
    }
  return count;
}

// Pixels clearly bluer than grey: the crosshair and the orientation letters.
long bluishPixels(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  long count = 0;
  for (int y = 0; y < rgb.height(); ++y)
    for (int x = 0; x < rgb.width(); ++x) {
      const QRgb pixel = rgb.pixel(x, y);
      count += qBlue(pixel) > qRed(pixel) + 40 && qBlue(pixel) > qGreen(pixel) + 20;
    }
  return count;
}

void sendMouse(QWidget* widget, QEvent::Type type, QPoint position, Qt::MouseButton button,
               Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  const Qt::MouseButtons buttons =
      type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::MouseButtons(button);
  QMouseEvent event(type, QPointF(position), widget->mapToGlobal(QPointF(position)),
                    type == QEvent::MouseMove ? Qt::NoButton : button, buttons, modifiers);
  QApplication::sendEvent(widget, &event);
}

void drag(QWidget* widget, QPoint from, QPoint to, Qt::MouseButton button,
          Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  sendMouse(widget, QEvent::MouseButtonPress, from, button, modifiers);
  for (int step = 1; step <= 4; ++step)
    sendMouse(widget, QEvent::MouseMove, from + (to - from) * step / 4, button, modifiers);
  sendMouse(widget, QEvent::MouseButtonRelease, to, button, modifiers);
}

void wheel(QWidget* widget, int notches, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
  const QPointF centre(widget->width() / 2.0, widget->height() / 2.0);
  QWheelEvent event(centre, widget->mapToGlobal(centre), QPoint(), QPoint(0, 120 * notches),
                    Qt::NoButton, modifiers, Qt::NoScrollPhase, false);
  QApplication::sendEvent(widget, &event);
}

class CaseViewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }

  void SetUp() override {
    for (auto*& view : views_) view = new VtkViewWidget;
    layout_ = std::make_unique<ViewLayout>(views_[0], views_[1], views_[2], views_[3]);
    layout_->resize(640, 640);
    caseViews_ = std::make_unique<CaseViews>(views_[0], views_[1], views_[2], views_[3]);
    ASSERT_TRUE(test::showAndWait(*layout_));
  }

  void showHead(const Geometry& geometry = Geometry()) {
    caseViews_->show(syntheticHead(geometry));
    QApplication::processEvents();
  }

  // What the view shows now, rendered afresh.
  QImage grab(VtkViewWidget* view, const char* name = nullptr) {
    const QImage image = view->grabFramebuffer();
    if (name) test::saveSnapshot(image, name);
    return image;
  }

  VtkViewWidget* axial() const { return views_[0]; }
  VtkViewWidget* sagittal() const { return views_[1]; }
  VtkViewWidget* coronal() const { return views_[2]; }
  VtkViewWidget* overview() const { return views_[3]; }

  std::array<VtkViewWidget*, 4> views_{};
  std::unique_ptr<ViewLayout> layout_;  // owns the views
  std::unique_ptr<CaseViews> caseViews_;
};

TEST_F(CaseViewsTest, EveryViewDrawsTheCase) {
  showHead();
  const char* names[] = {"axial", "sagittal", "coronal", "overview"};
  for (int n = 0; n < 4; ++n) {
    const QImage image = grab(views_[n], names[n]);
    EXPECT_GT(test::fractionUnlike(image, test::backgroundOf(*views_[n])), 0.1) << names[n];
  }
  // The cursor starts at the centre voxel, each slice view on the slice through it.
  EXPECT_EQ(caseViews_->cursorVoxel(), (std::array<int64_t, 3>{20, 20, 20}));
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), 20);
  EXPECT_EQ(caseViews_->intensityAtCursor(), 100 + 2 * 20 + 20);
}

TEST_F(CaseViewsTest, ClickMovesTheCursorAndTheOtherViewsFollow) {
  showHead();
  int notified = 0;
  caseViews_->setCursorObserver(
      [&](const std::array<double, 3>&, const std::array<int64_t, 3>&) { ++notified; });
  const QImage sagittalBefore = grab(sagittal());
  const std::array<int64_t, 3> before = caseViews_->cursorVoxel();
  // Right of and above the centre of the axial view: the patient's left (i up) and front
  // (j down, LPS).
  const QPoint centre(axial()->width() / 2, axial()->height() / 2);
  QTest::mouseClick(axial(), Qt::LeftButton, Qt::NoModifier, centre + QPoint(60, -40));
  const std::array<int64_t, 3> after = caseViews_->cursorVoxel();
  EXPECT_GT(after[0], before[0] + 3);
  EXPECT_LT(after[1], before[1] - 3);
  EXPECT_EQ(after[2], before[2]) << "a click stays in the axial slice";
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Sagittal), after[0]);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Coronal), after[1]);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), after[2]);
  EXPECT_NE(grab(sagittal()), sagittalBefore) << "the sagittal view shows another slice";

  // The crosshair: two blue lines across the view (multisampling spreads each over two
  // pixel rows), gone when hidden. The orientation letters are bluish too: compare.
  const long withCrosshair = bluishPixels(grab(axial(), "crosshair"));
  caseViews_->setCrosshairVisible(false);
  const long without = bluishPixels(grab(axial()));
  EXPECT_GT(withCrosshair - without, axial()->width());

  caseViews_->setCursorVoxel({5, 6, 7});
  EXPECT_EQ(caseViews_->cursorVoxel(), (std::array<int64_t, 3>{5, 6, 7}));
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Sagittal), 5);
  caseViews_->setCursor({1000.0, 0.0, 0.0});  // clamped into the image
  EXPECT_EQ(caseViews_->cursorVoxel()[0], kSize - 1);
}

TEST_F(CaseViewsTest, WheelAndKeysStepTheSlice) {
  showHead();
  const int start = caseViews_->slice(SliceOrientation::Axial);
  wheel(axial(), 1);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), start + 1);
  EXPECT_EQ(caseViews_->cursorVoxel()[2], start + 1) << "the cursor moves with the slice";
  wheel(axial(), -3);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), start - 2);
  QTest::keyClick(axial(), Qt::Key_Up);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), start - 1);
  QTest::keyClick(axial(), Qt::Key_PageDown);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), start - 6);
  QTest::keyClick(sagittal(), Qt::Key_Down);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Sagittal), 19);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), start - 6) << "other views keep theirs";
  for (int n = 0; n < 30; ++n) QTest::keyClick(axial(), Qt::Key_PageUp);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Axial), kSize - 1) << "clamped";
}

TEST_F(CaseViewsTest, ZoomPanAndReset) {
  showHead();
  SliceScene& scene = caseViews_->sliceScene(SliceOrientation::Coronal);
  const double fitted = scene.parallelScale();
  const QImage before = grab(coronal());
  const QPoint centre(coronal()->width() / 2, coronal()->height() / 2);
  drag(coronal(), centre, centre - QPoint(0, 50), Qt::RightButton);  // up: magnify
  EXPECT_LT(scene.parallelScale(), 0.8 * fitted);
  wheel(coronal(), 2, Qt::ControlModifier);
  const double zoomed = scene.parallelScale();
  EXPECT_LT(zoomed, 0.7 * fitted);
  EXPECT_EQ(caseViews_->slice(SliceOrientation::Coronal), 20) << "Ctrl + wheel zooms only";
  EXPECT_EQ(scene.parallelScale(), zoomed);
  double focal[3];
  coronal()->renderer()->GetActiveCamera()->GetFocalPoint(focal);
  drag(coronal(), centre, centre + QPoint(40, 0), Qt::MiddleButton);
  double panned[3];
  coronal()->renderer()->GetActiveCamera()->GetFocalPoint(panned);
  // Coronal: screen right is the patient's left (+x); the picture follows the mouse.
  EXPECT_LT(panned[0], focal[0] - 1.0);
  drag(coronal(), centre, centre + QPoint(0, 40), Qt::LeftButton, Qt::ShiftModifier);
  double shiftPanned[3];
  coronal()->renderer()->GetActiveCamera()->GetFocalPoint(shiftPanned);
  EXPECT_GT(shiftPanned[2], panned[2] + 1.0) << "Shift + left drag pans too";
  EXPECT_NE(grab(coronal()), before);
  QTest::keyClick(coronal(), Qt::Key_R);
  EXPECT_DOUBLE_EQ(scene.parallelScale(), fitted);
  EXPECT_EQ(grab(coronal()), before);
}

TEST_F(CaseViewsTest, CtrlDragChangesWindowLevelInEverySliceView) {
  showHead();
  const IntensityWindow start = caseViews_->window();
  EXPECT_EQ(caseViews_->windowPreset(), CaseViews::windowPresets().front());
  int notified = 0;
  caseViews_->setWindowObserver([&](const IntensityWindow&) { ++notified; });
  const QImage sagittalBefore = grab(sagittal());
  const QPoint centre(axial()->width() / 2, axial()->height() / 2);
  const std::array<int64_t, 3> cursor = caseViews_->cursorVoxel();
  drag(axial(), centre, centre + QPoint(80, 0), Qt::LeftButton, Qt::ControlModifier);
  const IntensityWindow wider = caseViews_->window();
  EXPECT_GT(wider.width(), start.width() * 1.1);
  EXPECT_NEAR(wider.level(), start.level(), 1e-6 * start.width());
  EXPECT_EQ(caseViews_->cursorVoxel(), cursor) << "Ctrl + drag does not move the cursor";
  EXPECT_GT(notified, 0);
  EXPECT_EQ(caseViews_->windowPreset(), "");
  EXPECT_NE(grab(sagittal()), sagittalBefore) << "the other views follow live";
  drag(axial(), centre, centre - QPoint(0, 60), Qt::LeftButton, Qt::ControlModifier);
  EXPECT_LT(caseViews_->window().level(), wider.level()) << "dragging up brightens";

  // Presets: the full range of channel 0 is 0 .. the brightest voxel.
  ASSERT_TRUE(caseViews_->applyWindowPreset("Full range"));
  EXPECT_EQ(caseViews_->window().low, 0.0);
  const std::shared_ptr<Volume> head = syntheticHead(Geometry());
  EXPECT_EQ(caseViews_->window().high,
            *std::max_element(head->channel(0), head->channel(0) + head->voxelsPerChannel()));
  EXPECT_FALSE(caseViews_->applyWindowPreset("Lung"));
  caseViews_->setWindow({50.0, 150.0});
  EXPECT_EQ(caseViews_->sliceScene(SliceOrientation::Coronal).window().high, 150.0);
}

TEST_F(CaseViewsTest, ChannelSwitchKeepsCursorZoomAndLabels) {
  showHead();
  caseViews_->showLabels(syntheticTumour(Geometry()));
  caseViews_->zoom(SliceOrientation::Axial, 2.0);
  const double scale = caseViews_->sliceScene(SliceOrientation::Axial).parallelScale();
  const std::array<int64_t, 3> cursor = caseViews_->cursorVoxel();
  const float t1 = caseViews_->intensityAtCursor();
  const IntensityWindow t1Window = caseViews_->window();
  caseViews_->setChannel(3);
  EXPECT_EQ(caseViews_->channel(), 3);
  EXPECT_EQ(caseViews_->cursorVoxel(), cursor);
  EXPECT_EQ(caseViews_->sliceScene(SliceOrientation::Axial).parallelScale(), scale);
  EXPECT_TRUE(caseViews_->hasLabels());
  EXPECT_EQ(caseViews_->intensityAtCursor(), t1 + 300);
  EXPECT_GT(caseViews_->window().high, t1Window.high + 250) << "FLAIR gets its own window";
  caseViews_->setChannel(0);
  EXPECT_EQ(caseViews_->window().high, t1Window.high) << "T1's window is kept";
  EXPECT_THROW(caseViews_->setChannel(4), std::out_of_range);
}

// The world direction of an anatomical letter (LPS).
std::array<double, 3> directionOf(char letter) {
  switch (letter) {
    case 'L':
      return {1, 0, 0};
    case 'R':
      return {-1, 0, 0};
    case 'P':
      return {0, 1, 0};
    case 'A':
      return {0, -1, 0};
    case 'S':
      return {0, 0, 1};
    default:
      return {0, 0, -1};
  }
}

// For each edge letter of each slice view: moving towards that anatomical side moves on screen
// towards that edge (by VTK's own projection of the rendered camera).
void expectLettersMatchTheScreen(CaseViews& views, const char* geometryName) {
  for (SliceOrientation orientation :
       {SliceOrientation::Axial, SliceOrientation::Sagittal, SliceOrientation::Coronal}) {
    vtkRenderer* renderer = views.view(orientation)->renderer();
    const EdgeLetters edges = views.sliceScene(orientation).edgeLetters();
    const std::array<double, 3> cursor = views.cursor();
    auto screenOf = [&](const std::array<double, 3>& world) {
      renderer->SetWorldPoint(world[0], world[1], world[2], 1.0);
      renderer->WorldToDisplay();
      const double* display = renderer->GetDisplayPoint();
      return std::array<double, 2>{display[0], display[1]};
    };
    const std::array<double, 2> origin = screenOf(cursor);
    const char letters[4] = {edges.left, edges.right, edges.top, edges.bottom};
    const double wanted[4][2] = {{-1, 0}, {1, 0}, {0, 1}, {0, -1}};
    for (int edge = 0; edge < 4; ++edge) {
      const std::array<double, 3> towards = directionOf(letters[edge]);
      const std::array<double, 2> moved = screenOf(
          {cursor[0] + 10 * towards[0], cursor[1] + 10 * towards[1], cursor[2] + 10 * towards[2]});
      const double dx = moved[0] - origin[0], dy = moved[1] - origin[1];
      const double along = dx * wanted[edge][0] + dy * wanted[edge][1];
      EXPECT_GT(along, 0.7 * std::hypot(dx, dy))
          << geometryName << " " << orientationName(orientation) << " edge " << edge << " letter "
          << letters[edge];
    }
  }
}

std::string letters(CaseViews& views, SliceOrientation orientation) {
  const EdgeLetters edges = views.sliceScene(orientation).edgeLetters();
  return {edges.left, edges.right, edges.top, edges.bottom};
}

TEST_F(CaseViewsTest, OrientationLettersForLpsRasAndObliqueGrids) {
  showHead();
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Axial), "RLAP");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Sagittal), "APSI");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Coronal), "RLSI");
  expectLettersMatchTheScreen(*caseViews_, "LPS");

  // RAS storage (i towards the patient's right, j anterior): still radiological on screen.
  Geometry ras;
  ras.direction = {-1, 0, 0, 0, -1, 0, 0, 0, 1};
  ras.origin = {20, 20, -20};
  showHead(ras);
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Axial), "RLAP");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Sagittal), "APSI");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Coronal), "RLSI");
  expectLettersMatchTheScreen(*caseViews_, "RAS");
  // The bright side of the head (high i: the patient's right in RAS) is on the screen's left.
  const QImage image = grab(axial(), "rasAxial");
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  const int row = rgb.height() / 2;
  EXPECT_GT(qGray(rgb.pixel(rgb.width() / 2 - 60, row)),
            qGray(rgb.pixel(rgb.width() / 2 + 60, row)));

  // Oblique: the grid turned 60 degrees about the feet-head axis. Its i axis runs mostly
  // anterior-posterior, so the sagittal view looks along j.
  Geometry oblique;
  oblique.direction = rotationAboutZ(60);
  showHead(oblique);
  EXPECT_EQ(caseViews_->sliceScene(SliceOrientation::Sagittal).normalAxis(), 1);
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Axial), "RLAP");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Sagittal), "APSI");
  EXPECT_EQ(letters(*caseViews_, SliceOrientation::Coronal), "RLSI");
  expectLettersMatchTheScreen(*caseViews_, "oblique");
  // Tilted 70 degrees about the left-right axis: the axial view's screen turns with the grid.
  Geometry tilted;
  const double c = std::cos(70 * M_PI / 180), s = std::sin(70 * M_PI / 180);
  tilted.direction = {1, 0, 0, 0, c, -s, 0, s, c};
  showHead(tilted);
  expectLettersMatchTheScreen(*caseViews_, "tilted");
  EXPECT_EQ(pixelsNear(grab(axial(), "tiltedAxial"), QColor(140, 204, 255), 40) > 0, true)
      << "letters are drawn";
}

TEST_F(CaseViewsTest, FilledAndOutlinedLabelsOpacityAndVisibility) {
  showHead();
  caseViews_->setCrosshairVisible(false);
  caseViews_->showLabels(syntheticTumour(Geometry()));
  // The cursor moved to the most labelled slices.
  EXPECT_EQ(caseViews_->cursorVoxel(), (std::array<int64_t, 3>{14, 22, 20}));
  EXPECT_EQ(caseViews_->labelAtCursor(), 1);
  caseViews_->setLabelOpacity(1.0);
  const QColor oedema(0, 200, 0), core(255, 0, 0);
  const long filled = pixelsNear(grab(axial(), "filled"), oedema);
  EXPECT_GT(filled, 200);
  EXPECT_GT(pixelsNear(grab(axial()), core), 50);
  caseViews_->setLabelOutline(true);
  const long outlined = pixelsNear(grab(axial(), "outline"), oedema);
  EXPECT_GT(outlined, 20);
  EXPECT_LT(outlined, filled * 0.7) << "an outline draws only the boundary";
  caseViews_->setLabelOutline(false);

  caseViews_->setLabelVisible(2, false);
  EXPECT_EQ(pixelsNear(grab(axial()), oedema), 0) << "hidden oedema";
  EXPECT_GT(pixelsNear(grab(axial()), core), 50) << "the core still shows";
  caseViews_->setLabelVisible(2, true);

  // ITK-SNAP's keys: a / d change opacity, s hides all labels.
  QTest::keyClick(axial(), Qt::Key_A);
  EXPECT_NEAR(caseViews_->labelDisplay().opacity, 0.9, 1e-9);
  EXPECT_EQ(pixelsNear(grab(axial()), oedema, 5), 0) << "blended with the anatomy now";
  QTest::keyClick(axial(), Qt::Key_S);
  EXPECT_FALSE(caseViews_->labelDisplay().visible);
  EXPECT_LT(greenPixels(grab(axial())), 5);
  caseViews_->toggleLabelsVisible();
  EXPECT_GT(greenPixels(grab(axial())), 100);
  caseViews_->setLabelOpacity(0.0);
  EXPECT_LT(greenPixels(grab(axial())), 5);
}

TEST_F(CaseViewsTest, LabelColoursComeFromTheTableFile) {
  showHead();
  caseViews_->setCrosshairVisible(false);
  caseViews_->showLabels(syntheticTumour(Geometry()));
  caseViews_->setLabelOpacity(1.0);
  // The shipped table: oedema green.
  caseViews_->setLabelColours(
      loadLabelColourTable(labelColourTablePath(SEQSEG_SOURCE_DIR "/resources")));
  const QColor magenta(255, 0, 255);
  EXPECT_GT(pixelsNear(grab(axial()), QColor(0, 200, 0)), 200);
  EXPECT_EQ(pixelsNear(grab(axial()), magenta), 0);
  QTemporaryDir folder;
  const std::string path = folder.filePath(QStringLiteral("colours.json")).toStdString();
  std::ofstream(path) << R"({"labels": [{"value": 1, "name": "core", "color": [255, 0, 0]},
                                        {"value": 2, "name": "oedema", "color": [255, 0, 255]}]})";
  caseViews_->setLabelColours(loadLabelColourTable(path));
  EXPECT_GT(pixelsNear(grab(axial()), magenta), 200);
  EXPECT_EQ(pixelsNear(grab(axial()), QColor(255, 255, 0)), 0) << "ET is not in this table";
  ASSERT_NE(caseViews_->overviewScene().labelSurface(2), nullptr);
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(3), nullptr);
}

TEST_F(CaseViewsTest, LabelSurfacesInTheOverview) {
  showHead();
  caseViews_->showLabels(syntheticTumour(Geometry()));
  for (uint8_t value : {1, 2, 3}) {
    vtkPolyData* surface = caseViews_->overviewScene().labelSurface(value);
    ASSERT_NE(surface, nullptr) << int(value);
    EXPECT_GT(surface->GetNumberOfPolys(), 20) << int(value);
    double bounds[6];
    surface->GetBounds(bounds);
    // Around the tumour centre (14, 22, 20) mm, within the oedema's 9 mm radius.
    EXPECT_NEAR(0.5 * (bounds[0] + bounds[1]), 14.0, value == 2 ? 1.0 : 3.5) << int(value);
    EXPECT_NEAR(0.5 * (bounds[2] + bounds[3]), 22.0, 1.0) << int(value);
    EXPECT_LT(bounds[1] - bounds[0], 21.0) << int(value);
  }
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(4), nullptr);
  const long green = greenPixels(grab(overview(), "surfaces"));
  EXPECT_GT(green, 200) << "the oedema surface in its colour";
  caseViews_->setSurfacesVisible(false);
  EXPECT_LT(greenPixels(grab(overview())), green / 20);
  caseViews_->setSurfacesVisible(true);
  caseViews_->setLabelVisible(2, false);
  EXPECT_LT(greenPixels(grab(overview())), green / 20) << "a hidden label's surface goes too";
}

// The voxels of `labels` within `radius` of voxel `centre` set to `value`: their linear indices.
std::vector<int64_t> paintBall(LabelVolume& labels, const std::array<int, 3>& centre, double radius,
                               uint8_t value) {
  std::vector<int64_t> changed;
  for (int k = 0; k < kSize; ++k)
    for (int j = 0; j < kSize; ++j)
      for (int i = 0; i < kSize; ++i) {
        const int64_t n = (static_cast<int64_t>(k) * kSize + j) * kSize + i;
        if (std::hypot(i - centre[0], j - centre[1], k - centre[2]) <= radius &&
            labels.labels[static_cast<size_t>(n)] != value) {
          labels.labels[static_cast<size_t>(n)] = value;
          changed.push_back(n);
        }
      }
  return changed;
}

// The RGBA bytes a slice view's label overlay holds.
std::vector<unsigned char> overlayBytes(SliceScene& scene) {
  vtkImageData* overlay = scene.labelOverlay();
  const auto* bytes = static_cast<const unsigned char*>(overlay->GetScalarPointer());
  return {bytes, bytes + 4 * overlay->GetNumberOfPoints()};
}

TEST_F(CaseViewsTest, AnEditIsDrawnAgainOnlyWhereItChanged) {
  // An oblique, anisotropic grid: each view's plane samples the voxels by nearest neighbour.
  Geometry oblique;
  oblique.direction = rotationAboutZ(25);
  oblique.spacing = {1.0, 1.3, 0.8};
  showHead(oblique);
  LabelVolume labels = syntheticTumour(oblique);
  caseViews_->showLabels(labels);
  caseViews_->setLabelOutline(true);  // colours that depend on the neighbours too
  caseViews_->setCursorVoxel({20, 20, 20});
  const std::array<SliceOrientation, 3> orientations = {
      SliceOrientation::Axial, SliceOrientation::Sagittal, SliceOrientation::Coronal};
  std::array<std::vector<unsigned char>, 3> before;
  for (int n = 0; n < 3; ++n) before[n] = overlayBytes(caseViews_->sliceScene(orientations[n]));

  // A ball of ET through the axial plane (k 20) only, and ED erased around the core.
  std::vector<int64_t> changed = paintBall(labels, {30, 12, 21}, 2.5, 3);
  const std::vector<int64_t> erased = paintBall(labels, {14, 22, 26}, 2.0, 0);
  changed.insert(changed.end(), erased.begin(), erased.end());
  caseViews_->updateLabels(labels, changed);
  EXPECT_EQ(caseViews_->labelAtCursor(), labels.labels[(20 * kSize + 20) * kSize + 20]);
  for (int n = 0; n < 3; ++n) {
    SliceScene& scene = caseViews_->sliceScene(orientations[n]);
    const std::vector<unsigned char> partly = overlayBytes(scene);
    // What drawing the whole slice again gives.
    scene.refreshLabels();
    EXPECT_EQ(partly, overlayBytes(scene)) << n;
    if (orientations[n] == SliceOrientation::Axial) {
      EXPECT_NE(partly, before[n]) << "the ball lies in the axial plane";
    }
  }
  // Voxels no plane passes through change no view.
  const std::vector<int64_t> far = paintBall(labels, {6, 34, 6}, 1.5, 2);
  caseViews_->updateLabels(labels, far);
  for (SliceOrientation orientation : orientations) {
    SliceScene& scene = caseViews_->sliceScene(orientation);
    const std::vector<unsigned char> shown = overlayBytes(scene);
    EXPECT_FALSE(scene.refreshLabels({6, 6, 34, 34, 6, 6}));
    scene.refreshLabels();
    EXPECT_EQ(shown, overlayBytes(scene));
  }
}

// The surface of `value` shown in the 3D view, and its world bounds.
std::array<double, 6> surfaceBounds(CaseViews& views, uint8_t value) {
  std::array<double, 6> bounds{};
  if (vtkPolyData* surface = views.overviewScene().labelSurface(value))
    surface->GetBounds(bounds.data());
  return bounds;
}

TEST_F(CaseViewsTest, EditedSurfacesAreRebuiltOffTheUiThread) {
  showHead();
  LabelVolume labels = syntheticTumour(Geometry());
  caseViews_->showLabels(labels);
  caseViews_->setCursorVoxel({30, 10, 10});
  int refreshed = 0;
  caseViews_->setSurfacesObserver([&] { ++refreshed; });
  EXPECT_FALSE(caseViews_->surfacesPending());
  vtkPolyData* oedema = caseViews_->overviewScene().labelSurface(2);
  const std::array<double, 6> enhancing = surfaceBounds(*caseViews_, 3);
  const long yellowBefore = pixelsNear(grab(overview()), QColor(255, 255, 0), 90);

  // An ET ball far from the tumour (voxel 30, 10, 10: mm, the identity grid).
  caseViews_->updateLabels(labels, paintBall(labels, {30, 10, 10}, 3.0, 3));
  EXPECT_TRUE(caseViews_->surfacesPending()) << "edited, waiting for the stroke's end";
  caseViews_->refreshSurfaces();
  EXPECT_TRUE(caseViews_->surfacesPending());
  EXPECT_EQ(surfaceBounds(*caseViews_, 3), enhancing) << "the new surface comes through events";
  ASSERT_TRUE(QTest::qWaitFor([&] { return !caseViews_->surfacesPending(); }, 20000));
  EXPECT_EQ(refreshed, 1);
  const std::array<double, 6> grown = surfaceBounds(*caseViews_, 3);
  EXPECT_GT(grown[1], 32.0);
  EXPECT_LT(grown[2], 8.0);
  EXPECT_LT(grown[4], 8.0);
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(2), oedema) << "ED was not edited";
  // The surface is the one the whole labels give.
  vtkSmartPointer<vtkPolyData> whole = labelSurface(labelsToVtkImage(labels), 3);
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(3)->GetNumberOfPoints(),
            whole->GetNumberOfPoints());
  std::array<double, 6> wholeBounds{};
  whole->GetBounds(wholeBounds.data());
  for (int c = 0; c < 6; ++c) EXPECT_NEAR(grown[c], wholeBounds[c], 1e-4);
  // And the 3D view draws it: more of ET's yellow.
  EXPECT_GT(pixelsNear(grab(overview(), "editedSurfaces"), QColor(255, 255, 0), 90),
            yellowBefore + 30);

  // Labels shown anew while a rebuild runs: its result is dropped.
  LabelVolume edited = labels;
  caseViews_->updateLabels(edited, paintBall(edited, {8, 32, 30}, 3.0, 3));
  caseViews_->refreshSurfaces();
  caseViews_->showLabels(syntheticTumour(Geometry()));
  ASSERT_TRUE(QTest::qWaitFor([&] { return !caseViews_->surfacesPending(); }, 20000));
  EXPECT_EQ(surfaceBounds(*caseViews_, 3), enhancing);

  // Surfaces hidden: rebuilt when shown again.
  caseViews_->setSurfacesVisible(false);
  labels = syntheticTumour(Geometry());
  caseViews_->updateLabels(labels, paintBall(labels, {30, 10, 10}, 3.0, 3));
  caseViews_->refreshSurfaces();
  QTest::qWait(200);
  EXPECT_TRUE(caseViews_->surfacesPending());
  EXPECT_EQ(surfaceBounds(*caseViews_, 3), enhancing);
  caseViews_->setSurfacesVisible(true);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !caseViews_->surfacesPending(); }, 20000));
  EXPECT_EQ(surfaceBounds(*caseViews_, 3), grown);
  // Erased: the surface goes.
  std::vector<int64_t> erased = paintBall(labels, {30, 10, 10}, 3.0, 0);
  const std::vector<int64_t> rim = paintBall(labels, {14, 22, 20}, 9.5, 0);
  erased.insert(erased.end(), rim.begin(), rim.end());
  caseViews_->updateLabels(labels, erased);
  caseViews_->refreshSurfaces();
  ASSERT_TRUE(QTest::qWaitFor([&] { return !caseViews_->surfacesPending(); }, 20000));
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(3), nullptr);
  EXPECT_EQ(caseViews_->overviewScene().labelSurface(2), nullptr);
}

TEST_F(CaseViewsTest, VolumeRenderingDrawsTheHead) {
  showHead();
  caseViews_->setVolumeRendering(true);
  const long grey = greyPixels(grab(overview(), "volumeRendering"));
  const double pixels = static_cast<double>(overview()->width()) * overview()->height();
  EXPECT_GT(grey / pixels, 0.05) << "the volume rendering is not black";
  caseViews_->applyWindowPreset("Full range");
  caseViews_->setChannel(1);
  EXPECT_GT(greyPixels(grab(overview())) / pixels, 0.05);
  caseViews_->setVolumeRendering(false);
  EXPECT_FALSE(caseViews_->volumeRendering());
}

TEST_F(CaseViewsTest, DoubleClickMaximisesAViewAndScreenshotsWritePngs) {
  showHead();
  const QSize cellSize = sagittal()->size();
  const QPoint centre(sagittal()->width() / 2, sagittal()->height() / 2);
  QTest::mouseDClick(sagittal(), Qt::LeftButton, Qt::NoModifier, centre);
  EXPECT_EQ(layout_->maximised(), ViewLayout::Sagittal);
  QApplication::processEvents();
  EXPECT_FALSE(axial()->isVisible());
  EXPECT_GT(sagittal()->width(), cellSize.width() * 3 / 2);
  EXPECT_GT(test::fractionUnlike(grab(sagittal(), "maximised"), test::backgroundOf(*sagittal())),
            0.1);
  QTest::mouseDClick(sagittal(), Qt::LeftButton, Qt::NoModifier, centre);
  EXPECT_EQ(layout_->maximised(), -1);
  EXPECT_TRUE(axial()->isVisible());
  layout_->maximise(ViewLayout::Overview);
  EXPECT_FALSE(sagittal()->isVisible());
  layout_->restore();

  QTemporaryDir folder;
  const QString path = folder.filePath(QStringLiteral("axial.png"));
  ASSERT_TRUE(saveViewScreenshot(*axial(), path));
  const QImage saved(path);
  ASSERT_FALSE(saved.isNull());
  EXPECT_EQ(saved.size(), axial()->grabFramebuffer().size());
  EXPECT_GT(test::fractionUnlike(saved, test::backgroundOf(*axial())), 0.1);
  const QString all = folder.filePath(QStringLiteral("views.png"));
  ASSERT_TRUE(saveWidgetScreenshot(*layout_, all));
  EXPECT_GE(QImage(all).width(), layout_->width());
  QString error;
  EXPECT_FALSE(saveViewScreenshot(*axial(), folder.filePath("no/such/folder/a.png"), &error));
  EXPECT_FALSE(error.isEmpty());
}

}  // namespace
}  // namespace seqseg
