#include "viz/slice_scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkMatrix3x3.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

namespace seqseg {

namespace {

// Edge letters: left, right, top, bottom, each at the middle of its edge.
struct LetterPlace {
  double x, y;
  int horizontal, vertical;  // VTK_TEXT_LEFT/CENTERED/RIGHT, VTK_TEXT_BOTTOM/CENTERED/TOP
};
constexpr LetterPlace kLetterPlaces[4] = {
    {0.01, 0.5, VTK_TEXT_LEFT, VTK_TEXT_CENTERED},
    {0.99, 0.5, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED},
    {0.5, 0.99, VTK_TEXT_CENTERED, VTK_TEXT_TOP},
    {0.5, 0.01, VTK_TEXT_CENTERED, VTK_TEXT_BOTTOM},
};

}  // namespace

struct SliceScene::Impl {
  vtkSmartPointer<vtkRenderer> renderer;
  SliceOrientation orientation;
  vtkSmartPointer<vtkImageData> image;
  vtkNew<vtkImageActor> actor;
  vtkSmartPointer<vtkImageData> labels;
  LabelDisplay labelDisplay;
  vtkSmartPointer<vtkImageData> overlay;
  vtkNew<vtkImageActor> overlayActor;
  vtkNew<vtkPoints> crosshairPoints;
  vtkNew<vtkPolyData> crosshair;
  vtkNew<vtkActor> crosshairActor;
  bool crosshairWanted = true;
  bool hasCursor = false;
  std::array<double, 3> cursor{};
  std::array<vtkNew<vtkTextActor>, 4> letters;
  ViewAxes view{};
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

  // World bounds of the shown slice, from its voxel centres placed by the direction matrix
  // (vtkImageActor's own bounds leave a flipped grid, RAS for one, off screen).
  void sliceBounds(double bounds[6]) const {
    int extent[6];
    actor->GetDisplayExtent(extent);
    for (int axis = 0; axis < 3; ++axis) {
      bounds[2 * axis] = std::numeric_limits<double>::max();
      bounds[2 * axis + 1] = std::numeric_limits<double>::lowest();
    }
    for (int corner = 0; corner < 8; ++corner) {
      double point[3];
      image->TransformIndexToPhysicalPoint(extent[(corner & 1) ? 1 : 0],
                                           extent[(corner & 2) ? 3 : 2],
                                           extent[(corner & 4) ? 5 : 4], point);
      for (int axis = 0; axis < 3; ++axis) {
        bounds[2 * axis] = std::min(bounds[2 * axis], point[axis]);
        bounds[2 * axis + 1] = std::max(bounds[2 * axis + 1], point[axis]);
      }
    }
  }

  void showSlice() {
    int extent[6];
    image->GetExtent(extent);
    extent[2 * axis] = extent[2 * axis] + slice;
    extent[2 * axis + 1] = extent[2 * axis];
    actor->SetDisplayExtent(extent);
    showOverlay();
  }

  void showOverlay() {
    if (!labels || !image) return;
    overlay = labelSliceOverlay(labels, axis, slice, labelDisplay);
    overlayActor->SetInputData(overlay);
    // The display extent also tells vtkImageActor which way the one-voxel-thin image faces.
    overlayActor->SetDisplayExtent(overlay->GetExtent());
    overlayActor->VisibilityOn();
  }

  // The crosshair: two lines across the image through the cursor, in the shown slice, a
  // little in front of it so that the slice does not hide them.
  void showCrosshair() {
    if (!image || !hasCursor) {
      crosshairActor->VisibilityOff();
      return;
    }
    double index[3];
    image->TransformPhysicalPointToContinuousIndex(cursor.data(), index);
    int extent[6];
    image->GetExtent(extent);
    index[axis] = extent[2 * axis] + slice;
    double projection[3];
    renderer->GetActiveCamera()->GetDirectionOfProjection(projection);
    const double* spacing = image->GetSpacing();
    const double offset = 0.1 * std::min({spacing[0], spacing[1], spacing[2]});
    int point = 0;
    for (int inPlane = 0; inPlane < 3; ++inPlane) {
      if (inPlane == axis) continue;
      for (int end = 0; end < 2; ++end) {
        double ends[3] = {index[0], index[1], index[2]};
        ends[inPlane] = extent[2 * inPlane + end] + (end ? 0.5 : -0.5);
        double world[3];
        image->TransformContinuousIndexToPhysicalPoint(ends, world);
        for (int c = 0; c < 3; ++c) world[c] -= offset * projection[c];
        crosshairPoints->SetPoint(point++, world);
      }
    }
    crosshairPoints->Modified();
    crosshairActor->SetVisibility(crosshairWanted);
  }

