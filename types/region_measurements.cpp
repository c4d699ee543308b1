#include "types/region_measurements.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

namespace seqseg {

double Segment3::lengthMm() const {
  double sum = 0;
  for (int a = 0; a < 3; ++a) sum += (to[a] - from[a]) * (to[a] - from[a]);
  return std::sqrt(sum);
}

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

using Point2 = std::array<double, 2>;

double squaredDistance(const Point3& a, const Point3& b) {
  double sum = 0;
  for (int c = 0; c < 3; ++c) sum += (a[c] - b[c]) * (a[c] - b[c]);
  return sum;
}

Point3 rasOfVoxel(const Geometry& geometry, int64_t i, int64_t j, int64_t k) {
  return lpsToRas(indexToPhysical(
      geometry, {static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)}));
}

Segment3 farthestPairBruteForce(const std::vector<Point3>& points) {
  Segment3 best{points.front(), points.front()};
  double bestSquared = 0;
  for (size_t a = 0; a < points.size(); ++a)
    for (size_t b = a + 1; b < points.size(); ++b)
      if (const double d = squaredDistance(points[a], points[b]); d > bestSquared) {
        bestSquared = d;
        best = {points[a], points[b]};
      }
  return best;
}

// The farthest pair of `points`. Each end of the true farthest pair is the extreme point along
// the pair's own direction; among the points extreme along 2 x 2048 directions spread over the
// sphere (the nearest within about 2 degrees of any direction), the farthest pair is at least
// cos(2 degrees) = 0.9994 of the true length. Few points are compared pairwise, exactly.
Segment3 farthestPair(const std::vector<Point3>& points) {
  constexpr size_t kExactBelow = 3000;
  if (points.size() <= kExactBelow) return farthestPairBruteForce(points);
  constexpr int kDirections = 2048;  // a Fibonacci lattice on the half sphere; both ends kept
  std::vector<size_t> extremes;
  extremes.reserve(2 * kDirections);
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  for (int d = 0; d < kDirections; ++d) {
    const double z = 1.0 - (d + 0.5) / kDirections;  // (0, 1): the other half by the minimum
    const double radius = std::sqrt(1.0 - z * z);
    const Point3 direction{radius * std::cos(golden * d), radius * std::sin(golden * d), z};
    size_t low = 0, high = 0;
    double lowValue = kInfinity, highValue = -kInfinity;
    for (size_t p = 0; p < points.size(); ++p) {
      const double along =
          points[p][0] * direction[0] + points[p][1] * direction[1] + points[p][2] * direction[2];
      if (along < lowValue) lowValue = along, low = p;
      if (along > highValue) highValue = along, high = p;
    }
    extremes.push_back(low);
    extremes.push_back(high);
  }
  std::sort(extremes.begin(), extremes.end());
  extremes.erase(std::unique(extremes.begin(), extremes.end()), extremes.end());
  std::vector<Point3> candidates;
  candidates.reserve(extremes.size());
  for (size_t index : extremes) candidates.push_back(points[index]);
  return farthestPairBruteForce(candidates);
}

double cross(const Point2& o, const Point2& a, const Point2& b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

// The convex hull's corners (Andrew's monotone chain): the farthest pair of a plane's points is
// a pair of them.
std::vector<Point2> convexHull(std::vector<Point2> points) {
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  if (points.size() < 3) return points;
  std::vector<Point2> hull(2 * points.size());
  size_t size = 0;
  for (const Point2& p : points) {
    while (size >= 2 && cross(hull[size - 2], hull[size - 1], p) <= 0) --size;
    hull[size++] = p;
  }
  for (size_t i = points.size() - 1, lower = size + 1; i-- > 0;) {
    while (size >= lower && cross(hull[size - 2], hull[size - 1], points[i]) <= 0) --size;
    hull[size++] = points[i];
  }
  hull.resize(size - 1);
  return hull;
}

// Whether voxel (i, j, k) of `labels` is in `region`; false outside the grid.
struct RegionLookup {
  const LabelVolume& labels;
  Region region;
  bool operator()(int64_t i, int64_t j, int64_t k) const {
    if (i < 0 || j < 0 || k < 0 || i >= labels.shape[2] || j >= labels.shape[1] ||
        k >= labels.shape[0])
      return false;
    return inRegion(region, labels.labels[(k * labels.shape[1] + j) * labels.shape[2] + i]);
  }
};

}  // namespace

