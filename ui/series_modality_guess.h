#pragma once
// Which DICOM series of a study is T1, T1ce, T2 and FLAIR, guessed from the series
// descriptions scanners write ("t1_mprage_sag", "T1 SE POST GD", "t2_tirm_tra_dark-fluid", ...).
// Qt-free, so that it is tested without a display; the series dialog lets people correct it.
#include <array>
#include <string>
#include <vector>

namespace seqseg {

// The internal modality (0 T1, 1 T1ce, 2 T2, 3 FLAIR) a description names; -1 when none.
int modalityOfDescription(const std::string& description);

// For each modality in internal order, the index of the series guessed to be it, or -1. A
// series is used at most once; when several name the same modality the first one wins.
std::array<int, 4> guessModalities(const std::vector<std::string>& descriptions);

}  // namespace seqseg
