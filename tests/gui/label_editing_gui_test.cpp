// The label editor under Xvfb with real mouse and key events, on cases written by nibabel in
// oblique and PIR (sagittal) storage: a click paints the disc the brush defines in physical
// space (voxel centres by nibabel's affine), a drag paints its whole path, the legend's volume
// follows, the view shows the stroke and the 3D view its surface, undo and redo are exact to
// the voxel, and the saved file (read back through ITK and with nibabel) holds the painted
// voxels with the case's geometry.
// Interpolating between two painted slices, on PIR and anisotropic cases, fills the slices
// between with discs of the radius between.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMouseEvent>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <vtkPolyData.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "io/image_reader.h"
#include "io/label_filters.h"
#include "io/label_mapping.h"
#include "tests/gui/gui_test_support.h"
#include "tests/gui/orientation_case.h"
#include "types/regions.h"
#include "ui/edit_panel.h"
#include "ui/legend_panel.h"
#include "ui/main_window.h"
#include "viz/case_views.h"
#include "viz/overview_scene.h"
#include "viz/slice_scene.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

using test::OrientationCase;
using test::Point;
using test::Voxel;

constexpr int kLoadTimeoutMs = 60000;
constexpr double kRadiusMm = 3.0;
constexpr uint8_t kPainted = 2;  // oedema: the fixture's mask labels only the marker (1)

class LabelEditingGuiTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }

  // Writes the parameter's case into `folder` and opens it in the window.
  void openCase(const QTemporaryDir& folder, OrientationCase& written) {
    ASSERT_TRUE(folder.isValid());
    written = test::writeCase(GetParam(), folder.path());
    ASSERT_NO_FATAL_FAILURE(test::openInWindow(window_, written));
  }

  // The point of the axial plane the view picks under widget pixel `pixel`, as the mouse event
  // there reaches it (VtkViewWidget: device pixels, y up).
  Point pickedAt(QPoint pixel) {
    VtkViewWidget* view = window_.caseViews().view(SliceOrientation::Axial);
    const double ratio = view->devicePixelRatioF();
    const int x = static_cast<int>(pixel.x() * ratio + 0.5);
    const int y =
        static_cast<int>(view->height() * ratio) - 1 - static_cast<int>(pixel.y() * ratio + 0.5);
    Point world{};
    EXPECT_TRUE(window_.caseViews().sliceScene(SliceOrientation::Axial).pick(x, y, world));
    return world;
  }

  // Linear index (LabelVolume order) of a voxel.
  int64_t linear(const Voxel& voxel) {
    const auto& shape = window_.session().segmentation()->shape;
    return (voxel[2] * shape[1] + voxel[1]) * shape[2] + voxel[0];
  }

  MainWindow window_;
};

// Half the thickness of a voxel along world z (LPS z is RAS z), by the affine.
double halfThicknessAlongZ(const OrientationCase& written) {
  return 0.5 * (std::abs(written.affine[2][0]) + std::abs(written.affine[2][1]) +
                std::abs(written.affine[2][2]));
}

// In-plane distance from the segment [a, b] (a point when a == b), and distance off the plane.
std::pair<double, double> distances(const Point& p, const Point& a, const Point& b) {
  const double abx = b[0] - a[0], aby = b[1] - a[1];
  const double length2 = abx * abx + aby * aby;
  double t = length2 > 0 ? ((p[0] - a[0]) * abx + (p[1] - a[1]) * aby) / length2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return {std::hypot(p[0] - a[0] - t * abx, p[1] - a[1] - t * aby), std::abs(p[2] - a[2])};
}

