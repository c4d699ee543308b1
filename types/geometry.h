#pragma once
// The physical placement of a voxel grid, carried unchanged from an input file to the masks
// written for it. The engine carries it but never interprets it; io/ fills and writes it.
#include <array>
#include <cstdint>

namespace seqseg {

// The NIfTI-1 header fields that define placement, kept verbatim so that a written mask has
// exactly the header geometry (both qform and sform, with their codes) of its reference.
struct NiftiTransforms {
  int16_t qform_code = 0;
  int16_t sform_code = 0;
  float qfac = 1.0f;                              // pixdim[0]: -1 flips the third axis of the qform
  std::array<float, 3> pixdim{1.0f, 1.0f, 1.0f};  // pixdim[1..3]
  std::array<float, 3> quatern{};                 // b, c, d
  std::array<float, 3> qoffset{};                 // x, y, z (RAS mm)
  std::array<std::array<float, 4>, 3> srow{};     // sform rows x, y, z (RAS mm)
  uint8_t xyzt_units = 2;                         // NIFTI_UNITS_MM
};

struct Geometry {
  // ITK conventions: LPS physical space, direction columns are the voxel axes i, j, k.
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
  std::array<double, 3> origin{};
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};  // row-major 3x3
  NiftiTransforms nifti;
};

}  // namespace seqseg
