#include "io/dicom_seg.h"

#include <dcmtk/config/osconfig.h>  // first, as DCMTK requires
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmiod/iodreferences.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "io/nifti_geometry.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

// A segment of seqseg's three tumour classes and its SNOMED CT codes (the segmented property
// category is "Morphologically Altered Structure" for all three); the colour viewers are asked
// to show it in is the desktop application's default (viz/label_colours.cpp).
struct SegmentKind {
  uint8_t label;  // internal class
  const char* name;
  const char* description;
  const char* typeCode;
  const char* typeMeaning;
  std::array<double, 3> rgb;  // 0..1
};
constexpr std::array<SegmentKind, 3> kSegments{{
    {1, "NCR", "necrotic tumour core", "6574001", "Necrosis", {1.0, 0.0, 0.0}},
    {2, "ED", "peritumoural oedema", "79654002", "Edema", {0.0, 200.0 / 255, 0.0}},
    {3, "ET", "enhancing tumour", "108369006", "Neoplasm", {1.0, 1.0, 0.0}},
}};
constexpr const char* kCategoryCode = "49755003";
constexpr const char* kCategoryMeaning = "Morphologically Altered Structure";

// DCMTK logs its own view of every problem on stderr; the conditions it returns say enough.
void quietDcmtk() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::configure(OFLogger::FATAL_LOG_LEVEL); });
}

void check(const OFCondition& condition, const std::string& file, const std::string& what) {
  if (condition.bad()) throw InputError(file, what + ": " + condition.text());
}

std::string relativeName(const std::string& path, const std::string& folder) {
  return fs::path(path).lexically_relative(folder).string();
}

std::string text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

// "a\\b\\c" as {"a", "b", "c"}.
std::vector<std::string> splitValues(const std::string& values) {
  std::vector<std::string> parts(1);
  for (char c : values) {
    if (c == '\\')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

std::string decimal(double value) {
  char out[32];
  std::snprintf(out, sizeof out, "%.8g", value);  // a DS value holds at most 16 characters
  return out;
}

std::string newUid(const char* root) {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, root);
  return uid;
}

// What a slice of the source series says about itself (read with DCMTK, without its pixels).
struct SourceSlice {
  std::string sopClass, sopInstance, series, study, frameOfReference, patientId, position;
  std::string sliceThickness;
};

std::vector<SourceSlice> readSourceSlices(const DicomSeriesInfo& series) {
  std::vector<SourceSlice> slices;
  for (const std::string& file : series.files) {
    DcmFileFormat format;
    check(format.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                  ERM_autoDetect, DCM_PixelData),
          series.folder, relativeName(file, series.folder) + " could not be read");
    DcmDataset& data = *format.getDataset();
    SourceSlice slice{text(data, DCM_SOPClassUID),          text(data, DCM_SOPInstanceUID),
                      text(data, DCM_SeriesInstanceUID),    text(data, DCM_StudyInstanceUID),
                      text(data, DCM_FrameOfReferenceUID),  text(data, DCM_PatientID),
                      text(data, DCM_ImagePositionPatient), text(data, DCM_SliceThickness)};
    if (slice.sopInstance.empty() || slice.sopClass.empty())
      throw InputError(series.folder,
                       relativeName(file, series.folder) + " has no SOP class or instance UID");
    slices.push_back(std::move(slice));
  }
  return slices;
}

using Vec3 = std::array<double, 3>;

Vec3 axis(const Geometry& geometry, int column) {
  return {geometry.direction[column], geometry.direction[3 + column],
          geometry.direction[6 + column]};
}

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

std::string describeGrid(const std::array<int64_t, 3>& shape) {  // NIfTI i x j x k
  return std::to_string(shape[2]) + "x" + std::to_string(shape[1]) + "x" + std::to_string(shape[0]);
}

}  // namespace

