#include "viz/volume_to_vtk.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>

namespace seqseg {

vtkSmartPointer<vtkImageData> placedVtkImage(const std::array<int64_t, 3>& shape,
                                             const Geometry& geometry) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(static_cast<int>(shape[2]), static_cast<int>(shape[1]),
                       static_cast<int>(shape[0]));
  image->SetSpacing(geometry.spacing.data());
  image->SetOrigin(geometry.origin.data());
  image->SetDirectionMatrix(geometry.direction.data());
  return image;
}

vtkSmartPointer<vtkImageData> channelToVtkImage(const Volume& volume, int64_t channel) {
  if (channel < 0 || channel >= volume.channels())
    throw std::out_of_range("channel " + std::to_string(channel) + " of a volume with " +
                            std::to_string(volume.channels()) + " channels");
  auto image = placedVtkImage({volume.shape[1], volume.shape[2], volume.shape[3]}, volume.geometry);

  auto scalars = vtkSmartPointer<vtkFloatArray>::New();
  scalars->SetName("intensity");
  scalars->SetNumberOfComponents(1);
  scalars->SetNumberOfTuples(volume.voxelsPerChannel());
  const float* source = volume.channel(channel);
  std::copy(source, source + volume.voxelsPerChannel(), scalars->GetPointer(0));
  image->GetPointData()->SetScalars(scalars);
  return image;
}

}  // namespace seqseg
