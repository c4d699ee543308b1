#include "io/nifti_header.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <nifti1_io.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "io/nifti_read_ahead.h"
#include "types/atomic_file.h"
#include "types/input_error.h"
#include "types/name_affixes.h"

namespace seqseg {
namespace {

constexpr int kNifti1HeaderSize = 348;
constexpr float kMaxVoxOffset = 1099511627776.0f;  // 1 TiB of header extensions: absurd
constexpr int kNifti2HeaderSize = 540;
constexpr int kNifti1DataOffset = 352;  // header + the 4-byte extension flag

struct GzFileCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzFileCloser>;

void checkReadableFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) throw InputError(path, "file not found");
  if (fs::is_directory(status)) throw InputError(path, "is a folder, expected a NIfTI file");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
}

// zlib reads plain files transparently, so one path serves .nii and .nii.gz.
GzFile openForReading(const std::string& path) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  return file;
}

// Deflate codes at most 258 bytes in 2 bits: no gzip stream inflates to more than 1032 times
// its size (zlib's documented limit).
constexpr int64_t kMaxDeflateRatio = 1032;

// Refuses a file too short for the data its header promises, before anything is allocated for
// that data: a plain file's size is exact; a compressed one is refused when even deflate's
// densest coding could not hold the data (the inflate checks the rest).
void checkDataCanBePresent(const std::string& path, const NiftiHeaderInfo& info) {
  std::error_code error;
  const auto fileSize = static_cast<int64_t>(std::filesystem::file_size(path, error));
  if (error) return;  // not a regular file: the read names any problem
  const int64_t needed = info.bytesThroughData();
  if (!info.gzipped && fileSize < needed)
    throw InputError(path, "truncated: expected " + std::to_string(needed) + " bytes, found " +
                               std::to_string(fileSize));
  if (info.gzipped && needed / kMaxDeflateRatio > fileSize)
    throw InputError(path, "truncated: expected " + std::to_string(needed) +
                               " bytes after decompression, more than a gzip file of " +
                               std::to_string(fileSize) + " bytes can hold");
}

int bytesPerVoxel(int16_t datatype) {
  switch (datatype) {
    case DT_UINT8:
    case DT_INT8:
      return 1;
    case DT_INT16:
    case DT_UINT16:
      return 2;
    case DT_INT32:
    case DT_UINT32:
    case DT_FLOAT32:
      return 4;
    case DT_FLOAT64:
    case DT_INT64:
    case DT_UINT64:
      return 8;
    default:
      return 0;  // complex, RGB, binary, float128: not image intensities we accept
  }
}

// The 3x3 linear part of the transform a reader will use, in RAS; false when there is none.
bool linearPart(const nifti_1_header& h, double m[3][3]) {
  if (h.sform_code > 0) {
    const float* rows[3] = {h.srow_x, h.srow_y, h.srow_z};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) m[r][c] = rows[r][c];
    return true;
  }
  return false;
}

void checkDirection(const std::string& path, const nifti_1_header& h) {
  double m[3][3];
  if (!linearPart(h, m)) return;  // the qform is a rotation by construction
  double norms[3];
  for (int c = 0; c < 3; ++c) {
    norms[c] = std::sqrt(m[0][c] * m[0][c] + m[1][c] * m[1][c] + m[2][c] * m[2][c]);
    if (!(norms[c] > 0) || !std::isfinite(norms[c]))
      throw InputError(path, "sform column " + std::to_string(c) + " is zero or not finite");
  }
  double worst = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += m[r][a] * m[r][b] / (norms[a] * norms[b]);
      worst = std::max(worst, std::fabs(dot - (a == b ? 1.0 : 0.0)));
    }
  // With a valid qform as well, readers fall back to it; only a lone sheared sform is fatal.
  if (worst > 1e-4 && h.qform_code <= 0)
    throw InputError(path, "direction is not orthonormal (the sform has shear or skew; off by " +
                               std::to_string(worst) + ")");
}