void writeDicomSeg(const std::string& path, const LabelVolume& internal,
                   const DicomSeriesInfo& series, const DicomSegProvenance& provenance) {
  quietDcmtk();
  if (!series.problem.empty()) throw InputError(series.folder, series.problem);
  const int64_t columns = series.size[0], rows = series.size[1], sliceCount = series.size[2];
  const std::array<int64_t, 3> grid{sliceCount, rows, columns};
  if (internal.shape != grid)
    throw InputError(path, "the segmentation's grid " + describeGrid(internal.shape) +
                               " is not the series' " + describeGrid(grid));
  if (std::string difference; !sameGeometry(internal.geometry, series.geometry, &difference))
    throw InputError(path, "the segmentation is not placed on the series' grid: " + difference);
  if (rows > 65535 || columns > 65535) throw InputError(series.folder, "slices too large");
  const std::vector<SourceSlice> slices = readSourceSlices(series);
  const SourceSlice& first = slices.front();

  DcmSegmentation* created = nullptr;
  const IODGeneralEquipmentModule::EquipmentInfo equipment("seqseg", "seqseg", "1", SEQSEG_VERSION);
  const ContentIdentificationMacro content("1", "SEQSEG", "Brain tumour segmentation: NCR, ED, ET",
                                           "");
  check(DcmSegmentation::createBinarySegmentation(created, static_cast<Uint16>(rows),
                                                  static_cast<Uint16>(columns), equipment, content),
        path, "cannot create a DICOM Segmentation");
  const std::unique_ptr<DcmSegmentation> seg(created);
  // Patient, study and frame of reference of the source series.
  check(seg->importFromSourceImage(series.files.front().c_str()), path,
        "cannot take the patient and study from " + series.files.front());
  check(seg->getSeries().setSeriesInstanceUID(newUid(SITE_SERIES_UID_ROOT).c_str()), path,
        "series UID");
  check(seg->getSOPCommon().setSOPInstanceUID(newUid(SITE_INSTANCE_UID_ROOT).c_str()), path,
        "instance UID");
  const int sourceNumber = std::atoi(series.seriesNumber.c_str());
  check(seg->getSeries().setSeriesNumber(std::to_string(sourceNumber + 1000).c_str()), path,
        "series number");
  check(seg->getSeries().setSeriesDescription("seqseg segmentation"), path, "series description");

  // The segments: seqseg's classes, made by seqseg (and its model) or painted.
  const DcmSegTypes::E_SegmentAlgoType algorithmType =
      provenance.model.empty()
          ? DcmSegTypes::SAT_MANUAL
          : (provenance.edited ? DcmSegTypes::SAT_SEMIAUTOMATIC : DcmSegTypes::SAT_AUTOMATIC);
  std::array<Uint16, kSegments.size()> segmentNumbers{};
  for (size_t s = 0; s < kSegments.size(); ++s) {
    const SegmentKind& kind = kSegments[s];
    DcmSegment* segment = nullptr;
    check(DcmSegment::create(
              segment, kind.name, CodeSequenceMacro(kCategoryCode, "SCT", kCategoryMeaning),
              CodeSequenceMacro(kind.typeCode, "SCT", kind.typeMeaning), algorithmType,
              algorithmType == DcmSegTypes::SAT_MANUAL ? "" : "seqseg"),
          path, std::string("cannot create segment ") + kind.name);
    check(segment->setSegmentDescription(kind.description), path, "segment description");
    double lab[3];
    IODCIELabUtil::rgb2DicomLab(lab[0], lab[1], lab[2], kind.rgb[0], kind.rgb[1], kind.rgb[2]);
    check(segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(std::lround(lab[0])),
                                                    static_cast<Uint16>(std::lround(lab[1])),
                                                    static_cast<Uint16>(std::lround(lab[2]))),
          path, "segment colour");
    if (algorithmType != DcmSegTypes::SAT_MANUAL) {
      AlgorithmIdentificationMacro& algorithm = segment->getSegmentationAlgorithmIdentification();
      check(algorithm.getAlgorithmFamilyCode().set("123110", "DCM", "Artificial Intelligence"),
            path, "algorithm family");
      check(algorithm.setAlgorithmName("seqseg"), path, "algorithm name");
      check(algorithm.setAlgorithmVersion(SEQSEG_VERSION), path, "algorithm version");
      check(algorithm.setAlgorithmParameters(
                ("model=" + fs::path(provenance.model).filename().string()).c_str(), false),
            path, "algorithm parameters");
    }
    const OFCondition added = seg->addSegment(segment, segmentNumbers[s]);
    if (added.bad()) delete segment;  // owned by the segmentation only once added
    check(added, path, std::string("cannot add segment ") + kind.name);
  }

  // The grid, shared by every frame: the source's pixel spacing and orientation.
  const Vec3 row = axis(series.geometry, 0), column = axis(series.geometry, 1);
  char spacingText[32];
  std::snprintf(spacingText, sizeof spacingText, "%.6g", series.geometry.spacing[2]);
  const std::string spacingBetweenSlices = spacingText;  // to the micrometre
  FGPixelMeasures measures;
  check(measures.setPixelSpacing(
            (decimal(series.geometry.spacing[1]) + "\\" + decimal(series.geometry.spacing[0]))
                .c_str()),
        path, "pixel spacing");
  // The source's own slice thickness; the spacing as the slices' positions give it.
  const std::string thickness =
      !first.sliceThickness.empty() ? first.sliceThickness : spacingBetweenSlices;
  check(measures.setSliceThickness(thickness.c_str()), path, "slice thickness");
  check(measures.setSpacingBetweenSlices(spacingBetweenSlices.c_str()), path,
        "spacing between slices");
  check(seg->addForAllFrames(measures), path, "pixel measures");
  FGPlaneOrientationPatient orientation;
  check(orientation.setImageOrientationPatient(
            decimal(row[0]).c_str(), decimal(row[1]).c_str(), decimal(row[2]).c_str(),
            decimal(column[0]).c_str(), decimal(column[1]).c_str(), decimal(column[2]).c_str()),
        path, "orientation");
  check(seg->addForAllFrames(orientation), path, "orientation");
  const std::string dimensions = newUid(SITE_INSTANCE_UID_ROOT);
  check(seg->getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimensions.c_str(),
                                               DCM_SegmentIdentificationSequence,
                                               "ReferencedSegmentNumber"),
        path, "dimensions");
  check(seg->getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimensions.c_str(),
                                               DCM_PlanePositionSequence, "ImagePositionPatient"),
        path, "dimensions");

  // A frame per segment and slice (empty ones too, so that every segment covers the series),
  // placed and derived from its slice.
  std::vector<Uint8> pixels(static_cast<size_t>(rows * columns));
  for (size_t s = 0; s < kSegments.size(); ++s) {
    for (int64_t k = 0; k < sliceCount; ++k) {
      const uint8_t* labels = internal.labels.data() + k * rows * columns;
      for (size_t v = 0; v < pixels.size(); ++v) pixels[v] = labels[v] == kSegments[s].label;
      // The slice's own position, as its file gives it.
      FGPlanePosPatient position;
      const std::vector<std::string> xyz = splitValues(slices[k].position);
      if (xyz.size() != 3)
        throw InputError(series.folder, relativeName(series.files[k], series.folder) +
                                            " has no ImagePositionPatient");
      check(position.setImagePositionPatient(xyz[0].c_str(), xyz[1].c_str(), xyz[2].c_str()), path,
            "plane position");
      FGFrameContent frameContent;
      check(frameContent.setDimensionIndexValues(segmentNumbers[s], 0), path, "frame content");
      check(frameContent.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1), path,
            "frame content");
      FGDerivationImage derivation;
      DerivationImageItem* derived = nullptr;
      check(derivation.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"),
                                              "", derived),
            path, "derivation");
      auto* source = new SourceImageItem;
      derived->getSourceImageItems().push_back(source);
      check(source->getPurposeOfReferenceCode().set("121322", "DCM",
                                                    "Source image for image processing operation"),
            path, "source image");
      check(source->getImageSOPInstanceReference().setReferencedSOPClassUID(
                slices[k].sopClass.c_str()),
            path, "source image");
      check(source->getImageSOPInstanceReference().setReferencedSOPInstanceUID(
                slices[k].sopInstance.c_str()),
            path, "source image");
      OFVector<FGBase*> perFrame;
      perFrame.push_back(&position);
      perFrame.push_back(&frameContent);
      perFrame.push_back(&derivation);
      check(seg->addFrame(pixels.data(), segmentNumbers[s], perFrame), path, "cannot add a frame");
    }
  }

  // The series it was made from, in the Common Instance Reference module.
  IODReferences references;
  for (const SourceSlice& slice : slices)
    references.add(new IODImageReference(slice.patientId.c_str(), slice.study.c_str(),
                                         slice.series.c_str(), slice.sopInstance.c_str(),
                                         slice.sopClass.c_str()));
  seg->getCommonInstanceReference().addReferences(references, first.study.c_str());

  AtomicFile file(path);
  check(seg->saveFile(file.temporaryPath().c_str(), EXS_LittleEndianExplicit), path,
        "cannot write the DICOM Segmentation");
  file.commit();
}

