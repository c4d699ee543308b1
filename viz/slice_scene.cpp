#include "viz/slice_scene.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <vtkCamera.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkMatrix3x3.h>
#include <vtkNew.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace seqseg {

struct SliceScene::Impl {
  vtkSmartPointer<vtkRenderer> renderer;
  SliceOrientation orientation;
  vtkSmartPointer<vtkImageData> image;
  vtkNew<vtkImageActor> actor;
  vtkSmartPointer<vtkImageData> overlay;
  vtkNew<vtkImageActor> overlayActor;
  int axis = 2;  // the voxel axis normal to the plane
  int slice = 0;

  std::array<double, 9> direction() const {
    std::array<double, 9> values{};
    vtkMatrix3x3* matrix = image->GetDirectionMatrix();
    for (int row = 0; row < 3; ++row)
      for (int column = 0; column < 3; ++column)
        values[row * 3 + column] = matrix->GetElement(row, column);
    return values;
  }

  void showSlice() {
    int extent[6];
    image->GetExtent(extent);
    extent[2 * axis] = extent[2 * axis] + slice;
    extent[2 * axis + 1] = extent[2 * axis];
    actor->SetDisplayExtent(extent);
    overlayActor->SetDisplayExtent(extent);
  }

  void fitCamera() {
    const std::array<double, 9> matrix = direction();
    const std::array<double, 3> normal{matrix[axis], matrix[3 + axis], matrix[6 + axis]};
    const ViewAxes view = alignedView(radiologicalView(orientation), normal);
    double bounds[6];
    actor->GetBounds(bounds);
    const double center[3] = {0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3]),
                              0.5 * (bounds[4] + bounds[5])};
    vtkCamera* camera = renderer->GetActiveCamera();
    camera->ParallelProjectionOn();
    camera->SetFocalPoint(center);
    camera->SetPosition(center[0] - view.projection[0], center[1] - view.projection[1],
                        center[2] - view.projection[2]);
    camera->SetViewUp(view.up.data());
    renderer->ResetCamera(bounds);

    // ResetCamera frames the bounding sphere, which leaves a slice small; fit its extent
    // along the screen's axes instead (with a small margin).
    const std::array<double, 3> right{
        view.projection[1] * view.up[2] - view.projection[2] * view.up[1],
        view.projection[2] * view.up[0] - view.projection[0] * view.up[2],
        view.projection[0] * view.up[1] - view.projection[1] * view.up[0]};
    double height = 0.0;
    double width = 0.0;
    for (int axis = 0; axis < 3; ++axis) {
      height += std::abs(view.up[axis]) * (bounds[2 * axis + 1] - bounds[2 * axis]);
      width += std::abs(right[axis]) * (bounds[2 * axis + 1] - bounds[2 * axis]);
    }
    renderer->ComputeAspect();
    double aspect[2];
    renderer->GetAspect(aspect);
    const double widthOverHeight = aspect[1] > 0 ? aspect[0] / aspect[1] : 1.0;
    const double halfHeight = 0.5 * std::max(height, width / widthOverHeight);
    if (halfHeight > 0) camera->SetParallelScale(1.05 * halfHeight);
    renderer->ResetCameraClippingRange(bounds);
  }
};

SliceScene::SliceScene(vtkRenderer* renderer, SliceOrientation orientation) : d(new Impl) {
  d->renderer = renderer;
  d->orientation = orientation;
  d->actor->GetProperty()->SetInterpolationTypeToLinear();
  d->actor->VisibilityOff();
  renderer->AddViewProp(d->actor);
  // Labels are drawn as they are: nearest neighbour, colours and opacity from the RGBA image.
  d->overlayActor->GetProperty()->SetInterpolationTypeToNearest();
  d->overlayActor->VisibilityOff();
  renderer->AddViewProp(d->overlayActor);
}

SliceScene::~SliceScene() {
  d->renderer->RemoveViewProp(d->overlayActor);
  d->renderer->RemoveViewProp(d->actor);
}

void SliceScene::setImage(vtkImageData* image, const IntensityWindow& window) {
  d->image = image;
  d->actor->SetInputData(image);
  d->axis = normalVoxelAxis(d->orientation, d->direction());
  d->slice = sliceCount() / 2;
  d->actor->GetProperty()->SetColorWindow(window.width());
  d->actor->GetProperty()->SetColorLevel(window.level());
  d->showSlice();
  d->actor->VisibilityOn();
  d->fitCamera();
}

void SliceScene::setOverlay(vtkImageData* overlay) {
  d->overlay = overlay;
  d->overlayActor->SetInputData(overlay);
  if (d->image) d->showSlice();
  d->overlayActor->VisibilityOn();
}

void SliceScene::clearOverlay() {
  d->overlayActor->VisibilityOff();
  d->overlayActor->SetInputData(nullptr);
  d->overlay = nullptr;
}

int SliceScene::normalAxis() const {
  return d->axis;
}

void SliceScene::clear() {
  clearOverlay();
  d->actor->VisibilityOff();
  d->actor->SetInputData(nullptr);
  d->image = nullptr;
}

SliceOrientation SliceScene::orientation() const {
  return d->orientation;
}

int SliceScene::sliceCount() const {
  return d->image ? d->image->GetDimensions()[d->axis] : 0;
}

int SliceScene::slice() const {
  return d->slice;
}

void SliceScene::setSlice(int index) {
  if (!d->image) return;
  double before[6], after[6];
  d->actor->GetBounds(before);
  d->slice = std::clamp(index, 0, sliceCount() - 1);
  d->showSlice();
  d->actor->GetBounds(after);
  // Keep the camera at the same distance in front of the slice (the clipping range was fitted
  // to the slice shown before): move it along its direction of projection only, so the zoom
  // and pan stay as they are.
  vtkCamera* camera = d->renderer->GetActiveCamera();
  double projection[3];
  camera->GetDirectionOfProjection(projection);
  double along = 0.0;
  for (int axis = 0; axis < 3; ++axis)
    along += 0.5 *
             (after[2 * axis] + after[2 * axis + 1] - before[2 * axis] - before[2 * axis + 1]) *
             projection[axis];
  double focal[3], position[3];
  camera->GetFocalPoint(focal);
  camera->GetPosition(position);
  for (int axis = 0; axis < 3; ++axis) {
    focal[axis] += along * projection[axis];
    position[axis] += along * projection[axis];
  }
  camera->SetFocalPoint(focal);
  camera->SetPosition(position);
  d->renderer->ResetCameraClippingRange(after);
}

}  // namespace seqseg