// ITK aborts the process (vnl's assert_finite) when a transform it uses has a NaN or infinite
// entry, the offsets included, and its float SVD of the transform never ends when an entry is
// subnormal (found by fuzz_nifti_reader: a 784-byte file kept a core busy for good).
void checkPlacementFinite(const std::string& path, const nifti_1_header& h) {
  std::vector<std::pair<std::string, float>> fields;
  if (h.sform_code > 0) {
    const char* names[3] = {"srow_x", "srow_y", "srow_z"};
    const float* rows[3] = {h.srow_x, h.srow_y, h.srow_z};
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c)
        fields.emplace_back(std::string(names[r]) + "[" + std::to_string(c) + "]", rows[r][c]);
  }
  if (h.qform_code > 0)
    fields.insert(fields.end(), {{"quatern_b", h.quatern_b},
                                 {"quatern_c", h.quatern_c},
                                 {"quatern_d", h.quatern_d},
                                 {"qoffset_x", h.qoffset_x},
                                 {"qoffset_y", h.qoffset_y},
                                 {"qoffset_z", h.qoffset_z}});
  for (const auto& [name, value] : fields)
    if (!std::isfinite(value)) throw InputError(path, "invalid header: " + name + " is not finite");
  for (const auto& [name, value] : fields)
    if (std::fpclassify(value) == FP_SUBNORMAL)
      throw InputError(path, "invalid header: " + name + " is subnormal");
  // No scanner places an image a kilometre away or scales a voxel to one; values beyond that
  // (the fuzzer's 1e22 to 1e38) kept ITK's SVD from ending as well.
  for (const auto& [name, value] : fields)
    if (std::fabs(value) > 1e6f) {
      char text[32];
      std::snprintf(text, sizeof text, "%g", value);
      throw InputError(path,
                       "invalid header: " + name + " is " + text + ", beyond any scanner's range");
    }
}

}  // namespace

int64_t NiftiHeaderInfo::voxelCount() const {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) count *= dims[d];
  return count;
}

int64_t NiftiHeaderInfo::bytesThroughData() const {
  return vox_offset + voxelCount() * bytes_per_voxel;
}

std::string niftiDatatypeName(int16_t datatype) {
  switch (datatype) {
    case DT_UINT8:
      return "uint8";
    case DT_INT8:
      return "int8";
    case DT_INT16:
      return "int16";
    case DT_UINT16:
      return "uint16";
    case DT_INT32:
      return "int32";
    case DT_UINT32:
      return "uint32";
    case DT_INT64:
      return "int64";
    case DT_UINT64:
      return "uint64";
    case DT_FLOAT32:
      return "float32";
    case DT_FLOAT64:
      return "float64";
    default:
      return "datatype " + std::to_string(datatype);
  }
}

