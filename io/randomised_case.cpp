#include "io/randomised_case.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "io/nifti_geometry.h"
#include "io/synthesis_support.h"

namespace seqseg {
namespace {

using namespace synthesis;

constexpr int kNcr = 1, kEd = 2, kEt = 3;
constexpr int kModalities = 4, kClasses = 6;  // CSF, GM, WM, NCR, ED, ET
using ContrastTable = double[kModalities][kClasses];

// Relative intensity per modality (T1, T1ce, T2, FLAIR) and class (CSF, GM, WM, NCR, ED, ET).
// Training: io/synthetic_case.cpp's table. Held out (and held out, hard): other scanners' looks,
// keeping only what holds for real scans (ET bright on T1ce, oedema bright on FLAIR and T2, CSF
// dark on FLAIR).
constexpr ContrastTable kTrainingContrast = {
    {0.30, 0.55, 0.75, 0.22, 0.45, 0.55},
    {0.30, 0.55, 0.75, 0.18, 0.45, 1.00},
    {1.00, 0.65, 0.45, 0.95, 0.85, 0.65},
    {0.15, 0.60, 0.45, 0.55, 0.95, 0.80},
};
constexpr ContrastTable kHeldoutContrast = {
    {0.20, 0.48, 0.68, 0.30, 0.40, 0.50},
    {0.24, 0.52, 0.64, 0.26, 0.44, 0.92},
    {0.92, 0.74, 0.52, 0.82, 0.94, 0.72},
    {0.08, 0.56, 0.50, 0.42, 0.88, 0.66},
};
// Little grey/white contrast, ET only a little brighter than white matter on T1ce, oedema close
// to grey matter on T2: the boundaries a model has to find are fainter.
constexpr ContrastTable kHeldoutHardContrast = {
    {0.26, 0.50, 0.60, 0.36, 0.44, 0.56},
    {0.28, 0.54, 0.64, 0.30, 0.50, 0.86},
    {0.96, 0.70, 0.56, 0.88, 0.84, 0.66},
    {0.12, 0.62, 0.54, 0.48, 0.84, 0.70},
};

// Everything that differs between the profiles.
struct ProfileRanges {
  const ContrastTable* contrast;
  double contrastJitter;          // sd of the per-class change of each channel's table
  double freeChannelProbability;  // T1 / T2 with entirely random class intensities
  double fovLow, fovHigh;         // field of view as a fraction of BraTS's, per axis
  double shiftMm, rotationDeg;    // field-of-view centre shift, rotation about a random axis
  double permuteProbability;      // grid axes in another anatomical order
  double scaleLow, scaleHigh;     // final intensity scale
  double biasHigh, noiseHigh, blurHigh, gammaSd;
  double radiusLow, radiusHigh;  // enhancing boundary of the main focus, mm
  int lobesLow, lobesHigh;       // spheres whose union makes a focus
  double lobulationHigh;         // boundary wobble
  double multifocalProbability;
  double noNecrosisProbability, noEnhancingProbability, noOedemaProbability;
  double oedemaLow, oedemaHigh;       // oedema boundary / enhancing boundary
  double heterogeneityHigh;           // intensity texture inside the tumour
  std::array<double, 5> siteWeights;  // cortex, deep WM, cerebellum, periventricular, anywhere
  uint64_t salt;
  // Held out, hard (0 in the others, which keep the radius range, a necrotic core as a ratio of
  // the radius and satellites as fractions of the main focus): the main focus is scaled to a
  // whole-tumour volume drawn log-uniform, so that small and very large lesions are equally
  // common per factor of size; the NCR lies under an enhancing rim of drawn thickness, so that
  // thin rims occur at every size; multifocal cases get satellites of a few mm.
  double volumeLowMl = 0, volumeHighMl = 0;  // whole tumour (NCR, ED and ET) inside the brain
  double rimLowMm = 0, rimHighMm = 0;        // enhancing rim around the NCR, focus-frame mm
  double satelliteRadiusLow = 0, satelliteRadiusHigh = 0;  // enhancing boundary, mm
  // Training with wide contrasts (0 in the others): after the jitter, the orderings that hold
  // on real scans are restored with this margin, so that a wide jitter never makes a label
  // invisible (ET brighter than every other class on T1ce and the NCR darker than the ET;
  // oedema brighter than normal tissue on FLAIR and, unless T2 is a free channel, on T2; CSF
  // darker than grey and white matter on FLAIR).
  double orderMargin = 0;
};

constexpr ProfileRanges kTraining{&kTrainingContrast,
                                  0.12,
                                  0.15,
                                  0.75,
                                  1.1,
                                  15.0,
                                  10.0,
                                  0.3,
                                  50.0,
                                  3000.0,
                                  0.35,
                                  0.06,
                                  1.2,
                                  0.25,
                                  5.0,
                                  30.0,
                                  1,
                                  4,
                                  0.3,
                                  0.25,
                                  0.2,
                                  0.12,
                                  0.1,
                                  1.1,
                                  2.4,
                                  0.15,
                                  {0.25, 0.25, 0.15, 0.2, 0.15},
                                  0x7A41C0DEull};
constexpr ProfileRanges kHeldout{&kHeldoutContrast,
                                 0.05,
                                 0.0,
                                 0.85,
                                 1.05,
                                 10.0,
                                 8.0,
                                 0.4,
                                 1.0,
                                 40.0,
                                 0.25,
                                 0.04,
                                 0.8,
                                 0.15,
                                 8.0,
                                 26.0,
                                 3,
                                 6,
                                 0.2,
                                 0.2,
                                 0.15,
                                 0.1,
                                 0.05,
                                 1.2,
                                 2.2,
                                 0.1,
                                 {0.3, 0.2, 0.2, 0.2, 0.1},
                                 0x4E1D0C7Aull};
// Sites where lesions are hard to find weighted up (cortex, cerebellum, by the ventricles); no
// NCR, no ET or no oedema more often; noisier, more bias, an intensity scale of its own.
constexpr ProfileRanges kHeldoutHard{&kHeldoutHardContrast,
                                     0.06,     // contrastJitter
                                     0.05,     // freeChannelProbability
                                     0.85,     // fovLow
                                     1.05,     // fovHigh
                                     12.0,     // shiftMm
                                     12.0,     // rotationDeg
                                     0.4,      // permuteProbability
                                     300.0,    // scaleLow
                                     30000.0,  // scaleHigh
                                     0.4,      // biasHigh
                                     0.055,    // noiseHigh
                                     1.1,      // blurHigh
                                     0.2,      // gammaSd
                                     0.0,      // radiusLow: the volume range instead
                                     0.0,      // radiusHigh
                                     1,        // lobesLow
                                     4,        // lobesHigh
                                     0.25,     // lobulationHigh
                                     0.3,      // multifocalProbability: satellites
                                     0.2,      // noNecrosisProbability
                                     0.15,     // noEnhancingProbability
                                     0.06,     // noOedemaProbability
                                     1.1,      // oedemaLow
                                     2.0,      // oedemaHigh
                                     0.2,      // heterogeneityHigh
                                     {0.3, 0.1, 0.25, 0.25, 0.1},  // siteWeights
                                     0x48A2D0E5ull,                // salt
                                     1.0,                          // volumeLowMl
                                     250.0,                        // volumeHighMl
                                     1.0,                          // rimLowMm
                                     6.0,                          // rimHighMm
                                     2.0,                          // satelliteRadiusLow
                                     5.0};                         // satelliteRadiusHigh

// Training with lesions of every size: the training profile's contrasts and artefacts, with
// the sized tumours, drawn rims and satellites of the held-out-hard profile's kind (its own
// ranges and draws), so that small lesions and thin rims are learned at all.
constexpr ProfileRanges trainingWithLesionsOfEverySize() {
  ProfileRanges wide = kTraining;
  wide.radiusLow = wide.radiusHigh = 0;  // the volume range instead
  wide.volumeLowMl = 1.0;
  wide.volumeHighMl = 250.0;
  wide.rimLowMm = 1.0;
  wide.rimHighMm = 8.0;
  wide.multifocalProbability = 0.3;  // satellites
  wide.satelliteRadiusLow = 2.0;
  wide.satelliteRadiusHigh = 6.0;
  wide.noEnhancingProbability = 0.15;
  wide.noOedemaProbability = 0.08;
  wide.siteWeights = {0.25, 0.2, 0.2, 0.2, 0.15};  // the cerebellum more often
  wide.salt = 0x7A41C0E1ull;
  return wide;
}
constexpr ProfileRanges kTrainingWide = trainingWithLesionsOfEverySize();

// Lesions of every size with contrasts drawn far more widely (SynthSeg's lesson: a model that
// has seen every contrast relies on what all scans share, not on one table): the per-class
// jitter and the share of free T1 / T2 channels raised, stronger artefacts, and the orderings
// real scans keep restored after the jitter. Its ranges are set around the training table, not
// from either held-out one.
constexpr ProfileRanges trainingWithWideContrasts() {
  ProfileRanges wide = kTrainingWide;
  wide.contrastJitter = 0.2;
  wide.freeChannelProbability = 0.5;
  wide.scaleLow = 10.0;
  wide.scaleHigh = 50000.0;
  wide.biasHigh = 0.45;
  wide.noiseHigh = 0.08;
  wide.blurHigh = 1.4;
  wide.gammaSd = 0.3;
  wide.heterogeneityHigh = 0.25;
  wide.orderMargin = 0.2;
  wide.salt = 0x7A41C0E7ull;
  return wide;
}
constexpr ProfileRanges kTrainingWideContrasts = trainingWithWideContrasts();

const ProfileRanges& rangesOf(RandomisedProfile profile) {
  switch (profile) {
    case RandomisedProfile::Training:
      return kTraining;
    case RandomisedProfile::Heldout:
      return kHeldout;
    case RandomisedProfile::HeldoutHard:
      return kHeldoutHard;
    case RandomisedProfile::TrainingWide:
      return kTrainingWide;
    case RandomisedProfile::TrainingWideContrasts:
      return kTrainingWideContrasts;
  }
  throw std::invalid_argument("unknown generator profile");
}

using Matrix = std::array<double, 9>;  // row-major

Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix c{};
  for (int r = 0; r < 3; ++r)
    for (int col = 0; col < 3; ++col)
      for (int k = 0; k < 3; ++k) c[3 * r + col] += a[3 * r + k] * b[3 * k + col];
  return c;
}

// Each factor of size as likely as any other between low and high.
double logUniform(Random& random, double low, double high) {
  return std::exp(random.uniform(std::log(low), std::log(high)));
}

Vec3 randomUnit(Random& random) {
  Vec3 d{random.normal(), random.normal(), random.normal()};
  const double norm = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) + 1e-12;
  for (double& x : d) x /= norm;
  return d;
}

