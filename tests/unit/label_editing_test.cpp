// The label editor without a display: the brush's voxels in physical space (anisotropic,
// permuted and oblique grids), the undo history's bounds, and strokes, undo and redo on the
// session's segmentation with its volumes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "types/placement.h"
#include "types/regions.h"
#include "ui/label_brush.h"
#include "ui/label_edit_history.h"
#include "ui/session_model.h"

namespace seqseg {
namespace {

constexpr double kPi = 3.14159265358979323846;

Geometry geometryOf(std::array<double, 3> spacing, std::array<double, 9> direction,
                    std::array<double, 3> origin = {-20.0, 13.0, 7.5}) {
  Geometry geometry;
  geometry.spacing = spacing;
  geometry.direction = direction;
  geometry.origin = origin;
  return geometry;
}

// A rotation by 30 degrees about x, then 20 about z: no voxel axis along a world axis.
std::array<double, 9> obliqueDirection() {
  const double a = 30 * kPi / 180, b = 20 * kPi / 180;
  const double rx[9] = {1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a)};
  const double rz[9] = {std::cos(b), -std::sin(b), 0, std::sin(b), std::cos(b), 0, 0, 0, 1};
  std::array<double, 9> m{};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 3; ++k) m[3 * r + c] += rz[3 * r + k] * rx[3 * k + c];
  return m;
}

Point3 voxelCentre(const std::array<int64_t, 3>& shape, const Geometry& geometry, int64_t linear) {
  const int64_t i = linear % shape[2], j = (linear / shape[2]) % shape[1],
                k = linear / (shape[2] * shape[1]);
  return indexToPhysical(geometry, {double(i), double(j), double(k)});
}

