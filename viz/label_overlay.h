#pragma once
// A label map (internal classes) coloured for the slice views: one slice at a time, filled or
// as outlines, with an opacity and per-label visibility, as ITK-SNAP and Slicer draw them.
#include <array>
#include <bitset>

#include <vtkSmartPointer.h>

#include "types/volume.h"
#include "viz/label_colours.h"

class vtkImageData;

namespace seqseg {

struct LabelDisplay {
  LabelColourTable colours = defaultLabelColours();
  bool visible = true;      // false: no label is drawn (ITK-SNAP's "s" key)
  double opacity = 0.5;     // 0..1, of every drawn label
  std::bitset<256> hidden;  // label values not drawn
  bool outline = false;     // only the in-plane boundary voxels of each label
};

// Copies `labels` (uint8) with their spacing, origin and direction, as channelToVtkImage does.
vtkSmartPointer<vtkImageData> labelsToVtkImage(const LabelVolume& labels);

// Slice `slice` of `labels` (the uint8 image above) normal to VTK index axis `axis` (0 x = i,
// 1 y = j, 2 z = k), coloured by `display`: unsigned char RGBA whose extent is that one slice,
// placed as `labels` is. Background (0), hidden labels and labels the colour table does not
// name are transparent. In outline mode a voxel is drawn when one of its four in-plane
// neighbours holds another label or lies outside the image.
vtkSmartPointer<vtkImageData> labelSliceOverlay(vtkImageData* labels, int axis, int slice,
                                                const LabelDisplay& display);

// Colours `overlay` (labelSliceOverlay's image of the same slice of `labels`) again within the
// in-plane index rectangle `region` (an extent: low and high index of each axis, inclusive,
// clamped to the overlay's), after the labels there changed. In outline mode the colours there
// depend on the labels one voxel around: a region grown by one voxel holds every pixel that a
// change inside the region can alter.
void colourLabelSliceRegion(vtkImageData* labels, vtkImageData* overlay, int axis,
                            const std::array<int, 6>& region, const LabelDisplay& display);

// For each VTK index axis (x = A2, y = A1, z = A0): the slice index holding the most
// non-background voxels, or -1 when there are none.
std::array<int, 3> busiestLabelSlices(const LabelVolume& labels);

}  // namespace seqseg
