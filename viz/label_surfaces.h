#pragma once
// Label surfaces for the 3D view: one smoothed triangle mesh per label, in world space.
#include <cstdint>

#include <vtkSmartPointer.h>

class vtkImageData;
class vtkPolyData;

namespace seqseg {

// The boundary of label `value` in `labels` (uint8, placed in LPS world space by its origin,
// spacing and direction), extracted with discrete flying edges and smoothed with a windowed
// sinc filter (`smoothingIterations` 0: none), with point normals. Empty (no points) when
// the label is absent.
vtkSmartPointer<vtkPolyData> labelSurface(vtkImageData* labels, uint8_t value,
                                          int smoothingIterations = 15);

}  // namespace seqseg
