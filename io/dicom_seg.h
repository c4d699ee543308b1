#pragma once
// DICOM Segmentation objects (DCMTK's dcmseg): a label map on a DICOM series' grid written as a
// binary SEG that references that series, and such an object read back over its series.
#include <string>

#include "io/dicom_series.h"
#include "types/volume.h"

namespace seqseg {

// What made the segmentation, for the SEG's algorithm identification.
struct DicomSegProvenance {
  std::string model;    // the checkpoint that segmented it; empty when none did (painted)
  bool edited = false;  // corrected by hand afterwards
};

// Writes `internal` (internal classes 0..3 on `series`' grid) to `path` as a binary DICOM
// Segmentation: one segment each for NCR, ED and ET (SNOMED CT category and type, seqseg and its
// version as the algorithm, the model's file name as its parameter), one frame per segment and
// slice, each referencing its slice's SOP instance; patient, study and frame of reference taken
// from the series. Written atomically (types/atomic_file.h). Throws InputError naming `path`
// (or the series' folder) when the mask is not on the series' grid or a file cannot be read or
// written.
void writeDicomSeg(const std::string& path, const LabelVolume& internal,
                   const DicomSeriesInfo& series, const DicomSegProvenance& provenance);

// Reads a binary DICOM Segmentation of `series` as internal classes on the series' grid: each
// frame is placed on the slice it lies on, each segment mapped by its property type (necrosis
// NCR, oedema ED, neoplasm ET; else by its label). Throws InputError naming `path` when it is
// no binary SEG, references another series or frame of reference, or has a frame off the
// series' slices.
LabelVolume readDicomSeg(const std::string& path, const DicomSeriesInfo& series);

}  // namespace seqseg
