#include "engine/metrics.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <stdexcept>
#include <utility>

#include "engine/label_box.h"

namespace seqseg {
namespace {

// Voxels of `mask` with a 6-neighbour outside it (the image border counts as outside).
std::vector<uint8_t> surface(const std::vector<uint8_t>& mask,
                             const std::array<int64_t, 3>& shape) {
  const int64_t n0 = shape[0], n1 = shape[1], n2 = shape[2];
  std::vector<uint8_t> border(mask.size(), 0);
  for (int64_t a = 0; a < n0; ++a)
    for (int64_t b = 0; b < n1; ++b)
      for (int64_t c = 0; c < n2; ++c) {
        const int64_t v = (a * n1 + b) * n2 + c;
        if (!mask[v]) continue;
        const bool edge = a == 0 || a == n0 - 1 || b == 0 || b == n1 - 1 || c == 0 || c == n2 - 1 ||
                          !mask[v - n1 * n2] || !mask[v + n1 * n2] || !mask[v - n2] ||
                          !mask[v + n2] || !mask[v - 1] || !mask[v + 1];
        border[v] = edge;
      }
  return border;
}

// One dimension of the exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher):
// f holds squared distances along a line, sampled every `step` mm; the result replaces it.
void distanceTransform1d(std::vector<double>& f, double step, std::vector<double>& d,
                         std::vector<int64_t>& v, std::vector<double>& z) {
  const int64_t n = static_cast<int64_t>(f.size());
  const double inf = std::numeric_limits<double>::infinity();
  const double w = step * step;
  int64_t k = -1;
  for (int64_t q = 0; q < n; ++q) {
    if (f[q] == inf) continue;
    while (k >= 0) {
      const double s = ((f[q] + w * q * q) - (f[v[k]] + w * v[k] * v[k])) / (2 * w * (q - v[k]));
      if (s > z[k]) break;
      --k;
    }
    ++k;
    v[k] = q;
    z[k] = k == 0 ? -inf
                  : ((f[q] + w * q * q) - (f[v[k - 1]] + w * v[k - 1] * v[k - 1])) /
                        (2 * w * (q - v[k - 1]));
    z[k + 1] = inf;
  }
  if (k < 0) return;  // no finite sample on this line
  for (int64_t q = 0, j = 0; q < n; ++q) {
    while (z[j + 1] < q) ++j;
    d[q] = w * (q - v[j]) * (q - v[j]) + f[v[j]];
  }
  f.swap(d);
}

// Squared distance in mm from every voxel to the nearest set voxel of `seeds`.
std::vector<double> squaredDistanceTo(const std::vector<uint8_t>& seeds,
                                      const std::array<int64_t, 3>& shape,
                                      const std::array<double, 3>& spacing) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> field(seeds.size());
  for (size_t i = 0; i < seeds.size(); ++i) field[i] = seeds[i] ? 0.0 : inf;
  const int64_t strides[3] = {shape[1] * shape[2], shape[2], 1};
  const double steps[3] = {spacing[2], spacing[1], spacing[0]};  // along A0, A1, A2
  for (int axis = 0; axis < 3; ++axis) {
    const int64_t n = shape[axis];
    std::vector<double> line(n), scratch(n), z(n + 1);
    std::vector<int64_t> v(n);
    const int64_t lines = static_cast<int64_t>(seeds.size()) / n;
    for (int64_t l = 0; l < lines; ++l) {
      // Start of line l: enumerate the voxels whose index along `axis` is 0.
      int64_t start = 0, rest = l;
      for (int other = 2; other >= 0; --other) {
        if (other == axis) continue;
        start += (rest % shape[other]) * strides[other];
        rest /= shape[other];
      }
      for (int64_t q = 0; q < n; ++q) line[q] = field[start + q * strides[axis]];
      distanceTransform1d(line, steps[axis], scratch, v, z);
      for (int64_t q = 0; q < n; ++q) field[start + q * strides[axis]] = line[q];
    }
  }
  return field;
}

double percentile95(std::vector<double>& values) {
  // Linear interpolation between order statistics, as numpy.percentile does.
  std::sort(values.begin(), values.end());
  const double position = 0.95 * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(position));
  const size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (position - static_cast<double>(low)) * (values[high] - values[low]);
}

}  // namespace

const char* hd95DefinitionName(Hd95Definition definition) {
  return definition == Hd95Definition::Max ? "max" : "pooled";
}

Hd95Definition parseHd95Definition(const std::string& name) {
  if (name == "pooled") return Hd95Definition::Pooled;
  if (name == "max") return Hd95Definition::Max;
  throw std::invalid_argument("--hd95 must be pooled or max, not '" + name + "'");
}

