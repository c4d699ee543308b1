#pragma once
// What a case is made of: its layout, its files in the internal channel order (T1, T1ce, T2,
// FLAIR), its reference label map. Shared by the dataset layouts, the label maps and the DICOM
// series, none of which needs the others for it.
#include <array>
#include <string>
#include <vector>

namespace seqseg {

enum class Layout { Brats2021, Brats2023, Msd, NnUnet, Explicit };

std::string layoutName(Layout layout);  // "brats2021", "brats2023", "msd", "nnunet", "explicit"
Layout parseLayout(const std::string& name);  // throws std::invalid_argument

// Internal channel order of every case, whatever the layout.
constexpr int kModalityCount = 4;
extern const std::array<const char*, kModalityCount> kModalityNames;  // T1, T1ce, T2, FLAIR

struct CaseFiles {
  std::string id;  // the layout's case identifier, used to name the output mask
  Layout layout = Layout::Explicit;
  // Four 3D files (or DICOM series folders) in internal order, or one 4D file (MSD) holding
  // the channels.
  std::vector<std::string> images;
  // For a 4D file: the file's volume index of T1, T1ce, T2 and FLAIR.
  std::array<int, kModalityCount> channelInFile{0, 1, 2, 3};
  std::string reference;  // ground-truth label map in native labels; empty if none
};

}  // namespace seqseg