RegionMeasurement measureRegion(const LabelVolume& internal, Region region) {
  RegionMeasurement result;
  result.region = region;
  const Geometry& geometry = internal.geometry;
  const RegionLookup in{internal, region};
  const int64_t sizeK = internal.shape[0], sizeJ = internal.shape[1], sizeI = internal.shape[2];
  std::array<double, 3> indexSum{};
  result.firstIndex = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max(),
                       std::numeric_limits<int64_t>::max()};
  result.lastIndex = {-1, -1, -1};
  result.lowRas = {kInfinity, kInfinity, kInfinity};
  result.highRas = {-kInfinity, -kInfinity, -kInfinity};
  std::vector<Point3> surface;  // voxel centres with a face on the region's outside
  for (int64_t k = 0; k < sizeK; ++k)
    for (int64_t j = 0; j < sizeJ; ++j)
      for (int64_t i = 0; i < sizeI; ++i) {
        if (!in(i, j, k)) continue;
        ++result.voxels;
        const std::array<int64_t, 3> index{i, j, k};
        for (int a = 0; a < 3; ++a) {
          indexSum[a] += static_cast<double>(index[a]);
          result.firstIndex[a] = std::min(result.firstIndex[a], index[a]);
          result.lastIndex[a] = std::max(result.lastIndex[a], index[a]);
        }
        const Point3 ras = rasOfVoxel(geometry, i, j, k);
        for (int a = 0; a < 3; ++a) {
          result.lowRas[a] = std::min(result.lowRas[a], ras[a]);
          result.highRas[a] = std::max(result.highRas[a], ras[a]);
        }
        if (!in(i - 1, j, k) || !in(i + 1, j, k) || !in(i, j - 1, k) || !in(i, j + 1, k) ||
            !in(i, j, k - 1) || !in(i, j, k + 1))
          surface.push_back(ras);
      }
  if (result.voxels == 0) {
    RegionMeasurement absent;
    absent.region = region;
    return absent;
  }
  result.volumeMl = static_cast<double>(result.voxels) * voxelVolumeMl(geometry);
  Point3 meanIndex{};
  for (int a = 0; a < 3; ++a) meanIndex[a] = indexSum[a] / static_cast<double>(result.voxels);
  result.centroidRas = lpsToRas(indexToPhysical(geometry, meanIndex));
  result.largestDiameter = farthestPair(surface);
  return result;
}

