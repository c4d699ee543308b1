#include "engine/parallel/spatial_split.h"

#include <stdexcept>

#include <ATen/ATen.h>

namespace seqseg {
namespace {

std::vector<int64_t> balancedCuts(int64_t n, int64_t parts) {
  std::vector<int64_t> cuts{0};
  for (int64_t i = 0; i < parts; ++i) cuts.push_back(cuts.back() + n / parts + (i < n % parts));
  return cuts;
}

}  // namespace

Box3 Box3::scaled(const Grid3& f) const {
  Box3 out;
  for (int a = 0; a < 3; ++a) {
    out.offset[a] = offset[a] * f[a];
    out.extent[a] = extent[a] * f[a];
  }
  return out;
}

SpatialSplit::SpatialSplit(const Grid3& grid, int ranks, SplitMethod method)
    : grid_(grid), ranks_(ranks), method_(method), layout_(rankLayout(grid, ranks, method)) {
  for (int a = 0; a < 3; ++a) cuts_[a] = balancedCuts(grid[a], layout_[a]);
}

Grid3 SpatialSplit::latticeIndex(int rank) const {
  if (rank < 0 || rank >= ranks_)
    throw std::out_of_range("split: rank " + std::to_string(rank) + " of " +
                            std::to_string(ranks_));
  return {rank / (layout_[1] * layout_[2]), (rank / layout_[2]) % layout_[1], rank % layout_[2]};
}

Box3 SpatialSplit::patchBox(int rank) const {
  const Grid3 index = latticeIndex(rank);
  Box3 box;
  for (int a = 0; a < 3; ++a) {
    box.offset[a] = cuts_[a][index[a]];
    box.extent[a] = cuts_[a][index[a] + 1] - cuts_[a][index[a]];
  }
  return box;
}

Box3 SpatialSplit::voxelBox(int rank, const Grid3& patch) const {
  return patchBox(rank).scaled(patch);
}

PatchWindow SpatialSplit::window(int rank) const {
  PatchWindow w;
  w.offset = patchBox(rank).offset;
  w.global = grid_;
  return w;
}

std::vector<int64_t> SpatialSplit::tokenCounts() const {
  std::vector<int64_t> counts;
  for (int r = 0; r < ranks_; ++r) counts.push_back(patchBox(r).volume());
  return counts;
}

int SpatialSplit::neighbour(int rank, int axis, int direction) const {
  Grid3 index = latticeIndex(rank);
  index[axis] += direction;
  if (index[axis] < 0 || index[axis] >= layout_[axis]) return -1;
  return static_cast<int>((index[0] * layout_[1] + index[1]) * layout_[2] + index[2]);
}

at::Tensor SpatialSplit::globalOrder() const {
  const auto longs = at::TensorOptions().dtype(at::kLong);
  std::vector<at::Tensor> globalIndex;
  for (int r = 0; r < ranks_; ++r) {
    const Box3 b = patchBox(r);
    const at::Tensor i0 = at::arange(b.offset[0], b.offset[0] + b.extent[0], longs);
    const at::Tensor i1 = at::arange(b.offset[1], b.offset[1] + b.extent[1], longs);
    const at::Tensor i2 = at::arange(b.offset[2], b.offset[2] + b.extent[2], longs);
    globalIndex.push_back(
        ((i0.view({-1, 1, 1}) * grid_[1] + i1.view({1, -1, 1})) * grid_[2] + i2.view({1, 1, -1}))
            .reshape({-1}));
  }
  const at::Tensor rankMajor = at::cat(globalIndex);
  at::Tensor order = at::empty_like(rankMajor);
  order.index_put_({rankMajor}, at::arange(rankMajor.numel(), longs));
  return order;
}

at::Tensor takeBox(const at::Tensor& volume, const Box3& box) {
  const int64_t first = volume.dim() - 3;
  if (first < 0) throw std::invalid_argument("takeBox: the volume needs three spatial dims");
  at::Tensor part = volume;
  for (int a = 0; a < 3; ++a) {
    if (box.offset[a] < 0 || box.offset[a] + box.extent[a] > volume.size(first + a))
      throw std::invalid_argument("takeBox: box outside the volume");
    part = part.narrow(first + a, box.offset[a], box.extent[a]);
  }
  return part;
}

at::Tensor assembleParts(const std::vector<at::Tensor>& parts, const SpatialSplit& split,
                         const Grid3& voxelsPerPatch) {
  if (static_cast<int>(parts.size()) != split.ranks())
    throw std::invalid_argument("assembleParts: one part per rank expected");
  std::vector<int64_t> shape = parts.at(0).sizes().vec();
  const size_t first = shape.size() - 3;
  for (int a = 0; a < 3; ++a) shape[first + a] = split.grid()[a] * voxelsPerPatch[a];
  at::Tensor whole = at::empty(shape, parts[0].options());
  for (int r = 0; r < split.ranks(); ++r)
    takeBox(whole, split.voxelBox(r, voxelsPerPatch)).copy_(parts[r]);
  return whole;
}

}  // namespace seqseg
