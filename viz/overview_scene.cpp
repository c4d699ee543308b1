#include "viz/overview_scene.h"

#include <array>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkOutlineSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace seqseg {

struct OverviewScene::Impl {
  vtkSmartPointer<vtkRenderer> renderer;
  vtkNew<vtkOutlineSource> outline;
  vtkNew<vtkActor> outlineActor;
  std::array<vtkNew<vtkImageActor>, 3> planes;  // normal to voxel axis i, j, k
  // Grey ramp whose lowest entry is transparent: the air around the head would otherwise
  // be opaque black squares hiding the other planes.
  vtkNew<vtkLookupTable> greys;
};

OverviewScene::OverviewScene(vtkRenderer* renderer) : d(new Impl) {
  d->renderer = renderer;
  // Oriented, so that the box follows an oblique grid instead of its axis-aligned bounds.
  d->outline->SetBoxTypeToOriented();
  vtkNew<vtkPolyDataMapper> outlineMapper;
  outlineMapper->SetInputConnection(d->outline->GetOutputPort());
  d->outlineActor->SetMapper(outlineMapper);
  d->outlineActor->GetProperty()->SetColor(1.0, 0.85, 0.2);
  d->outlineActor->GetProperty()->SetLineWidth(2.0);
  d->outlineActor->VisibilityOff();
  renderer->AddViewProp(d->outlineActor);
  d->greys->SetNumberOfTableValues(256);
  d->greys->SetHueRange(0.0, 0.0);
  d->greys->SetSaturationRange(0.0, 0.0);
  d->greys->SetValueRange(0.0, 1.0);
  d->greys->Build();
  d->greys->SetTableValue(0, 0.0, 0.0, 0.0, 0.0);
  for (auto& plane : d->planes) {
    plane->GetProperty()->SetInterpolationTypeToLinear();
    plane->GetProperty()->SetLookupTable(d->greys);
    plane->GetProperty()->UseLookupTableScalarRangeOn();
    plane->VisibilityOff();
    renderer->AddViewProp(plane);
  }
}

OverviewScene::~OverviewScene() {
  d->renderer->RemoveViewProp(d->outlineActor);
  for (auto& plane : d->planes) d->renderer->RemoveViewProp(plane);
}

void OverviewScene::setImage(vtkImageData* image, const IntensityWindow& window) {
  int extent[6];
  image->GetExtent(extent);
  // Corners at voxel centres, i fastest, as vtkOutlineSource orders them.
  double corners[24];
  for (int corner = 0; corner < 8; ++corner)
    image->TransformIndexToPhysicalPoint(extent[(corner & 1) ? 1 : 0], extent[(corner & 2) ? 3 : 2],
                                         extent[(corner & 4) ? 5 : 4], corners + 3 * corner);
  d->outline->SetCorners(corners);
  d->greys->SetTableRange(window.low, window.high);
  d->outlineActor->VisibilityOn();

  for (int axis = 0; axis < 3; ++axis) {
    vtkImageActor* plane = d->planes[axis];
    int planeExtent[6] = {extent[0], extent[1], extent[2], extent[3], extent[4], extent[5]};
    planeExtent[2 * axis] = planeExtent[2 * axis + 1] =
        (extent[2 * axis] + extent[2 * axis + 1]) / 2;
    plane->SetInputData(image);
    plane->SetDisplayExtent(planeExtent);
    plane->VisibilityOn();
  }

  // From the front (LPS: looking along +y, superior up), turned and raised so that all three
  // planes show.
  vtkCamera* camera = d->renderer->GetActiveCamera();
  camera->ParallelProjectionOff();
  camera->SetFocalPoint(0, 0, 0);
  camera->SetPosition(0, -1, 0);
  camera->SetViewUp(0, 0, 1);
  camera->Azimuth(-35);
  camera->Elevation(25);
  camera->OrthogonalizeViewUp();
  d->renderer->ResetCamera();
}

void OverviewScene::clear() {
  d->outlineActor->VisibilityOff();
  for (auto& plane : d->planes) {
    plane->VisibilityOff();
    plane->SetInputData(nullptr);
  }
}

}  // namespace seqseg
