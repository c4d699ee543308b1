#include "io/synthetic_case.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "io/image_reader.h"
#include "io/nifti_geometry.h"
#include "io/synthesis_support.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

constexpr int kNcr = 1, kEd = 2, kEt = 3;
using namespace synthesis;

// Relative intensity of each class in each modality (T1, T1ce, T2, FLAIR), for
// CSF, grey matter, white matter, necrotic core, oedema, enhancing tumour.
constexpr double kContrast[4][6] = {
    {0.30, 0.55, 0.75, 0.22, 0.45, 0.55},
    {0.30, 0.55, 0.75, 0.18, 0.45, 1.00},
    {1.00, 0.65, 0.45, 0.95, 0.85, 0.65},
    {0.15, 0.60, 0.45, 0.55, 0.95, 0.80},
};

std::array<double, 3> tissueMeans(const Volume& t1, const Volume& mask) {
  std::vector<float> brain;
  for (size_t i = 0; i < t1.voxels.size(); ++i)
    if (mask.voxels[i] > 0) brain.push_back(t1.voxels[i]);
  if (brain.size() < 1000) throw InputError("brain template", "has almost no brain voxels");
  std::sort(brain.begin(), brain.end());
  std::array<double, 3> means{brain[brain.size() / 10], brain[brain.size() / 2],
                              brain[brain.size() * 9 / 10]};
  for (int iteration = 0; iteration < 30; ++iteration) {  // 1D k-means, sorted data
    std::array<double, 3> sum{}, count{};
    for (float value : brain) {
      int best = 0;
      for (int c = 1; c < 3; ++c)
        if (std::fabs(value - means[c]) < std::fabs(value - means[best])) best = c;
      sum[best] += value;
      count[best] += 1;
    }
    for (int c = 0; c < 3; ++c)
      if (count[c] > 0) means[c] = sum[c] / count[c];
  }
  return means;
}

}  // namespace

BrainTemplate loadBrainTemplate(const std::string& directory) {
  const std::filesystem::path dir(directory);
  for (const char* name : {"ch2.nii.gz", "ch2bet.nii.gz"})
    if (!std::filesystem::exists(dir / name))
      throw InputError((dir / name).string(),
                       "Colin27 template not found (install the Debian package mricron-data)");
  BrainTemplate brain;
  brain.t1 = readImage((dir / "ch2.nii.gz").string(), ExpectedRank::Volume3D);
  brain.brainMask = readImage((dir / "ch2bet.nii.gz").string(), ExpectedRank::Volume3D);
  brain.tissueMeans = tissueMeans(brain.t1, brain.brainMask);
  return brain;
}

