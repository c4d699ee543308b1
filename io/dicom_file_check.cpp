#include "io/dicom_file_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

namespace seqseg {
namespace {

constexpr uint32_t kUndefinedLength = 0xffffffffu;
constexpr uint32_t kItem = 0xfffee000u;
constexpr uint32_t kItemDelimiter = 0xfffee00du;
constexpr uint32_t kSequenceDelimiter = 0xfffee0ddu;
constexpr uint32_t kPixelData = 0x7fe00010u;
constexpr uint32_t kRecognitionCode = 0x00080010u;
// Deeper nesting than any real object has; GDCM recurses once per level.
constexpr int kMaxDepth = 32;

// The file's bytes, mapped read-only (files of hundreds of MB are only touched where walked).
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
      void* mapped =
          ::mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped != MAP_FAILED) {
        bytes_ = static_cast<const uint8_t*>(mapped);
        size_ = static_cast<uint64_t>(info.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (bytes_) ::munmap(const_cast<uint8_t*>(bytes_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const uint8_t* bytes() const { return bytes_; }
  uint64_t size() const { return size_; }

 private:
  const uint8_t* bytes_ = nullptr;
  uint64_t size_ = 0;
};

const std::set<std::string>& knownVrs() {
  static const std::set<std::string> vrs = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL",
                                            "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW",
                                            "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC",
                                            "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  return vrs;
}

// Value representations whose length field has 4 bytes (after 2 reserved ones).
bool longLength(const std::string& vr) {
  static const std::set<std::string> vrs = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                            "SV", "UC", "UN", "UR", "UT", "UV"};
  return vrs.count(vr) > 0;
}

// The size of one value of a binary VR of fixed size, else 0. GDCM reads these as arrays of
// that size (and rewrites some vendors' odd lengths), so a length that is not a multiple is
// refused.
uint32_t fixedValueSize(const std::string& vr) {
  if (vr == "US" || vr == "SS") return 2;
  if (vr == "UL" || vr == "SL" || vr == "FL" || vr == "AT") return 4;
  if (vr == "FD" || vr == "SV" || vr == "UV") return 8;
  return 0;
}

std::string tagName(uint32_t tag) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04X,%04X)", tag >> 16, tag & 0xffff);
  return text;
}

// Walks a data set as its transfer syntax encodes it; `problem` says where it first fails.
class DataSetWalker {
 public:
  DataSetWalker(const uint8_t* bytes, uint64_t size, bool bigEndian)
      : bytes_(bytes), size_(size), bigEndian_(bigEndian) {}

  struct ElementHeader {
    std::string vr;  // explicit VR only
    uint32_t length = 0;
    uint64_t valueStart = 0;
  };
  enum class HeaderRead { Ok, CutShort, UnknownVr };

  // The VR and value length of the element whose tag is at `position`, by how the syntax encodes
  // them (explicit: a 2- or 4-byte length after the VR; implicit: a 4-byte length).
  HeaderRead readHeader(uint64_t position, uint64_t end, bool explicitVr,
                        ElementHeader& header) const {
    if (end - position < 8) return HeaderRead::CutShort;
    header.valueStart = position + 8;
    if (!explicitVr) {
      header.length = u32(position + 4);
      return HeaderRead::Ok;
    }
    header.vr.assign(reinterpret_cast<const char*>(bytes_ + position + 4), 2);
    // GDCM asserts on a value representation it does not know, so only the standard's pass.
    if (!knownVrs().count(header.vr)) return HeaderRead::UnknownVr;
    if (!longLength(header.vr)) {
      header.length = u16(position + 6);
      return HeaderRead::Ok;
    }
    if (end - position < 12) return HeaderRead::CutShort;
    header.length = u32(position + 8);
    header.valueStart = position + 12;
    return HeaderRead::Ok;
  }

  uint16_t u16(uint64_t at) const {
    return bigEndian_ ? static_cast<uint16_t>(bytes_[at] << 8 | bytes_[at + 1])
                      : static_cast<uint16_t>(bytes_[at] | bytes_[at + 1] << 8);
  }
  uint32_t readTag(uint64_t at) const { return uint32_t(u16(at)) << 16 | u16(at + 2); }