// Rotation by `angle` radians about unit `axis` (Rodrigues).
Matrix rotationAbout(const Vec3& axis, double angle) {
  const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
  const double x = axis[0], y = axis[1], z = axis[2];
  return {t * x * x + c,     t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c,
          t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c};
}

Matrix randomRotation(Random& random) {
  return rotationAbout(randomUnit(random), random.uniform(0, 2 * M_PI));
}

// Soft tissue classes (CSF, GM, WM) of a T1 intensity, as io/synthetic_case.cpp computes them.
std::array<double, 3> memberships(double t1, const std::array<double, 3>& means, double sigma) {
  std::array<double, 3> w{};
  double total = 1e-12;
  for (int c = 0; c < 3; ++c) {
    const double z = (t1 - means[c]) / sigma;
    w[c] = std::exp(-0.5 * z * z);
    total += w[c];
  }
  for (double& x : w) x /= total;
  return w;
}

// A smooth random texture in space: a few plane waves of 8..30 mm wavelength, values in [-1, 1].
struct SpaceNoise {
  std::array<Vec3, 5> waves;
  std::array<double, 5> phases;
  explicit SpaceNoise(Random& random) {
    for (int m = 0; m < 5; ++m) {
      const Vec3 d = randomUnit(random);
      const double k = 2 * M_PI / random.uniform(8.0, 30.0);
      waves[m] = {d[0] * k, d[1] * k, d[2] * k};
      phases[m] = random.uniform(0, 2 * M_PI);
    }
  }
  double operator()(const Vec3& p) const {
    double value = 0;
    for (int m = 0; m < 5; ++m)
      value += std::sin(waves[m][0] * p[0] + waves[m][1] * p[1] + waves[m][2] * p[2] + phases[m]);
    return value / 5;
  }
};

