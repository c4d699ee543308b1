#pragma once
// Checkpoints are zip archives (torch::save / torch.save) whose entries are stored with a
// CRC-32 that LibTorch does not check when it loads them: a corrupted byte in the weights would
// load silently. This checks every stored entry against its CRC-32, from the bytes in memory.
#include <string>
#include <vector>

namespace seqseg {

// Empty when every stored entry matches its CRC-32 (or the bytes are not a zip archive, which
// the loader reports itself); otherwise what is wrong, e.g. "entry 'archive/data/3' fails its
// CRC-32 check" or "entry 'archive/data.pkl' runs past the end of the file".
std::string zipIntegrityProblem(const std::vector<char>& bytes);

}  // namespace seqseg