  // The elements from `position` to `end`. With a `delimiter` (an item of undefined length),
  // they end at that tag instead, which must come before `end`.
  bool walk(uint64_t& position, uint64_t end, uint32_t delimiter, bool explicitVr, int depth) {
    if (depth > kMaxDepth) return fail("sequences are nested deeper than 32 levels");
    while (position < end || delimiter) {
      if (end - position < 8) return fail("an element is cut short by the end of the file");
      const uint32_t tag = readTag(position);
      if (delimiter && tag == delimiter) {
        if (u32(position + 4) != 0) return fail("an item delimiter has a length");
        position += 8;
        return true;
      }
      if ((tag >> 16) == 0xfffe) return fail("a misplaced item tag " + tagName(tag));
      if ((tag >> 16) == 0x0002)
        return fail("a file meta element " + tagName(tag) + " inside the data set");
      ElementHeader header;
      switch (readHeader(position, end, explicitVr, header)) {
        case HeaderRead::CutShort:
          return fail("an element is cut short by the end of the file");
        case HeaderRead::UnknownVr:
          return fail(tagName(tag) + " has an invalid value representation");
        case HeaderRead::Ok:
          break;
      }
      const std::string& vr = header.vr;
      const uint32_t length = header.length;
      const uint64_t valueStart = header.valueStart;
      if (depth == 0 && tag == kRecognitionCode && length > 0 &&
          !recognitionCodeIsAcrNema(valueStart, end, length, vr))
        return fail("its Recognition Code (0008,0010) is neither ACR-NEMA nor MIPS 2.0");
      position = valueStart;
      if (length == kUndefinedLength) {
        if (tag == kPixelData && explicitVr && (vr == "OB" || vr == "OW")) {
          if (!fragments(position, end)) return false;
        } else if (vr == "SQ" || !explicitVr) {
          if (tag == kPixelData) return fail("Pixel Data of undefined length without compression");
          if (!sequence(position, end, true, explicitVr, depth)) return false;
        } else if (vr == "UN") {
          // An unknown element of undefined length holds an implicit VR sequence (CP-246).
          if (!sequence(position, end, true, false, depth)) return false;
        } else {
          return fail(tagName(tag) + " of value representation " + vr + " has undefined length");
        }
        continue;
      }
      if (length % 2)
        return fail(tagName(tag) + " has an odd length (" + std::to_string(length) + " bytes)");
      if (const uint32_t unit = fixedValueSize(vr); unit && length % unit)
        return fail(tagName(tag) + " (" + vr + ") is " + std::to_string(length) +
                    " bytes long, not a multiple of " + std::to_string(unit));
      if (length > end - position)
        return fail(tagName(tag) + " runs " + std::to_string(length - (end - position)) +
                    " bytes past the end of " + (end == size_ ? "the file" : "its item"));
      if (vr == "SQ") {
        if (tag == kPixelData) return fail("Pixel Data is a sequence");
        uint64_t inside = position;
        if (!sequence(inside, position + length, false, explicitVr, depth)) return false;
      }
      position += length;
    }
    return position == end || fail("an element runs past the end of its item");
  }

  const std::string& problem() const { return problem_; }

 private:
  // Items until the end of a defined length, or until the sequence delimiter.
  bool sequence(uint64_t& position, uint64_t end, bool undefinedLength, bool explicitVr,
                int depth) {
    while (true) {
      if (!undefinedLength && position == end) return true;
      if (end - position < 8) return fail("a sequence is cut short by the end of the file");
      const uint32_t tag = readTag(position);
      const uint32_t length = u32(position + 4);
      position += 8;
      if (undefinedLength && tag == kSequenceDelimiter) {
        return length == 0 || fail("a sequence delimiter has a length");
      }
      if (tag != kItem) return fail("a sequence holds " + tagName(tag) + " instead of an item");
      if (length == kUndefinedLength) {
        if (!walk(position, end, kItemDelimiter, explicitVr, depth + 1)) return false;
      } else {
        if (length > end - position) return fail("an item runs past the end of its sequence");
        uint64_t inside = position;
        if (!walk(inside, position + length, 0, explicitVr, depth + 1)) return false;
        position += length;
      }
    }
  }

  // Encapsulated pixel data: items of defined length (the offset table, then the fragments)
  // up to the sequence delimiter.
  bool fragments(uint64_t& position, uint64_t end) {
    while (true) {
      if (end - position < 8) return fail("the compressed Pixel Data is cut short");
      const uint32_t tag = readTag(position);
      const uint32_t length = u32(position + 4);
      position += 8;
      if (tag == kSequenceDelimiter)
        return length == 0 || fail("a sequence delimiter has a length");
      if (tag != kItem) return fail("the compressed Pixel Data holds " + tagName(tag));
      if (length == kUndefinedLength || length > end - position)
        return fail("a fragment of the compressed Pixel Data runs past the end of the file");
      position += length;
    }
  }

