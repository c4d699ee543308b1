#include "viz/label_overlay.h"

#include <algorithm>
#include <vector>

#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkPointData.h>
#include <vtkUnsignedCharArray.h>

#include "viz/volume_to_vtk.h"

namespace seqseg {

vtkSmartPointer<vtkLookupTable> labelLookupTable() {
  auto table = vtkSmartPointer<vtkLookupTable>::New();
  table->SetNumberOfTableValues(4);
  // Class c spans [c - 0.5, c + 0.5): each whole label picks its own entry.
  table->SetTableRange(-0.5, 3.5);
  table->SetTableValue(0, 0.0, 0.0, 0.0, 0.0);
  table->SetTableValue(1, 1.0, 0.0, 0.0, kLabelOpacity);
  table->SetTableValue(2, 0.0, 200.0 / 255.0, 0.0, kLabelOpacity);
  table->SetTableValue(3, 1.0, 1.0, 0.0, kLabelOpacity);
  // Values outside 0..3 (none after toInternalLabels) draw nothing.
  table->UseAboveRangeColorOn();
  table->SetAboveRangeColor(0.0, 0.0, 0.0, 0.0);
  table->Build();
  return table;
}

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

vtkSmartPointer<vtkImageData> labelOverlayImage(const LabelVolume& labels) {
  // What vtkImageMapToColors does, without linking VTK's imaging module for it.
  vtkSmartPointer<vtkImageData> image = labelsToVtkImage(labels);
  vtkSmartPointer<vtkUnsignedCharArray> colours;
  colours.TakeReference(labelLookupTable()->MapScalars(image->GetPointData()->GetScalars(),
                                                       VTK_COLOR_MODE_MAP_SCALARS, 0, VTK_RGBA));
  colours->SetName("label colours");
  image->GetPointData()->SetScalars(colours);
  return image;
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
