#include "io/dicom_series.h"

#include <gdcmExplicitDataElement.h>
#include <gdcmImplicitDataElement.h>
#include <gdcmReader.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkResampleImageFilter.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "io/dicom_file_check.h"
#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/itk_lock.h"
#include "io/nifti_geometry.h"
#include "types/input_error.h"
#include "types/name_affixes.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

using Vec3 = std::array<double, 3>;

double dot(const Vec3& a, const Vec3& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 minus(const Vec3& a, const Vec3& b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}
double norm(const Vec3& a) {
  return std::sqrt(dot(a, a));
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

// The files of a folder and its subfolders: regular, not hidden.
std::vector<std::string> candidateFiles(const std::string& folder) {
  std::vector<std::string> files;
  std::error_code error;
  for (fs::recursive_directory_iterator
           it(folder, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files.push_back(it->path().lexically_normal().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// 64 MiB: a 4096 x 4096 slice of 32 bits; MR slices are a few hundred pixels a side.
constexpr uint64_t kMaxCompressedSliceBytes = uint64_t{1} << 26;

// What one file says about itself, read with GDCM's header parser.
struct SliceHeader {
  std::string path;
  bool parsed = false;     // a complete DICOM data set
  bool hasPixels = false;  // an image (Pixel Data present and as long as its rows need)
  std::string seriesUid, description, protocol, modality, seriesNumber;
  std::string seriesDate, acquisitionDate, studyDate;
  int rows = 0, columns = 0, samples = 1, frames = 1, bitsAllocated = 0, bitsStored = 0;
  bool zeroRescaleSlope = false;
  bool hasPosition = false, hasOrientation = false, hasSpacing = false;
  Vec3 position{};
  std::array<double, 6> orientation{};
  std::array<double, 2> pixelSpacing{1, 1};  // between rows, between columns
  double gantryTilt = 0, sliceThickness = 0;
  // The series UID refined as ITK's series scan with details refines it (GDCM's SerieHelper):
  // series sharing one UID are told apart by number, sequence name, thickness, rows, columns.
  std::string seriesKey;
};

std::vector<double> numbers(const std::string& text) {
  std::vector<double> values;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, '\\')) {
    try {
      values.push_back(std::stod(part));
    } catch (const std::exception&) {
      return {};
    }
  }
  return values;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  size_t start = 0;
  while (start < text.size() && text[start] == ' ') ++start;
  return text.substr(start);
}

SliceHeader readHeader(const std::string& path) {
  SliceHeader header;
  header.path = path;
  const auto gdcm = lockItk();
  // GDCM prints its warnings (a truncated file, say) to stderr; they come back as one error here.
  gdcm::Trace::WarningOff();
  gdcm::Reader reader;
  reader.SetFileName(path.c_str());
  if (!reader.Read()) return header;
  const gdcm::DataSet& data = reader.GetFile().GetDataSet();
  // GDCM pads a value cut off by the end of the file: compare the length the data set needs
  // with the file's.
  const gdcm::FileMetaInformation& meta = reader.GetFile().GetHeader();
  const uint64_t needed =
      meta.GetFullLength() + (meta.GetDataSetTransferSyntax().IsExplicit()
                                  ? data.GetLength<gdcm::ExplicitDataElement>()
                                  : data.GetLength<gdcm::ImplicitDataElement>());
  std::error_code sizeError;
  if (fs::file_size(path, sizeError) < needed || sizeError) return header;
  header.parsed = true;
  gdcm::StringFilter strings;
  strings.SetFile(reader.GetFile());
  auto text = [&](uint16_t group, uint16_t element) {
    const gdcm::Tag tag(group, element);
    return data.FindDataElement(tag) ? trimmed(strings.ToString(tag)) : std::string();
  };
  header.seriesUid = text(0x0020, 0x000e);
  header.description = text(0x0008, 0x103e);
  header.protocol = text(0x0018, 0x1030);
  header.modality = text(0x0008, 0x0060);
  header.seriesNumber = text(0x0020, 0x0011);
  header.seriesDate = text(0x0008, 0x0021);
  header.acquisitionDate = text(0x0008, 0x0022);
  header.studyDate = text(0x0008, 0x0020);
  header.rows = std::atoi(text(0x0028, 0x0010).c_str());
  header.columns = std::atoi(text(0x0028, 0x0011).c_str());
  const std::string samples = text(0x0028, 0x0002);
  if (!samples.empty()) header.samples = std::atoi(samples.c_str());
  const std::string frames = text(0x0028, 0x0008);
  if (!frames.empty()) header.frames = std::max(1, std::atoi(frames.c_str()));
  const int bitsAllocated = header.bitsAllocated = std::atoi(text(0x0028, 0x0100).c_str());
  header.bitsStored = std::atoi(text(0x0028, 0x0101).c_str());
  if (const auto v = numbers(text(0x0028, 0x1053)); v.size() == 1)
    header.zeroRescaleSlope = v[0] == 0;
  const gdcm::Tag pixelTag(0x7fe0, 0x0010);
  if (data.FindDataElement(pixelTag) && header.rows > 0 && header.columns > 0) {
    const gdcm::DataElement& pixels = data.GetDataElement(pixelTag);
    const gdcm::ByteValue* bytes = pixels.GetByteValue();
    const uint64_t pixelBytes = static_cast<uint64_t>(header.rows) * header.columns *
                                header.samples * header.frames * std::max(1, bitsAllocated / 8);
    // Encapsulated (compressed) pixel data has no byte value: GDCM checks the fragments when it
    // decodes them into a buffer of the slice's size, so an absurd size is refused first. An
    // empty value is no byte value either, and no image.
    if (pixels.GetSequenceOfFragments())
      header.hasPixels = pixelBytes <= kMaxCompressedSliceBytes;
    else
      header.hasPixels = bytes && bytes->GetLength() >= pixelBytes;
    if (!header.hasPixels) header.parsed = false;  // too short for its rows and columns
  }
  if (const auto v = numbers(text(0x0020, 0x0032)); v.size() == 3) {
    header.position = {v[0], v[1], v[2]};
    header.hasPosition = true;
  }
  if (const auto v = numbers(text(0x0020, 0x0037)); v.size() == 6) {
    std::copy(v.begin(), v.end(), header.orientation.begin());
    header.hasOrientation = true;
  }
  if (const auto v = numbers(text(0x0028, 0x0030)); v.size() == 2 && v[0] > 0 && v[1] > 0) {
    header.pixelSpacing = {v[0], v[1]};
    header.hasSpacing = true;
  }
  header.seriesKey = header.seriesUid;
  for (const std::string& detail : {header.seriesNumber, text(0x0018, 0x0024), text(0x0018, 0x0050),
                                    text(0x0028, 0x0010), text(0x0028, 0x0011)}) {
    if (header.seriesKey == header.seriesUid && !detail.empty()) header.seriesKey += ".";
    header.seriesKey += detail;
  }
  header.seriesKey.erase(
      std::remove_if(
          header.seriesKey.begin(), header.seriesKey.end(),
          [](char c) { return c != '.' && !std::isalnum(static_cast<unsigned char>(c)); }),
      header.seriesKey.end());
  if (const auto v = numbers(text(0x0018, 0x1120)); v.size() == 1) header.gantryTilt = v[0];
  if (const auto v = numbers(text(0x0018, 0x0050)); v.size() == 1) header.sliceThickness = v[0];
  return header;
}

std::string isoDate(const std::string& date) {
  if (date.size() != 8) return date;
  return date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
}

std::string relativeName(const std::string& path, const std::string& folder) {
  return fs::path(path).lexically_relative(folder).string();
}

// Orders the slices along their normal and fills size, geometry and problem.
void placeSlices(DicomSeriesInfo& series, std::vector<SliceHeader>& slices) {
  const SliceHeader& first = slices.front();
  series.size = {first.columns, first.rows, static_cast<int64_t>(slices.size())};
  auto fail = [&](const std::string& problem) {
    series.problem = problem;
    series.files.clear();
    for (const SliceHeader& slice : slices) series.files.push_back(slice.path);
  };
  if (first.samples != 1) return fail("colour images are not supported");
  if (first.frames > 1) return fail("multi-frame (enhanced) DICOM files are not supported");
  for (const SliceHeader& slice : slices) {
    // GDCM's pixel reader asserts on some other sizes (1 bit with a sign); MR images have these.
    if (slice.bitsAllocated != 8 && slice.bitsAllocated != 16 && slice.bitsAllocated != 32)
      return fail(relativeName(slice.path, series.folder) + " has " +
                  std::to_string(slice.bitsAllocated) +
                  " bits allocated per pixel (8, 16 or 32 are read)");
    // ITK asserts that the rescaled values need a type at least as large as the stored one,
    // which a few bits stored of many, shifted by an intercept, do not (1 of 16, intercept -99).
    if (slice.bitsStored != 0 &&
        (slice.bitsStored < slice.bitsAllocated / 2 || slice.bitsStored > slice.bitsAllocated))
      return fail(relativeName(slice.path, series.folder) + " stores " +
                  std::to_string(slice.bitsStored) + " of its " +
                  std::to_string(slice.bitsAllocated) + " bits per pixel (at least half are read)");
    if (slice.zeroRescaleSlope)
      return fail(relativeName(slice.path, series.folder) + " has a Rescale Slope of 0");
    if (!slice.hasPosition || !slice.hasOrientation)
      return fail(relativeName(slice.path, series.folder) +
                  " has no ImagePositionPatient/ImageOrientationPatient");
    if (slice.rows != first.rows || slice.columns != first.columns)
      return fail("slices of different sizes (" + std::to_string(first.columns) + "x" +
                  std::to_string(first.rows) + " and " + std::to_string(slice.columns) + "x" +
                  std::to_string(slice.rows) + ")");
    for (int e = 0; e < 6; ++e)
      if (std::fabs(slice.orientation[e] - first.orientation[e]) > 1e-4)
        return fail("slices with different orientations");
    for (int e = 0; e < 2; ++e)
      if (std::fabs(slice.pixelSpacing[e] - first.pixelSpacing[e]) > 1e-4)
        return fail("slices with different pixel spacings");
    if (std::fabs(slice.gantryTilt) > 1e-3)
      return fail("gantry tilt of " + number(slice.gantryTilt) +
                  " degrees (sheared slices are not supported)");
  }
  const Vec3 row{first.orientation[0], first.orientation[1], first.orientation[2]};
  const Vec3 column{first.orientation[3], first.orientation[4], first.orientation[5]};
  const Vec3 normal = cross(row, column);
  if (std::fabs(norm(normal) - 1) > 1e-3 || std::fabs(dot(row, column)) > 1e-3)
    return fail("ImageOrientationPatient is not two orthogonal unit vectors");
  std::stable_sort(slices.begin(), slices.end(), [&](const SliceHeader& a, const SliceHeader& b) {
    return dot(a.position, normal) < dot(b.position, normal);
  });
  for (const SliceHeader& slice : slices) series.files.push_back(slice.path);

  double sliceSpacing = first.sliceThickness > 0 ? first.sliceThickness : 1.0;
  if (slices.size() > 1) {
    std::vector<double> gaps;
    for (size_t s = 1; s < slices.size(); ++s) {
      const Vec3 step = minus(slices[s].position, slices[s - 1].position);
      const double along = dot(step, normal);
      if (along < 1e-4)
        return fail("two slices at the same position (" +
                    relativeName(slices[s - 1].path, series.folder) + ", " +
                    relativeName(slices[s].path, series.folder) +
                    "): several series or echoes mixed in one folder?");
      const Vec3 sideways = minus(step, {along * normal[0], along * normal[1], along * normal[2]});
      if (norm(sideways) > 1e-3 * along + 1e-3)
        return fail("slices are shifted sideways by " + number(norm(sideways)) +
                    " mm per slice (gantry tilt; sheared slices are not supported)");
      gaps.push_back(along);
    }
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    sliceSpacing = sorted[sorted.size() / 2];
    for (size_t g = 0; g < gaps.size(); ++g)
      if (std::fabs(gaps[g] - sliceSpacing) > std::max(1e-3, 0.01 * sliceSpacing))
        return fail("uneven slice spacing (" + number(gaps[g]) + " mm after slice " +
                    std::to_string(g + 1) + ", " + number(sliceSpacing) +
                    " mm elsewhere): missing slices?");
  }
  Geometry& g = series.geometry;
  g.spacing = {first.pixelSpacing[1], first.pixelSpacing[0], sliceSpacing};
  g.origin = slices.front().position;
  // Columns of the direction: along a row (i), down a column (j), along the normal (k).
  for (int r = 0; r < 3; ++r) {
    g.direction[3 * r + 0] = row[r];
    g.direction[3 * r + 1] = column[r];
    g.direction[3 * r + 2] = normal[r];
  }
  setNiftiFromPlacement(g);
}

std::string itkFirstLine(const itk::ExceptionObject& error) {
  std::string text = error.GetDescription();
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

using ItkSlice = itk::Image<float, 2>;
using ItkVolume = itk::Image<float, 3>;

ItkVolume::Pointer toItk(const Volume& volume, int64_t channel) {
  auto image = ItkVolume::New();
  ItkVolume::SizeType size;
  size[0] = volume.shape[3];
  size[1] = volume.shape[2];
  size[2] = volume.shape[1];
  image->SetRegions(ItkVolume::RegionType(size));
  ItkVolume::SpacingType spacing;
  ItkVolume::PointType origin;
  ItkVolume::DirectionType direction;
  for (int r = 0; r < 3; ++r) {
    spacing[r] = volume.geometry.spacing[r];
    origin[r] = volume.geometry.origin[r];
    for (int c = 0; c < 3; ++c) direction[r][c] = volume.geometry.direction[3 * r + c];
  }
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  std::copy_n(volume.channel(channel), volume.voxelsPerChannel(), image->GetBufferPointer());
  return image;
}

// The folder holding a series' files (a study's subfolder), else the folder scanned.
std::string seriesLocation(const DicomSeriesInfo& series) {
  const fs::path parent = fs::path(series.files.front()).parent_path();
  for (const std::string& file : series.files)
    if (fs::path(file).parent_path() != parent) return series.folder;
  return parent.string();
}

}  // namespace

bool containsDicomFiles(const std::string& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) return false;
  for (fs::recursive_directory_iterator
           it(folder, fs::directory_options::skip_permission_denied, error),
       end;
       !error && it != end; it.increment(error)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().filename().string();
    if (name.size() > 4 && (endsWith(name, ".nii") || name.find(".nii.") != std::string::npos))
      continue;
    if (hasDicomPreamble(it->path().string())) return true;
  }
  return false;
}

namespace {

// A folder's files sorted out: the image series, the DICOM files that cannot be read (and why),
// and the files that are no DICOM image at all.
struct FolderScan {
  std::vector<DicomSeriesInfo> series;
  std::vector<std::pair<std::string, std::string>> unreadable;  // path, "is truncated or ..."
  std::vector<std::string> notDicom;                            // no DICOM preamble (paths)
  std::vector<std::string> nonImage;  // DICOM objects without pixels, DICOMDIR (paths)
};

FolderScan scanFolder(const std::string& folder) {
  std::error_code error;
  if (!fs::exists(folder, error)) throw InputError(folder, "folder not found");
  if (!fs::is_directory(folder, error))
    throw InputError(folder, "is not a folder; a DICOM series is given as its folder");

  // Every file is checked before GDCM sees it, and GDCM reads only the sound ones (it aborts
  // the process on many malformed files); then each sound file's header, once.
  FolderScan scan;
  std::map<std::string, std::vector<SliceHeader>> bySeries;
  for (const std::string& path : candidateFiles(folder)) {
    if (fs::path(path).filename() == "DICOMDIR") {  // a media index, never an image
      scan.nonImage.push_back(path);
      continue;
    }
    const DicomFileCheck check = checkDicomFile(path);
    switch (check.kind) {
      case DicomFileCheck::Kind::NotDicom:
        scan.notDicom.push_back(path);
        continue;
      case DicomFileCheck::Kind::CorruptMeta:
        throw InputError(folder,
                         relativeName(path, folder) + " is corrupt (" + check.problem + ")");
      case DicomFileCheck::Kind::CorruptDataSet:
        scan.unreadable.emplace_back(path, "is truncated or corrupt (" + check.problem + ")");
        continue;
      case DicomFileCheck::Kind::Sound:
        break;
    }
    SliceHeader header = readHeader(path);
    if (!header.parsed)
      scan.unreadable.emplace_back(path, "is truncated or corrupt");
    else if (!header.hasPixels)
      scan.nonImage.push_back(path);
    else
      bySeries[header.seriesKey].push_back(std::move(header));
  }

  // What was skipped is the folder's: every series of the scan names the same files.
  std::vector<std::string> skipped;
  for (const std::vector<std::string>* files : {&scan.notDicom, &scan.nonImage})
    for (const std::string& path : *files) skipped.push_back(relativeName(path, folder));
  std::sort(skipped.begin(), skipped.end());
  for (auto& [key, slices] : bySeries) {
    DicomSeriesInfo series;
    series.folder = folder;
    series.uid = key;
    const SliceHeader& first = slices.front();
    series.description = !first.description.empty() ? first.description : first.protocol;
    series.modality = first.modality;
    series.seriesNumber = first.seriesNumber;
    series.date = isoDate(!first.seriesDate.empty()        ? first.seriesDate
                          : !first.acquisitionDate.empty() ? first.acquisitionDate
                                                           : first.studyDate);
    placeSlices(series, slices);
    series.skipped = skipped;
    scan.series.push_back(std::move(series));
  }

  if (scan.series.empty()) {
    if (!scan.nonImage.empty() && scan.unreadable.empty() && scan.notDicom.empty())
      throw InputError(folder, "holds only non-image DICOM objects (" +
                                   std::to_string(scan.nonImage.size()) +
                                   " files without pixel data); no image series to open");
    if (!scan.unreadable.empty())
      throw InputError(folder, "holds no readable DICOM image series (" +
                                   relativeName(scan.unreadable.front().first, folder) + " " +
                                   scan.unreadable.front().second + ")");
    if (!scan.notDicom.empty())
      throw InputError(folder, "holds no readable DICOM image series (" +
                                   relativeName(scan.notDicom.front(), folder) +
                                   " is not a DICOM file)");
    throw InputError(folder, "holds no files");
  }
  // A series missing one of its files cannot be trusted: name the file on that series.
  for (const auto& [path, why] : scan.unreadable)
    for (DicomSeriesInfo& series : scan.series)
      if (fs::path(series.files.front()).parent_path() == fs::path(path).parent_path())
        series.problem = relativeName(path, folder) + " " + why;
  std::stable_sort(scan.series.begin(), scan.series.end(),
                   [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
                     const int na = std::atoi(a.seriesNumber.c_str()),
                               nb = std::atoi(b.seriesNumber.c_str());
                     return na != nb ? na < nb : a.description < b.description;
                   });
  return scan;
}

}  // namespace

std::vector<DicomSeriesInfo> scanDicomFolder(const std::string& folder) {
  return scanFolder(folder).series;
}

DicomSeriesInfo findSingleSeries(const std::string& folder) {
  FolderScan scan = scanFolder(folder);
  std::vector<DicomSeriesInfo>& series = scan.series;
  if (series.size() > 1) {
    std::string names;
    for (size_t s = 0; s < series.size() && s < 4; ++s)
      names += (s ? ", " : "") +
               (series[s].description.empty() ? series[s].uid : "'" + series[s].description + "'");
    if (series.size() > 4) names += ", ...";
    throw InputError(folder, "holds " + std::to_string(series.size()) + " series (" + names +
                                 "); give the folder of one series (open the study in the "
                                 "desktop application to choose)");
  }
  // A DICOM file of the folder that cannot be read may be one of the series' slices.
  if (!scan.unreadable.empty())
    throw InputError(folder, relativeName(scan.unreadable.front().first, folder) + " " +
                                 scan.unreadable.front().second);
  return series.front();
}

std::string skippedFilesNote(const DicomSeriesInfo& series) {
  if (series.skipped.empty()) return "";
  std::string note = "skipped " + std::to_string(series.skipped.size()) +
                     (series.skipped.size() == 1 ? " file that is" : " files that are") +
                     " not a DICOM image:";
  constexpr size_t kNamed = 5;
  for (size_t f = 0; f < series.skipped.size() && f < kNamed; ++f)
    note += (f ? ", " : " ") + series.skipped[f];
  if (series.skipped.size() > kNamed)
    note += " and " + std::to_string(series.skipped.size() - kNamed) + " more";
  return note;
}

Volume readDicomSeries(const DicomSeriesInfo& series) {
  if (!series.problem.empty()) throw InputError(series.folder, series.problem);
  const int64_t columns = series.size[0], rows = series.size[1], slices = series.size[2];
  Volume volume;
  volume.shape = {1, slices, rows, columns};
  volume.geometry = series.geometry;
  volume.voxels.resize(static_cast<size_t>(slices * rows * columns));
  for (int64_t k = 0; k < slices; ++k) {
    const std::string& file = series.files[k];
    const auto itk = lockItk();
    auto reader = itk::ImageFileReader<ItkSlice>::New();
    // GDCM's reader applies RescaleSlope and RescaleIntercept when the pixels come out as float.
    reader->SetImageIO(itk::GDCMImageIO::New());
    reader->SetFileName(file);
    try {
      reader->Update();
    } catch (const itk::ExceptionObject& error) {
      throw InputError(series.folder, relativeName(file, series.folder) +
                                          " could not be read: " + itkFirstLine(error));
    }
    const auto size = reader->GetOutput()->GetLargestPossibleRegion().GetSize();
    if (static_cast<int64_t>(size[0]) != columns || static_cast<int64_t>(size[1]) != rows)
      throw InputError(series.folder, relativeName(file, series.folder) + " has " +
                                          std::to_string(size[0]) + "x" + std::to_string(size[1]) +
                                          " pixels, the series " + describeSize(series));
    const float* pixels = reader->GetOutput()->GetBufferPointer();
    float* slice = volume.voxels.data() + k * rows * columns;
    std::copy_n(pixels, rows * columns, slice);
    for (int64_t v = 0; v < rows * columns; ++v)
      if (!std::isfinite(slice[v]))
        throw InputError(series.folder,
                         relativeName(file, series.folder) + " has non-finite pixel values");
  }
  return volume;
}

Volume readDicomSeriesFolder(const std::string& folder, std::string* note) {
  const DicomSeriesInfo series = findSingleSeries(folder);
  if (note) *note = skippedFilesNote(series);
  return readDicomSeries(series);
}

Volume readImageOrSeries(const std::string& path, std::string* note) {
  std::error_code error;
  if (fs::is_directory(path, error)) return readDicomSeriesFolder(path, note);
  return readImage(path, ExpectedRank::Volume3D);
}

Volume resampleOnto(const Volume& image, const Volume& reference) {
  Volume out;
  out.shape = {image.shape[0], reference.shape[1], reference.shape[2], reference.shape[3]};
  out.geometry = reference.geometry;
  out.voxels.resize(static_cast<size_t>(out.channels() * out.voxelsPerChannel()));
  const auto itk = lockItk();
  const ItkVolume::Pointer grid =
      toItk(Volume{{1, reference.shape[1], reference.shape[2], reference.shape[3]},
                   std::vector<float>(static_cast<size_t>(reference.voxelsPerChannel())),
                   reference.geometry},
            0);
  for (int64_t c = 0; c < image.channels(); ++c) {
    using Resampler = itk::ResampleImageFilter<ItkVolume, ItkVolume>;
    auto resampler = Resampler::New();
    resampler->SetInput(toItk(image, c));
    resampler->SetInterpolator(itk::LinearInterpolateImageFunction<ItkVolume, double>::New());
    resampler->SetReferenceImage(grid);
    resampler->UseReferenceImageOn();
    resampler->SetDefaultPixelValue(0.0f);
    resampler->Update();
    std::copy_n(resampler->GetOutput()->GetBufferPointer(), out.voxelsPerChannel(), out.channel(c));
  }
  return out;
}

std::string gridDifference(const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
  if (a.size != b.size) return "size " + describeSize(b) + " vs " + describeSize(a);
  std::string difference;
  if (!sameGeometry(a.geometry, b.geometry, &difference)) return difference;
  return "";
}

CaseFiles stageDicomCase(const std::array<DicomSeriesInfo, kModalityCount>& series, bool resample,
                         const std::string& folder, const std::string& id, std::string& note) {
  static const std::array<const char*, kModalityCount> suffixes{"t1", "t1ce", "t2", "flair"};
  auto named = [](int m, const DicomSeriesInfo& s) {
    return std::string(kModalityNames[m]) + " ('" + s.description + "')";
  };
  // Refuse a mismatch before reading anything.
  for (int m = 1; m < kModalityCount && !resample; ++m) {
    const std::string difference = gridDifference(series[0], series[m]);
    if (!difference.empty())
      throw InputError(seriesLocation(series[m]),
                       named(m, series[m]) + " is on another grid than " + named(0, series[0]) +
                           ": " + difference + "; allow resampling to open it on T1's grid");
  }
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw InputError(folder, "cannot create the folder: " + error.message());
  const Volume reference = readDicomSeries(series[0]);
  std::vector<std::string> paths;
  std::vector<std::string> resampled;
  for (int m = 0; m < kModalityCount; ++m) {
    Volume image = m == 0 ? reference : readDicomSeries(series[m]);
    if (m > 0 && !gridDifference(series[0], series[m]).empty()) {
      image = resampleOnto(image, reference);
      resampled.push_back(kModalityNames[m]);
    }
    paths.push_back((fs::path(folder) / (id + "_" + suffixes[m] + ".nii.gz")).string());
    writeImage(paths.back(), image);
  }
  if (!resampled.empty()) {
    note = "resampled onto T1's grid:";
    for (const std::string& name : resampled) note += " " + name;
  }
  CaseFiles files;
  files.id = id;
  files.layout = Layout::Explicit;
  files.images = paths;
  return files;
}

std::string describeSize(const DicomSeriesInfo& series) {
  return std::to_string(series.size[0]) + " x " + std::to_string(series.size[1]) + " x " +
         std::to_string(series.size[2]);
}

std::string describeSpacing(const Geometry& geometry) {
  return number(geometry.spacing[0]) + " x " + number(geometry.spacing[1]) + " x " +
         number(geometry.spacing[2]) + " mm";
}

}  // namespace seqseg
