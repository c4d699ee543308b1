#pragma once
// Bounding boxes of the non-zero voxels of byte volumes (label maps, region masks). A tumour
// fills a few percent of a 240 x 240 x 155 grid: scoring and post-processing work inside the box,
// and finding it skips the all-zero rows eight bytes at a time.
#include <array>
#include <cstdint>
#include <vector>

namespace seqseg {

// [begin, end) per axis of a [A0, A1, A2] grid (A2 fastest); empty() when nothing is set.
struct LabelBox {
  std::array<int64_t, 3> begin{0, 0, 0}, end{0, 0, 0};
  bool empty() const { return end[0] <= begin[0]; }
  std::array<int64_t, 3> size() const {
    return {end[0] - begin[0], end[1] - begin[1], end[2] - begin[2]};
  }
  bool operator==(const LabelBox& other) const { return begin == other.begin && end == other.end; }
};

// Index of the first non-zero byte of [data, data + count), or count when there is none.
int64_t firstNonZero(const uint8_t* data, int64_t count);

// The smallest box holding every non-zero voxel of `a` and of `b` (b may be null).
LabelBox nonZeroBox(const std::vector<uint8_t>& a, const std::vector<uint8_t>* b,
                    const std::array<int64_t, 3>& shape);

// The voxels of `box` in the same order, as a grid of box.size().
std::vector<uint8_t> cropToBox(const std::vector<uint8_t>& volume,
                               const std::array<int64_t, 3>& shape, const LabelBox& box);

}  // namespace seqseg
