#include "io/image_info.h"

#include <nifti1_io.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "io/dicom_series.h"
#include "io/image_reader.h"
#include "io/nifti_geometry.h"
#include "io/nifti_header.h"

namespace seqseg {
namespace {

std::string xformName(int code) {
  switch (code) {
    case NIFTI_XFORM_UNKNOWN:
      return "unknown";
    case NIFTI_XFORM_SCANNER_ANAT:
      return "scanner";
    case NIFTI_XFORM_ALIGNED_ANAT:
      return "aligned";
    case NIFTI_XFORM_TALAIRACH:
      return "talairach";
    case NIFTI_XFORM_MNI_152:
      return "mni";
    default:
      return "invalid";
  }
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// Spacing, origin, direction and orientation: the lines NIfTI files and DICOM series share.
void describePlacement(std::ostringstream& out, const Geometry& g) {
  out << "spacing:     " << number(g.spacing[0]) << " x " << number(g.spacing[1]) << " x "
      << number(g.spacing[2]) << " mm\n";
  out << "origin:      " << number(g.origin[0]) << ", " << number(g.origin[1]) << ", "
      << number(g.origin[2]) << " mm (LPS)\n";
  out << "direction:   ";
  for (int r = 0; r < 3; ++r) {
    out << (r ? "             " : "") << "[";
    for (int c = 0; c < 3; ++c) out << (c ? " " : "") << number(g.direction[3 * r + c]);
    out << "]\n";
  }
  out << "orientation: " << orientationCode(g) << "\n";
}

void describeRange(std::ostringstream& out, const Volume& volume) {
  const auto range = std::minmax_element(volume.voxels.begin(), volume.voxels.end());
  out << "value range: " << number(*range.first) << " .. " << number(*range.second) << "\n";
}

std::string describeDicomSeries(const std::string& folder) {
  const DicomSeriesInfo series = findSingleSeries(folder);
  const Volume volume = readDicomSeries(series);
  std::ostringstream out;
  out << "series:      " << folder << "\n";
  out << "description: " << (series.description.empty() ? "(none)" : series.description) << "\n";
  out << "modality:    " << (series.modality.empty() ? "(unknown)" : series.modality) << "\n";
  out << "date:        " << (series.date.empty() ? "(unknown)" : series.date) << "\n";
  out << "dimensions:  " << describeSize(series) << " (" << series.files.size()
      << " DICOM files)\n";
  out << "voxel type:  float32 (rescale slope and intercept applied)\n";
  if (const std::string note = skippedFilesNote(series); !note.empty())
    out << "note:        " << note << "\n";
  describePlacement(out, volume.geometry);
  describeRange(out, volume);
  return out.str();
}

}  // namespace

std::string describeImage(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return describeDicomSeries(path);
  const NiftiHeaderInfo header = readNiftiHeader(path);
  const Volume volume = readImage(path);
  const Geometry& g = volume.geometry;
  std::ostringstream out;
  out << "file:        " << path << "\n";
  out << "dimensions:  " << header.dims[0] << " x " << header.dims[1] << " x " << header.dims[2];
  if (header.rank == 4) out << " x " << header.dims[3] << " (4D)";
  out << "\n";
  out << "voxel type:  " << niftiDatatypeName(header.datatype);
  if (header.scl_slope != 0 && !(header.scl_slope == 1 && header.scl_inter == 0))
    out << " (scaled: slope " << number(header.scl_slope) << ", intercept "
        << number(header.scl_inter) << ")";
  out << "\n";
  describePlacement(out, g);
  out << "qform:       code " << g.nifti.qform_code << " (" << xformName(g.nifti.qform_code)
      << ")\n";
  out << "sform:       code " << g.nifti.sform_code << " (" << xformName(g.nifti.sform_code)
      << ")\n";
  describeRange(out, volume);
  return out.str();
}

}  // namespace seqseg