constexpr double kFar = 1e9;
constexpr double kNoNecrosis = std::numeric_limits<double>::infinity();  // as a rim: all ET

// Where a point lies in a focus: ratios to the core (enhancing) and oedema boundaries, < 1
// inside, and with a rim-drawn profile the depth under the NCR boundary, mm, < 0 inside.
struct Ratios {
  double core = kFar, oedema = kFar, necroticDepth = kFar;
};

// One tumour focus: a union of lobes (spheres, stretched and rotated, with wobbly boundaries);
// distances are measured as "ratio to the enhancing boundary", < 1 inside.
struct Focus {
  Vec3 centre;
  Matrix rotation;  // world -> focus frame (rows are the frame's axes)
  Vec3 stretch;
  std::vector<Vec3> lobeOffsets;  // in the focus frame, mm
  std::vector<double> lobeRadii;  // mm
  double necroticRatio = 0;       // NCR inside this ratio (0: none)
  double rimMm = 0;               // with a rim range: NCR this many mm under the core boundary
  bool enhancing;                 // false: the core is all NCR (non-enhancing)
  double oedemaRatio;             // oedema inside this ratio (<= 1: none)
  std::vector<double> lobeReach;  // focus-frame mm beyond which a lobe adds nothing
  double reach;                   // world mm from the centre beyond which nothing is tumour
  SphereNoise coreShape, oedemaShape;