NiftiHeaderInfo readNiftiHeader(const std::string& path) {
  checkReadableFile(path);
  GzFile file = openForReading(path);
  nifti_1_header h;
  const int got = gzread(file.get(), &h, sizeof h);
  if (got < 0) throw InputError(path, "corrupted gzip data in the header");
  if (got == 0) throw InputError(path, "empty file");
  if (got < 4) throw InputError(path, "not a NIfTI file (only " + std::to_string(got) + " bytes)");

  bool swapped = false;
  int32_t sizeofHdr = h.sizeof_hdr;
  int32_t swappedSize = static_cast<int32_t>(__builtin_bswap32(static_cast<uint32_t>(sizeofHdr)));
  if (sizeofHdr == kNifti2HeaderSize || swappedSize == kNifti2HeaderSize)
    throw InputError(path, "NIfTI-2 files are not supported; save it as NIfTI-1");
  if (sizeofHdr != kNifti1HeaderSize) {
    if (swappedSize != kNifti1HeaderSize) throw InputError(path, "not a NIfTI file");
    swapped = true;
  }
  if (got < kNifti1HeaderSize)
    throw InputError(path, "truncated: the file ends inside the NIfTI header");
  if (swapped) swap_nifti_header(&h, 1);
  if (std::strcmp(h.magic, "n+1") != 0) {
    if (std::strcmp(h.magic, "ni1") == 0)
      throw InputError(path, "a two-file NIfTI (.hdr/.img) is not supported; use .nii or .nii.gz");
    throw InputError(path, "not a NIfTI-1 file (missing n+1 magic; ANALYZE 7.5 is not supported)");
  }

  NiftiHeaderInfo info;
  info.byteSwapped = swapped;
  // zlib reads plain files transparently, whatever their name: it knows which this one is.
  info.gzipped = gzdirect(file.get()) == 0;
  const int declaredRank = h.dim[0];
  if (declaredRank < 1 || declaredRank > 7)
    throw InputError(path, "invalid header: dim[0] = " + std::to_string(declaredRank));
  for (int d = 1; d <= declaredRank; ++d) {
    if (h.dim[d] < 1)
      throw InputError(path, "invalid header: dimension " + std::to_string(d) + " has size " +
                                 std::to_string(h.dim[d]));
    info.dims[d - 1] = h.dim[d];
  }
  int rank = declaredRank;
  while (rank > 3 && info.dims[rank - 1] == 1) --rank;  // trailing singleton dimensions
  info.rank = rank;
  if (rank < 3 || info.dims[2] < 2)
    throw InputError(path, "is 2D (" + std::to_string(info.dims[0]) + "x" +
                               std::to_string(info.dims[1]) +
                               "); a 3D volume or a 4D multi-channel volume is expected");
  if (rank > 4)
    throw InputError(path, "is " + std::to_string(rank) +
                               "D; a 3D volume or a 4D multi-channel volume is expected");
  // Multiply in floating point first: the product of seven int16 sizes overflows nothing there.
  double voxels = 1;
  for (int d = 0; d < rank; ++d) voxels *= static_cast<double>(info.dims[d]);
  if (voxels > static_cast<double>(kMaxVoxels))
    throw InputError(path, "header claims " + std::to_string(static_cast<int64_t>(voxels)) +
                               " voxels, more than the limit of " + std::to_string(kMaxVoxels));

  info.datatype = h.datatype;
  info.bytes_per_voxel = bytesPerVoxel(h.datatype);
  if (info.bytes_per_voxel == 0)
    throw InputError(path, "unsupported voxel type " + std::to_string(h.datatype) +
                               " (expected an integer or real scalar type)");
  // Range-check the float before converting it (a huge or NaN value does not fit an int64).
  if (!(h.vox_offset >= kNifti1HeaderSize && h.vox_offset <= kMaxVoxOffset))
    throw InputError(path, "invalid header: vox_offset " + std::to_string(h.vox_offset));
  info.vox_offset = static_cast<int64_t>(h.vox_offset);
  info.scl_slope = h.scl_slope;
  info.scl_inter = h.scl_inter;

  for (int d = 1; d <= 3; ++d) {
    if (!(h.pixdim[d] > 0) || !std::isfinite(h.pixdim[d]))
      throw InputError(path, "spacing along axis " + std::to_string(d - 1) + " is " +
                                 std::to_string(h.pixdim[d]) + " (must be positive)");
  }
  checkPlacementFinite(path, h);
  checkDirection(path, h);

  NiftiTransforms& t = info.transforms;
  t.qform_code = h.qform_code;
  t.sform_code = h.sform_code;
  t.qfac = h.pixdim[0] < 0 ? -1.0f : 1.0f;
  t.pixdim = {h.pixdim[1], h.pixdim[2], h.pixdim[3]};
  t.quatern = {h.quatern_b, h.quatern_c, h.quatern_d};
  t.qoffset = {h.qoffset_x, h.qoffset_y, h.qoffset_z};
  for (int c = 0; c < 4; ++c) {
    t.srow[0][c] = h.srow_x[c];
    t.srow[1][c] = h.srow_y[c];
    t.srow[2][c] = h.srow_z[c];
  }
  t.xyzt_units = static_cast<uint8_t>(h.xyzt_units);
  checkDataCanBePresent(path, info);
  return info;
}

