#pragma once
// A hard per-process memory cap for rank processes (seqseg-bench --max-memory) and the test of
// whether an exception is what hitting it looks like.
//
// The cap is RLIMIT_DATA: the kernel refuses brk and private writable mmap beyond it, so
// malloc returns null and LibTorch's allocator throws. It counts private writable memory that
// is mapped (heap, anonymous mappings, thread stacks, Gloo and OpenMP buffers), touched or not;
// not the shared libraries' code, which resident-set figures (VmRSS/VmHWM) include. RLIMIT_AS
// would be useless here: a LibTorch process reserves far more address space than it uses (each
// glibc malloc arena reserves 64 MiB of PROT_NONE, the libraries map hundreds of MiB of code).
#include <cstdint>
#include <exception>

namespace seqseg {

// Caps this process's data segment at `mib` MiB (also lowering the hard limit); throws
// std::runtime_error when the kernel refuses. Memory mapped before the call counts too.
void capProcessMemory(int64_t mib);

// glibc malloc: serve every block of 1 MiB or more with its own mmap, so that freeing it returns
// it to the kernel at once. By default glibc raises that threshold to the largest block freed so
// far (up to 32 MiB) and then keeps freed blocks below it in the heap, where holes between live
// blocks stay resident; a rank of a sequence-parallel job, whose activations are mostly below
// 32 MiB, then peaks hundreds of MiB above what it holds (bench/RESULTS.md). Call first thing in
// main(); does nothing when MALLOC_MMAP_THRESHOLD_ is set (the user's choice) or without glibc.
void returnFreedMemoryPromptly();

// True for failures caused by exhausted memory: std::bad_alloc, LibTorch's "not enough memory",
// a thread that could not be created (EAGAIN / ENOMEM), or any error whose message carries one
// of these (a collective wraps the cause in its own message).
bool isOutOfMemory(const std::exception& error);

}  // namespace seqseg
