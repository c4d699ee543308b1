#pragma once
// DICOM series (through ITK's GDCM IO): finding the series of a study folder, describing them,
// and reading one as a float32 volume placed exactly where the scanner put it.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/case_files.h"
#include "types/volume.h"

namespace seqseg {

struct DicomSeriesInfo {
  std::string folder;       // the folder that was scanned (named in errors)
  std::string uid;          // series instance UID (with the details that split one UID further)
  std::string description;  // SeriesDescription, else ProtocolName
  std::string modality;     // MR, CT, ...
  std::string date;         // YYYY-MM-DD of the series (or study), empty when unknown
  std::string seriesNumber;
  std::vector<std::string> files;  // ordered by position along the slice normal
  std::array<int64_t, 3> size{};   // columns (i), rows (j), slices (k)
  Geometry geometry;               // LPS, as NIfTI files read through ITK carry it
  // The files of the scanned folder that are no DICOM image (a README, thumbs.db, DICOMDIR, an
  // empty file, a report without pixels), relative to `folder`: skipped, as dcm2niix skips them.
  std::vector<std::string> skipped;
  // Why this series cannot be read as one volume (missing slices, gantry tilt, ...); empty
  // when it can.
  std::string problem;
};

// True when `folder` (searched recursively) holds at least one file with the DICOM preamble.
// Cheap: reads 132 bytes per file and stops at the first DICOM file.
bool containsDicomFiles(const std::string& folder);

// The image series under `folder` (recursively), sorted by series number then description.
// Series that cannot be read as a volume are listed with their problem. Throws InputError
// naming the folder when it holds no DICOM image series at all.
std::vector<DicomSeriesInfo> scanDicomFolder(const std::string& folder);

// Reads one scanned series: shape [1, slices, rows, columns], RescaleSlope/Intercept applied.
// Throws InputError naming the folder for a series with a problem or an unreadable file.
Volume readDicomSeries(const DicomSeriesInfo& series);

// `folder` must hold exactly one image series, and no DICOM file that cannot be read (files
// that are no DICOM image are skipped); that series, read. `note`: skippedFilesNote's.
DicomSeriesInfo findSingleSeries(const std::string& folder);
Volume readDicomSeriesFolder(const std::string& folder, std::string* note = nullptr);

// "skipped 2 files that are not a DICOM image: DICOMDIR, README", "" when none was.
std::string skippedFilesNote(const DicomSeriesInfo& series);

// A modality given by path: a DICOM series folder, or a 3D NIfTI file.
Volume readImageOrSeries(const std::string& path, std::string* note = nullptr);

// `image` (one or more channels) resampled by trilinear interpolation onto the grid of
// `reference` (its shape [.., A0, A1, A2] and geometry); outside the image is 0.
Volume resampleOnto(const Volume& image, const Volume& reference);

// Empty when `a` and `b` have the same grid (size, spacing, origin, direction), else what
// differs first.
std::string gridDifference(const DicomSeriesInfo& a, const DicomSeriesInfo& b);

// Reads four series (T1, T1ce, T2, FLAIR) as one case on T1's grid and writes them as NIfTI
// (`folder`/`id`_t1.nii.gz ...), so that the case opens, segments and saves like any other,
// its masks in T1's exact geometry. A series on another grid is resampled onto T1's when
// `resample`, else it is an InputError naming its folder and the difference. `note` names the
// series that were resampled.
CaseFiles stageDicomCase(const std::array<DicomSeriesInfo, kModalityCount>& series, bool resample,
                         const std::string& folder, const std::string& id, std::string& note);

// "32 x 32 x 24" and "0.9 x 0.9 x 3 mm" as the series list shows them.
std::string describeSize(const DicomSeriesInfo& series);
std::string describeSpacing(const Geometry& geometry);

}  // namespace seqseg