namespace {

// The scaling ITK's NIfTI reader applies: nifti1_io zeroes a non-finite scl_slope or scl_inter,
// a slope of zero means 1, and the identity (within double epsilon) means no scaling at all.
struct Scaling {
  bool apply = false;
  double slope = 1, intercept = 0;
};

Scaling scalingOf(const NiftiHeaderInfo& header) {
  constexpr double epsilon = std::numeric_limits<double>::epsilon();
  Scaling s;
  s.slope = std::isfinite(header.scl_slope) ? header.scl_slope : 0.0;
  if (std::fabs(s.slope) < epsilon) s.slope = 1;
  s.intercept = std::isfinite(header.scl_inter) ? header.scl_inter : 0.0;
  s.apply = std::fabs(s.slope - 1.0) > epsilon || std::fabs(s.intercept) > epsilon;
  return s;
}

template <typename Bits>
Bits byteSwapped(Bits bits) {
  if constexpr (sizeof(Bits) == 2) return __builtin_bswap16(bits);
  if constexpr (sizeof(Bits) == 4) return __builtin_bswap32(bits);
  if constexpr (sizeof(Bits) == 8) return __builtin_bswap64(bits);
  return bits;
}

// NaN and infinite values found while decoding, and where the first one is.
struct NonFinite {
  int64_t count = 0, first = -1;
};

// Converts `count` values of type T to float32 as ITK does: a plain cast; with scaling, integers
// are first cast to float, then value * slope + intercept in double (two roundings, as ITK's
// RescaleFunction), cast to float. Counts non-finite stored values on the way.
template <typename T, bool kSwapped>
void decodeValues(const char* bytes, int64_t count, const Scaling& scaling, float* out,
                  NonFinite& nonFinite) {
  using Bits = std::conditional_t<
      sizeof(T) == 1, uint8_t,
      std::conditional_t<sizeof(T) == 2, uint16_t,
                         std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
  auto valueAt = [bytes](int64_t i) {
    Bits bits;
    std::memcpy(&bits, bytes + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
    if constexpr (kSwapped) bits = byteSwapped(bits);
    T value;
    std::memcpy(&value, &bits, sizeof(T));
    return value;
  };
  if constexpr (std::is_floating_point_v<T>) {
    // NaN and infinities are the values whose exponent bits are all ones. Counted branch-free in
    // the conversion (one vectorised pass); only a file that has some is searched for the first.
    constexpr Bits kExponent =
        static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000u : 0x7ff0000000000000u);
    const auto nonFiniteAt = [&](int64_t i) {
      Bits bits;
      std::memcpy(&bits, bytes + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
      if constexpr (kSwapped) bits = byteSwapped(bits);
      return (bits & kExponent) == kExponent;
    };
    int64_t nonFiniteCount = 0;
    if (!scaling.apply) {
      for (int64_t i = 0; i < count; ++i) {
        out[i] = static_cast<float>(valueAt(i));
        nonFiniteCount += nonFiniteAt(i);
      }
    } else {
      for (int64_t i = 0; i < count; ++i) nonFiniteCount += nonFiniteAt(i);
    }
    if (nonFiniteCount > 0) {
      nonFinite.count += nonFiniteCount;
      for (int64_t i = 0; i < count && nonFinite.first < 0; ++i)
        if (nonFiniteAt(i)) nonFinite.first = i;
    }
    if (!scaling.apply) return;
  }
  if (!scaling.apply) {
    for (int64_t i = 0; i < count; ++i) out[i] = static_cast<float>(valueAt(i));
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    const T value = valueAt(i);
    double scaled = std::is_same_v<T, double> ? static_cast<double>(value)
                                              : static_cast<double>(static_cast<float>(value));
    scaled *= scaling.slope;
    scaled += scaling.intercept;
    out[i] = static_cast<float>(scaled);
  }
}

template <typename T>
void decodeAs(const char* bytes, const NiftiHeaderInfo& header, float* out, NonFinite& nonFinite) {
  const int64_t count = header.voxelCount();
  const Scaling scaling = scalingOf(header);
  if (header.byteSwapped)
    decodeValues<T, true>(bytes, count, scaling, out, nonFinite);
  else
    decodeValues<T, false>(bytes, count, scaling, out, nonFinite);
}

void decode(const char* bytes, const NiftiHeaderInfo& header, float* out, NonFinite& nonFinite) {
  switch (header.datatype) {
    case DT_UINT8:
      return decodeAs<uint8_t>(bytes, header, out, nonFinite);
    case DT_INT8:
      return decodeAs<int8_t>(bytes, header, out, nonFinite);
    case DT_INT16:
      return decodeAs<int16_t>(bytes, header, out, nonFinite);
    case DT_UINT16:
      return decodeAs<uint16_t>(bytes, header, out, nonFinite);
    case DT_INT32:
      return decodeAs<int32_t>(bytes, header, out, nonFinite);
    case DT_UINT32:
      return decodeAs<uint32_t>(bytes, header, out, nonFinite);
    case DT_INT64:
      return decodeAs<int64_t>(bytes, header, out, nonFinite);
    case DT_UINT64:
      return decodeAs<uint64_t>(bytes, header, out, nonFinite);
    case DT_FLOAT32:
      return decodeAs<float>(bytes, header, out, nonFinite);
    case DT_FLOAT64:
      return decodeAs<double>(bytes, header, out, nonFinite);
    default:
      throw std::logic_error("voxel type " + std::to_string(header.datatype) +
                             " passed the header check but cannot be decoded");
  }
}

// Reads the file through zlib (plain files too) up to the end of the voxel data. The buffer
// grows with what arrives: a header that promises far more than the file holds costs no large
// allocation.
std::unique_ptr<char[]> streamRead(const std::string& path, const NiftiHeaderInfo& header,
                                   int64_t needed) {
  GzFile file = openForReading(path);
  std::unique_ptr<char[]> bytes;
  int64_t total = 0, capacity = 0;
  while (total < needed) {
    if (total == capacity) {
      const int64_t grown = std::min(needed, std::max<int64_t>(2 * capacity, int64_t{1} << 26));
      std::unique_ptr<char[]> larger(new char[static_cast<size_t>(grown)]);
      if (total > 0) std::memcpy(larger.get(), bytes.get(), static_cast<size_t>(total));
      bytes = std::move(larger);
      capacity = grown;
    }
    const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(capacity - total, 1 << 30));
    const int got = gzread(file.get(), bytes.get() + total, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      throw InputError(path, std::string("corrupted gzip data (") + message + ")");
    }
    if (got == 0) break;
    total += got;
  }
  if (total < needed)
    throw InputError(path, "truncated: expected " + std::to_string(needed) + " bytes" +
                               (header.gzipped ? " after decompression" : "") + ", found " +
                               std::to_string(total));
  return bytes;
}

void reportNonFinite(const std::string& path, const NiftiHeaderInfo& header,
                     const NonFinite& nonFinite) {
  if (nonFinite.count > 0) {
    const int64_t first = nonFinite.first, ni = header.dims[0], nj = header.dims[1];
    const int64_t perVolume = ni * nj * header.dims[2];
    std::string where = "i=" + std::to_string(first % ni) +
                        " j=" + std::to_string(first / ni % nj) +
                        " k=" + std::to_string(first / (ni * nj) % header.dims[2]);
    if (header.rank == 4) where += " volume " + std::to_string(first / perVolume);
    throw InputError(path, std::to_string(nonFinite.count) +
                               " voxel values are NaN or infinite (first at " + where + ")");
  }
}

// Above this, the whole-file inflate below would hold the compressed file too; streaming instead.
constexpr int64_t kWholeInflateLimit = int64_t{512} << 20;

// The common .nii.gz, one gzip member holding exactly the promised bytes, inflated in one call
// by libdeflate (about twice zlib's speed). False when the file is anything else (several
// members, trailing bytes, damage): the streaming read then reads it and names the problem.
bool inflateWholeGzip(const std::string& path, int64_t needed, char* into) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff compressedSize = in.tellg();
  if (!in || compressedSize <= 0 || compressedSize > kWholeInflateLimit) return false;
  std::vector<char> compressed(static_cast<size_t>(compressedSize));
  in.seekg(0);
  if (!in.read(compressed.data(), compressedSize)) return false;
  return inflateExactGzip(compressed.data(), compressed.size(), into, needed);
}

}  // namespace

