#include "io/nifti_geometry.h"

#include <nifti1_io.h>

#include <cmath>
#include <sstream>

namespace seqseg {

void setNiftiFromPlacement(Geometry& g) {
  // ITK's physical space is LPS; NIfTI's is RAS: negate the first two rows.
  mat44 affine;
  for (int r = 0; r < 3; ++r) {
    const double flip = r < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 3; ++c)
      affine.m[r][c] = static_cast<float>(flip * g.direction[3 * r + c] * g.spacing[c]);
    affine.m[r][3] = static_cast<float>(flip * g.origin[r]);
  }
  affine.m[3][0] = affine.m[3][1] = affine.m[3][2] = 0.0f;
  affine.m[3][3] = 1.0f;

  NiftiTransforms& t = g.nifti;
  float dx, dy, dz, qfac;
  nifti_mat44_to_quatern(affine, &t.quatern[0], &t.quatern[1], &t.quatern[2], &t.qoffset[0],
                         &t.qoffset[1], &t.qoffset[2], &dx, &dy, &dz, &qfac);
  t.qfac = qfac < 0 ? -1.0f : 1.0f;
  t.pixdim = {static_cast<float>(g.spacing[0]), static_cast<float>(g.spacing[1]),
              static_cast<float>(g.spacing[2])};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) t.srow[r][c] = affine.m[r][c];
  t.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  t.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  t.xyzt_units = NIFTI_UNITS_MM;
}

std::string orientationCode(const Geometry& g) {
  static const char positive[3] = {'R', 'A', 'S'};
  static const char negative[3] = {'L', 'P', 'I'};
  std::string code;
  for (int axis = 0; axis < 3; ++axis) {
    // Column `axis` of the direction, converted from LPS to RAS.
    const double ras[3] = {-g.direction[axis], -g.direction[3 + axis], g.direction[6 + axis]};
    int best = 0;
    for (int r = 1; r < 3; ++r)
      if (std::fabs(ras[r]) > std::fabs(ras[best])) best = r;
    code += ras[best] >= 0 ? positive[best] : negative[best];
  }
  return code;
}

bool sameGeometry(const Geometry& a, const Geometry& b, std::string* difference, double toleranceMm,
                  double toleranceDir) {
  auto describe = [&](const char* what, int index, double x, double y) {
    if (difference) {
      std::ostringstream out;
      out << what << "[" << index << "] differs: " << x << " vs " << y;
      *difference = out.str();
    }
    return false;
  };
  for (int i = 0; i < 3; ++i)
    if (std::fabs(a.spacing[i] - b.spacing[i]) > toleranceMm)
      return describe("spacing", i, a.spacing[i], b.spacing[i]);
  for (int i = 0; i < 3; ++i)
    if (std::fabs(a.origin[i] - b.origin[i]) > toleranceMm)
      return describe("origin", i, a.origin[i], b.origin[i]);
  for (int i = 0; i < 9; ++i)
    if (std::fabs(a.direction[i] - b.direction[i]) > toleranceDir)
      return describe("direction", i, a.direction[i], b.direction[i]);
  return true;
}

}  // namespace seqseg