LabelVolume readDicomSeg(const std::string& path, const DicomSeriesInfo& series) {
  quietDcmtk();
  if (!series.problem.empty()) throw InputError(series.folder, series.problem);
  std::error_code error;
  if (!fs::is_regular_file(path, error)) throw InputError(path, "file not found");
  DcmFileFormat format;
  check(format.loadFile(path.c_str()), path, "not a readable DICOM file");
  DcmDataset& data = *format.getDataset();
  if (text(data, DCM_SOPClassUID) != UID_SegmentationStorage)
    throw InputError(path, "is not a DICOM Segmentation object (its modality is '" +
                               text(data, DCM_Modality) + "')");
  const std::vector<SourceSlice> slices = readSourceSlices(series);
  const SourceSlice& first = slices.front();
  const std::string frameOfReference = text(data, DCM_FrameOfReferenceUID);
  if (frameOfReference != first.frameOfReference)
    throw InputError(path, "its frame of reference " + frameOfReference + " is not the series' " +
                               first.frameOfReference + " (a segmentation of another series)");
  // The series it references, where it says (Common Instance Reference module).
  DcmItem* referenced = nullptr;
  std::vector<std::string> referencedSeries;
  for (int n = 0; data.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, referenced, n).good();
       ++n)
    referencedSeries.push_back(text(*referenced, DCM_SeriesInstanceUID));
  if (!referencedSeries.empty() && std::find(referencedSeries.begin(), referencedSeries.end(),
                                             first.series) == referencedSeries.end())
    throw InputError(path, "it references series " + referencedSeries.front() + ", not " +
                               first.series + " ('" + series.description + "')");

  DcmSegmentation* loaded = nullptr;
  check(DcmSegmentation::loadDataset(data, loaded), path, "not a readable DICOM Segmentation");
  const std::unique_ptr<DcmSegmentation> seg(loaded);
  if (seg->getSegmentationType() != DcmSegTypes::ST_BINARY)
    throw InputError(path, "is a fractional segmentation; only binary ones are read");
  const int64_t columns = series.size[0], rows = series.size[1], sliceCount = series.size[2];
  Uint16 segRows = 0, segColumns = 0;
  data.findAndGetUint16(DCM_Rows, segRows);
  data.findAndGetUint16(DCM_Columns, segColumns);
  if (segRows != rows || segColumns != columns)
    throw InputError(path, "its frames are " + std::to_string(segColumns) + "x" +
                               std::to_string(segRows) + ", the series' slices " +
                               std::to_string(columns) + "x" + std::to_string(rows));

  // Each segment's class, by its property type, else by its label.
  std::map<size_t, uint8_t> classOf;
  for (size_t number = 1; number <= seg->getNumberOfSegments(); ++number) {
    DcmSegment* segment = seg->getSegment(number);
    if (!segment) continue;
    OFString code, label;
    segment->getSegmentedPropertyTypeCode().getCodeValue(code);
    segment->getSegmentLabel(label);
    for (const SegmentKind& kind : kSegments)
      if (code == kind.typeCode || label == kind.name) classOf[number] = kind.label;
    if (!classOf.count(number))
      throw InputError(path, "segment " + std::to_string(number) + " ('" + label.c_str() +
                                 "', type " + code.c_str() + ") is none of NCR, ED, ET");
  }

  std::map<std::string, int64_t> sliceOf;  // SOP instance UID -> k
  for (int64_t k = 0; k < sliceCount; ++k) sliceOf[slices[k].sopInstance] = k;
  const Geometry& g = series.geometry;
  const Vec3 row = axis(g, 0), column = axis(g, 1), normal = axis(g, 2);
  LabelVolume labels;
  labels.shape = {sliceCount, rows, columns};
  labels.geometry = g;
  labels.labels.assign(static_cast<size_t>(labels.size()), 0);
  FGInterface& groups = seg->getFunctionalGroups();
  const size_t frames = seg->getNumberOfFrames();
  for (size_t f = 0; f < frames; ++f) {
    const std::string frameName = "frame " + std::to_string(f + 1);
    auto* segmentGroup = dynamic_cast<FGSegmentation*>(
        groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_SEGMENTATION));
    Uint16 number = 0;
    if (!segmentGroup || segmentGroup->getReferencedSegmentNumber(number).bad() ||
        !classOf.count(number))
      throw InputError(path, frameName + " names no segment of the object");
    // Where the frame lies: on a slice of the series, in its plane, with its orientation.
    auto* orientation = dynamic_cast<FGPlaneOrientationPatient*>(
        groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_PLANEORIENTPATIENT));
    auto* position = dynamic_cast<FGPlanePosPatient*>(
        groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_PLANEPOSPATIENT));
    Float64 o[6] = {}, p[3] = {};
    if (!orientation || !position ||
        orientation->getImageOrientationPatient(o[0], o[1], o[2], o[3], o[4], o[5]).bad() ||
        position->getImagePositionPatient(p[0], p[1], p[2]).bad())
      throw InputError(path, frameName + " has no plane position or orientation");
    for (int e = 0; e < 3; ++e)
      if (std::fabs(o[e] - row[e]) > 1e-3 || std::fabs(o[3 + e] - column[e]) > 1e-3)
        throw InputError(path, frameName + " is not in the orientation of the series' slices");
    const Vec3 offset{p[0] - g.origin[0], p[1] - g.origin[1], p[2] - g.origin[2]};
    const double along = dot(offset, normal) / g.spacing[2];
    const int64_t k = std::llround(along);
    if (std::fabs(along - k) > 0.01 || k < 0 || k >= sliceCount ||
        std::fabs(dot(offset, row)) > 0.01 * g.spacing[0] + 1e-3 ||
        std::fabs(dot(offset, column)) > 0.01 * g.spacing[1] + 1e-3)
      throw InputError(path, frameName + " does not lie on a slice of the series");
    // The slice it says it was derived from, when it says, must be that one.
    if (auto* derivation = dynamic_cast<FGDerivationImage*>(
            groups.get(static_cast<Uint32>(f), DcmFGTypes::EFG_DERIVATIONIMAGE)))
      for (DerivationImageItem* derived : derivation->getDerivationImageItems())
        for (SourceImageItem* source : derived->getSourceImageItems()) {
          OFString uid;
          source->getImageSOPInstanceReference().getReferencedSOPInstanceUID(uid);
          const auto found = sliceOf.find(uid.c_str());
          if (found == sliceOf.end())
            throw InputError(path, frameName + " was derived from an image (" + uid.c_str() +
                                       ") that is not in the series");
          if (found->second != k)
            throw InputError(path, frameName + " lies on slice " + std::to_string(k + 1) +
                                       " but names slice " + std::to_string(found->second + 1));
        }
    const DcmIODTypes::Frame* frame = seg->getFrame(f);
    const size_t pixelCount = static_cast<size_t>(rows * columns);
    if (!frame) throw InputError(path, frameName + " has no pixel data");
    // Binary frames come packed 8 pixels to a byte.
    std::unique_ptr<DcmIODTypes::Frame> unpacked;
    const Uint8* bits = frame->pixData;
    if (frame->length < pixelCount) {
      unpacked.reset(DcmSegUtils::unpackBinaryFrame(frame, static_cast<Uint16>(rows),
                                                    static_cast<Uint16>(columns)));
      if (!unpacked || unpacked->length < pixelCount)
        throw InputError(path, frameName + " is too short for its rows and columns");
      bits = unpacked->pixData;
    }
    uint8_t* slice = labels.labels.data() + k * rows * columns;
    const uint8_t value = classOf.at(number);
    for (size_t v = 0; v < pixelCount; ++v)
      if (bits[v]) slice[v] = value;
  }
  return labels;
}

}  // namespace seqseg
