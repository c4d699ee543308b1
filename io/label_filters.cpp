#include "io/label_filters.h"

#include <itkBinaryFillholeImageFilter.h>
#include <itkConnectedThresholdImageFilter.h>
#include <itkImage.h>
#include <itkImageRegionConstIteratorWithIndex.h>
#include <itkSignedMaurerDistanceMapImageFilter.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "io/itk_lock.h"

namespace seqseg {

std::vector<int64_t> growRegion(const Volume& volume, int64_t channel,
                                const std::array<int64_t, 3>& seed, float lower, float upper) {
  if (channel < 0 || channel >= volume.channels())
    throw std::out_of_range("channel " + std::to_string(channel) + " is not in the volume");
  const std::array<int64_t, 3> size{volume.shape[3], volume.shape[2], volume.shape[1]};  // i j k
  for (int axis = 0; axis < 3; ++axis)
    if (seed[axis] < 0 || seed[axis] >= size[axis])
      throw std::out_of_range("the seed is outside the volume");
  const float* values = volume.channel(channel);
  const int64_t seedLinear = (seed[2] * size[1] + seed[1]) * size[0] + seed[0];
  if (!(values[seedLinear] >= lower && values[seedLinear] <= upper)) return {};

  using Image = itk::Image<float, 3>;
  using Mask = itk::Image<uint8_t, 3>;
  const auto itk = lockItk();
  auto image = Image::New();
  Image::SizeType itkSize;
  for (int axis = 0; axis < 3; ++axis) itkSize[axis] = static_cast<itk::SizeValueType>(size[axis]);
  image->SetRegions(Image::RegionType(itkSize));
  image->Allocate();
  std::copy_n(values, volume.voxelsPerChannel(), image->GetBufferPointer());
  auto grow = itk::ConnectedThresholdImageFilter<Image, Mask>::New();
  grow->SetInput(image);
  grow->SetLower(lower);
  grow->SetUpper(upper);
  grow->SetReplaceValue(1);
  grow->SetConnectivity(itk::ConnectedThresholdImageFilter<Image, Mask>::FaceConnectivity);
  Image::IndexType index;
  for (int axis = 0; axis < 3; ++axis) index[axis] = seed[axis];
  grow->SetSeed(index);
  grow->Update();
  const uint8_t* grown = grow->GetOutput()->GetBufferPointer();
  std::vector<int64_t> voxels;
  for (int64_t v = 0; v < volume.voxelsPerChannel(); ++v)
    if (grown[v]) voxels.push_back(v);
  return voxels;
}

std::vector<int64_t> holesInSlice(const LabelVolume& labels, uint8_t label, int axis,
                                  int64_t index) {
  const std::array<int64_t, 3> size{labels.shape[2], labels.shape[1], labels.shape[0]};  // i j k
  if (axis < 0 || axis > 2 || index < 0 || index >= size[axis])
    throw std::out_of_range("the slice is outside the grid");
  // The slice's two in-plane axes, in index order.
  const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;
  auto linear = [&](int64_t a, int64_t b) {
    std::array<int64_t, 3> ijk{};
    ijk[axis] = index;
    ijk[u] = a;
    ijk[v] = b;
    return (ijk[2] * size[1] + ijk[1]) * size[0] + ijk[0];
  };
  using Slice = itk::Image<uint8_t, 2>;
  const auto itk = lockItk();
  auto mask = Slice::New();
  Slice::SizeType sliceSize;
  sliceSize[0] = static_cast<itk::SizeValueType>(size[u]);
  sliceSize[1] = static_cast<itk::SizeValueType>(size[v]);
  mask->SetRegions(Slice::RegionType(sliceSize));
  mask->Allocate();
  uint8_t* pixels = mask->GetBufferPointer();
  for (int64_t b = 0; b < size[v]; ++b)
    for (int64_t a = 0; a < size[u]; ++a)
      pixels[b * size[u] + a] = labels.labels[static_cast<size_t>(linear(a, b))] == label;
  auto fill = itk::BinaryFillholeImageFilter<Slice>::New();
  fill->SetInput(mask);
  fill->SetForegroundValue(1);
  fill->SetFullyConnected(false);
  fill->Update();
  const uint8_t* filled = fill->GetOutput()->GetBufferPointer();
  std::vector<int64_t> voxels;
  for (int64_t b = 0; b < size[v]; ++b)
    for (int64_t a = 0; a < size[u]; ++a) {
      const int64_t voxel = linear(a, b);
      if (filled[b * size[u] + a] && labels.labels[static_cast<size_t>(voxel)] == 0)
        voxels.push_back(voxel);
    }
  std::sort(voxels.begin(), voxels.end());
  return voxels;
}

std::vector<int64_t> interpolateSlices(const LabelVolume& labels, uint8_t label, int axis) {
  if (axis < 0 || axis > 2)
    throw std::out_of_range("axis " + std::to_string(axis) + " is not a voxel axis (0, 1 or 2)");
  const std::array<int64_t, 3> size{labels.shape[2], labels.shape[1], labels.shape[0]};  // i j k
  const std::array<int64_t, 3> stride{1, size[0], size[0] * size[1]};
  // The slice's two in-plane axes, in index order.
  const int u = axis == 0 ? 1 : 0, v = axis == 2 ? 1 : 2;
  const int64_t width = size[u], height = size[v];
  auto linear = [&](int64_t index, int64_t a, int64_t b) {
    return index * stride[axis] + a * stride[u] + b * stride[v];
  };
  // The slices that hold the label.
  std::vector<bool> holds(static_cast<size_t>(size[axis]), false);
  for (int64_t voxel = 0; voxel < labels.size(); ++voxel)
    if (labels.labels[static_cast<size_t>(voxel)] == label)
      holds[static_cast<size_t>(voxel / stride[axis] % size[axis])] = true;
  std::vector<int64_t> holding;
  for (int64_t index = 0; index < size[axis]; ++index)
    if (holds[static_cast<size_t>(index)]) holding.push_back(index);

  using Slice = itk::Image<uint8_t, 2>;
  using Distance = itk::Image<float, 2>;
  // The signed distance (mm, negative inside) of each voxel of a slice to the label's outline.
  // The slice is framed by a voxel of background, so that a label reaching the grid's edge has
  // an outline there.
  auto distances = [&](int64_t index) {
    auto mask = Slice::New();
    Slice::SizeType framed;
    framed[0] = static_cast<itk::SizeValueType>(width + 2);
    framed[1] = static_cast<itk::SizeValueType>(height + 2);
    mask->SetRegions(Slice::RegionType(framed));
    Slice::SpacingType spacing;
    spacing[0] = labels.geometry.spacing[static_cast<size_t>(u)];
    spacing[1] = labels.geometry.spacing[static_cast<size_t>(v)];
    mask->SetSpacing(spacing);
    mask->Allocate();
    mask->FillBuffer(0);
    uint8_t* pixels = mask->GetBufferPointer();
    for (int64_t b = 0; b < height; ++b)
      for (int64_t a = 0; a < width; ++a)
        pixels[(b + 1) * (width + 2) + a + 1] =
            labels.labels[static_cast<size_t>(linear(index, a, b))] == label;
    auto map = itk::SignedMaurerDistanceMapImageFilter<Slice, Distance>::New();
    map->SetInput(mask);
    map->SetBackgroundValue(0);
    map->SetUseImageSpacing(true);
    map->SetSquaredDistance(false);
    map->SetInsideIsPositive(false);
    map->Update();
    const float* framedDistances = map->GetOutput()->GetBufferPointer();
    std::vector<float> result(static_cast<size_t>(width * height));
    for (int64_t b = 0; b < height; ++b)
      std::copy_n(framedDistances + (b + 1) * (width + 2) + 1, width, result.begin() + b * width);
    return result;
  };

  std::vector<int64_t> voxels;
  const auto itk = lockItk();
  std::vector<float> below;  // the distances of slice `belowIndex` (the last gap's far side)
  int64_t belowIndex = -1;
  for (size_t n = 1; n < holding.size(); ++n) {
    const int64_t first = holding[n - 1], last = holding[n];
    if (last - first < 2) continue;
    if (belowIndex != first) below = distances(first);
    std::vector<float> above = distances(last);
    for (int64_t index = first + 1; index < last; ++index) {
      const float w = static_cast<float>(index - first) / static_cast<float>(last - first);
      for (int64_t b = 0; b < height; ++b)
        for (int64_t a = 0; a < width; ++a) {
          const size_t pixel = static_cast<size_t>(b * width + a);
          const int64_t voxel = linear(index, a, b);
          if ((1.0f - w) * below[pixel] + w * above[pixel] <= 0.0f &&
              labels.labels[static_cast<size_t>(voxel)] == 0)
            voxels.push_back(voxel);
        }
    }
    below = std::move(above);
    belowIndex = last;
  }
  std::sort(voxels.begin(), voxels.end());
  return voxels;
}

}  // namespace seqseg
