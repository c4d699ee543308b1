#pragma once
// A label map (internal classes) as a coloured, half-transparent RGBA image for the slice views.
#include <array>

#include <vtkSmartPointer.h>

#include "engine/volume.h"

class vtkImageData;
class vtkLookupTable;

namespace seqseg {

// Colours of the internal classes 0..3 as RGBA in 0..1: 0 background transparent, 1 NCR red,
// 2 ED green, 3 ET yellow, each with opacity kLabelOpacity.
constexpr double kLabelOpacity = 0.5;
vtkSmartPointer<vtkLookupTable> labelLookupTable();

// Copies `labels` (uint8) with their spacing, origin and direction, as channelToVtkImage does.
vtkSmartPointer<vtkImageData> labelsToVtkImage(const LabelVolume& labels);

// The labels coloured with labelLookupTable(): unsigned char RGBA, same geometry.
vtkSmartPointer<vtkImageData> labelOverlayImage(const LabelVolume& labels);

// For each VTK index axis (x = A2, y = A1, z = A0): the slice index holding the most
// non-background voxels, or -1 when there are none.
std::array<int, 3> busiestLabelSlices(const LabelVolume& labels);

}  // namespace seqseg