namespace {

// The bidimensional measure of `region`, whose voxel centres lie in the RAS box [low, high].
BidimensionalMeasurement bidimensionalInBox(const LabelVolume& internal, Region region,
                                            const Point3& low, const Point3& high) {
  BidimensionalMeasurement result;
  const Geometry& geometry = internal.geometry;
  const RegionLookup in{internal, region};
  // The box is widened by half a voxel's diagonal: every point that falls in one of the
  // region's voxels is inside.
  const double halfDiagonal = 0.5 * std::sqrt(geometry.spacing[0] * geometry.spacing[0] +
                                              geometry.spacing[1] * geometry.spacing[1] +
                                              geometry.spacing[2] * geometry.spacing[2]);
  const double step =
      std::min({1.0, geometry.spacing[0], geometry.spacing[1], geometry.spacing[2]});
  const auto count = [&](int axis) {
    return static_cast<int64_t>(std::floor((high[axis] - low[axis] + 2 * halfDiagonal) / step)) + 1;
  };
  const int64_t countX = count(0), countY = count(1), countZ = count(2);
  const auto inRegionAt = [&](const Point3& ras) {
    const Point3 index = physicalToIndex(geometry, rasToLps(ras));
    return in(std::llround(index[0]), std::llround(index[1]), std::llround(index[2]));
  };

  // The plane of the largest cross-section.
  std::vector<Point2> best, plane;
  double bestZ = 0;
  for (int64_t z = 0; z < countZ; ++z) {
    const double zMm = low[2] - halfDiagonal + static_cast<double>(z) * step;
    plane.clear();
    for (int64_t y = 0; y < countY; ++y)
      for (int64_t x = 0; x < countX; ++x) {
        const Point3 ras{low[0] - halfDiagonal + static_cast<double>(x) * step,
                         low[1] - halfDiagonal + static_cast<double>(y) * step, zMm};
        if (inRegionAt(ras)) plane.push_back({ras[0], ras[1]});
      }
    if (plane.size() > best.size()) {
      std::swap(best, plane);
      bestZ = zMm;
    }
  }
  if (best.empty()) return result;
  result.present = true;
  result.planeSuperiorMm = bestZ;
  result.areaMm2 = static_cast<double>(best.size()) * step * step;

  // Its longest diameter: the farthest pair of the cross-section's hull corners.
  const std::vector<Point2> hull = convexHull(best);
  Point2 from = best.front(), to = best.front();
  double longestSquared = 0;
  for (size_t a = 0; a < hull.size(); ++a)
    for (size_t b = a + 1; b < hull.size(); ++b) {
      const double dx = hull[a][0] - hull[b][0], dy = hull[a][1] - hull[b][1];
      if (dx * dx + dy * dy > longestSquared) {
        longestSquared = dx * dx + dy * dy;
        from = hull[a];
        to = hull[b];
      }
    }
  result.longest = {{from[0], from[1], bestZ}, {to[0], to[1], bestZ}};
  const double longest = std::sqrt(longestSquared);
  if (longest == 0) {
    result.perpendicular = result.longest;
    return result;
  }

  // The longest extent across it: the cross-section's points in strips one step wide along the
  // diameter, each strip's extent across (a rim's hollow centre included, as RANO measures).
  const Point2 along{(to[0] - from[0]) / longest, (to[1] - from[1]) / longest};
  const Point2 across{-along[1], along[0]};
  const int64_t strips = static_cast<int64_t>(std::floor(longest / step)) + 1;
  std::vector<double> acrossLow(strips, kInfinity), acrossHigh(strips, -kInfinity);
  for (const Point2& p : best) {
    const double s = (p[0] - from[0]) * along[0] + (p[1] - from[1]) * along[1];
    const double t = (p[0] - from[0]) * across[0] + (p[1] - from[1]) * across[1];
    const int64_t strip = std::clamp<int64_t>(std::llround(s / step), 0, strips - 1);
    acrossLow[strip] = std::min(acrossLow[strip], t);
    acrossHigh[strip] = std::max(acrossHigh[strip], t);
  }
  int64_t widest = 0;
  for (int64_t strip = 0; strip < strips; ++strip)
    if (acrossHigh[strip] - acrossLow[strip] > acrossHigh[widest] - acrossLow[widest])
      widest = strip;
  const double s = static_cast<double>(widest) * step;
  const auto planePoint = [&](double t) {
    return Point3{from[0] + s * along[0] + t * across[0], from[1] + s * along[1] + t * across[1],
                  bestZ};
  };
  result.perpendicular = {planePoint(acrossLow[widest]), planePoint(acrossHigh[widest])};
  return result;
}

}  // namespace

BidimensionalMeasurement measureBidimensional(const LabelVolume& internal, Region region) {
  // The RAS box of the region's voxel centres.
  const RegionLookup in{internal, region};
  Point3 low{kInfinity, kInfinity, kInfinity}, high{-kInfinity, -kInfinity, -kInfinity};
  bool any = false;
  for (int64_t k = 0; k < internal.shape[0]; ++k)
    for (int64_t j = 0; j < internal.shape[1]; ++j)
      for (int64_t i = 0; i < internal.shape[2]; ++i) {
        if (!in(i, j, k)) continue;
        any = true;
        const Point3 ras = rasOfVoxel(internal.geometry, i, j, k);
        for (int a = 0; a < 3; ++a) {
          low[a] = std::min(low[a], ras[a]);
          high[a] = std::max(high[a], ras[a]);
        }
      }
  return any ? bidimensionalInBox(internal, region, low, high) : BidimensionalMeasurement{};
}

CaseMeasurements measureRegions(const LabelVolume& internal) {
  std::array<std::future<std::pair<RegionMeasurement, BidimensionalMeasurement>>, 3> running;
  for (size_t r = 0; r < kRegions.size(); ++r)
    running[r] = std::async(std::launch::async, [&internal, region = kRegions[r]] {
      // measureRegion's box spares measureBidimensional its own pass over the volume.
      RegionMeasurement measured = measureRegion(internal, region);
      BidimensionalMeasurement axial =
          measured.voxels == 0
              ? BidimensionalMeasurement{}
              : bidimensionalInBox(internal, region, measured.lowRas, measured.highRas);
      return std::pair{std::move(measured), std::move(axial)};
    });
  CaseMeasurements result;
  for (size_t r = 0; r < kRegions.size(); ++r)
    std::tie(result.regions[r], result.axial[r]) = running[r].get();
  return result;
}

}  // namespace seqseg
