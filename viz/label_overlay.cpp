#include "viz/label_overlay.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <vtkImageData.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include "viz/volume_to_vtk.h"

namespace seqseg {

vtkSmartPointer<vtkImageData> labelsToVtkImage(const LabelVolume& labels) {
  auto image = placedVtkImage(labels.shape, labels.geometry);

  auto scalars = vtkSmartPointer<vtkUnsignedCharArray>::New();
  scalars->SetName("labels");
  scalars->SetNumberOfComponents(1);
  scalars->SetNumberOfTuples(labels.size());
  std::copy(labels.labels.begin(), labels.labels.begin() + labels.size(), scalars->GetPointer(0));
  image->GetPointData()->SetScalars(scalars);
  return image;
}

namespace {

// RGBA of every label value as `display` draws it; alpha 0 where nothing is drawn.
std::array<std::array<uint8_t, 4>, 256> labelRgba(const LabelDisplay& display) {
  std::array<std::array<uint8_t, 4>, 256> rgba{};
  const auto alpha = static_cast<uint8_t>(std::lround(std::clamp(display.opacity, 0.0, 1.0) * 255));
  for (const LabelClass& entry : display.colours.classes)
    if (display.visible && entry.value != 0 && !display.hidden.test(entry.value))
      rgba[entry.value] = {entry.colour[0], entry.colour[1], entry.colour[2], alpha};
  return rgba;
}

}  // namespace

vtkSmartPointer<vtkImageData> labelSliceOverlay(vtkImageData* labels, int axis, int slice,
                                                const LabelDisplay& display) {
  int extent[6];
  labels->GetExtent(extent);
  std::array<int, 6> sliceExtent = {extent[0], extent[1], extent[2],
                                    extent[3], extent[4], extent[5]};
  sliceExtent[2 * axis] = sliceExtent[2 * axis + 1] =
      std::clamp(extent[2 * axis] + slice, extent[2 * axis], extent[2 * axis + 1]);

  auto overlay = vtkSmartPointer<vtkImageData>::New();
  overlay->SetExtent(sliceExtent.data());
  overlay->SetOrigin(labels->GetOrigin());
  overlay->SetSpacing(labels->GetSpacing());
  overlay->SetDirectionMatrix(labels->GetDirectionMatrix());
  overlay->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
  overlay->GetPointData()->GetScalars()->SetName("label colours");
  colourLabelSliceRegion(labels, overlay, axis, sliceExtent, display);
  return overlay;
}

void colourLabelSliceRegion(vtkImageData* labels, vtkImageData* overlay, int axis,
                            const std::array<int, 6>& region, const LabelDisplay& display) {
  const std::array<std::array<uint8_t, 4>, 256> rgba = labelRgba(display);
  int extent[6], sliceExtent[6];
  labels->GetExtent(extent);
  overlay->GetExtent(sliceExtent);

  // The two in-plane axes, and a label lookup by in-plane position.
  const int first = axis == 0 ? 1 : 0;
  const int second = axis == 2 ? 1 : 2;
  int index[3];
  index[axis] = sliceExtent[2 * axis];
  auto labelAt = [&](int u, int v) {
    index[first] = u;
    index[second] = v;
    return *static_cast<const uint8_t*>(labels->GetScalarPointer(index));
  };
  const int uLow = extent[2 * first], uHigh = extent[2 * first + 1];
  const int vLow = extent[2 * second], vHigh = extent[2 * second + 1];
  const int uFrom = std::max({uLow, sliceExtent[2 * first], region[2 * first]});
  const int uTo = std::min({uHigh, sliceExtent[2 * first + 1], region[2 * first + 1]});
  const int vFrom = std::max({vLow, sliceExtent[2 * second], region[2 * second]});
  const int vTo = std::min({vHigh, sliceExtent[2 * second + 1], region[2 * second + 1]});
  for (int v = vFrom; v <= vTo; ++v)
    for (int u = uFrom; u <= uTo; ++u) {
      const uint8_t label = labelAt(u, v);
      bool drawn = rgba[label][3] != 0;
      if (drawn && display.outline) {
        const bool interior = u > uLow && u < uHigh && v > vLow && v < vHigh &&
                              labelAt(u - 1, v) == label && labelAt(u + 1, v) == label &&
                              labelAt(u, v - 1) == label && labelAt(u, v + 1) == label;
        drawn = !interior;
      }
      index[first] = u;
      index[second] = v;
      auto* pixel = static_cast<uint8_t*>(overlay->GetScalarPointer(index));
      const std::array<uint8_t, 4> colour =
          drawn ? rgba[label] : std::array<uint8_t, 4>{0, 0, 0, 0};
      std::copy(colour.begin(), colour.end(), pixel);
    }
}

std::array<int, 3> busiestLabelSlices(const LabelVolume& labels) {
  // counts[vtk axis][slice]; VTK axis a is the volume's axis 2 - a.
  std::array<std::vector<long>, 3> counts;
  for (int axis = 0; axis < 3; ++axis) counts[axis].assign(labels.shape[2 - axis], 0);
  size_t n = 0;
  for (int64_t k = 0; k < labels.shape[0]; ++k)
    for (int64_t j = 0; j < labels.shape[1]; ++j)
      for (int64_t i = 0; i < labels.shape[2]; ++i, ++n)
        if (labels.labels[n] != 0) {
          ++counts[0][i];
          ++counts[1][j];
          ++counts[2][k];
        }
  std::array<int, 3> busiest{-1, -1, -1};
  for (int axis = 0; axis < 3; ++axis) {
    const auto best = std::max_element(counts[axis].begin(), counts[axis].end());
    if (best != counts[axis].end() && *best > 0)
      busiest[axis] = static_cast<int>(best - counts[axis].begin());
  }
  return busiest;
}

}  // namespace seqseg