  Focus(Random& random, const ProfileRanges& ranges, const Vec3& at, double radius)
      : centre(at),
        rotation(randomRotation(random)),
        coreShape(random, random.uniform(0.02, ranges.lobulationHigh)),
        oedemaShape(random, random.uniform(0.05, 0.3)) {
    for (double& s : stretch) s = random.uniform(0.7, 1.35);
    const int lobes =
        ranges.lobesLow +
        static_cast<int>(random.uniform() * (ranges.lobesHigh - ranges.lobesLow + 1) - 1e-9);
    for (int l = 0; l < std::max(1, lobes); ++l) {
      const double r = l == 0 ? radius : radius * random.uniform(0.4, 0.8);
      const Vec3 d = randomUnit(random);
      const double away = l == 0 ? 0 : radius * random.uniform(0.4, 0.9);
      lobeOffsets.push_back({d[0] * away, d[1] * away, d[2] * away});
      lobeRadii.push_back(r);
    }
    drawNecrosis(random, ranges);
    enhancing = random.uniform() >= ranges.noEnhancingProbability;
    oedemaRatio = random.uniform() < ranges.noOedemaProbability
                      ? 0.0
                      : random.uniform(ranges.oedemaLow, ranges.oedemaHigh);
    // How far (in the focus frame) each lobe can reach, from the largest possible wobble.
    const double grow = std::max(1 + coreShape.largest(),
                                 std::max(1.0, oedemaRatio) * (1 + oedemaShape.largest()) * 1.2);
    reach = 0;
    for (size_t l = 0; l < lobeRadii.size(); ++l) {
      lobeReach.push_back(lobeRadii[l] * grow);
      const Vec3& o = lobeOffsets[l];
      reach = std::max(reach, std::sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2]) + lobeReach[l]);
    }
    reach *= *std::max_element(stretch.begin(), stretch.end());
  }

  // A necrotic core as a ratio of the radius, or (a rim range) under a rim of drawn thickness.
  void drawNecrosis(Random& random, const ProfileRanges& ranges) {
    const bool none = random.uniform() < ranges.noNecrosisProbability;
    if (ranges.rimHighMm > 0)
      rimMm = none ? kNoNecrosis : logUniform(random, ranges.rimLowMm, ranges.rimHighMm);
    else
      necroticRatio = none ? 0.0 : random.uniform(0.3, 0.8);
  }

  // The same shape `factor` times as large; a rim keeps its thickness.
  void scale(double factor) {
    for (Vec3& o : lobeOffsets)
      for (double& x : o) x *= factor;
    for (double& r : lobeRadii) r *= factor;
    for (double& r : lobeReach) r *= factor;
    reach *= factor;
  }

  // Where world point p lies (kFar when far).
  Ratios ratios(const Vec3& p, double whiteMatter) const {
    const Vec3 d{p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]};
    if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > reach * reach) return {};
    Vec3 local{};
    for (int r = 0; r < 3; ++r)
      local[r] =
          (rotation[3 * r] * d[0] + rotation[3 * r + 1] * d[1] + rotation[3 * r + 2] * d[2]) /
          stretch[r];
    Ratios at;
    for (size_t l = 0; l < lobeRadii.size(); ++l) {
      const Vec3 q{local[0] - lobeOffsets[l][0], local[1] - lobeOffsets[l][1],
                   local[2] - lobeOffsets[l][2]};
      const double rho2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2];
      if (rho2 > lobeReach[l] * lobeReach[l]) continue;
      const double rho = std::sqrt(rho2);
      Vec3 unit{0, 0, 1};
      if (rho > 1e-9) unit = {q[0] / rho, q[1] / rho, q[2] / rho};
      const double base = rho / lobeRadii[l];
      const double wobble = 1 + coreShape(unit);
      at.core = std::min(at.core, base / wobble);
      if (rimMm > 0)
        at.necroticDepth = std::min(at.necroticDepth, rho - (lobeRadii[l] * wobble - rimMm));
      // Oedema spreads along white matter more than grey.
      if (oedemaRatio > 1)
        at.oedema = std::min(
            at.oedema, base / (oedemaRatio * (1 + oedemaShape(unit)) * (0.8 + 0.4 * whiteMatter)));
    }
    return at;
  }
};

// What the foci make of a point: the focus whose core is nearest decides NCR and ET.
struct TumourAt {
  const Focus* nearest;
  Ratios ratios;  // the smallest core and oedema ratios, the nearest focus's NCR depth
};

TumourAt tumourAt(const std::vector<Focus>& foci, const Vec3& p, double whiteMatter) {
  TumourAt at{&foci.front(), {}};
  for (const Focus& focus : foci) {
    const Ratios r = focus.ratios(p, whiteMatter);
    if (r.core < at.ratios.core) {
      at.nearest = &focus;
      at.ratios.necroticDepth = r.necroticDepth;
    }
    at.ratios.core = std::min(at.ratios.core, r.core);
    at.ratios.oedema = std::min(at.ratios.oedema, r.oedema);
  }
  return at;
}

uint8_t labelOf(const TumourAt& at) {
  const Focus& focus = *at.nearest;
  const Ratios& r = at.ratios;
  const bool necrotic =
      r.core < focus.necroticRatio || r.necroticDepth < 0 || (!focus.enhancing && r.core < 1);
  if (necrotic) return kNcr;
  if (r.core < 1) return kEt;
  return r.oedema < 1 ? kEd : 0;
}

// How much of a voxel's intensity is the necrotic core's. The partial-volume edge of a ratio
// widens with the focus; under a rim it is 1 mm wide, else a thin rim would be blurred away.
double necroticWeight(const TumourAt& at) {
  const Focus& focus = *at.nearest;
  if (!focus.enhancing) return inside(at.ratios.core);
  if (focus.rimMm > 0) return std::clamp(0.5 - at.ratios.necroticDepth, 0.0, 1.0);
  return inside(at.ratios.core / std::max(1e-3, focus.necroticRatio));
}

// Template geometry in anatomical terms: the brain's physical bounding box (LPS mm).
struct Anatomy {
  Vec3 low{1e9, 1e9, 1e9}, high{-1e9, -1e9, -1e9};
  Vec3 centre() const {
    return {0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1]), 0.5 * (low[2] + high[2])};
  }
  // 0..1 within the box along x (left), y (posterior), z (superior).
  Vec3 normalised(const Vec3& p) const {
    return {(p[0] - low[0]) / (high[0] - low[0]), (p[1] - low[1]) / (high[1] - low[1]),
            (p[2] - low[2]) / (high[2] - low[2])};
  }
};

