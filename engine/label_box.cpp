#include "engine/label_box.h"

#include <algorithm>
#include <cstring>

namespace seqseg {

int64_t firstNonZero(const uint8_t* data, int64_t count) {
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    if (word) break;
  }
  for (; i < count; ++i)
    if (data[i]) return i;
  return count;
}

namespace {

int64_t lastNonZero(const uint8_t* data, int64_t count) {  // -1 when there is none
  for (int64_t i = count - 1; i >= 0; --i)
    if (data[i]) return i;
  return -1;
}

}  // namespace

LabelBox nonZeroBox(const std::vector<uint8_t>& a, const std::vector<uint8_t>* b,
                    const std::array<int64_t, 3>& shape) {
  LabelBox box;
  box.begin = shape;
  const int64_t n2 = shape[2];
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[1]; ++j) {
      const int64_t row = (i * shape[1] + j) * n2;
      int64_t first = firstNonZero(a.data() + row, n2), last = -1;
      if (first < n2) last = lastNonZero(a.data() + row, n2);
      if (b) {
        const int64_t firstB = firstNonZero(b->data() + row, n2);
        if (firstB < n2) {
          first = std::min(first, firstB);
          last = std::max(last, lastNonZero(b->data() + row, n2));
        }
      }
      if (last < 0) continue;
      box.begin = {std::min(box.begin[0], i), std::min(box.begin[1], j),
                   std::min(box.begin[2], first)};
      box.end = {std::max(box.end[0], i + 1), std::max(box.end[1], j + 1),
                 std::max(box.end[2], last + 1)};
    }
  if (box.end[0] == 0) return LabelBox{};
  return box;
}

std::vector<uint8_t> cropToBox(const std::vector<uint8_t>& volume,
                               const std::array<int64_t, 3>& shape, const LabelBox& box) {
  const auto size = box.size();
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(size[0] * size[1] * size[2]));
  for (int64_t i = box.begin[0]; i < box.end[0]; ++i)
    for (int64_t j = box.begin[1]; j < box.end[1]; ++j) {
      const auto row = volume.begin() + (i * shape[1] + j) * shape[2];
      out.insert(out.end(), row + box.begin[2], row + box.end[2]);
    }
  return out;
}

}  // namespace seqseg
