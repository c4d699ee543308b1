#pragma once
// The corrections dataset: cases whose segmentation a person corrected, kept as training cases
// for fine-tuning (`seqseg train --init`). Each is written in BraTS 2021 layout (CASE/CASE_t1,
// _t1ce, _t2, _flair, _seg) with a provenance.json saying where it came from: the source files,
// what made the mask before it was corrected, the volumes before and after, the voxels changed
// per label and when it was kept.
#include <array>
#include <cstdint>
#include <string>

#include "io/case_files.h"
#include "types/volume.h"

namespace seqseg {

// What an edit changed, per internal class (0 background .. 3 ET): voxels that became that class
// and voxels that stopped being it. Each changed voxel counts once in `gained` and once in `lost`.
struct LabelChanges {
  std::array<int64_t, 4> gained{};
  std::array<int64_t, 4> lost{};
  int64_t changed = 0;  // voxels whose class differs
};

// `before` null: an empty mask (nothing labelled). Throws std::invalid_argument when the grids
// differ.
LabelChanges countLabelChanges(const LabelVolume* before, const LabelVolume& after);

struct CorrectionCase {
  CaseFiles source;               // the case as it was opened (its files and layout)
  const Volume* image = nullptr;  // its channels, internal order; written when a source file
                                  // cannot be copied as it is (a 4D file, a DICOM series)
  const LabelVolume* corrected = nullptr;  // internal classes on the image's grid
  const LabelVolume* started = nullptr;    // the mask before the edits; null: none
  // What made the mask before the edits: "model" (startedPath is the checkpoint, its SHA-256
  // in modelSha256), "file" (a label map opened from startedPath) or "none" (painted from
  // nothing).
  std::string startedFrom = "none";
  std::string startedPath;
  std::string modelSha256;
};

// The folder name a case id gets in the corrections dataset: characters other than letters,
// digits, '.', '-' and '_' become '_' (an id taken from a DICOM study folder may hold any).
std::string correctionCaseId(const std::string& id);

// Writes the case under `root` (created if missing) as correctionCaseId(source.id), replacing
// one kept before: the new folder is written beside it and renamed into place, so that a
// failed write leaves the earlier one (or nothing) and never half a case. NIfTI source files
// are copied byte for byte; other sources are written from `image` with its exact geometry.
// Returns the case folder. Throws InputError naming the folder or file that could not be
// written, std::invalid_argument when the masks and the image disagree in grid.
std::string keepCorrectionCase(const std::string& root, const CorrectionCase& correction);

}  // namespace seqseg
