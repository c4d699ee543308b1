#pragma once
// Reading and checking a NIfTI-1 header before ITK touches the file, so that absurd sizes,
// truncation and corruption are refused with a precise message and before any allocation; and
// reading the voxel data (ITK reads only the placement, so each file is inflated once).
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "types/geometry.h"

namespace seqseg {

// The largest image accepted, in voxels over all channels (2^31, about 8 GiB of float32).
constexpr int64_t kMaxVoxels = int64_t{1} << 31;

struct NiftiHeaderInfo {
  int rank = 0;                   // dim[0] after dropping trailing dimensions of size 1
  std::array<int64_t, 7> dims{};  // dim[1..7]
  int16_t datatype = 0;
  int bytes_per_voxel = 0;
  int64_t vox_offset = 0;
  float scl_slope = 0, scl_inter = 0;
  NiftiTransforms transforms;  // verbatim placement fields
  bool gzipped = false;        // compressed (as zlib finds it, whatever the file's name)
  bool byteSwapped = false;    // stored in the other endianness

  int64_t voxelCount() const;
  // The file's (inflated) bytes up to the end of the voxel data.
  int64_t bytesThroughData() const;
};

// Parses and validates the header: magic, dimensions (rank 3 or 4, sizes >= 1, total under
// kMaxVoxels), voxel type, spacing > 0, an orthonormal direction, and a file long enough for
// the data it promises (a compressed one: within deflate's limit). Throws InputError.
NiftiHeaderInfo readNiftiHeader(const std::string& path);

// Reads the voxel data (through gzip) as float32, converted exactly as ITK's NIfTI reader does
// (scl_slope and scl_inter included), after confirming that the file holds all the data its
// header promises and, for real-valued types, that every value is finite. Throws InputError for
// truncated files, corrupted gzip streams and NaN/infinite voxels (which ITK's NIfTI reader
// silently zeroes). Values run i fastest, then j, k and the volume.
std::vector<float> readNiftiVoxels(const std::string& path, const NiftiHeaderInfo& header);
// The same into `voxels` (header.voxelCount() floats): a case's four files go straight into its
// stacked volume.
void readNiftiVoxelsInto(const std::string& path, const NiftiHeaderInfo& header, float* voxels);

// Name of a NIfTI datatype code ("uint8", "int16", "float32", ...).
std::string niftiDatatypeName(int16_t datatype);

// Writes a complete NIfTI-1 file (header + voxel data) with the placement fields of
// `transforms`; .nii.gz paths are gzip-compressed. `dims` are dim[1..rank].
void writeNiftiFile(const std::string& path, const std::array<int64_t, 4>& dims, int rank,
                    int16_t datatype, const void* voxels, const NiftiTransforms& transforms);

// The same for a float32 image computed as it is written, never held whole: fill(first, count,
// into) puts `count` rows of dims[0] voxels, starting at row `first` in file order, into `into`.
using FloatRowFiller = std::function<void(int64_t first, int64_t count, float* into)>;
void writeFloatNiftiRows(const std::string& path, const std::array<int64_t, 4>& dims, int rank,
                         const FloatRowFiller& fill, const NiftiTransforms& transforms);

}  // namespace seqseg