TEST_P(LabelEditingGuiTest, PaintUndoRedoSaveExactInPhysicalSpace) {
  const std::string kind = GetParam();
  QTemporaryDir folder;
  OrientationCase written;
  ASSERT_NO_FATAL_FAILURE(openCase(folder, written));
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
  window_.openSegmentation(written.mask);
  ASSERT_TRUE(test::waitForOutcome(segmented, failed));
  SessionModel& session = window_.session();
  const std::vector<uint8_t> original = session.segmentation()->labels;
  ASSERT_EQ(std::count(original.begin(), original.end(), kPainted), 0);
  ASSERT_EQ(window_.caseViews().overviewScene().labelSurface(kPainted), nullptr);

  CaseViews& views = window_.caseViews();
  views.setCursorVoxel(written.markerVoxel);
  views.setCrosshairVisible(false);
  views.setLabelOpacity(1.0);
  VtkViewWidget* axial = views.view(SliceOrientation::Axial);
  EditPanel& edit = *window_.editPanel();
  edit.setRadiusMm(kRadiusMm);
  // Key 2: oedema, and painting on (the window's keys need it active, as a person's would be).
  window_.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  axial->setFocus();
  QTest::keyClick(axial, Qt::Key_2);
  ASSERT_TRUE(edit.painting());
  ASSERT_EQ(edit.label(), kPainted);
  axial->grabFramebuffer();  // the camera as drawn

  // The brush's outline follows the mouse.
  const Point clickTarget{views.cursor()[0] - 9.0, views.cursor()[1] + 2.0, views.cursor()[2]};
  const QPoint clickPixel = test::pixelOf(axial, clickTarget).toPoint();
  // (Sent straight to the view: another test's window on the shared display may take the
  // pointer, and the outline rightly goes when the pointer leaves.)
  QMouseEvent hover(QEvent::MouseMove, clickPixel, axial->mapToGlobal(clickPixel), Qt::NoButton,
                    Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(axial, &hover);
  EXPECT_TRUE(views.sliceScene(SliceOrientation::Axial).brushOutlineShown());
  QEvent leave(QEvent::Leave);
  QApplication::sendEvent(axial, &leave);
  EXPECT_FALSE(views.sliceScene(SliceOrientation::Axial).brushOutlineShown());
  const QImage before = axial->grabFramebuffer();

  // A click: one disc.
  QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, clickPixel);
  const Point clickCentre = pickedAt(clickPixel);
  EXPECT_EQ(session.editHistory().steps(), 1u);
  const double half = halfThicknessAlongZ(written);
  const auto& shape = session.segmentation()->shape;
  // The voxels the stroke painted (oedema now, not before it) against its path from a to b.
  auto expectStroke = [&](const std::vector<uint8_t>& baseline, const Point& a, const Point& b,
                          double inner, const char* what) {
    int64_t painted = 0, checked = 0;
    const std::vector<uint8_t>& labels = session.segmentation()->labels;
    for (int64_t k = 0; k < shape[0]; ++k)
      for (int64_t j = 0; j < shape[1]; ++j)
        for (int64_t i = 0; i < shape[2]; ++i) {
          const auto [inPlane, offPlane] = distances(written.worldOf({i, j, k}), a, b);
          const int64_t v = linear({i, j, k});
          const bool isPainted = labels[v] == kPainted && baseline[v] != kPainted;
          painted += isPainted;
          const bool onPlane = offPlane<half - 0.02, offThePlane = offPlane> half + 0.02;
          if (onPlane && inPlane < inner) {
            ++checked;
            EXPECT_TRUE(isPainted) << kind << " " << what << ": voxel " << i << "," << j << "," << k
                                   << " at " << inPlane << " mm is not painted";
          } else if (offThePlane || inPlane > kRadiusMm + 0.02) {
            EXPECT_FALSE(isPainted)
                << kind << " " << what << ": voxel " << i << "," << j << "," << k << " at "
                << inPlane << " mm, " << offPlane << " mm off the plane is painted";
          }
        }
    EXPECT_GT(checked, 20) << what;
    return painted;
  };
  const int64_t disc = expectStroke(original, clickCentre, clickCentre, kRadiusMm - 0.02, "click");
  // The legend's oedema volume follows the stroke.
  const double voxelMl = voxelVolumeMl(session.volume()->geometry);
  EXPECT_NEAR(window_.legendPanel()->volumeMl(kPainted - 1), disc * voxelMl, 1e-9);
  // And the view shows it: green where it was grey, about the disc's area.
  const QImage after = axial->grabFramebuffer();
  test::saveSnapshot(after, (kind + "_brush_click").c_str());
  const double pixelsPerMm =
      std::abs(test::pixelOf(axial, {clickTarget[0] + 1.0, clickTarget[1], clickTarget[2]}).x() -
               test::pixelOf(axial, clickTarget).x());
  long greened = 0;
  for (int y = 0; y < after.height(); ++y)
    for (int x = 0; x < after.width(); ++x) {
      const QRgb now = after.pixel(x, y), was = before.pixel(x, y);
      greened += qGreen(now) - std::max(qRed(now), qBlue(now)) > 80 &&
                 qGreen(was) - std::max(qRed(was), qBlue(was)) < 40;
    }
  const double discPixels = 3.14159 * kRadiusMm * kRadiusMm * pixelsPerMm * pixelsPerMm;
  EXPECT_GT(greened, 0.6 * discPixels) << kind;
  EXPECT_LT(greened, 1.6 * discPixels) << kind;
  // The 3D view: the oedema's surface, extracted off the UI thread after the stroke, is the
  // disc's.
  ASSERT_TRUE(QTest::qWaitFor([&] { return !views.surfacesPending(); }, 20000));
  vtkPolyData* surface = views.overviewScene().labelSurface(kPainted);
  ASSERT_NE(surface, nullptr) << kind;
  double bounds[6];
  surface->GetBounds(bounds);
  for (int axis = 0; axis < 2; ++axis) {
    EXPECT_NEAR(0.5 * (bounds[2 * axis] + bounds[2 * axis + 1]), clickCentre[axis], 1.0) << kind;
    EXPECT_GT(bounds[2 * axis + 1] - bounds[2 * axis], kRadiusMm) << kind;
    EXPECT_LT(bounds[2 * axis + 1] - bounds[2 * axis], 2 * kRadiusMm + 2.0) << kind;
  }
  EXPECT_LT(bounds[4], clickCentre[2] + half) << kind;
  EXPECT_GT(bounds[5], clickCentre[2] - half) << kind;
  EXPECT_LT(bounds[5] - bounds[4], 4 * half + 0.5) << kind << ": one slice thick";
  test::saveSnapshot(views.overviewView()->grabFramebuffer(), (kind + "_surface_click").c_str());
  const std::vector<uint8_t> afterClick = session.segmentation()->labels;

  // A drag with the button held: its whole path.
  const Point from{views.cursor()[0] + 8.0, views.cursor()[1] - 6.0, views.cursor()[2]};
  const Point to{views.cursor()[0] + 8.0, views.cursor()[1] + 8.0, views.cursor()[2]};
  const QPoint fromPixel = test::pixelOf(axial, from).toPoint();
  const QPoint toPixel = test::pixelOf(axial, to).toPoint();
  QTest::mousePress(axial, Qt::LeftButton, Qt::NoModifier, fromPixel);
  for (int step = 1; step <= 4; ++step)
    QTest::mouseMove(axial, fromPixel + (toPixel - fromPixel) * step / 4);
  QTest::mouseRelease(axial, Qt::LeftButton, Qt::NoModifier, toPixel);
  EXPECT_EQ(session.editHistory().steps(), 2u) << "a drag is one step";
  // Stamps a quarter of the radius apart cover the path to within 1 % of the radius.
  expectStroke(afterClick, pickedAt(fromPixel), pickedAt(toPixel), 0.97 * kRadiusMm - 0.02, "drag");
  const std::vector<uint8_t> afterDrag = session.segmentation()->labels;
  EXPECT_TRUE(session.isDirty());

  // Undo and redo with their keys, exact to the voxel.
  QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(session.segmentation()->labels, afterClick);
  QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(session.segmentation()->labels, original);
  EXPECT_NEAR(window_.legendPanel()->volumeMl(kPainted - 1), 0.0, 1e-12);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !views.surfacesPending(); }, 20000));
  EXPECT_EQ(views.overviewScene().labelSurface(kPainted), nullptr) << kind << ": undone";
  QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(session.segmentation()->labels, afterDrag);

  // Saved, and read back through ITK: the painted voxels with the case's geometry.
  const QString saved = QDir(folder.path()).filePath(QStringLiteral("edited.nii.gz"));
  QSignalSpy savedSpy(&window_, &MainWindow::segmentationSaved);
  QSignalSpy saveFailed(&window_, &MainWindow::saveFailed);
  window_.saveSegmentation(saved);
  ASSERT_TRUE(test::waitForOutcome(savedSpy, saveFailed));
  EXPECT_FALSE(session.isDirty());
  const LabelVolume native = readLabelMap(saved.toStdString());
  const LabelVolume internal = toInternalLabels(native, session.layout(), saved.toStdString());
  EXPECT_EQ(internal.labels, afterDrag);
  const LabelVolume mask = readLabelMap(written.mask.toStdString());
  EXPECT_EQ(native.geometry.direction, mask.geometry.direction);
  EXPECT_EQ(native.geometry.origin, mask.geometry.origin);
  EXPECT_EQ(native.geometry.spacing, mask.geometry.spacing);

  // And by nibabel: the voxels holding the oedema's native value.
  const int nativeValue = nativeLabelValues(session.layout())[kPainted];
  QProcess nibabel;
  nibabel.start(
      QStringLiteral("/usr/bin/python3"),
      {QStringLiteral("-c"),
       QStringLiteral("import json, sys, nibabel as nib, numpy as np\n"
                      "data = np.asanyarray(nib.load(sys.argv[1]).dataobj)\n"
                      "print(json.dumps(np.argwhere(data == int(sys.argv[2])).tolist()))"),
       saved, QString::number(nativeValue)});
  ASSERT_TRUE(nibabel.waitForFinished(60000));
  ASSERT_EQ(nibabel.exitCode(), 0) << nibabel.readAllStandardError().toStdString();
  std::vector<int64_t> byNibabel;
  for (const QJsonValue& ijk : QJsonDocument::fromJson(nibabel.readAllStandardOutput()).array()) {
    const QJsonArray index = ijk.toArray();
    byNibabel.push_back(linear({index[0].toInt(), index[1].toInt(), index[2].toInt()}));
  }
  std::sort(byNibabel.begin(), byNibabel.end());
  std::vector<int64_t> ours;
  for (int64_t v = 0; v < static_cast<int64_t>(afterDrag.size()); ++v)
    if (afterDrag[v] == kPainted) ours.push_back(v);
  EXPECT_EQ(byNibabel, ours) << kind;
}