std::vector<float> readNiftiVoxels(const std::string& path, const NiftiHeaderInfo& header) {
  std::vector<float> voxels(static_cast<size_t>(header.voxelCount()));
  readNiftiVoxelsInto(path, header, voxels.data());
  return voxels;
}

void readNiftiVoxelsInto(const std::string& path, const NiftiHeaderInfo& header, float* voxels) {
  const int64_t needed = header.bytesThroughData();
  // Header and extensions are read again with the data: one sequential read of the file.
  std::unique_ptr<char[]> file;
  ReadAheadBytes ahead;  // inflated by the launcher while the program loaded
  if (header.gzipped && needed <= kWholeInflateLimit) {
    ahead = takeReadAhead(path);
    if (ahead.data && ahead.size != needed) {
      releaseReadAhead(ahead);
      ahead = {};
    }
    if (!ahead.data) {
      file.reset(new char[static_cast<size_t>(needed)]);
      if (!inflateWholeGzip(path, needed, file.get())) file.reset();
    }
  }
  if (!ahead.data && !file) file = streamRead(path, header, needed);
  NonFinite nonFinite;
  decode((ahead.data ? ahead.data : file.get()) + header.vox_offset, header, voxels, nonFinite);
  releaseReadAhead(ahead);
  reportNonFinite(path, header, nonFinite);
}

