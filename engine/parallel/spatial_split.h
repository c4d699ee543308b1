#pragma once
// How the volume is cut across the ranks of a sequence-parallel group (docs/architecture.md, "The
// parallel method").
//
// The cut is made on the PATCH GRID, so every part holds whole patches and tokenises on its own.
// Methods: slab0 / slab1 / slab2 cut one axis into R slabs; blocks cut the grid into an
// r0 x r1 x r2 lattice (r0 r1 r2 = R) chosen to minimise the face area of a block (the halo
// exchanged per decoder conv), ties going to more cuts on A0. Every lattice is a tensor product
// of per-axis cuts, so face neighbours always share whole faces, including uneven splits:
// n patches over k parts gives the first n % k parts one patch more. Every part must hold at
// least one patch per axis; otherwise the split is refused with std::invalid_argument.
//
// Ranks are numbered row-major over the lattice (A2 fastest). For slab0 that makes each rank's
// tokens one contiguous range of the global token sequence, in rank order.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/vit_segmenter.h"
#include "jobs/parallel_rules.h"  // SplitMethod, the lattice a split makes and when it cannot

namespace seqseg {

// A box in some index space (patches or voxels).
struct Box3 {
  Grid3 offset{0, 0, 0};
  Grid3 extent{0, 0, 0};
  int64_t volume() const { return extent[0] * extent[1] * extent[2]; }
  Box3 scaled(const Grid3& factor) const;  // offset and extent multiplied per axis
};

class SpatialSplit {
 public:
  SpatialSplit(const Grid3& grid, int ranks, SplitMethod method);

  const Grid3& grid() const { return grid_; }
  int ranks() const { return ranks_; }
  SplitMethod method() const { return method_; }
  const Grid3& layout() const { return layout_; }  // parts per axis
  Grid3 latticeIndex(int rank) const;

  Box3 patchBox(int rank) const;                      // in patches
  Box3 voxelBox(int rank, const Grid3& patch) const;  // in voxels
  PatchWindow window(int rank) const;                 // for ViTSegmenter::embed
  std::vector<int64_t> tokenCounts() const;           // per rank
  // The face neighbour of rank along axis (direction -1 or +1), or -1 at the global boundary.
  int neighbour(int rank, int axis, int direction) const;

  // For tokens gathered in rank order (rank 0's local row-major tokens, then rank 1's...):
  // order[g] = position in that rank-major sequence of global row-major token g, so
  // tokens.index_select(1, order) puts them in global order. Long tensor [tokens].
  at::Tensor globalOrder() const;

 private:
  Grid3 grid_;
  int ranks_;
  SplitMethod method_;
  Grid3 layout_;
  std::array<std::vector<int64_t>, 3> cuts_;  // per axis: layout_[a] + 1 boundaries
};

// The part of a volume inside box (on its last three dims; works for images [N, C, A0, A1, A2]
// and labels [N, A0, A1, A2]). A view: differentiable.
at::Tensor takeBox(const at::Tensor& volume, const Box3& box);

// Puts every rank's part (boxes in voxels = patchBox scaled by voxelsPerPatch) back into one
// volume; the inverse of takeBox over all ranks. Not differentiable; for tests and results.
at::Tensor assembleParts(const std::vector<at::Tensor>& parts, const SpatialSplit& split,
                         const Grid3& voxelsPerPatch);

}  // namespace seqseg
