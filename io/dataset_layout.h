#pragma once
// The dataset layouts seqseg reads and writes, how their cases are found in a folder, and how
// one case is read into the internal channel order (T1, T1ce, T2, FLAIR).
#include <array>
#include <string>
#include <vector>

#include "io/case_files.h"
#include "types/volume.h"

namespace seqseg {

struct Dataset {
  Layout layout = Layout::Explicit;
  std::string root;
  std::vector<CaseFiles> cases;  // sorted by id
};

// Finds the cases under `folder` (or the single case that `folder` is). Throws InputError
// naming the folder and the layouts tried when nothing is recognised.
Dataset findCases(const std::string& folder);

// A case given as four explicit files or DICOM series folders (plus an optional reference label
// map). Its id: the T1 file name without its modality suffix, or the study folder of a series.
CaseFiles explicitCase(const std::string& t1, const std::string& t1ce, const std::string& t2,
                       const std::string& flair, const std::string& reference = "");

// Reads the case's images into one Volume [4, A0, A1, A2] in internal channel order.
// Modalities whose dimensions or geometry differ are an InputError naming the file. `notes`
// receives "FOLDER: note" for each DICOM series folder that had files skipped.
Volume readCase(const CaseFiles& caseFiles, std::vector<std::string>* notes = nullptr);

// Memory that opening the case in the desktop application takes at its peak: every channel as
// float32, plus half as much again for what is copied while it is read and shown. Counted from
// the NIfTI headers alone; a DICOM series folder or a file whose header cannot be read counts
// nothing (reading the case reports the latter).
int64_t caseOpeningBytes(const CaseFiles& caseFiles);

// Throws InputError naming the case's first file, how much memory opening it takes and how
// much is available, when caseOpeningBytes exceeds `availableBytes`.
void checkCaseFitsMemory(const CaseFiles& caseFiles, int64_t availableBytes);

// Where a layout keeps the files of case `id` under `root`, as `writeCase` writes them.
CaseFiles caseFilesFor(const std::string& root, Layout layout, const std::string& id);

// Writes a case in `layout` under `root`: the four channels of `image` (internal order) and,
// when `labels` is given, its ground truth converted to the layout's native labels.
void writeCase(const std::string& root, Layout layout, const std::string& id, const Volume& image,
               const LabelVolume* labels);

// Writes the dataset.json that MSD and nnU-Net folders carry (nothing for other layouts).
void writeDatasetDescription(const std::string& root, Layout layout,
                             const std::vector<std::string>& caseIds);

}  // namespace seqseg
