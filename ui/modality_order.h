#pragma once
// Which of four dropped or chosen image files is T1, T1ce, T2 and FLAIR, from their names.
#include <string>
#include <vector>

namespace seqseg {

// The four files in internal order (T1, T1ce, T2, FLAIR), recognised by the modality names of
// BraTS 2021 (t1, t1ce, t2, flair), BraTS 2023 (t1n, t1c, t2w, t2f) and nnU-Net (_0000.._0003)
// at the end of the file name. Files whose modalities are not all recognised, exactly once,
// keep the order given.
std::vector<std::string> orderModalities(const std::vector<std::string>& files);

}  // namespace seqseg