  void showLetters() {
    const EdgeLetters edges = seqseg::edgeLetters(view);
    const char values[4] = {edges.left, edges.right, edges.top, edges.bottom};
    for (int n = 0; n < 4; ++n) {
      letters[n]->SetInput(std::string(1, values[n]).c_str());
      letters[n]->VisibilityOn();
    }
  }

  void fitCamera() {
    const std::array<double, 9> matrix = direction();
    const std::array<double, 3> normal{matrix[axis], matrix[3 + axis], matrix[6 + axis]};
    view = alignedView(radiologicalView(orientation), normal);
    double bounds[6];
    sliceBounds(bounds);
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
    const std::array<double, 3> right = screenRight(view);
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
    showLetters();
    showCrosshair();
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

  d->crosshairPoints->SetNumberOfPoints(4);
  for (int point = 0; point < 4; ++point) d->crosshairPoints->SetPoint(point, 0, 0, 0);
  vtkNew<vtkCellArray> lines;
  const vtkIdType first[2] = {0, 1}, second[2] = {2, 3};
  lines->InsertNextCell(2, first);
  lines->InsertNextCell(2, second);
  d->crosshair->SetPoints(d->crosshairPoints);
  d->crosshair->SetLines(lines);
  vtkNew<vtkPolyDataMapper> crosshairMapper;
  crosshairMapper->SetInputData(d->crosshair);
  d->crosshairActor->SetMapper(crosshairMapper);
  d->crosshairActor->GetProperty()->SetColor(0.3, 0.6, 1.0);
  d->crosshairActor->GetProperty()->LightingOff();
  d->crosshairActor->GetProperty()->SetLineWidth(1.0);
  d->crosshairActor->PickableOff();
  d->crosshairActor->VisibilityOff();
  renderer->AddViewProp(d->crosshairActor);

  for (int n = 0; n < 4; ++n) {
    vtkTextActor* letter = d->letters[n];
    letter->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    letter->SetPosition(kLetterPlaces[n].x, kLetterPlaces[n].y);
    vtkTextProperty* text = letter->GetTextProperty();
    text->SetFontSize(15);
    text->BoldOn();
    // Bluish like the crosshair: apart from grey anatomy and from the label colours.
    text->SetColor(0.55, 0.8, 1.0);
    text->SetJustification(kLetterPlaces[n].horizontal);
    text->SetVerticalJustification(kLetterPlaces[n].vertical);
    letter->VisibilityOff();
    renderer->AddViewProp(letter);
  }
}

SliceScene::~SliceScene() {
  for (auto& letter : d->letters) d->renderer->RemoveViewProp(letter);
  d->renderer->RemoveViewProp(d->crosshairActor);
  d->renderer->RemoveViewProp(d->overlayActor);
  d->renderer->RemoveViewProp(d->actor);
}

void SliceScene::setImage(vtkImageData* image, const IntensityWindow& window) {
  d->image = image;
  d->actor->SetInputData(image);
  d->axis = normalVoxelAxis(d->orientation, d->direction());
  d->slice = sliceCount() / 2;
  setWindow(window);
  d->showSlice();
  d->actor->VisibilityOn();
  d->fitCamera();
}

void SliceScene::replaceImage(vtkImageData* image) {
  if (!d->image) return;
  d->image = image;
  d->actor->SetInputData(image);
}

void SliceScene::setWindow(const IntensityWindow& window) {
  d->actor->GetProperty()->SetColorWindow(window.width());
  d->actor->GetProperty()->SetColorLevel(window.level());
}

IntensityWindow SliceScene::window() const {
  const double width = d->actor->GetProperty()->GetColorWindow();
  const double level = d->actor->GetProperty()->GetColorLevel();
  return {level - 0.5 * width, level + 0.5 * width};
}

void SliceScene::setLabels(vtkImageData* labels, const LabelDisplay& display) {
  d->labels = labels;
  d->labelDisplay = display;
  d->showOverlay();
}

void SliceScene::setLabelDisplay(const LabelDisplay& display) {
  d->labelDisplay = display;
  d->showOverlay();
}

void SliceScene::clearLabels() {
  d->overlayActor->VisibilityOff();
  d->overlayActor->SetInputData(nullptr);
  d->overlay = nullptr;
  d->labels = nullptr;
}

vtkImageData* SliceScene::labelOverlay() const {
  return d->overlay;
}

void SliceScene::setCursor(const std::array<double, 3>& world) {
  d->cursor = world;
  d->hasCursor = true;
  if (!d->image) return;
  double index[3];
  d->image->TransformPhysicalPointToContinuousIndex(world.data(), index);
  int extent[6];
  d->image->GetExtent(extent);
  setSlice(static_cast<int>(std::lround(index[d->axis])) - extent[2 * d->axis]);
}

void SliceScene::setCrosshairVisible(bool visible) {
  d->crosshairWanted = visible;
  d->showCrosshair();
}

bool SliceScene::crosshairVisible() const {
  return d->crosshairActor->GetVisibility() != 0;
}

void SliceScene::zoom(double factor) {
  if (!d->image || !(factor > 0)) return;
  vtkCamera* camera = d->renderer->GetActiveCamera();
  camera->SetParallelScale(camera->GetParallelScale() / factor);
}

void SliceScene::pan(double dx, double dy) {
  if (!d->image) return;
  const int height = d->renderer->GetSize()[1];
  if (height <= 0) return;
  vtkCamera* camera = d->renderer->GetActiveCamera();
  const double worldPerPixel = 2.0 * camera->GetParallelScale() / height;
  const std::array<double, 3> right = screenRight(d->view);
  double focal[3], position[3];
  camera->GetFocalPoint(focal);
  camera->GetPosition(position);
  // The picture follows the mouse: the camera moves the other way.
  for (int c = 0; c < 3; ++c) {
    const double shift = -worldPerPixel * (dx * right[c] + dy * d->view.up[c]);
    focal[c] += shift;
    position[c] += shift;
  }
  camera->SetFocalPoint(focal);
  camera->SetPosition(position);
}

void SliceScene::resetCamera() {
  if (d->image) d->fitCamera();
}

double SliceScene::parallelScale() const {
  return d->renderer->GetActiveCamera()->GetParallelScale();
}

bool SliceScene::pick(double x, double y, std::array<double, 3>& world) const {
  if (!d->image) return false;
  vtkRenderer* renderer = d->renderer;
  // Parallel projection: the focal plane is the slice's plane.
  double focal[3];
  renderer->GetActiveCamera()->GetFocalPoint(focal);
  renderer->SetWorldPoint(focal[0], focal[1], focal[2], 1.0);
  renderer->WorldToDisplay();
  const double depth = renderer->GetDisplayPoint()[2];
  renderer->SetDisplayPoint(x, y, depth);
  renderer->DisplayToWorld();
  const double* homogeneous = renderer->GetWorldPoint();
  if (homogeneous[3] == 0.0) return false;
  double point[3], index[3];
  for (int c = 0; c < 3; ++c) point[c] = homogeneous[c] / homogeneous[3];
  d->image->TransformPhysicalPointToContinuousIndex(point, index);
  int extent[6];
  d->image->GetExtent(extent);
  for (int c = 0; c < 3; ++c)
    index[c] = std::clamp<double>(index[c], extent[2 * c], extent[2 * c + 1]);
  index[d->axis] = extent[2 * d->axis] + d->slice;
  d->image->TransformContinuousIndexToPhysicalPoint(index, world.data());
  return true;
}

EdgeLetters SliceScene::edgeLetters() const {
  return seqseg::edgeLetters(d->view);
}

int SliceScene::normalAxis() const {
  return d->axis;
}

void SliceScene::clear() {
  clearLabels();
  d->actor->VisibilityOff();
  d->actor->SetInputData(nullptr);
  d->image = nullptr;
  d->hasCursor = false;
  d->crosshairActor->VisibilityOff();
  for (auto& letter : d->letters) letter->VisibilityOff();
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
  d->sliceBounds(before);
  d->slice = std::clamp(index, 0, sliceCount() - 1);
  d->showSlice();
  d->sliceBounds(after);
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
  d->showCrosshair();
}

}  // namespace seqseg
