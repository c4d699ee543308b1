#pragma once
// The ProcessGroup of ranks on GPUs: c10d's ProcessGroupNCCL (PyTorch 2.x CUDA builds only).
// One rank per GPU; tensors stay on the device. Reduce-scatter is NCCL's own when the parts
// are even, else all-to-all + local sum as in the Gloo group.
#include <memory>

#include "engine/parallel/process_group.h"

namespace seqseg {

// True where this build has NCCL (a CUDA build of LibTorch 2.x).
bool ncclAvailable();

// Joins the NCCL group described by info on GPU `cudaDevice` (a group of one, too: it then
// needs no store port). Throws std::invalid_argument where this build has no NCCL.
std::shared_ptr<ProcessGroup> makeNcclProcessGroup(const RankInfo& info,
                                                   const ProcessGroupOptions& options,
                                                   int cudaDevice);

}  // namespace seqseg