Anatomy anatomyOf(const BrainTemplate& brain) {
  const auto [low, high] = brainIndexBox(brain.brainMask);
  Anatomy anatomy;
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3 index{(corner & 1) ? high[0] : low[0], (corner & 2) ? high[1] : low[1],
                     (corner & 4) ? high[2] : low[2]};
    const Vec3 p = indexToPhysical(brain.t1.geometry, index);
    for (int a = 0; a < 3; ++a) {
      anatomy.low[a] = std::min(anatomy.low[a], p[a]);
      anatomy.high[a] = std::max(anatomy.high[a], p[a]);
    }
  }
  return anatomy;
}

// A tumour site: a random brain point of the kind chosen (cortex, deep white matter,
// cerebellum, near the ventricles, anywhere).
Vec3 pickSite(Random& random, const BrainTemplate& brain, const Anatomy& anatomy, int kind,
              double sigma) {
  Vec3 fallback = anatomy.centre();
  for (int attempt = 0; attempt < 4000; ++attempt) {
    Vec3 p;
    for (int a = 0; a < 3; ++a) p[a] = random.uniform(anatomy.low[a], anatomy.high[a]);
    const Vec3 index = physicalToIndex(brain.t1.geometry, p);
    if (sample(brain.brainMask, index) <= 0.5) continue;
    fallback = p;
    const auto w = memberships(sample(brain.t1, index), brain.tissueMeans, sigma);
    const Vec3 u = anatomy.normalised(p);
    const bool central = std::fabs(u[0] - 0.5) < 0.2 && std::fabs(u[1] - 0.5) < 0.25;
    bool fits = true;
    switch (kind) {
      case 0:  // cortex
        fits = w[1] > 0.5 && u[2] > 0.3;
        break;
      case 1:  // deep white matter
        fits = w[2] > 0.6 && std::fabs(u[0] - 0.5) < 0.3 && u[2] > 0.35 && u[2] < 0.8;
        break;
      case 2:  // cerebellum: inferior and posterior (LPS: +y is posterior)
        fits = u[2] < 0.28 && u[1] > 0.62;
        break;
      case 3:  // next to the ventricles
        fits = w[0] > 0.5 && central && u[2] > 0.4 && u[2] < 0.72;
        break;
      default:
        break;
    }
    if (fits) return p;
  }
  return fallback;
}

// A brain point lowMm..highMm from `from` in a random direction (`from` if 200 tries miss).
Vec3 nearbyInBrain(Random& random, const BrainTemplate& brain, const Vec3& from, double lowMm,
                   double highMm) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const Vec3 d = randomUnit(random);
    const double away = random.uniform(lowMm, highMm);
    const Vec3 candidate{from[0] + d[0] * away, from[1] + d[1] * away, from[2] + d[2] * away};
    if (sample(brain.brainMask, physicalToIndex(brain.t1.geometry, candidate)) > 0.5)
      return candidate;
  }
  return from;
}

// The focus's whole tumour (core or oedema) inside the template's brain, mL, counted on a grid
// of 32^3 points over its reach.
double wholeTumourMl(const Focus& focus, const BrainTemplate& brain, double sigma) {
  constexpr int n = 32;
  const double step = 2 * focus.reach / n;
  int64_t count = 0;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int c = 0; c < n; ++c) {
        const Vec3 d{(a + 0.5) * step - focus.reach, (b + 0.5) * step - focus.reach,
                     (c + 0.5) * step - focus.reach};
        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] > focus.reach * focus.reach) continue;
        const Vec3 p{focus.centre[0] + d[0], focus.centre[1] + d[1], focus.centre[2] + d[2]};
        const Vec3 index = physicalToIndex(brain.t1.geometry, p);
        if (sample(brain.brainMask, index) <= 0.5) continue;
        const auto w = memberships(sample(brain.t1, index), brain.tissueMeans, sigma);
        const Ratios r = focus.ratios(p, w[2]);
        count += std::min(r.core, r.oedema) < 1;
      }
  return static_cast<double>(count) * step * step * step / 1000;
}

// Scales the focus until its whole tumour inside the brain is near `targetMl`: one at the
// cortex or in the cerebellum loses what lies outside the brain, and grows to make up for it.
void scaleToVolume(Focus& focus, double targetMl, const BrainTemplate& brain, double sigma) {
  for (int round = 0; round < 3; ++round) {
    const double ml = wholeTumourMl(focus, brain, sigma);
    focus.scale(std::clamp(std::cbrt(targetMl / std::max(ml, 0.01)), 0.5, 2.0));
  }
}

