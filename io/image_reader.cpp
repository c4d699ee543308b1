#include "io/image_reader.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkNiftiImageIO.h>

#include <array>
#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "io/itk_lock.h"
#include "io/nifti_header.h"
#include "types/input_error.h"

namespace seqseg {
namespace {

using ItkImage4 = itk::Image<float, 4>;

// First line of an ITK exception: the rest is a source location and stack of no use to users.
std::string firstLine(const itk::ExceptionObject& error) {
  std::string text = error.GetDescription();
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

// The placement as ITK reads it (header only: the voxels come from readNiftiVoxelsInto).
ItkImage4::Pointer readPlacementWithItk(const std::string& path) {
  auto reader = itk::ImageFileReader<ItkImage4>::New();
  reader->SetImageIO(itk::NiftiImageIO::New());
  reader->SetFileName(path);
  try {
    reader->UpdateOutputInformation();
  } catch (const itk::ExceptionObject& error) {
    throw InputError(path, "could not be read: " + firstLine(error));
  }
  return reader->GetOutput();
}

Geometry geometryOf(const ItkImage4& image, const NiftiTransforms& transforms) {
  Geometry g;
  for (int r = 0; r < 3; ++r) {
    g.spacing[r] = image.GetSpacing()[r];
    g.origin[r] = image.GetOrigin()[r];
    for (int c = 0; c < 3; ++c) g.direction[3 * r + c] = image.GetDirection()[r][c];
  }
  g.nifti = transforms;
  return g;
}

void checkRank(const std::string& path, const NiftiHeaderInfo& header, ExpectedRank expected) {
  if (expected == ExpectedRank::Volume3D && header.rank != 3)
    throw InputError(path, "is 4D with " + std::to_string(header.dims[3]) +
                               " volumes; a single 3D volume is expected here");
  if (expected == ExpectedRank::MultiChannel4D && header.rank != 4)
    throw InputError(path, "is 3D; a 4D file with one volume per modality is expected here");
}

// Shape and geometry of a file whose voxels are read, as ITK places it.
Volume placedVolume(const std::string& path, const NiftiHeaderInfo& header) {
  const auto itk = lockItk();
  ItkImage4::Pointer image = readPlacementWithItk(path);
  const auto size = image->GetLargestPossibleRegion().GetSize();
  Volume volume;
  volume.shape = {static_cast<int64_t>(size[3]), static_cast<int64_t>(size[2]),
                  static_cast<int64_t>(size[1]), static_cast<int64_t>(size[0])};
  // NIfTI's voxel order (i fastest, then j, k, volume) is [C, A0, A1, A2] with A2 fastest.
  const int64_t channels = header.rank == 4 ? header.dims[3] : 1;
  if (volume.shape !=
      std::array<int64_t, 4>{channels, header.dims[2], header.dims[1], header.dims[0]})
    throw InputError(path, "could not be read: ITK sees other dimensions than the header");
  volume.geometry = geometryOf(*image, header.transforms);
  return volume;
}

}  // namespace

Volume readImage(const std::string& path, ExpectedRank expected) {
  const NiftiHeaderInfo header = readNiftiHeader(path);
  checkRank(path, header, expected);  // before the allocation, as the header's other checks
  std::vector<float> voxels(static_cast<size_t>(header.voxelCount()));
  Volume volume = readImageInto(path, header, expected, voxels.data());
  volume.voxels = std::move(voxels);
  return volume;
}

Volume readImageInto(const std::string& path, const NiftiHeaderInfo& header, ExpectedRank expected,
                     float* voxels) {
  checkRank(path, header, expected);
  readNiftiVoxelsInto(path, header, voxels);
  return placedVolume(path, header);
}

LabelVolume readLabelMap(const std::string& path) {
  Volume image = readImage(path, ExpectedRank::Volume3D);
  LabelVolume labels;
  labels.shape = {image.shape[1], image.shape[2], image.shape[3]};
  labels.geometry = image.geometry;
  labels.labels.resize(image.voxels.size());
  // One branch-free (vectorised) pass converts and checks; only a map with a bad value is
  // searched for the first.
  const float* values = image.voxels.data();
  uint8_t* converted = labels.labels.data();
  bool whole = true;
  for (size_t i = 0; i < image.voxels.size(); ++i) {
    const float value = values[i];
    const float clamped = value >= 0.0f ? (value <= 255.0f ? value : 255.0f) : 0.0f;
    const int32_t label = static_cast<int32_t>(clamped);
    converted[i] = static_cast<uint8_t>(label);
    whole &= static_cast<float>(label) == value;
  }
  if (whole) return labels;
  for (const float value : image.voxels)
    if (value < 0 || value > 255 || value != std::floor(value)) {
      std::ostringstream problem;
      problem << "is not a label map: voxel value " << value << " is not a whole number in 0..255";
      throw InputError(path, problem.str());
    }
  return labels;
}

}  // namespace seqseg
