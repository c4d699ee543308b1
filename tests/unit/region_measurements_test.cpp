// Measurements of a region against the geometry of the shape painted: an ellipsoid of known
// semi-axes, turned about S-I, defined in scanner space and voxelised on grids stored in other
// orders (axial, PIR, oblique, anisotropic). Each diameter within one voxel diagonal of the
// ellipsoid's own.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <string>

#include "types/region_measurements.h"

namespace seqseg {
namespace {

struct GridKind {
  std::string name;
  std::array<double, 9> direction;  // LPS, columns are the voxel axes i, j, k
  std::array<double, 3> spacing;
};

void PrintTo(const GridKind& kind, std::ostream* out) {
  *out << kind.name;
}

std::array<double, 9> rotation(const Point3& axis, double degrees) {
  const double norm = std::sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
  const double x = axis[0] / norm, y = axis[1] / norm, z = axis[2] / norm;
  const double c = std::cos(degrees * M_PI / 180), s = std::sin(degrees * M_PI / 180), t = 1 - c;
  return {t * x * x + c,     t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c,
          t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c};
}

const GridKind kGrids[] = {
    {"axial", {1, 0, 0, 0, 1, 0, 0, 0, 1}, {1.0, 1.0, 1.0}},
    // i towards posterior, j inferior, k right.
    {"pir", {0, 0, -1, 1, 0, 0, 0, -1, 0}, {1.0, 1.0, 1.0}},
    {"oblique", rotation({1, 1, 0.3}, 23), {1.0, 1.0, 1.2}},
    {"anisotropic", {1, 0, 0, 0, 1, 0, 0, 0, 1}, {0.9, 1.2, 3.0}},
};

// The ellipsoid: centre and semi-axes (RAS mm); the first two axes turned about S by kTurn.
const Point3 kCentre{12.0, -20.0, 35.0};
constexpr double kSemiX = 30, kSemiY = 20, kSemiZ = 15, kTurnDegrees = 25;

Point3 ellipsoidAxisX() {
  const double turn = kTurnDegrees * M_PI / 180;
  return {std::cos(turn), std::sin(turn), 0};
}

bool insideEllipsoid(const Point3& ras) {
  const double turn = kTurnDegrees * M_PI / 180;
  const double dx = ras[0] - kCentre[0], dy = ras[1] - kCentre[1], dz = ras[2] - kCentre[2];
  const double u = dx * std::cos(turn) + dy * std::sin(turn);
  const double v = -dx * std::sin(turn) + dy * std::cos(turn);
  return u * u / (kSemiX * kSemiX) + v * v / (kSemiY * kSemiY) + dz * dz / (kSemiZ * kSemiZ) <= 1;
}

// A grid covering a 90 mm cube around the ellipsoid; its voxels inside it are enhancing tumour
// (3), a shell of oedema (2) around.
LabelVolume paintedGrid(const GridKind& kind) {
  LabelVolume labels;
  labels.geometry.direction = kind.direction;
  labels.geometry.spacing = kind.spacing;
  std::array<int64_t, 3> size{};
  for (int a = 0; a < 3; ++a) size[a] = static_cast<int64_t>(std::ceil(90.0 / kind.spacing[a]));
  labels.shape = {size[2], size[1], size[0]};
  Point3 middle{};
  for (int a = 0; a < 3; ++a) middle[a] = 0.5 * static_cast<double>(size[a] - 1);
  // Origin such that the grid's middle is the ellipsoid's centre.
  labels.geometry.origin = {0, 0, 0};
  const Point3 offset = indexToPhysical(labels.geometry, middle);
  const Point3 centreLps = rasToLps(kCentre);
  for (int a = 0; a < 3; ++a) labels.geometry.origin[a] = centreLps[a] - offset[a];
  labels.labels.assign(static_cast<size_t>(size[0] * size[1] * size[2]), 0);
  size_t n = 0;
  for (int64_t k = 0; k < size[2]; ++k)
    for (int64_t j = 0; j < size[1]; ++j)
      for (int64_t i = 0; i < size[0]; ++i, ++n) {
        const Point3 ras = lpsToRas(indexToPhysical(
            labels.geometry,
            {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)}));
        if (insideEllipsoid(ras)) {
          labels.labels[n] = 3;
        } else {
          const Point3 nearer{kCentre[0] + (ras[0] - kCentre[0]) * 0.85,
                              kCentre[1] + (ras[1] - kCentre[1]) * 0.85,
                              kCentre[2] + (ras[2] - kCentre[2]) * 0.85};
          if (insideEllipsoid(nearer)) labels.labels[n] = 2;
        }
      }
  return labels;
}

double voxelDiagonal(const GridKind& kind) {
  return std::sqrt(kind.spacing[0] * kind.spacing[0] + kind.spacing[1] * kind.spacing[1] +
                   kind.spacing[2] * kind.spacing[2]);
}

// |cos| of the angle between a segment and a direction.
double alignment(const Segment3& segment, const Point3& direction) {
  double dot = 0;
  for (int a = 0; a < 3; ++a) dot += (segment.to[a] - segment.from[a]) * direction[a];
  return std::abs(dot) / segment.lengthMm();
}

class Measurements : public ::testing::TestWithParam<GridKind> {};

TEST_P(Measurements, OfAnEllipsoidMatchItsAxes) {
  const GridKind& kind = GetParam();
  const LabelVolume labels = paintedGrid(kind);
  const double diagonal = voxelDiagonal(kind);

  const RegionMeasurement et = measureRegion(labels, Region::EnhancingTumour);
  ASSERT_GT(et.voxels, 0);
  const double volumeMl = 4.0 / 3.0 * M_PI * kSemiX * kSemiY * kSemiZ / 1000.0;
  EXPECT_NEAR(et.volumeMl, volumeMl, 0.03 * volumeMl);
  for (int a = 0; a < 3; ++a) EXPECT_NEAR(et.centroidRas[a], kCentre[a], 0.5 * diagonal) << a;
  // The RAS box of the turned ellipsoid.
  const double turn = kTurnDegrees * M_PI / 180;
  const Point3 halfBox{
      std::sqrt(std::pow(kSemiX * std::cos(turn), 2) + std::pow(kSemiY * std::sin(turn), 2)),
      std::sqrt(std::pow(kSemiX * std::sin(turn), 2) + std::pow(kSemiY * std::cos(turn), 2)),
      kSemiZ};
  for (int a = 0; a < 3; ++a) {
    EXPECT_NEAR(et.lowRas[a], kCentre[a] - halfBox[a], diagonal) << a;
    EXPECT_NEAR(et.highRas[a], kCentre[a] + halfBox[a], diagonal) << a;
    EXPECT_LE(et.firstIndex[a], et.lastIndex[a]);
  }
  EXPECT_NEAR(et.largestDiameter.lengthMm(), 2 * kSemiX, diagonal);
  EXPECT_GT(alignment(et.largestDiameter, ellipsoidAxisX()), 0.98);

  // The whole tumour holds the oedema shell too: larger in every way.
  const RegionMeasurement wt = measureRegion(labels, Region::WholeTumour);
  EXPECT_GT(wt.voxels, et.voxels);
  EXPECT_GT(wt.largestDiameter.lengthMm(), et.largestDiameter.lengthMm() + 5);

  const BidimensionalMeasurement rano = measureBidimensional(labels);
  ASSERT_TRUE(rano.present);
  EXPECT_NEAR(rano.planeSuperiorMm, kCentre[2], 3.0);
  EXPECT_NEAR(rano.longest.lengthMm(), 2 * kSemiX, diagonal);
  EXPECT_NEAR(rano.perpendicular.lengthMm(), 2 * kSemiY, diagonal);
  EXPECT_NEAR(rano.productMm2(), 4 * kSemiX * kSemiY, diagonal * 2 * (kSemiX + kSemiY));
  EXPECT_NEAR(rano.areaMm2, M_PI * kSemiX * kSemiY, 0.04 * M_PI * kSemiX * kSemiY);
  // Both lie in the axial plane, the longest along the ellipse's long axis, the other across it.
  for (const Segment3* segment : {&rano.longest, &rano.perpendicular}) {
    EXPECT_DOUBLE_EQ(segment->from[2], rano.planeSuperiorMm);
    EXPECT_DOUBLE_EQ(segment->to[2], rano.planeSuperiorMm);
  }
  EXPECT_GT(alignment(rano.longest, ellipsoidAxisX()), 0.99);
  EXPECT_LT(alignment(rano.perpendicular, ellipsoidAxisX()), 0.1);
  Point3 longestDirection{};
  for (int a = 0; a < 3; ++a) longestDirection[a] = rano.longest.to[a] - rano.longest.from[a];
  EXPECT_LT(alignment(rano.perpendicular, longestDirection), 1e-9 * rano.longest.lengthMm());

  std::cout << kind.name << ": 3D " << et.largestDiameter.lengthMm() << " mm, axial "
            << rano.longest.lengthMm() << " x " << rano.perpendicular.lengthMm() << " mm at S "
            << rano.planeSuperiorMm << ", " << et.volumeMl << " mL\n";
}

INSTANTIATE_TEST_SUITE_P(Grids, Measurements, ::testing::ValuesIn(kGrids),
                         [](const auto& info) { return info.param.name; });

TEST(Measurements, OfAnAbsentRegionAreEmpty) {
  LabelVolume labels;
  labels.shape = {4, 5, 6};
  labels.labels.assign(120, 2);  // oedema only
  const RegionMeasurement et = measureRegion(labels, Region::EnhancingTumour);
  EXPECT_EQ(et.voxels, 0);
  EXPECT_EQ(et.volumeMl, 0);
  EXPECT_FALSE(measureBidimensional(labels).present);
  EXPECT_EQ(measureRegion(labels, Region::WholeTumour).voxels, 120);
}

// A ring-enhancing lesion: the perpendicular diameter spans the hollow centre, as RANO measures
// the enhancing lesion's outer edges.
TEST(Measurements, OfARimSpanItsHollowCentre) {
  LabelVolume labels;
  labels.shape = {5, 60, 60};
  labels.labels.assign(5 * 60 * 60, 0);
  for (int64_t k = 0; k < 5; ++k)
    for (int64_t j = 0; j < 60; ++j)
      for (int64_t i = 0; i < 60; ++i) {
        const double r = std::hypot(static_cast<double>(i) - 29.5, static_cast<double>(j) - 29.5);
        labels.labels[(k * 60 + j) * 60 + i] = r <= 25 ? (r >= 21 ? 3 : 1) : 0;
      }
  const BidimensionalMeasurement rano = measureBidimensional(labels);
  ASSERT_TRUE(rano.present);
  EXPECT_NEAR(rano.longest.lengthMm(), 50, std::sqrt(3.0));
  EXPECT_NEAR(rano.perpendicular.lengthMm(), 50, std::sqrt(3.0));
}

}  // namespace
}  // namespace seqseg