// One to three foci of a few mm beside the main one's whole tumour, solid (no NCR); they share
// its enhancement and its lack of oedema, so that a case without ET has none anywhere.
void addSatellites(std::vector<Focus>& foci, Random& random, const ProfileRanges& ranges,
                   const BrainTemplate& brain, double mainMm) {
  const int count = 1 + static_cast<int>(random.uniform() * 3 - 1e-9);
  for (int s = 0; s < count; ++s) {
    const Vec3 at = nearbyInBrain(random, brain, foci.front().centre, mainMm + 3, mainMm + 20);
    Focus satellite(random, ranges, at,
                    random.uniform(ranges.satelliteRadiusLow, ranges.satelliteRadiusHigh));
    satellite.rimMm = kNoNecrosis;
    satellite.enhancing = foci.front().enhancing;
    if (foci.front().oedemaRatio <= 1) satellite.oedemaRatio = 0;  // reach stays an upper bound
    foci.push_back(std::move(satellite));
  }
}

// A main focus scaled to a whole-tumour volume drawn log-uniform, sometimes satellites.
std::vector<Focus> drawSizedFoci(Random& random, const ProfileRanges& ranges,
                                 const BrainTemplate& brain, const Anatomy& anatomy, int kind,
                                 double sigma) {
  const double targetMl = logUniform(random, ranges.volumeLowMl, ranges.volumeHighMl);
  const double sphereMm = std::cbrt(3000 * targetMl / (4 * M_PI));  // of the same volume
  std::vector<Focus> foci;
  foci.emplace_back(random, ranges, pickSite(random, brain, anatomy, kind, sigma), sphereMm / 1.5);
  scaleToVolume(foci.front(), targetMl, brain, sigma);
  if (random.uniform() < ranges.multifocalProbability)
    addSatellites(foci, random, ranges, brain, sphereMm);
  return foci;
}

// The tumour: a main focus at a chosen kind of site, sometimes more foci.
std::vector<Focus> drawFoci(Random& random, const ProfileRanges& ranges, const BrainTemplate& brain,
                            const Anatomy& anatomy, double sigma) {
  double siteDraw = random.uniform();
  int kind = 0;
  while (kind < 4 && siteDraw >= ranges.siteWeights[kind]) siteDraw -= ranges.siteWeights[kind++];
  if (ranges.volumeHighMl > 0) return drawSizedFoci(random, ranges, brain, anatomy, kind, sigma);
  const double radius = random.uniform(ranges.radiusLow, ranges.radiusHigh);
  std::vector<Focus> foci;
  foci.emplace_back(random, ranges, pickSite(random, brain, anatomy, kind, sigma), radius);
  if (random.uniform() < ranges.multifocalProbability) {
    const int extra = random.uniform() < 0.6 ? 1 : 2;
    for (int f = 0; f < extra; ++f) {
      const Vec3 at = nearbyInBrain(random, brain, foci.front().centre, 20.0, 50.0);
      foci.emplace_back(random, ranges, at, radius * random.uniform(0.3, 0.7));
    }
  }
  return foci;
}

// In-place separable Gaussian blur of one channel [nk][nj][ni] with sigma in voxels per axis.
void blur(std::vector<float>& data, const std::array<int64_t, 3>& size, const Vec3& sigma) {
  const int64_t ni = size[0], nj = size[1], nk = size[2];
  const int64_t strides[3] = {1, ni, ni * nj};
  std::vector<float> line;
  for (int axis = 0; axis < 3; ++axis) {
    if (sigma[axis] < 0.3) continue;
    const int radius = static_cast<int>(std::ceil(2.5 * sigma[axis]));
    std::vector<double> kernel(2 * radius + 1);
    double total = 0;
    for (int t = -radius; t <= radius; ++t)
      total += kernel[t + radius] = std::exp(-0.5 * t * t / (sigma[axis] * sigma[axis]));
    for (double& k : kernel) k /= total;
    const int64_t n = size[axis], stride = strides[axis];
    line.resize(n);
    for (int64_t k = 0; k < (axis == 2 ? 1 : nk); ++k)
      for (int64_t j = 0; j < (axis == 1 ? 1 : nj); ++j)
        for (int64_t i = 0; i < (axis == 0 ? 1 : ni); ++i) {
          const int64_t base = k * ni * nj + j * ni + i;
          for (int64_t x = 0; x < n; ++x) line[x] = data[base + x * stride];
          for (int64_t x = 0; x < n; ++x) {
            double value = 0;
            for (int t = -radius; t <= radius; ++t)
              value += kernel[t + radius] * line[std::clamp<int64_t>(x + t, 0, n - 1)];
            data[base + x * stride] = static_cast<float>(value);
          }
        }
  }
}

// What holds on every real scan, restored after a wide jitter (see ProfileRanges::orderMargin).
void keepRealOrderings(std::array<std::array<double, kClasses>, kModalities>& contrast,
                       const std::array<bool, kModalities>& freeChannel, double margin) {
  constexpr int kCsf = 0, kGm = 1, kWm = 2, kNcrClass = 3, kEdClass = 4, kEtClass = 5;
  constexpr int kT1ce = 1, kT2 = 2, kFlair = 3;
  auto& t1ce = contrast[kT1ce];
  const double brightestOtherOnT1ce =
      std::max({t1ce[kCsf], t1ce[kGm], t1ce[kWm], t1ce[kNcrClass], t1ce[kEdClass]});
  t1ce[kEtClass] = std::max(t1ce[kEtClass], brightestOtherOnT1ce + margin);
  t1ce[kNcrClass] = std::min(t1ce[kNcrClass], t1ce[kEtClass] - 2 * margin);
  auto& flair = contrast[kFlair];
  flair[kEdClass] = std::max(flair[kEdClass], std::max(flair[kGm], flair[kWm]) + margin);
  flair[kCsf] = std::min(flair[kCsf], std::min(flair[kGm], flair[kWm]) - margin);
  if (!freeChannel[kT2]) {
    auto& t2 = contrast[kT2];
    t2[kEdClass] = std::max(t2[kEdClass], std::max(t2[kGm], t2[kWm]) + margin);
  }
  for (auto& channel : contrast)
    for (double& value : channel) value = std::clamp(value, 0.03, 1.3);
}

}  // namespace