double hausdorff95(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
                   const std::array<int64_t, 3>& shape, const std::array<double, 3>& spacing,
                   Hd95Definition definition) {
  // Every surface voxel, and so every nearest one, lies in the box around both masks, and outside
  // it both masks are empty, so surfaces and distances computed on the box are the same.
  const LabelBox box = nonZeroBox(a, &b, shape);
  if (box.empty()) return 0.0;  // both empty
  if (box.begin != std::array<int64_t, 3>{0, 0, 0} || box.end != shape)
    return hausdorff95(cropToBox(a, shape, box), cropToBox(b, shape, box), box.size(), spacing,
                       definition);
  const std::vector<uint8_t> surfaceA = surface(a, shape), surfaceB = surface(b, shape);
  const std::vector<double> toA = squaredDistanceTo(surfaceA, shape, spacing);
  const std::vector<double> toB = squaredDistanceTo(surfaceB, shape, spacing);
  std::vector<double> fromA, fromB;  // each surface voxel's distance to the other surface
  for (size_t v = 0; v < a.size(); ++v) {
    if (surfaceA[v]) fromA.push_back(std::sqrt(toB[v]));
    if (surfaceB[v]) fromB.push_back(std::sqrt(toA[v]));
  }
  if (definition == Hd95Definition::Max) return std::max(percentile95(fromA), percentile95(fromB));
  fromA.insert(fromA.end(), fromB.begin(), fromB.end());
  return percentile95(fromA);
}

namespace {

// Two label maps cut to the box of their labels (empty when both are all background): no region
// has a voxel outside it.
struct LabelledBox {
  std::vector<uint8_t> predicted, reference;
  std::array<int64_t, 3> shape{0, 0, 0};
};

LabelledBox cropToLabels(const std::vector<uint8_t>& predicted,
                         const std::vector<uint8_t>& reference,
                         const std::array<int64_t, 3>& shape) {
  const LabelBox box = nonZeroBox(predicted, &reference, shape);
  if (box.empty()) return {};
  return {cropToBox(predicted, shape, box), cropToBox(reference, shape, box), box.size()};
}

// scoreRegion on the labels' box; `imageShape` gives the diagonal of an empty side's HD95.
RegionScore scoreRegionInBox(const LabelledBox& labels, const std::array<int64_t, 3>& imageShape,
                             const std::array<double, 3>& spacing, Region region,
                             Hd95Definition hd95) {
  std::vector<uint8_t> p(labels.predicted.size()), r(labels.reference.size());
  RegionScore score;
  int64_t overlap = 0;
  for (size_t v = 0; v < p.size(); ++v) {
    p[v] = inRegion(region, labels.predicted[v]);
    r[v] = inRegion(region, labels.reference[v]);
    score.predictedVoxels += p[v];
    score.referenceVoxels += r[v];
    overlap += p[v] && r[v];
  }
  if (score.predictedVoxels == 0 && score.referenceVoxels == 0) {
    score.dice = 1.0;
    score.hd95 = 0.0;
    return score;
  }
  score.dice = 2.0 * static_cast<double>(overlap) /
               static_cast<double>(score.predictedVoxels + score.referenceVoxels);
  if (score.predictedVoxels == 0 || score.referenceVoxels == 0) {
    double diagonal = 0;
    for (int axis = 0; axis < 3; ++axis) {
      const double extent = spacing[axis] * static_cast<double>(imageShape[2 - axis]);
      diagonal += extent * extent;
    }
    score.hd95 = std::sqrt(diagonal);
    return score;
  }
  score.hd95 = hausdorff95(p, r, labels.shape, spacing, hd95);
  return score;
}

}  // namespace

RegionScore scoreRegion(const std::vector<uint8_t>& predicted,
                        const std::vector<uint8_t>& reference, const std::array<int64_t, 3>& shape,
                        const std::array<double, 3>& spacing, Region region, Hd95Definition hd95) {
  return scoreRegionInBox(cropToLabels(predicted, reference, shape), shape, spacing, region, hd95);
}

std::array<RegionScore, 3> scoreRegions(const std::vector<uint8_t>& predicted,
                                        const std::vector<uint8_t>& reference,
                                        const std::array<int64_t, 3>& shape,
                                        const std::array<double, 3>& spacing, Hd95Definition hd95) {
  const LabelledBox labels = cropToLabels(predicted, reference, shape);
  std::array<std::future<RegionScore>, 3> pending;
  for (size_t r = 0; r < kRegions.size(); ++r)
    pending[r] = std::async(std::launch::async, [&, r] {
      return scoreRegionInBox(labels, shape, spacing, kRegions[r], hd95);
    });
  std::array<RegionScore, 3> scores;
  for (size_t r = 0; r < kRegions.size(); ++r) scores[r] = pending[r].get();
  return scores;
}

}  // namespace seqseg
