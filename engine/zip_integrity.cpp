#include "engine/zip_integrity.h"

#include <array>
#include <cstdint>

namespace seqseg {
namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64EndLocator = 0x07064b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kCentralEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kZip64Marker = 0xffffffff;

// Little-endian reads, bounds-checked by the caller through `fits`.
class Bytes {
 public:
  explicit Bytes(const std::vector<char>& bytes) : bytes_(bytes) {}
  uint64_t size() const { return bytes_.size(); }
  bool fits(uint64_t offset, uint64_t length) const {
    return offset <= size() && length <= size() - offset;
  }
  uint64_t read(uint64_t offset, int width) const {
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i)
      value = value << 8 | static_cast<uint8_t>(bytes_[offset + static_cast<uint64_t>(i)]);
    return value;
  }
  const char* at(uint64_t offset) const { return bytes_.data() + offset; }

 private:
  const std::vector<char>& bytes_;
};

uint32_t crc32(const char* data, uint64_t length) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (uint64_t i = 0; i < length; ++i)
    c = table[(c ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

struct CentralDirectory {
  uint64_t offset = 0;
  uint64_t entries = 0;
  bool found = false;
};

CentralDirectory findCentralDirectory(const Bytes& b) {
  CentralDirectory directory;
  if (b.size() < 22) return directory;
  // The end record is the last thing in the file, before a comment of at most 65535 bytes.
  const uint64_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (uint64_t at = b.size() - 22 + 1; at-- > lowest;) {
    if (b.read(at, 4) != kEndOfCentralDirectory) continue;
    directory.entries = b.read(at + 10, 2);
    directory.offset = b.read(at + 16, 4);
    directory.found = true;
    if ((directory.offset == kZip64Marker || directory.entries == 0xffff) && at >= 20 &&
        b.read(at - 20, 4) == kZip64EndLocator) {
      const uint64_t end64 = b.read(at - 20 + 8, 8);
      if (!b.fits(end64, 56) || b.read(end64, 4) != kZip64End) return {};
      directory.entries = b.read(end64 + 32, 8);
      directory.offset = b.read(end64 + 48, 8);
    }
    return directory;
  }
  return directory;
}

}  // namespace

std::string zipIntegrityProblem(const std::vector<char>& bytes) {
  const Bytes b(bytes);
  const CentralDirectory directory = findCentralDirectory(b);
  if (!directory.found) return {};
  uint64_t at = directory.offset;
  for (uint64_t entry = 0; entry < directory.entries; ++entry) {
    if (!b.fits(at, 46) || b.read(at, 4) != kCentralEntry)
      return "its zip directory is damaged or cut short";
    const uint64_t method = b.read(at + 10, 2);
    const uint32_t expected = static_cast<uint32_t>(b.read(at + 16, 4));
    uint64_t compressed = b.read(at + 20, 4);
    uint64_t uncompressed = b.read(at + 24, 4);
    const uint64_t nameLength = b.read(at + 28, 2);
    const uint64_t extraLength = b.read(at + 30, 2);
    const uint64_t commentLength = b.read(at + 32, 2);
    uint64_t local = b.read(at + 42, 4);
    if (!b.fits(at + 46, nameLength + extraLength + commentLength))
      return "its zip directory is damaged or cut short";
    const std::string name(b.at(at + 46), nameLength);
    // Zip64: the sizes and offset marked 0xffffffff follow, in this order, in extra field 1.
    for (uint64_t field = at + 46 + nameLength; field + 4 <= at + 46 + nameLength + extraLength;) {
      const uint64_t id = b.read(field, 2), length = b.read(field + 2, 2);
      uint64_t value = field + 4;
      if (id == 1) {
        for (uint64_t* slot : {&uncompressed, &compressed, &local})
          if (*slot == kZip64Marker && value + 8 <= field + 4 + length) {
            *slot = b.read(value, 8);
            value += 8;
          }
      }
      field += 4 + length;
    }
    at += 46 + nameLength + extraLength + commentLength;
    if (method != 0) continue;  // compressed: LibTorch never writes those; its loader checks them
    if (compressed != uncompressed || compressed == kZip64Marker) continue;
    if (!b.fits(local, 30) || b.read(local, 4) != kLocalHeader)
      return "entry '" + name + "' is missing (the file is cut short or damaged)";
    const uint64_t data = local + 30 + b.read(local + 26, 2) + b.read(local + 28, 2);
    if (!b.fits(data, compressed)) return "entry '" + name + "' runs past the end of the file";
    if (crc32(b.at(data), compressed) != expected)
      return "entry '" + name + "' fails its CRC-32 check (the file is corrupt)";
  }
  return {};
}

}  // namespace seqseg