RandomisedProfile parseRandomisedProfile(const std::string& name) {
  if (name == "training") return RandomisedProfile::Training;
  if (name == "heldout") return RandomisedProfile::Heldout;
  if (name == "heldout-hard") return RandomisedProfile::HeldoutHard;
  if (name == "training-wide") return RandomisedProfile::TrainingWide;
  if (name == "training-wide-contrasts") return RandomisedProfile::TrainingWideContrasts;
  throw std::invalid_argument("unknown generator profile '" + name +
                              "': expected training, training-wide, training-wide-contrasts, "
                              "heldout or heldout-hard");
}

RandomisedProfile trainingProfileOf(bool wideLesions, bool wideContrasts) {
  if (wideContrasts) return RandomisedProfile::TrainingWideContrasts;
  return wideLesions ? RandomisedProfile::TrainingWide : RandomisedProfile::Training;
}

const char* randomisedProfileName(RandomisedProfile profile) {
  switch (profile) {
    case RandomisedProfile::Training:
      return "training";
    case RandomisedProfile::Heldout:
      return "heldout";
    case RandomisedProfile::HeldoutHard:
      return "heldout-hard";
    case RandomisedProfile::TrainingWide:
      return "training-wide";
    case RandomisedProfile::TrainingWideContrasts:
      return "training-wide-contrasts";
  }
  return "unknown";
}

