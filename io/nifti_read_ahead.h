// Inflating a case's .nii.gz files while the program loads.
//
// Loading seqseg-real (LibTorch with its ~290 libraries) keeps one core busy for most of a
// second before main() runs, while inflating a BraTS case's four files takes a few tenths of a
// second of the other. The launcher (app/launcher_main.cpp) starts a detached process that
// inflates the files a batch will read into shared memory (a memfd) and hands the memory and a
// pipe, closed when that process ends, to the real program through the environment. The
// program's NIfTI reader then takes a file's bytes from there instead of inflating it, but only
// when the file is unchanged since (same device, inode, size and modification time) and the
// inflate matched what the reader's own would produce; anything else reads the file as usual, so
// errors and results do not depend on the read-ahead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seqseg {

// The environment variable that carries the hand-over ("MEMFD,PIPE[,verbose]"), internal.
inline constexpr const char* kReadAheadHandoverVariable = "SEQSEG_READ_AHEAD_HANDOVER";

// At most this many files, and this many inflated bytes in all, are read ahead.
inline constexpr int kReadAheadMaxFiles = 8;
inline constexpr int64_t kReadAheadMaxBytes = int64_t{1} << 30;

// A regular .nii.gz name (what the read-ahead takes).
bool isGzippedNiftiName(const std::string& path);

// Inflates one whole gzip member holding exactly `inflatedSize` bytes into `into`, the file's
// bytes to the last one (libdeflate, one call). False for anything else (several members,
// trailing bytes, damage, another size). The reader and the read-ahead both inflate through it,
// so bytes taken from the read-ahead are the ones the reader would have made.
bool inflateExactGzip(const char* compressed, size_t compressedSize, char* into,
                      int64_t inflatedSize);

// Launcher side: starts inflating `paths` (regular .nii.gz files; others are left out) in a
// detached process and sets the hand-over variable for the program about to be exec'd. Does
// nothing (returns false) when there is nothing to read or the limits are passed.
bool startReadAhead(const std::vector<std::string>& paths, bool verbose);

// Reader side: takes over the hand-over the launcher left in the environment (and removes it
// from there, for the processes this one starts). Called at the start of main(), before any
// thread runs; again, it replaces the previous hand-over.
void adoptReadAhead();

// The inflated bytes of `path` when they were read ahead, are complete and the
// file is unchanged; {nullptr, 0} otherwise. Waits for the read-ahead to finish. Every file's
// bytes can be taken once; releaseReadAhead gives their memory back.
struct ReadAheadBytes {
  const char* data = nullptr;
  int64_t size = 0;
  int64_t offset = 0;  // in the shared memory, for the release
};
ReadAheadBytes takeReadAhead(const std::string& path);
void releaseReadAhead(const ReadAheadBytes& bytes);

}  // namespace seqseg