// Grow region from the cursor on the marker ball (T1 1500 on tissue of 180..420), with a real
// click on the button: exactly the ball's voxels; then Fill holes on a ring painted around the
// ball's centre slice fills the ring's inside that is unlabelled, and no more.
TEST_P(LabelEditingGuiTest, GrowRegionTakesTheLesionAndFillHolesTheRingsInside) {
  const std::string kind = GetParam();
  QTemporaryDir folder;
  OrientationCase written;
  ASSERT_NO_FATAL_FAILURE(openCase(folder, written));
  SessionModel& session = window_.session();
  CaseViews& views = window_.caseViews();
  ASSERT_EQ(views.channel(), 0) << "T1 is shown";
  views.setCursorVoxel(written.markerVoxel);
  EditPanel& edit = *window_.editPanel();
  edit.setLabel(3);
  edit.setGrowRange(1000.0, 2000.0);
  auto* grow = edit.findChild<QPushButton*>(QStringLiteral("growRegionButton"));
  ASSERT_NE(grow, nullptr);
  QTest::mouseClick(grow, Qt::LeftButton);
  ASSERT_NE(session.segmentation(), nullptr);
  const Volume& volume = *session.volume();
  int64_t ball = 0;
  for (int64_t v = 0; v < volume.voxelsPerChannel(); ++v) {
    const bool inBall = volume.channel(0)[v] >= 1000.0f;
    ball += inBall;
    ASSERT_EQ(session.segmentation()->labels[v] == 3, inBall) << kind << " voxel " << v;
  }
  EXPECT_GT(ball, 100);
  EXPECT_EQ(session.editHistory().steps(), 1u);

  // A ring of necrosis on the ball's centre slice of the axial view, painted around it, then
  // Fill holes with key F: the unlabelled inside between ring and ball becomes necrosis.
  window_.activateWindow();  // the window's keys need it active
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  QTest::keyClick(grow, Qt::Key_Z, Qt::ControlModifier);  // the ball goes again
  ASSERT_FALSE(session.canUndo());
  const int axis = views.sliceScene(SliceOrientation::Axial).normalAxis();
  const int64_t slice = views.cursorVoxel()[axis];
  const auto& shape = session.volume()->shape;
  std::vector<int64_t> ring, inside;
  for (int64_t k = 0; k < shape[1]; ++k)
    for (int64_t j = 0; j < shape[2]; ++j)
      for (int64_t i = 0; i < shape[3]; ++i) {
        const std::array<int64_t, 3> ijk{i, j, k};
        if (ijk[axis] != slice) continue;
        const Point p = written.worldOf({i, j, k});
        const double r = std::hypot(p[0] - views.cursor()[0], p[1] - views.cursor()[1],
                                    p[2] - views.cursor()[2]);
        const int64_t v = (k * shape[2] + j) * shape[3] + i;
        if (r >= 7.0 && r < 9.0) ring.push_back(v);
        if (r < 7.0) inside.push_back(v);
      }
  session.applyEdit(ring, std::vector<uint8_t>(ring.size(), 1));
  edit.setLabel(1);
  QTest::keyClick(views.view(SliceOrientation::Axial), Qt::Key_F);
  for (int64_t v : inside) EXPECT_EQ(session.segmentation()->labels[v], 1) << kind;
  int64_t labelled = 0;
  for (uint8_t value : session.segmentation()->labels) labelled += value != 0;
  EXPECT_EQ(labelled, static_cast<int64_t>(ring.size() + inside.size())) << kind;
  EXPECT_NEAR(window_.legendPanel()->volumeMl(0),
              labelled * voxelVolumeMl(session.volume()->geometry), 1e-9);
}