namespace {

// Between these sizes an integer .nii.gz is deflated in one libdeflate call (2-3x faster than
// zlib at the same level; a mask is written at the end of every case); larger ones stream through
// zlib, and so do small ones, where the time does not matter.
constexpr int64_t kWholeDeflateMinimum = int64_t{1} << 20;
constexpr int64_t kWholeDeflateLimit = int64_t{256} << 20;

// The deflate level of a written label map (or other integer image): they shrink a good deal
// more at 6 than at 1, and cost little either way. Float images go through ISA-L instead.
constexpr int kIntegerDeflateLevel = 6;

void writeWholeGzip(const std::string& path, const std::string& temporaryPath,
                    const nifti_1_header& header, const void* voxels, int64_t dataBytes) {
  std::vector<char> whole(sizeof header + 4 + static_cast<size_t>(dataBytes), 0);
  std::memcpy(whole.data(), &header, sizeof header);  // then the empty extension flag
  std::memcpy(whole.data() + sizeof header + 4, voxels, static_cast<size_t>(dataBytes));
  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> compressor(
      libdeflate_alloc_compressor(kIntegerDeflateLevel), libdeflate_free_compressor);
  if (!compressor) throw std::bad_alloc();
  std::vector<char> compressed(libdeflate_gzip_compress_bound(compressor.get(), whole.size()));
  const size_t size = libdeflate_gzip_compress(compressor.get(), whole.data(), whole.size(),
                                               compressed.data(), compressed.size());
  std::FILE* file = std::fopen(temporaryPath.c_str(), "wb");
  if (!file) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
  const bool written = size > 0 && std::fwrite(compressed.data(), 1, size, file) == size;
  if (std::fclose(file) != 0 || !written)
    throw InputError(path, "write failed (disk full or not writable?)");
}

// Float images (probabilities, uncertainty, converted scans) are mostly noise-like mantissas.
// ISA-L's igzip at level 1 deflates them as small as libdeflate's level 1, four to five times
// faster (a 240x240x155 case's four class probabilities, 143 MB: 53.4 MB in 0.13 s against
// 52.7 MB in 0.61 s); levels above shrink them no more. The bytes are streamed through one small
// output buffer: neither the image nor its compressed form is ever copied whole.
class FloatFileSink {
 public:
  FloatFileSink(const std::string& path, const std::string& temporaryPath, bool gzipped)
      : path_(path),
        file_(std::fopen(temporaryPath.c_str(), "wb"), std::fclose),
        gzipped_(gzipped) {
    if (!file_) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
    if (!gzipped_) return;
    levelBuffer_.resize(ISAL_DEF_LVL1_DEFAULT);
    output_.resize(size_t{4} << 20);
    isal_deflate_init(&stream_);
    stream_.level = 1;
    stream_.level_buf = levelBuffer_.data();
    stream_.level_buf_size = static_cast<uint32_t>(levelBuffer_.size());
    stream_.gzip_flag = IGZIP_GZIP;
  }

