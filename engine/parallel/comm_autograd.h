#pragma once
// Differentiable communication for sequence parallelism, as named pairs whose forward and
// backward are each other's transpose (Megatron-LM's mappings.py pairs them the same way):
//
//   gatherFromSequenceParallel      forward all-gather along dim  <-> backward reduce-scatter
//   reduceScatterToSequenceParallel forward reduce-scatter         <-> backward all-gather
//   allToAllDifferentiable          forward all-to-all(send, recv) <-> backward all-to-all(recv,
//   send) haloExchange                    forward copy neighbours' faces <-> backward add halo
//   grads back allReduceReplicatedSum          forward sum all-reduce          <-> backward
//   identity
//
// Why allReduceReplicatedSum's backward is the identity: each rank reduces its local terms
// T_r to T = sum_r T_r and computes the SAME loss L(T) from it. In the global graph
// dT/dT_r = I, so the adjoint of T_r is dL/dT, which every rank already holds. Each rank then
// back-propagates only its own part of the graph; a parameter used on every rank gets its total
// gradient as the sum over ranks (see allReduceGradients), and a tensor crossing ranks gets its
// remote contributions through the pairs above. Summing the loss gradient over ranks instead
// would count it R times.
//
// With a group of one every function is the identity and nothing is sent.
#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/parallel/process_group.h"

namespace seqseg {

// x holds counts[rank] entries along dim; returns all ranks' x concatenated along dim in rank
// order.
at::Tensor gatherFromSequenceParallel(const std::shared_ptr<ProcessGroup>& group,
                                      const at::Tensor& x, int64_t dim,
                                      const std::vector<int64_t>& counts);

// x holds sum(counts) entries along dim; returns the sum over ranks of this rank's block.
at::Tensor reduceScatterToSequenceParallel(const std::shared_ptr<ProcessGroup>& group,
                                           const at::Tensor& x, int64_t dim,
                                           const std::vector<int64_t>& counts);

// Along dim 0: rows [offset_j, + sendCounts[j]) go to rank j; returns what arrives, rank order.
at::Tensor allToAllDifferentiable(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x,
                                  const std::vector<int64_t>& sendCounts,
                                  const std::vector<int64_t>& recvCounts);

at::Tensor allReduceReplicatedSum(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x);

// x [N, C, S0, S1, S2]: returns x with one layer added on both sides of spatial axis (0..2):
// the face layer of the neighbour rank on that side, or zeros where the neighbour is -1 (the
// global boundary). Neighbours must exchange faces of equal shape (a tensor-product lattice).
at::Tensor haloExchange(const std::shared_ptr<ProcessGroup>& group, const at::Tensor& x, int axis,
                        int minusRank, int plusRank);

}  // namespace seqseg
