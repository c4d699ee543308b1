// readImage decodes the voxel data itself (ITK reads only the placement): its values must be
// bit for bit what ITK's own NIfTI reader gives, for every voxel type, both byte orders, with and
// without scl_slope/scl_inter, plain and gzipped (one gzip member, or several).
#include <gtest/gtest.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkNiftiImageIO.h>
#include <nifti1_io.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "io/image_reader.h"
#include "io/nifti_header.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

using test::TempDir;

constexpr int kNi = 5, kNj = 4, kNk = 3, kVolumes = 2;
constexpr int kCount = kNi * kNj * kNk * kVolumes;
constexpr int kVoxOffset = 368;  // past the 4-byte extension flag: readers must honour it

// Stored values of type T: the type's extremes, zero, small and awkward numbers.
template <typename T>
std::vector<T> storedValues() {
  using Limits = std::numeric_limits<T>;
  std::vector<T> special{Limits::lowest(), Limits::max(), T(0), T(1), T(7), T(100), T(127)};
  if constexpr (std::is_signed_v<T>) special.insert(special.end(), {T(-1), T(-100), T(-128)});
  if constexpr (std::is_floating_point_v<T>)
    special.insert(special.end(), {T(0.1), T(-0.0), T(1e-30), Limits::denorm_min(), T(3.3e7),
                                   T(16777217.0), T(-2.5e-3)});
  if constexpr (std::is_integral_v<T> && sizeof(T) >= 4)
    special.insert(special.end(), {T(16777217), T(123456789), static_cast<T>(Limits::max() - 1)});
  std::vector<T> values(kCount);
  for (int v = 0; v < kCount; ++v)
    values[v] = v < static_cast<int>(special.size()) ? special[v] : static_cast<T>(v * 3 + 11);
  return values;
}

enum class Container { Plain, Gzip, GzipTwoMembers };

struct FileSpec {
  int16_t datatype;
  bool swapped;
  float slope, intercept;
  Container container;
};

std::string describe(const FileSpec& spec) {
  static const char* containers[] = {"nii", "nii.gz", "nii.gz (two members)"};
  return niftiDatatypeName(spec.datatype) + (spec.swapped ? " byte-swapped" : " native") +
         " slope " + std::to_string(spec.slope) + " intercept " + std::to_string(spec.intercept) +
         " " + containers[static_cast<int>(spec.container)];
}

template <typename T>
std::string dataBytes(bool swapped) {
  const std::vector<T> values = storedValues<T>();
  std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  if (swapped)
    for (size_t v = 0; v < values.size(); ++v)
      std::reverse(bytes.begin() + v * sizeof(T), bytes.begin() + (v + 1) * sizeof(T));
  return bytes;
}

std::string dataBytesOf(int16_t datatype, bool swapped) {
  switch (datatype) {
    case DT_UINT8:
      return dataBytes<uint8_t>(swapped);
    case DT_INT8:
      return dataBytes<int8_t>(swapped);
    case DT_INT16:
      return dataBytes<int16_t>(swapped);
    case DT_UINT16:
      return dataBytes<uint16_t>(swapped);
    case DT_INT32:
      return dataBytes<int32_t>(swapped);
    case DT_UINT32:
      return dataBytes<uint32_t>(swapped);
    case DT_INT64:
      return dataBytes<int64_t>(swapped);
    case DT_UINT64:
      return dataBytes<uint64_t>(swapped);
    case DT_FLOAT32:
      return dataBytes<float>(swapped);
    default:
      return dataBytes<double>(swapped);
  }
}

void writeGzip(const std::string& path, const std::vector<std::string>& members) {
  std::string file;
  for (const std::string& member : members) {
    z_stream stream{};
    ASSERT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&stream, member.size()) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
    stream.avail_in = static_cast<uInt>(member.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    file += out;
  }
  test::writeFile(path, file);
}