SyntheticCase synthesizeCase(const BrainTemplate& brain, const std::array<int64_t, 3>& size,
                             uint64_t seed, int index) {
  for (int64_t n : size)
    if (n < 8 || n > 1024) throw std::invalid_argument("synthetic size must be 8..1024 per axis");
  Random random(mixSeed(seed, index));
  const Volume& t1 = brain.t1;

  // Centre the BraTS field of view on the template brain's bounding box.
  const auto [low, high] = brainIndexBox(brain.brainMask);
  Vec3 centreIndex;
  for (int a = 0; a < 3; ++a) centreIndex[a] = 0.5 * (low[a] + high[a]);
  const Vec3 centre = indexToPhysical(t1.geometry, centreIndex);

  SyntheticCase result;
  Geometry& g = result.image.geometry;
  for (int a = 0; a < 3; ++a) {
    g.spacing[a] = kFieldOfViewMm[a] / static_cast<double>(size[a]);
    g.origin[a] = centre[a] - g.spacing[a] * 0.5 * static_cast<double>(size[a] - 1);
  }
  g.direction = {1, 0, 0, 0, 1, 0, 0, 0, 1};  // LPS, as BraTS files are
  setNiftiFromPlacement(g);

  const int64_t ni = size[0], nj = size[1], nk = size[2], perChannel = ni * nj * nk;
  result.image.shape = {4, nk, nj, ni};
  result.image.voxels.assign(4 * perChannel, 0.0f);
  result.labels.shape = {nk, nj, ni};
  result.labels.geometry = g;
  result.labels.labels.assign(perChannel, 0);

  // Resample the template: T1 intensity and brain membership per output voxel.
  std::vector<float> intensity(perChannel), inBrain(perChannel);
  for (int64_t k = 0, v = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i, ++v) {
        const Vec3 source =
            physicalToIndex(t1.geometry, indexToPhysical(g, {double(i), double(j), double(k)}));
        intensity[v] = static_cast<float>(sample(t1, source));
        inBrain[v] = static_cast<float>(sample(brain.brainMask, source) > 0 ? 1 : 0);
      }

  // The tumour: centre inside the brain, random radii, orientation and irregular boundary.
  const double radiusEt = random.uniform(14.0, 28.0);
  const double radiusNcr = radiusEt * random.uniform(0.35, 0.65);
  const double radiusEd = radiusEt * random.uniform(1.45, 2.1);
  Vec3 tumourCentre = centre;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const Vec3 candidate{random.uniform(0.25, 0.75) * double(ni - 1),
                         random.uniform(0.25, 0.75) * double(nj - 1),
                         random.uniform(0.3, 0.8) * double(nk - 1)};
    const int64_t v =
        (static_cast<int64_t>(candidate[2]) * nj + static_cast<int64_t>(candidate[1])) * ni +
        static_cast<int64_t>(candidate[0]);
    if (inBrain[v] > 0) {
      tumourCentre = indexToPhysical(g, candidate);
      break;
    }
  }
  // A random rotation (uniform unit quaternion) and axis stretch make it an irregular ellipsoid.
  const double u1 = random.uniform(), u2 = random.uniform(), u3 = random.uniform();
  const double qa = std::sqrt(1 - u1) * std::sin(2 * M_PI * u2),
               qb = std::sqrt(1 - u1) * std::cos(2 * M_PI * u2),
               qc = std::sqrt(u1) * std::sin(2 * M_PI * u3),
               qd = std::sqrt(u1) * std::cos(2 * M_PI * u3);
  const double rotation[3][3] = {
      {1 - 2 * (qc * qc + qd * qd), 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc)},
      {2 * (qb * qc + qa * qd), 1 - 2 * (qb * qb + qd * qd), 2 * (qc * qd - qa * qb)},
      {2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), 1 - 2 * (qb * qb + qc * qc)}};
  const Vec3 stretch{random.uniform(0.75, 1.25), random.uniform(0.75, 1.25),
                     random.uniform(0.75, 1.25)};
  const SphereNoise coreShape(random, 0.10), oedemaShape(random, 0.18);

  // Contrast variation between cases and a smooth multiplicative bias field per modality.
  std::array<std::array<double, 9>, 4> bias;
  std::array<double, 4> gain;
  for (int m = 0; m < 4; ++m) {
    for (double& c : bias[m]) c = random.uniform(-0.12, 0.12);
    gain[m] = random.uniform(0.9, 1.1);
  }

  const auto& means = brain.tissueMeans;
  const double sigma = std::max(1.0, (means[2] - means[0]) / 4.0);
  for (int64_t k = 0, v = 0; k < nk; ++k)
    for (int64_t j = 0; j < nj; ++j)
      for (int64_t i = 0; i < ni; ++i, ++v) {
        if (inBrain[v] <= 0) {
          for (int m = 0; m < 4; ++m) random.normal();  // keep the stream position-independent
          continue;
        }
        double membership[3], total = 1e-12;
        for (int c = 0; c < 3; ++c) {
          const double z = (intensity[v] - means[c]) / sigma;
          membership[c] = std::exp(-0.5 * z * z);
          total += membership[c];
        }
        for (double& w : membership) w /= total;

        const Vec3 p = indexToPhysical(g, {double(i), double(j), double(k)});
        Vec3 local{};
        for (int c = 0; c < 3; ++c) {
          for (int r = 0; r < 3; ++r) local[c] += rotation[r][c] * (p[r] - tumourCentre[r]);
          local[c] /= stretch[c];
        }
        const double rho =
            std::sqrt(local[0] * local[0] + local[1] * local[1] + local[2] * local[2]);
        Vec3 unit{0, 0, 1};
        if (rho > 1e-9) unit = {local[0] / rho, local[1] / rho, local[2] / rho};
        const double core = 1 + coreShape(unit), oedema = 1 + oedemaShape(unit);
        // Oedema spreads along white matter more than grey.
        const double ratioEd = rho / (radiusEd * oedema * (0.85 + 0.3 * membership[2]));
        const double ratioEt = rho / (radiusEt * core), ratioNcr = rho / (radiusNcr * core);
        uint8_t label = 0;
        if (ratioNcr < 1)
          label = kNcr;
        else if (ratioEt < 1)
          label = kEt;
        else if (ratioEd < 1)
          label = kEd;
        result.labels.labels[v] = label;

        const double x[3] = {2.0 * i / double(ni - 1) - 1, 2.0 * j / double(nj - 1) - 1,
                             2.0 * k / double(nk - 1) - 1};
        for (int m = 0; m < 4; ++m) {
          const double* contrast = kContrast[m];
          double value = 0;
          for (int c = 0; c < 3; ++c) value += membership[c] * contrast[c];
          value += inside(ratioEd) * (0.35 * value + 0.65 * contrast[3 + 1] - value);
          value += inside(ratioEt) * (contrast[3 + 2] - value);
          value += inside(ratioNcr) * (contrast[3 + 0] - value);
          const auto& b = bias[m];
          const double field = std::exp(
              b[0] * x[0] + b[1] * x[1] + b[2] * x[2] + b[3] * x[0] * x[0] + b[4] * x[1] * x[1] +
              b[5] * x[2] * x[2] + b[6] * x[0] * x[1] + b[7] * x[1] * x[2] + b[8] * x[0] * x[2]);
          value = (value * gain[m] + 0.025 * random.normal()) * field;
          result.image.voxels[m * perChannel + v] =
              static_cast<float>(1000.0 * std::max(0.0, value));
        }
      }
  return result;
}

}  // namespace seqseg