TEST(LabelBrush, DiscOnAnAnisotropicGridPaintsOneSliceInMillimetres) {
  const std::array<int64_t, 3> shape{9, 20, 20};  // k, j, i
  const Geometry geometry = geometryOf({1.0, 1.0, 3.0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  BrushStamp stamp;
  stamp.centre = indexToPhysical(geometry, {10, 10, 4});
  stamp.radiusMm = 2.0;
  const std::vector<int64_t> voxels = brushVoxels(shape, geometry, stamp);
  // x^2 + y^2 <= 4 on a 1 mm grid: 13 points, all on slice k = 4 (3 mm apart from the next).
  EXPECT_EQ(voxels.size(), 13u);
  for (int64_t v : voxels) EXPECT_EQ(v / (20 * 20), 4);
  // A sphere of 3 mm: 3 mm along k reaches the neighbouring slices only on the axis.
  stamp.shape = BrushShape::Sphere;
  stamp.radiusMm = 3.0;
  int64_t expected = 0;
  for (int dk = -1; dk <= 1; ++dk)
    for (int dj = -3; dj <= 3; ++dj)
      for (int di = -3; di <= 3; ++di)
        if (di * di + dj * dj + 9.0 * dk * dk <= 9.0) ++expected;
  EXPECT_EQ(static_cast<int64_t>(brushVoxels(shape, geometry, stamp).size()), expected);
}

TEST(LabelBrush, AxialDiscOnAPirStoredGridStaysOnTheAxialPlane) {
  // Sagittal storage: i runs posterior, j inferior, k right-to-left... as LPS columns.
  const std::array<int64_t, 3> shape{16, 18, 14};
  const Geometry geometry = geometryOf({1.2, 1.0, 0.9}, {0, 0, -1, 1, 0, 0, 0, -1, 0});
  BrushStamp stamp;
  stamp.centre = indexToPhysical(geometry, {7, 9, 8});
  stamp.radiusMm = 3.0;
  const std::vector<int64_t> voxels = brushVoxels(shape, geometry, stamp);
  ASSERT_FALSE(voxels.empty());
  for (int64_t v : voxels) {
    const Point3 p = voxelCentre(shape, geometry, v);
    EXPECT_NEAR(p[2], stamp.centre[2], 1e-9) << "off the axial plane";
    EXPECT_LE(std::hypot(p[0] - stamp.centre[0], p[1] - stamp.centre[1]), 3.0 + 1e-9);
  }
  // Every grid point of the plane within 3 mm: x on the 0.9 mm axis k, y on the 1.2 mm axis i.
  int64_t expected = 0;
  for (int dx = -4; dx <= 4; ++dx)
    for (int dy = -3; dy <= 3; ++dy)
      if (std::hypot(0.9 * dx, 1.2 * dy) <= 3.0 + 1e-9) ++expected;
  EXPECT_EQ(static_cast<int64_t>(voxels.size()), expected);
}

TEST(LabelBrush, ObliqueGridMatchesTheDefinitionVoxelByVoxel) {
  const std::array<int64_t, 3> shape{12, 15, 17};
  const Geometry geometry = geometryOf({0.8, 1.1, 2.0}, obliqueDirection());
  for (BrushShape brush : {BrushShape::Disc, BrushShape::Sphere}) {
    BrushStamp stamp;
    stamp.shape = brush;
    stamp.centre = indexToPhysical(geometry, {8.3, 7.6, 5.2});
    stamp.radiusMm = 4.5;
    stamp.planeNormal = {0, 1, 0};  // coronal
    const std::vector<int64_t> found = brushVoxels(shape, geometry, stamp);
    // Every voxel of the grid, by the definition in label_brush.h.
    double halfThickness = 0;
    for (int c = 0; c < 3; ++c)
      halfThickness += 0.5 * std::fabs(geometry.direction[3 + c]) * geometry.spacing[c];
    std::vector<int64_t> expected;
    for (int64_t v = 0; v < shape[0] * shape[1] * shape[2]; ++v) {
      const Point3 p = voxelCentre(shape, geometry, v);
      const double dx = p[0] - stamp.centre[0], dy = p[1] - stamp.centre[1],
                   dz = p[2] - stamp.centre[2];
      if (brush == BrushShape::Sphere
              ? dx * dx + dy * dy + dz * dz <= 4.5 * 4.5
              : std::fabs(dy) <= halfThickness && dx * dx + dz * dz <= 4.5 * 4.5)
        expected.push_back(v);
    }
    ASSERT_GT(expected.size(), 20u);
    EXPECT_EQ(found, expected) << (brush == BrushShape::Disc ? "disc" : "sphere");
  }
}

TEST(LabelBrush, APathCoversTheDragToWithinOnePercentOfTheRadius) {
  const std::array<int64_t, 3> shape{3, 30, 40};
  const Geometry geometry = geometryOf({1.0, 1.0, 2.0}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  BrushStamp stamp;
  stamp.radiusMm = 2.0;
  const Point3 from = indexToPhysical(geometry, {5.3, 6.1, 1});
  stamp.centre = indexToPhysical(geometry, {31.7, 20.4, 1});
  const std::vector<int64_t> path = brushPathVoxels(shape, geometry, stamp, from);
  ASSERT_TRUE(std::is_sorted(path.begin(), path.end()));
  ASSERT_EQ(std::adjacent_find(path.begin(), path.end()), path.end());
  // With the stamp at `from` (the stroke's point before), the whole drag.
  std::set<int64_t> painted(path.begin(), path.end());
  BrushStamp first = stamp;
  first.centre = from;
  for (int64_t v : brushVoxels(shape, geometry, first)) painted.insert(v);
  const double abx = stamp.centre[0] - from[0], aby = stamp.centre[1] - from[1];
  for (int64_t v = 0; v < shape[0] * shape[1] * shape[2]; ++v) {
    const Point3 p = voxelCentre(shape, geometry, v);
    double t = ((p[0] - from[0]) * abx + (p[1] - from[1]) * aby) / (abx * abx + aby * aby);
    t = std::clamp(t, 0.0, 1.0);
    const double distance = std::hypot(p[0] - from[0] - t * abx, p[1] - from[1] - t * aby);
    const bool onSlice = std::fabs(p[2] - from[2]) < 1e-9;
    if (onSlice && distance <= 0.99 * stamp.radiusMm) {
      EXPECT_TRUE(painted.count(v)) << "a gap at voxel " << v;
    }
    if (!onSlice || distance > stamp.radiusMm + 1e-9) {
      EXPECT_FALSE(painted.count(v)) << "voxel " << v << " beyond the brush";
    }
  }
}

TEST(LabelBrush, MissingTheGridPaintsNothing) {
  const Geometry geometry = geometryOf({1, 1, 1}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  BrushStamp stamp;
  stamp.centre = {500, 500, 500};
  EXPECT_TRUE(brushVoxels({4, 4, 4}, geometry, stamp).empty());
}

LabelChange changeOf(std::vector<int64_t> voxels, uint8_t before, uint8_t after) {
  LabelChange change;
  change.before.assign(voxels.size(), before);
  change.after.assign(voxels.size(), after);
  change.voxels = std::move(voxels);
  return change;
}

TEST(LabelEditHistory, UndoRedoAndANewStepDropsTheRedo) {
  LabelEditHistory history;
  EXPECT_FALSE(history.canUndo());
  history.record(changeOf({1, 2}, 0, 1));
  history.record(changeOf({3}, 0, 2));
  history.record(LabelChange{});  // nothing changed: no step
  EXPECT_EQ(history.steps(), 2u);
  const LabelChange* undone = history.undo();
  ASSERT_NE(undone, nullptr);
  EXPECT_EQ(undone->voxels, std::vector<int64_t>{3});
  EXPECT_TRUE(history.canRedo());
  history.record(changeOf({4}, 0, 3));
  EXPECT_FALSE(history.canRedo());
  EXPECT_EQ(history.steps(), 2u);
  EXPECT_EQ(history.undo()->voxels, std::vector<int64_t>{4});
  EXPECT_EQ(history.undo()->voxels, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(history.undo(), nullptr);
  EXPECT_EQ(history.redo()->voxels, (std::vector<int64_t>{1, 2}));
}

TEST(LabelEditHistory, KeepsAtMostItsStepsAndBytesNewestFirst) {
  LabelEditHistory bySteps(100);
  for (int64_t n = 0; n < 150; ++n) bySteps.record(changeOf({n}, 0, 1));
  EXPECT_EQ(bySteps.steps(), 100u);
  int undone = 0;
  while (const LabelChange* step = bySteps.undo()) {
    EXPECT_EQ(step->voxels.front(), 149 - undone);
    ++undone;
  }
  EXPECT_EQ(undone, 100);
  LabelEditHistory byBytes(1000, 10 * 1000);  // 10 bytes a voxel: 1000 voxels
  for (int n = 0; n < 5; ++n) byBytes.record(changeOf(std::vector<int64_t>(400, n), 0, 1));
  EXPECT_EQ(byBytes.steps(), 2u);
  EXPECT_LE(byBytes.bytes(), 10u * 1000u);
  byBytes.record(changeOf(std::vector<int64_t>(5000, 9), 0, 1));  // larger than the bound
  EXPECT_EQ(byBytes.steps(), 1u) << "the newest step is kept whatever its size";
}

// A 4-channel 6x8x10 case with 1 x 1 x 2 mm voxels (0.002 mL each).
std::shared_ptr<Volume> makeCase() {
  auto volume = std::make_shared<Volume>();
  volume->shape = {4, 6, 8, 10};
  volume->voxels.assign(4 * 6 * 8 * 10, 1.0f);
  volume->geometry.spacing = {1.0, 1.0, 2.0};
  return volume;
}

struct EditRecorder : SessionListener {
  std::vector<std::string> heard;
  size_t voxelsHeard = 0;
  void segmentationChanged() override { heard.push_back("segmentation"); }
  void dirtyChanged(bool dirty) override { heard.push_back(dirty ? "dirty" : "clean"); }
  void labelsEdited(const std::vector<int64_t>& voxels) override {
    heard.push_back("edited");
    voxelsHeard += voxels.size();
  }
  void editFinished() override { heard.push_back("finished"); }
};

TEST(SessionEditing, AStrokeIsOneStepThatUndoAndRedoRestoreExactly) {
  SessionModel session;
  auto volume = makeCase();
  session.setCase(volume, CaseFiles{}, "case");
  auto labels = std::make_shared<LabelVolume>();
  labels->shape = {6, 8, 10};
  labels->labels.assign(480, 0);
  for (int v = 0; v < 40; ++v) labels->labels[v] = 2;
  labels->geometry = volume->geometry;
  session.setSegmentation(labels, false);
  const std::shared_ptr<const LabelVolume> original = session.segmentation();
  EditRecorder recorder;
  session.addListener(&recorder);

  session.beginStroke();
  EXPECT_EQ(session.paint({100, 101, 102}, 3), 3);
  EXPECT_EQ(session.paint({102, 103, 5}, 3), 2);  // 102 again: no change
  EXPECT_EQ(session.paint({5}, 2), 1);            // painted over and back: no change at all
  session.endStroke();
  EXPECT_EQ(recorder.heard,
            (std::vector<std::string>{"edited", "dirty", "edited", "edited", "finished"}));
  EXPECT_EQ(recorder.voxelsHeard, 6u);
  EXPECT_EQ(session.editHistory().steps(), 1u);
  EXPECT_NEAR(session.volumes().perLabel[3], 4 * 0.002, 1e-12);
  EXPECT_NEAR(session.volumes().perRegion[0], 44 * 0.002, 1e-12);
  EXPECT_EQ(original->labels[100], 0) << "the segmentation handed in is never written";
  EXPECT_TRUE(session.isDirty());

  ASSERT_TRUE(session.undo());
  EXPECT_EQ(session.segmentation()->labels, original->labels);
  EXPECT_NEAR(session.volumes().perLabel[3], 0.0, 1e-12);
  ASSERT_TRUE(session.redo());
  EXPECT_EQ(session.segmentation()->labels[103], 3);
  EXPECT_EQ(session.segmentation()->labels[5], 2);
  EXPECT_FALSE(session.redo());
  session.removeListener(&recorder);

  // A region written at once is one step too; a new segmentation empties the history.
  EXPECT_EQ(session.applyEdit({200, 201, 202}, {1, 2, 1}), 3);
  EXPECT_EQ(session.editHistory().steps(), 2u);
  EXPECT_THROW(session.paint({1}, 4), std::invalid_argument);
  EXPECT_THROW(session.paint({480}, 1), std::invalid_argument);
  session.setSegmentation(labels, false);
  EXPECT_FALSE(session.canUndo());
}

TEST(SessionEditing, PaintingWithoutASegmentationStartsAnEmptyOne) {
  SessionModel session;
  auto volume = makeCase();
  session.setCase(volume, CaseFiles{}, "case");
  EXPECT_EQ(session.paint({7, 8}, 1), 2);
  session.endStroke();
  ASSERT_NE(session.segmentation(), nullptr);
  EXPECT_EQ(session.segmentation()->shape, (std::array<int64_t, 3>{6, 8, 10}));
  EXPECT_EQ(session.segmentation()->labels[7], 1);
  EXPECT_NEAR(session.volumes().perLabel[1], 0.004, 1e-12);
  EXPECT_TRUE(session.isDirty());
}

}  // namespace
}  // namespace seqseg
