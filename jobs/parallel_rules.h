#pragma once
// What a sequence-parallel job can run, decided before any rank starts: the spatial split of
// the patch grid over the ranks, and the attention's needs. The one definition of these rules:
// the engine applies them when it splits, `seqseg train`/--batch and seqseg-bench when they
// start ranks, the training wizard while its page is open. No dependency at all.
#include <array>
#include <cstdint>
#include <string>

namespace seqseg {

using Grid3 = std::array<int64_t, 3>;

enum class SplitMethod { Slab0, Slab1, Slab2, Blocks };

// "slab0", "slab1", "slab2", "blocks"; anything else is std::invalid_argument.
SplitMethod parseSplitMethod(const std::string& name);
std::string splitMethodName(SplitMethod method);

// Ranks per axis of the "blocks" split: the factorisation of `ranks` that fits `grid` with the
// smallest block surface (the least halo to exchange). std::invalid_argument when none fits.
Grid3 blockLayout(const Grid3& grid, int ranks);

// Ranks per axis for `method` over a patch grid: a slab puts all ranks on its axis, which
// needs a patch per rank there. std::invalid_argument naming the problem when it cannot.
Grid3 rankLayout(const Grid3& grid, int ranks, SplitMethod method);

// Refuses (std::invalid_argument) an attention that cannot run on `ranks` ranks of a model of
// `heads` heads: ulysses shards the heads, so the ranks must divide them.
void checkAttention(const std::string& attention, int ranks, int64_t heads);

// Refuses (std::invalid_argument) an unknown decoder: halo, gather, nogather.
void checkDecoderName(const std::string& decoder);

// Why `ranks` ranks cannot run a model of this patch grid and heads with these settings, as the
// checks above word it; empty when they can.
std::string parallelProblem(const std::string& split, const std::string& attention,
                            const std::string& decoder, int ranks, const Grid3& grid,
                            int64_t heads);

}  // namespace seqseg