SyntheticCase synthesizeRandomisedCase(const BrainTemplate& brain,
                                       const std::array<int64_t, 3>& size, uint64_t seed, int index,
                                       RandomisedProfile profile, std::optional<uint64_t> scanner) {
  for (int64_t n : size)
    if (n < 8 || n > 1024) throw std::invalid_argument("synthetic size must be 8..1024 per axis");
  const ProfileRanges& ranges = rangesOf(profile);
  Random random(mixSeed(seed ^ ranges.salt, index));
  const Anatomy anatomy = anatomyOf(brain);
  const auto& means = brain.tissueMeans;
  const double sigma = std::max(1.0, (means[2] - means[0]) / 4.0);

  const std::vector<Focus> foci = drawFoci(random, ranges, brain, anatomy, sigma);

  // Storage: axis order, flips and a small oblique rotation; field of view and its centre.
  std::array<int, 3> order{0, 1, 2};  // grid axis a shows anatomical axis order[a]
  if (random.uniform() < ranges.permuteProbability) {
    for (int a = 2; a > 0; --a)
      std::swap(order[a], order[static_cast<int>(random.uniform() * (a + 1) - 1e-9)]);
  }
  Matrix storage{};
  for (int a = 0; a < 3; ++a) storage[3 * order[a] + a] = random.uniform() < 0.3 ? -1.0 : 1.0;
  const Matrix direction = multiply(
      rotationAbout(randomUnit(random), random.uniform(-1, 1) * ranges.rotationDeg * M_PI / 180),
      storage);
  SyntheticCase result;
  Geometry& g = result.image.geometry;
  Vec3 fieldOfView;
  for (int a = 0; a < 3; ++a) {
    fieldOfView[a] = kFieldOfViewMm[order[a]] * random.uniform(ranges.fovLow, ranges.fovHigh);
    g.spacing[a] = fieldOfView[a] / static_cast<double>(size[a]);
  }
  Vec3 centre = anatomy.centre();
  for (double& c : centre) c += random.uniform(-ranges.shiftMm, ranges.shiftMm);
  // Keep the main focus in the middle 60 % of the field of view.
  for (int a = 0; a < 3; ++a) {
    double along = 0;
    for (int r = 0; r < 3; ++r)
      along += direction[3 * r + a] * (foci.front().centre[r] - centre[r]);
    const double limit = 0.3 * fieldOfView[a];
    const double move = along - std::clamp(along, -limit, limit);
    for (int r = 0; r < 3; ++r) centre[r] += direction[3 * r + a] * move;
  }
  g.direction = direction;
  for (int r = 0; r < 3; ++r) {
    g.origin[r] = centre[r];
    for (int a = 0; a < 3; ++a)
      g.origin[r] -= direction[3 * r + a] * g.spacing[a] * 0.5 * static_cast<double>(size[a] - 1);
  }
  setNiftiFromPlacement(g);

  // Per-case contrasts: each channel's class intensities, texture and artefacts.
  std::array<std::array<double, kClasses>, kModalities> contrast;
  std::array<bool, kModalities> freeChannel{};
  for (int m = 0; m < kModalities; ++m) {
    const bool free = (m == 0 || m == 2) && random.uniform() < ranges.freeChannelProbability;
    freeChannel[m] = free;
    for (int c = 0; c < kClasses; ++c)
      contrast[m][c] =
          free ? random.uniform(0.05, 1.0)
               : std::clamp((*ranges.contrast)[m][c] + ranges.contrastJitter * random.normal(),
                            0.03, 1.3);
  }
  if (ranges.orderMargin > 0) keepRealOrderings(contrast, freeChannel, ranges.orderMargin);
  if (scanner) {  // the scanner's table, the same for every case (the draws above still made)
    Random site(mixSeed(*scanner ^ ranges.salt, -1));
    for (int m = 0; m < kModalities; ++m)
      for (int c = 0; c < kClasses; ++c)
        contrast[m][c] = std::clamp(
            (*ranges.contrast)[m][c] + kScannerContrastJitter * site.normal(), 0.03, 1.3);
  }
  const double heterogeneity = random.uniform(0.0, ranges.heterogeneityHigh);
  const SpaceNoise texture(random);
  const double maskThreshold = random.uniform(0.3, 0.7);  // skull stripping, tighter or looser

  const int64_t ni = size[0], nj = size[1], nk = size[2], perChannel = ni * nj * nk;
  result.image.shape = {4, nk, nj, ni};
  result.image.voxels.assign(4 * perChannel, 0.0f);
  result.labels.shape = {nk, nj, ni};
  result.labels.geometry = g;
  result.labels.labels.assign(perChannel, 0);
  std::vector<uint8_t> inBrain(perChannel, 0);

  for (int64_t k = 0, v = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i, ++v) {
        const Vec3 p = indexToPhysical(g, {double(i), double(j), double(k)});
        const Vec3 source = physicalToIndex(brain.t1.geometry, p);
        if (sample(brain.brainMask, source) <= maskThreshold) continue;
        inBrain[v] = 1;
        const auto w = memberships(sample(brain.t1, source), means, sigma);
        const TumourAt at = tumourAt(foci, p, w[2]);
        result.labels.labels[v] = labelOf(at);
        const double shade = 1 + heterogeneity * texture(p);
        const double necrotic = necroticWeight(at);
        for (int m = 0; m < kModalities; ++m) {
          const auto& table = contrast[m];
          double value = w[0] * table[0] + w[1] * table[1] + w[2] * table[2];
          value += inside(at.ratios.oedema) * (0.3 * value + 0.7 * table[4] * shade - value);
          if (at.nearest->enhancing) value += inside(at.ratios.core) * (table[5] * shade - value);
          value += necrotic * (table[3] * shade - value);
          result.image.voxels[m * perChannel + v] = static_cast<float>(value);
        }
      }

  // Artefacts per channel: resolution (blur), bias field, gamma, noise, scale; zero outside.
  for (int m = 0; m < kModalities; ++m) {
    std::vector<float> channel(result.image.channel(m), result.image.channel(m) + perChannel);
    Vec3 blurSigma{};
    if (random.uniform() < 0.6) {
      const int thick = static_cast<int>(random.uniform() * 3 - 1e-9);  // a thick-slice axis
      for (int a = 0; a < 3; ++a)
        blurSigma[a] = random.uniform(0, ranges.blurHigh) * (a == thick ? 2.0 : 0.5);
    }
    blur(channel, size, blurSigma);
    std::array<double, 9> bias;
    for (double& c : bias) c = random.uniform(-ranges.biasHigh, ranges.biasHigh);
    const double gamma = std::exp(ranges.gammaSd * random.normal());
    const double noise = random.uniform(0.005, ranges.noiseHigh);
    const double scale = random.uniform(ranges.scaleLow, ranges.scaleHigh);
    float* out = result.image.channel(m);
    for (int64_t k = 0, v = 0; k < nk; ++k)
      for (int64_t j = 0; j < nj; ++j)
        for (int64_t i = 0; i < ni; ++i, ++v) {
          if (!inBrain[v]) {
            out[v] = 0.0f;
            continue;
          }
          const double n1 = random.normal(), n2 = random.normal();
          const double x[3] = {2.0 * i / double(ni - 1) - 1, 2.0 * j / double(nj - 1) - 1,
                               2.0 * k / double(nk - 1) - 1};
          const auto& b = bias;
          const double field = std::exp(
              b[0] * x[0] + b[1] * x[1] + b[2] * x[2] + b[3] * x[0] * x[0] + b[4] * x[1] * x[1] +
              b[5] * x[2] * x[2] + b[6] * x[0] * x[1] + b[7] * x[1] * x[2] + b[8] * x[0] * x[2]);
          double value = std::pow(std::max(0.0, double(channel[v])), gamma) * field;
          // Rician noise: the magnitude of a complex signal with Gaussian noise.
          value = std::hypot(value + noise * n1, noise * n2);
          out[v] = static_cast<float>(std::max(1e-3, scale * value));
        }
  }
  return result;
}

}  // namespace seqseg
