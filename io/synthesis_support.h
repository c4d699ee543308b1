#pragma once
// Building blocks shared by the synthetic-case generators (io/synthetic_case.cpp and
// io/randomised_case.cpp): portable random numbers, trilinear sampling of the template and
// smooth random boundaries (index <-> physical placement is types/placement.h). Plain C++,
// header-only.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>

#include "types/placement.h"
#include "types/volume.h"

namespace seqseg::synthesis {

constexpr std::array<double, 3> kFieldOfViewMm{240.0, 240.0, 155.0};  // BraTS, along i, j, k

// Portable random numbers: std::mt19937_64's sequence is fixed by the standard, the
// distributions are not, so these are written out to keep "same seed, same bytes" everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    const double u = 1.0 - uniform(), v = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u));
    spare_ = radius * std::sin(2 * M_PI * v);
    hasSpare_ = true;
    return radius * std::cos(2 * M_PI * v);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool hasSpare_ = false;
};

inline uint64_t mixSeed(uint64_t seed, int index) {  // splitmix64 of (seed, index)
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(index) + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

using Vec3 = Point3;

// Trilinear interpolation at continuous index (i, j, k); zero outside the grid.
inline double sample(const Volume& v, const Vec3& index) {
  const int64_t size[3] = {v.shape[3], v.shape[2], v.shape[1]};
  int64_t base[3];
  double frac[3];
  for (int a = 0; a < 3; ++a) {
    if (index[a] < 0 || index[a] > static_cast<double>(size[a] - 1)) return 0.0;
    base[a] = std::min<int64_t>(static_cast<int64_t>(index[a]), size[a] - 2);
    frac[a] = index[a] - static_cast<double>(base[a]);
  }
  double value = 0;
  for (int corner = 0; corner < 8; ++corner) {
    double weight = 1;
    int64_t offset = 0, stride = 1;
    for (int a = 0; a < 3; ++a) {
      const int bit = (corner >> a) & 1;
      weight *= bit ? frac[a] : 1.0 - frac[a];
      offset += (base[a] + bit) * stride;
      stride *= size[a];
    }
    value += weight * v.voxels[offset];
  }
  return value;
}

// A smooth random function on the unit sphere: a few plane waves, for irregular boundaries.
struct SphereNoise {
  std::array<Vec3, 6> directions;
  std::array<double, 6> amplitudes, frequencies, phases;

  SphereNoise(Random& random, double amplitude) {
    for (int m = 0; m < 6; ++m) {
      Vec3 d{random.normal(), random.normal(), random.normal()};
      const double norm = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) + 1e-12;
      for (double& x : d) x /= norm;
      directions[m] = d;
      amplitudes[m] = random.uniform(0.0, amplitude);
      frequencies[m] = random.uniform(1.5, 4.0);
      phases[m] = random.uniform(0.0, 2 * M_PI);
    }
  }
  // The largest value the function can take.
  double largest() const {
    double sum = 0;
    for (double a : amplitudes) sum += a;
    return sum;
  }
  double operator()(const Vec3& unit) const {
    double value = 0;
    for (int m = 0; m < 6; ++m) {
      const double along =
          unit[0] * directions[m][0] + unit[1] * directions[m][1] + unit[2] * directions[m][2];
      value += amplitudes[m] * std::sin(frequencies[m] * along + phases[m]);
    }
    return value;
  }
};

// 1 well inside a boundary at ratio 1, 0 well outside: a partial-volume edge.
inline double inside(double ratio) {
  return std::clamp((1.06 - ratio) / 0.12, 0.0, 1.0);
}

// Index-space bounding box (i, j, k; inclusive) of the non-zero voxels of a mask.
inline std::pair<Vec3, Vec3> brainIndexBox(const Volume& mask) {
  Vec3 low{1e9, 1e9, 1e9}, high{-1e9, -1e9, -1e9};
  for (int64_t k = 0; k < mask.shape[1]; ++k)
    for (int64_t j = 0; j < mask.shape[2]; ++j)
      for (int64_t i = 0; i < mask.shape[3]; ++i)
        if (mask.voxels[(k * mask.shape[2] + j) * mask.shape[3] + i] > 0) {
          const Vec3 at{double(i), double(j), double(k)};
          for (int a = 0; a < 3; ++a) {
            low[a] = std::min(low[a], at[a]);
            high[a] = std::max(high[a], at[a]);
          }
        }
  return {low, high};
}

}  // namespace seqseg::synthesis