  // The next bytes of the file; `last` ends it.
  void add(const void* data, int64_t bytes, bool last) {
    const char* next = static_cast<const char*>(data);
    // avail_in is 32 bits: pieces of at most 1 GiB.
    do {
      const int64_t piece = std::min<int64_t>(bytes, int64_t{1} << 30);
      bytes -= piece;
      if (gzipped_)
        deflate(next, piece, last && bytes == 0);
      else
        ok_ = ok_ && std::fwrite(next, 1, static_cast<size_t>(piece), file_.get()) ==
                         static_cast<size_t>(piece);
      next += piece;
    } while (ok_ && bytes > 0);
  }

  void close() {
    if (std::fclose(file_.release()) != 0 || !ok_)
      throw InputError(path_, "write failed (disk full or not writable?)");
  }

 private:
  void deflate(const char* data, int64_t bytes, bool last) {
    stream_.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data));
    stream_.avail_in = static_cast<uint32_t>(bytes);
    stream_.end_of_stream = last;
    do {
      stream_.next_out = output_.data();
      stream_.avail_out = static_cast<uint32_t>(output_.size());
      ok_ = ok_ && isal_deflate(&stream_) == COMP_OK;
      const size_t produced = output_.size() - stream_.avail_out;
      ok_ = ok_ && std::fwrite(output_.data(), 1, produced, file_.get()) == produced;
    } while (ok_ && (stream_.avail_in > 0 || stream_.avail_out == 0 ||
                     (last && stream_.internal_state.state != ZSTATE_END)));
  }

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  bool gzipped_;
  bool ok_ = true;
  isal_zstream stream_{};
  std::vector<uint8_t> levelBuffer_, output_;
};

// The header of a NIfTI-1 file of `dims` (dim[1..rank]) and `datatype`, placed by `t`.
nifti_1_header niftiHeader(const std::array<int64_t, 4>& dims, int rank, int16_t datatype,
                           const NiftiTransforms& t) {
  nifti_1_header h;
  std::memset(&h, 0, sizeof h);
  h.sizeof_hdr = kNifti1HeaderSize;
  h.dim[0] = static_cast<int16_t>(rank);
  for (int d = 0; d < 7; ++d) h.dim[d + 1] = static_cast<int16_t>(d < rank ? dims[d] : 1);
  h.datatype = datatype;
  h.bitpix = static_cast<int16_t>(8 * bytesPerVoxel(datatype));
  h.pixdim[0] = t.qfac;
  for (int d = 0; d < 3; ++d) h.pixdim[d + 1] = t.pixdim[d];
  for (int d = 4; d < 8; ++d) h.pixdim[d] = 1.0f;
  h.vox_offset = kNifti1DataOffset;
  h.scl_slope = 1.0f;
  h.xyzt_units = static_cast<char>(t.xyzt_units);
  h.qform_code = t.qform_code;
  h.sform_code = t.sform_code;
  h.quatern_b = t.quatern[0];
  h.quatern_c = t.quatern[1];
  h.quatern_d = t.quatern[2];
  h.qoffset_x = t.qoffset[0];
  h.qoffset_y = t.qoffset[1];
  h.qoffset_z = t.qoffset[2];
  for (int c = 0; c < 4; ++c) {
    h.srow_x[c] = t.srow[0][c];
    h.srow_y[c] = t.srow[1][c];
    h.srow_z[c] = t.srow[2][c];
  }
  std::strncpy(h.descrip, "seqseg", sizeof h.descrip - 1);
  std::memcpy(h.magic, "n+1", 4);
  return h;
}

