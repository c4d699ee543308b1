#include "viz/volume_to_vtk.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <vtkFloatArray.h>
#include <vtkImageData.h>
#include <vtkPointData.h>

namespace seqseg {

vtkSmartPointer<vtkImageData> channelToVtkImage(const Volume& volume, int64_t channel) {
  if (channel < 0 || channel >= volume.channels())
    throw std::out_of_range("channel " + std::to_string(channel) + " of a volume with " +
                            std::to_string(volume.channels()) + " channels");
  const Geometry& geometry = volume.geometry;
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(static_cast<int>(volume.shape[3]), static_cast<int>(volume.shape[2]),
                       static_cast<int>(volume.shape[1]));
  image->SetSpacing(geometry.spacing.data());
  image->SetOrigin(geometry.origin.data());
  image->SetDirectionMatrix(geometry.direction.data());

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