  // GDCM's image reader asserts that a non-empty Recognition Code of the top-level data set is
  // a byte value starting with one of these (and reads it through a null pointer when it is a
  // sequence).
  bool recognitionCodeIsAcrNema(uint64_t valueStart, uint64_t end, uint32_t length,
                                const std::string& vr) const {
    if (length == kUndefinedLength || vr == "SQ" || length > end - valueStart) return false;
    const std::string value(reinterpret_cast<const char*>(bytes_ + valueStart), length);
    for (const char* accepted : {"ACR-NEMA", "ACRNEMA", "MIPS 2.0"})
      if (value.compare(0, std::strlen(accepted), accepted) == 0) return true;
    return false;
  }

  uint32_t u32(uint64_t at) const {
    return bigEndian_ ? uint32_t(u16(at)) << 16 | u16(at + 2)
                      : uint32_t(u16(at + 2)) << 16 | u16(at);
  }
  bool fail(const std::string& problem) {
    problem_ = problem;
    return false;
  }

  const uint8_t* bytes_;
  uint64_t size_;
  bool bigEndian_;
  std::string problem_;
};

struct TransferSyntax {
  bool known = false, explicitVr = true, bigEndian = false;
};

TransferSyntax transferSyntax(std::string uid) {
  while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
  static const std::set<std::string> encapsulated = {
      "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
      "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81",
      "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5"};
  if (uid == "1.2.840.10008.1.2") return {true, false, false};
  if (uid == "1.2.840.10008.1.2.1" || encapsulated.count(uid)) return {true, true, false};
  if (uid == "1.2.840.10008.1.2.2") return {true, true, true};
  return {};
}

}  // namespace

bool hasDicomPreamble(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[132];
  if (!in.read(head, sizeof head)) return false;
  return std::memcmp(head + 128, "DICM", 4) == 0;
}

DicomFileCheck checkDicomFile(const std::string& path) {
  const MappedFile file(path);
  const uint8_t* bytes = file.bytes();
  const uint64_t size = file.size();
  if (size < 132 || std::memcmp(bytes + 128, "DICM", 4) != 0) return {};

  // The file meta information: group 0002, explicit VR little endian, whatever follows.
  auto metaProblem = [](const std::string& problem) {
    return DicomFileCheck{DicomFileCheck::Kind::CorruptMeta,
                          "its file meta information " + problem};
  };
  uint64_t position = 132;
  std::string syntaxUid;
  bool sawSyntax = false;
  const DataSetWalker meta(bytes, size, /*bigEndian=*/false);
  while (size - position >= 2 && meta.u16(position) == 0x0002) {
    DataSetWalker::ElementHeader header;
    switch (meta.readHeader(position, size, /*explicitVr=*/true, header)) {
      case DataSetWalker::HeaderRead::CutShort:
        return metaProblem("is cut short");
      case DataSetWalker::HeaderRead::UnknownVr:
        return metaProblem("has an invalid value representation");
      case DataSetWalker::HeaderRead::Ok:
        break;
    }
    if (header.vr == "SQ" || header.length == kUndefinedLength)
      return metaProblem("holds a sequence or an undefined length");
    if (header.length > size - header.valueStart) return metaProblem("is cut short");
    if ((meta.readTag(position) & 0xffff) == 0x0010) {
      syntaxUid.assign(reinterpret_cast<const char*>(bytes + header.valueStart), header.length);
      sawSyntax = true;
    }
    position = header.valueStart + header.length;
  }
  if (size - position == 1) return metaProblem("is cut short");
  if (!sawSyntax) return metaProblem("names no transfer syntax");
  const TransferSyntax syntax = transferSyntax(syntaxUid);
  if (!syntax.known)
    return {DicomFileCheck::Kind::CorruptDataSet,
            "its transfer syntax " + syntaxUid.substr(0, 64) + " is not supported"};

  DataSetWalker walker(bytes, size, syntax.bigEndian);
  if (position == size) return {DicomFileCheck::Kind::CorruptDataSet, "it holds no data set"};
  if (!walker.walk(position, size, 0, syntax.explicitVr, 0))
    return {DicomFileCheck::Kind::CorruptDataSet, walker.problem()};
  return {DicomFileCheck::Kind::Sound, ""};
}

}  // namespace seqseg