std::string writeSpec(const TempDir& dir, const FileSpec& spec, int index) {
  nifti_1_header h;
  std::memset(&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  const int16_t dims[8] = {4, kNi, kNj, kNk, kVolumes, 1, 1, 1};
  std::memcpy(h.dim, dims, sizeof dims);
  h.datatype = spec.datatype;
  h.bitpix = static_cast<int16_t>(8 * dataBytesOf(spec.datatype, false).size() / kCount);
  const float pixdim[8] = {1, 1.5f, 2, 2.5f, 1, 1, 1, 1};
  std::memcpy(h.pixdim, pixdim, sizeof pixdim);
  h.vox_offset = kVoxOffset;
  h.scl_slope = spec.slope;
  h.scl_inter = spec.intercept;
  h.qform_code = 1;
  h.quatern_d = 1;  // a rotation by pi about z
  h.qoffset_x = 10;
  h.xyzt_units = NIFTI_UNITS_MM;
  std::memcpy(h.magic, "n+1", 4);
  if (spec.swapped) swap_nifti_header(&h, 1);
  std::string head(reinterpret_cast<const char*>(&h), sizeof h);
  head.resize(kVoxOffset, '\0');  // extension flag 0, then padding
  const std::string data = dataBytesOf(spec.datatype, spec.swapped);
  const std::string path = dir / ("f" + std::to_string(index) +
                                  (spec.container == Container::Plain ? ".nii" : ".nii.gz"));
  if (spec.container == Container::Plain) test::writeFile(path, head + data);
  if (spec.container == Container::Gzip) writeGzip(path, {head + data});
  if (spec.container == Container::GzipTwoMembers) writeGzip(path, {head, data});
  return path;
}

std::vector<float> readWithItk(const std::string& path) {
  using Image = itk::Image<float, 4>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(path);
  reader->Update();
  const Image* image = reader->GetOutput();
  const size_t count = image->GetLargestPossibleRegion().GetNumberOfPixels();
  return {image->GetBufferPointer(), image->GetBufferPointer() + count};
}

std::vector<float> plainCast(int16_t datatype) {
  const std::string bytes = dataBytesOf(datatype, false);
  const size_t width = bytes.size() / kCount;
  std::vector<float> out(kCount);
  for (int v = 0; v < kCount; ++v) {
    const char* at = bytes.data() + v * width;
    auto as = [at](auto value) {
      std::memcpy(&value, at, sizeof value);
      return static_cast<float>(value);
    };
    switch (datatype) {
      case DT_UINT8:
        out[v] = as(uint8_t{});
        break;
      case DT_INT8:
        out[v] = as(int8_t{});
        break;
      case DT_INT16:
        out[v] = as(int16_t{});
        break;
      case DT_UINT16:
        out[v] = as(uint16_t{});
        break;
      case DT_INT32:
        out[v] = as(int32_t{});
        break;
      case DT_UINT32:
        out[v] = as(uint32_t{});
        break;
      case DT_INT64:
        out[v] = as(int64_t{});
        break;
      case DT_UINT64:
        out[v] = as(uint64_t{});
        break;
      case DT_FLOAT32:
        out[v] = as(float{});
        break;
      default:
        out[v] = as(double{});
    }
  }
  return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(NiftiVoxels, DecodedExactlyAsItkDecodes) {
  const int16_t datatypes[] = {DT_UINT8,  DT_INT8,  DT_INT16,  DT_UINT16,  DT_INT32,
                               DT_UINT32, DT_INT64, DT_UINT64, DT_FLOAT32, DT_FLOAT64};
  // {slope, intercept}: none, the identity, scaling, a zero slope (read as 1) with an intercept,
  // a slope that no float or double holds exactly, a non-finite slope (read as 1).
  const std::pair<float, float> scalings[] = {{0, 0},
                                              {1, 0},
                                              {2.5f, -7.25f},
                                              {0, 3},
                                              {0.1f, 1e-3f},
                                              {-1.0f / 3, 0},
                                              {std::numeric_limits<float>::infinity(), 2}};
  TempDir dir;
  int index = 0, scaledDiffer = 0;
  for (int16_t datatype : datatypes)
    for (bool swapped : {false, true})
      for (const auto& [slope, intercept] : scalings)
        for (Container container : {Container::Plain, Container::Gzip, Container::GzipTwoMembers}) {
          const FileSpec spec{datatype, swapped, slope, intercept, container};
          SCOPED_TRACE(describe(spec));
          const std::string path = writeSpec(dir, spec, index++);
          const std::vector<float> itk = readWithItk(path);
          ASSERT_EQ(itk.size(), static_cast<size_t>(kCount));
          const Volume ours = readImage(path);
          ASSERT_EQ(ours.shape, (std::array<int64_t, 4>{kVolumes, kNk, kNj, kNi}));
          EXPECT_TRUE(sameBits(ours.voxels, itk));
          if (!sameBits(ours.voxels, itk))
            for (int v = 0; v < kCount; ++v)
              if (std::memcmp(&ours.voxels[v], &itk[v], sizeof(float)) != 0) {
                ADD_FAILURE() << "voxel " << v << ": ours " << ours.voxels[v] << ", ITK " << itk[v];
                break;
              }
          EXPECT_TRUE(sameBits(readNiftiVoxels(path, readNiftiHeader(path)), itk));
          // The scaled files really are scaled: the comparison above would see a skipped one.
          if (slope == 2.5f) scaledDiffer += !sameBits(itk, plainCast(datatype));
        }
  EXPECT_EQ(scaledDiffer, 10 * 2 * 3);
}

}  // namespace
}  // namespace seqseg
