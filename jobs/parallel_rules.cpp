#include "jobs/parallel_rules.h"

#include <limits>
#include <stdexcept>

namespace seqseg {
namespace {

std::string gridText(const Grid3& g) {
  return std::to_string(g[0]) + "x" + std::to_string(g[1]) + "x" + std::to_string(g[2]);
}

}  // namespace

SplitMethod parseSplitMethod(const std::string& name) {
  if (name == "slab0") return SplitMethod::Slab0;
  if (name == "slab1") return SplitMethod::Slab1;
  if (name == "slab2") return SplitMethod::Slab2;
  if (name == "blocks") return SplitMethod::Blocks;
  throw std::invalid_argument("unknown split '" + name + "' (slab0, slab1, slab2 or blocks)");
}

std::string splitMethodName(SplitMethod method) {
  switch (method) {
    case SplitMethod::Slab0:
      return "slab0";
    case SplitMethod::Slab1:
      return "slab1";
    case SplitMethod::Slab2:
      return "slab2";
    case SplitMethod::Blocks:
      return "blocks";
  }
  return "?";
}

Grid3 blockLayout(const Grid3& grid, int ranks) {
  if (ranks < 1) throw std::invalid_argument("blocks split: ranks must be >= 1");
  Grid3 best{0, 0, 0};
  double bestArea = std::numeric_limits<double>::infinity();
  // r0 descending so that, on equal area, more cuts go to A0.
  for (int64_t r0 = ranks; r0 >= 1; --r0) {
    if (ranks % r0 != 0 || r0 > grid[0]) continue;
    for (int64_t r1 = ranks / r0; r1 >= 1; --r1) {
      if ((ranks / r0) % r1 != 0 || r1 > grid[1]) continue;
      const int64_t r2 = ranks / r0 / r1;
      if (r2 > grid[2]) continue;
      const double b0 = double(grid[0]) / r0, b1 = double(grid[1]) / r1, b2 = double(grid[2]) / r2;
      const double area = b0 * b1 + b1 * b2 + b0 * b2;
      if (area < bestArea - 1e-9) {
        bestArea = area;
        best = {r0, r1, r2};
      }
    }
  }
  if (best[0] == 0)
    throw std::invalid_argument("blocks split: " + std::to_string(ranks) +
                                " ranks do not fit a patch grid of " + gridText(grid));
  return best;
}

Grid3 rankLayout(const Grid3& grid, int ranks, SplitMethod method) {
  if (ranks < 1) throw std::invalid_argument("split: ranks must be >= 1");
  for (int a = 0; a < 3; ++a)
    if (grid[a] < 1) throw std::invalid_argument("split: empty patch grid " + gridText(grid));
  if (method == SplitMethod::Blocks) return blockLayout(grid, ranks);
  const int axis = static_cast<int>(method) - static_cast<int>(SplitMethod::Slab0);
  if (grid[axis] < ranks)
    throw std::invalid_argument("split " + splitMethodName(method) + ": " + std::to_string(ranks) +
                                " ranks need at least " + std::to_string(ranks) +
                                " patches along A" + std::to_string(axis) + ", the patch grid is " +
                                gridText(grid));
  Grid3 layout{1, 1, 1};
  layout[axis] = ranks;
  return layout;
}

void checkAttention(const std::string& attention, int ranks, int64_t heads) {
  if (attention != "allgather" && attention != "ring" && attention != "ulysses")
    throw std::invalid_argument("unknown attention '" + attention +
                                "' (allgather, ring or ulysses)");
  if (attention == "ulysses" && (heads < 1 || heads % ranks != 0))
    throw std::invalid_argument("ulysses attention needs the ranks (" + std::to_string(ranks) +
                                ") to divide the " + std::to_string(heads) + " heads of the model");
}

void checkDecoderName(const std::string& decoder) {
  if (decoder != "halo" && decoder != "gather" && decoder != "nogather")
    throw std::invalid_argument("unknown decoder '" + decoder + "' (halo, gather or nogather)");
}

std::string parallelProblem(const std::string& split, const std::string& attention,
                            const std::string& decoder, int ranks, const Grid3& grid,
                            int64_t heads) {
  try {
    rankLayout(grid, ranks, parseSplitMethod(split));
    checkAttention(attention, ranks, heads);
    checkDecoderName(decoder);
  } catch (const std::invalid_argument& problem) {
    return problem.what();
  }
  return {};
}

}  // namespace seqseg