int64_t voxelCount(const std::array<int64_t, 4>& dims, int rank) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) count *= dims[d];
  return count;
}

// A float image's file, complete or not at all: the header and the empty extension flag, then
// what writeVoxels(sink) adds, its last piece ending the file. `empty`: no voxels follow.
template <typename WriteVoxels>
void writeFloatFile(const std::string& path, const nifti_1_header& header, bool empty,
                    const WriteVoxels& writeVoxels) {
  AtomicFile out(path);
  FloatFileSink sink(path, out.temporaryPath(), endsWith(path, ".gz"));
  std::array<char, kNifti1DataOffset> head{};
  std::memcpy(head.data(), &header, sizeof header);
  sink.add(head.data(), head.size(), empty);
  writeVoxels(sink);
  sink.close();
  out.commit();
}

}  // namespace

void writeNiftiFile(const std::string& path, const std::array<int64_t, 4>& dims, int rank,
                    int16_t datatype, const void* voxels, const NiftiTransforms& t) {
  const nifti_1_header h = niftiHeader(dims, rank, datatype, t);
  const bool gzipped = endsWith(path, ".gz");
  const int64_t dataBytes = voxelCount(dims, rank) * (h.bitpix / 8);
  if (datatype == DT_FLOAT32) {
    writeFloatFile(path, h, dataBytes == 0,
                   [&](FloatFileSink& sink) { sink.add(voxels, dataBytes, true); });
    return;
  }
  AtomicFile out(path);
  if (gzipped && dataBytes >= kWholeDeflateMinimum && dataBytes <= kWholeDeflateLimit) {
    writeWholeGzip(path, out.temporaryPath(), h, voxels, dataBytes);
    out.commit();
    return;
  }
  {
    const std::string mode = gzipped ? "wb" + std::to_string(kIntegerDeflateLevel) : "wbT";
    GzFile file(gzopen(out.temporaryPath().c_str(), mode.c_str()));
    if (!file) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
    const char extension[4] = {0, 0, 0, 0};
    bool ok = gzwrite(file.get(), &h, sizeof h) == static_cast<int>(sizeof h) &&
              gzwrite(file.get(), extension, 4) == 4;
    const char* bytes = static_cast<const char*>(voxels);
    for (int64_t done = 0; ok && done < dataBytes;) {
      const unsigned chunk = static_cast<unsigned>(std::min<int64_t>(dataBytes - done, 1 << 26));
      ok = gzwrite(file.get(), bytes + done, chunk) == static_cast<int>(chunk);
      done += chunk;
    }
    if (gzclose(file.release()) != Z_OK) ok = false;
    if (!ok) throw InputError(path, "write failed (disk full or not writable?)");
  }
  out.commit();
}

void writeFloatNiftiRows(const std::string& path, const std::array<int64_t, 4>& dims, int rank,
                         const FloatRowFiller& fill, const NiftiTransforms& t) {
  const nifti_1_header h = niftiHeader(dims, rank, DT_FLOAT32, t);
  const int64_t rowLength = dims[0], rows = voxelCount(dims, rank) / std::max<int64_t>(dims[0], 1);
  writeFloatFile(path, h, rows * rowLength == 0, [&](FloatFileSink& sink) {
    // About 1 MB of rows at a time: computed, deflated, and the buffer reused.
    const int64_t batch =
        std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(rowLength, 1));
    std::vector<float> buffer(static_cast<size_t>(std::min(batch, rows) * rowLength));
    for (int64_t first = 0; first < rows; first += batch) {
      const int64_t count = std::min(batch, rows - first);
      fill(first, count, buffer.data());
      sink.add(buffer.data(), count * rowLength * 4, first + count == rows);
    }
  });
}

}  // namespace seqseg