// Interpolate slices (key I) between two discs of oedema painted with real clicks in the axial
// view, 4 mm and 10 mm in radius, on slices 6 apart (stepped with the Up key): the slices
// between get the oedema where it is unlabelled (the marker's necrosis stays), one undo step;
// each holds a disc whose radius moves linearly from 4 to 10 mm (within a voxel), in the saved
// file read back through ITK; Ctrl+Z takes it back to the voxel. On grids whose axial plane is
// an index slice: PIR (j) and 0.9 x 0.9 x 3 mm RAS (k). (On the oblique grid the plane cuts
// across slices of k: each disc lies on several of them as chords, the small one's on one side
// and the large one's on the other, which shape interpolation rightly does not join.)
class SliceInterpolationGuiTest : public LabelEditingGuiTest {};

TEST_P(SliceInterpolationGuiTest, FillsTheSlicesBetweenTwoPaintedDiscs) {
  const std::string kind = GetParam();
  constexpr double kSmallMm = 4.0, kLargeMm = 10.0;
  constexpr int kGap = 6;
  QTemporaryDir folder;
  OrientationCase written;
  ASSERT_NO_FATAL_FAILURE(openCase(folder, written));
  QSignalSpy failed(&window_, &MainWindow::loadFailed);
  QSignalSpy segmented(&window_, &MainWindow::segmentationLoaded);
  window_.openSegmentation(written.mask);
  ASSERT_TRUE(test::waitForOutcome(segmented, failed));
  SessionModel& session = window_.session();
  const std::vector<uint8_t> original = session.segmentation()->labels;

  CaseViews& views = window_.caseViews();
  views.setCursorVoxel(written.markerVoxel);
  views.setCrosshairVisible(false);
  views.setLabelOpacity(1.0);
  VtkViewWidget* axial = views.view(SliceOrientation::Axial);
  EditPanel& edit = *window_.editPanel();
  window_.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window_));
  axial->setFocus();
  QTest::keyClick(axial, Qt::Key_2);  // oedema, painting on
  ASSERT_TRUE(edit.painting());
  axial->grabFramebuffer();  // the camera as drawn
  const int axis = views.sliceScene(SliceOrientation::Axial).normalAxis();
  const int64_t firstSlice = views.cursorVoxel()[axis];
  const QPoint pixel = test::pixelOf(axial, views.cursor()).toPoint();

  // The small disc here, the large one kGap slices on.
  edit.setRadiusMm(kSmallMm);
  QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, pixel);
  const Point smallCentre = pickedAt(pixel);
  for (int step = 0; step < kGap; ++step) QTest::keyClick(axial, Qt::Key_Up);
  ASSERT_EQ(std::abs(views.cursorVoxel()[axis] - firstSlice), kGap);
  const int64_t lastSlice = views.cursorVoxel()[axis];
  edit.setRadiusMm(kLargeMm);
  QTest::mouseClick(axial, Qt::LeftButton, Qt::NoModifier, pixel);
  const Point largeCentre = pickedAt(pixel);
  ASSERT_EQ(session.editHistory().steps(), 2u);
  const std::vector<uint8_t> painted = session.segmentation()->labels;

  QTest::keyClick(axial, Qt::Key_I);
  EXPECT_EQ(session.editHistory().steps(), 3u) << "one step";
  const std::vector<uint8_t> interpolated = session.segmentation()->labels;
  const auto& shape = session.segmentation()->shape;
  auto indexAlong = [&](int64_t v) {
    const std::array<int64_t, 3> ijk{v % shape[2], v / shape[2] % shape[1],
                                     v / shape[2] / shape[1]};
    return ijk[axis];
  };
  // What changed: unlabelled voxels between the painted slices, now oedema, as the filter says.
  std::vector<bool> holdsOedema(static_cast<size_t>(std::max({shape[0], shape[1], shape[2]})));
  for (int64_t v = 0; v < static_cast<int64_t>(painted.size()); ++v)
    if (painted[v] == kPainted) holdsOedema[indexAlong(v)] = true;
  const auto firstHolding = std::find(holdsOedema.begin(), holdsOedema.end(), true);
  const int64_t lowest = firstHolding - holdsOedema.begin();
  const int64_t highest =
      holdsOedema.rend() - std::find(holdsOedema.rbegin(), holdsOedema.rend(), true) - 1;
  int64_t changed = 0;
  for (int64_t v = 0; v < static_cast<int64_t>(painted.size()); ++v) {
    if (interpolated[v] == painted[v]) continue;
    ++changed;
    EXPECT_EQ(painted[v], 0) << kind << " voxel " << v << " was labelled";
    EXPECT_EQ(interpolated[v], kPainted) << kind;
    const int64_t index = indexAlong(v);
    EXPECT_FALSE(holdsOedema[index]) << kind << " slice " << index << " was painted";
    EXPECT_GT(index, lowest) << kind;
    EXPECT_LT(index, highest) << kind;
  }
  EXPECT_GT(changed, 200) << kind;
  LabelVolume before = *session.segmentation();
  before.labels = painted;
  std::vector<uint8_t> expected = painted;
  for (int64_t v : interpolateSlices(before, kPainted, axis)) expected[v] = kPainted;
  EXPECT_EQ(interpolated, expected) << kind;

  // Saved, and read back through ITK.
  const QString saved = QDir(folder.path()).filePath(QStringLiteral("interpolated.nii.gz"));
  QSignalSpy savedSpy(&window_, &MainWindow::segmentationSaved);
  QSignalSpy saveFailed(&window_, &MainWindow::saveFailed);
  window_.saveSegmentation(saved);
  ASSERT_TRUE(test::waitForOutcome(savedSpy, saveFailed));
  const LabelVolume native = readLabelMap(saved.toStdString());
  const std::vector<uint8_t> read =
      toInternalLabels(native, session.layout(), saved.toStdString()).labels;
  EXPECT_EQ(read, interpolated) << kind;
  {
    // Each slice between: oedema or the marker's necrosis within the interpolated radius less a
    // millimetre, no oedema beyond it plus a millimetre.
    int64_t checked = 0;
    for (int64_t k = 0; k < shape[0]; ++k)
      for (int64_t j = 0; j < shape[1]; ++j)
        for (int64_t i = 0; i < shape[2]; ++i) {
          const int64_t v = linear({i, j, k});
          const int64_t n = (indexAlong(v) - firstSlice) * (lastSlice > firstSlice ? 1 : -1);
          if (n <= 0 || n >= kGap) continue;
          const double t = static_cast<double>(n) / kGap;
          const Point p = written.worldOf({i, j, k});
          const double cx = smallCentre[0] + t * (largeCentre[0] - smallCentre[0]);
          const double cy = smallCentre[1] + t * (largeCentre[1] - smallCentre[1]);
          const double r = std::hypot(p[0] - cx, p[1] - cy);
          const double radius = kSmallMm + t * (kLargeMm - kSmallMm);
          if (r <= radius - 1.0) {
            ++checked;
            EXPECT_TRUE(read[v] == kPainted || (read[v] == 1 && original[v] == 1))
                << "voxel " << i << "," << j << "," << k << " at " << r << " mm of " << radius;
            EXPECT_EQ(read[v] == 1, original[v] == 1) << "the necrosis stays";
          } else if (r > radius + 1.0) {
            EXPECT_NE(read[v], kPainted)
                << "voxel " << i << "," << j << "," << k << " at " << r << " mm of " << radius;
          }
        }
    EXPECT_GT(checked, 500);
  }

  // The middle slice between, as the view shows it.
  for (int step = 0; step < kGap / 2; ++step) QTest::keyClick(axial, Qt::Key_Down);
  test::saveSnapshot(axial->grabFramebuffer(), (kind + "_interpolated").c_str());

  // Ctrl+Z: back to the two discs, to the voxel.
  QTest::keyClick(axial, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(session.segmentation()->labels, painted) << kind;
  EXPECT_TRUE(session.canRedo());
}

INSTANTIATE_TEST_SUITE_P(Storage, LabelEditingGuiTest, ::testing::Values("oblique", "pir"));
INSTANTIATE_TEST_SUITE_P(Storage, SliceInterpolationGuiTest,
                         ::testing::Values("pir", "anisotropic"));

}  // namespace
}  // namespace seqseg
