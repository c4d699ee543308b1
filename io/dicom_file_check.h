#pragma once
// A DICOM file's structure checked without GDCM, before GDCM is given the file. GDCM as Debian
// builds it (with assertions) aborts the whole process on many malformed files: a file of a few
// bytes, an element cut short by the end of the file, an unknown value representation, a
// misplaced item tag, some of the vendor quirks it rewrites lengths for. What passes this
// check is a DICOM Part 10 file whose every element, sequence, item and fragment lies inside
// the file and is encoded as its transfer syntax says.
#include <string>

namespace seqseg {

struct DicomFileCheck {
  enum class Kind {
    NotDicom,        // no "DICM" preamble: a README, thumbs.db, an empty file, a 4-byte file
    CorruptMeta,     // the preamble, then file meta information GDCM cannot be trusted with
    CorruptDataSet,  // the file meta information is sound, the data set after it is not
    Sound,
  };
  Kind kind = Kind::NotDicom;
  std::string problem;  // why, for CorruptMeta and CorruptDataSet ("its file meta ...")
};

DicomFileCheck checkDicomFile(const std::string& path);

// True when the file has the 128-byte preamble followed by "DICM" (DICOM Part 10).
bool hasDicomPreamble(const std::string& path);

}  // namespace seqseg
