#include "viz/slice_scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkMatrix3x3.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include "viz/patient_slicing.h"

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

// `lines` drawn by `actor` in `renderer` flat in `colour`, never picked, hidden until shown.
void addLineActor(vtkRenderer* renderer, vtkActor* actor, vtkPolyData* lines,
                  const std::array<double, 3>& colour, double width) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(lines);
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  actor->GetProperty()->LightingOff();
  actor->GetProperty()->SetLineWidth(width);
  actor->PickableOff();
  actor->VisibilityOff();
  renderer->AddViewProp(actor);
}

constexpr int kBrushSegments = 48;

}  // namespace

struct SliceScene::Impl {
  vtkSmartPointer<vtkRenderer> renderer;
  SliceOrientation orientation;
  int worldAxis = 2;  // the LPS axis normal to the plane: 0 sagittal, 1 coronal, 2 axial
  vtkSmartPointer<vtkImageData> image;
  double background = 0.0;  // drawn outside the image: its lowest value
  PatientGrid grid;
  vtkSmartPointer<vtkImageData> shown;  // the image resliced on the plane
  vtkNew<vtkImageActor> actor;
  vtkSmartPointer<vtkImageData> labels;
  LabelDisplay labelDisplay;
  vtkSmartPointer<vtkImageData> labelPlane;  // the labels resliced on the plane
  vtkSmartPointer<vtkImageData> overlay;     // labelPlane coloured
  vtkNew<vtkImageActor> overlayActor;
  vtkSmartPointer<vtkImageData> heatValues;
  HeatMapDisplay heatDisplay;
  vtkSmartPointer<vtkImageData> heatPlane;    // the values resliced on the plane
  vtkSmartPointer<vtkImageData> heatOverlay;  // heatPlane coloured
  vtkNew<vtkImageActor> heatActor;
  vtkNew<vtkScalarBarActor> colourBar;
  vtkNew<vtkPoints> crosshairPoints;
  vtkNew<vtkPolyData> crosshair;
  vtkNew<vtkActor> crosshairActor;
  bool crosshairWanted = true;
  std::vector<Ruler> rulers;
  vtkNew<vtkPoints> rulerPoints;
  vtkNew<vtkCellArray> rulerLines;
  vtkNew<vtkPolyData> rulerLinesShown;
  vtkNew<vtkActor> rulerActor;
  int rulersShown = 0;
  vtkNew<vtkPoints> brushPoints;
  vtkNew<vtkPolyData> brushOutline;
  vtkNew<vtkActor> brushActor;
  bool hasCursor = false;
  std::array<double, 3> cursor{};
  std::array<vtkNew<vtkTextActor>, 4> letters;
  ViewAxes view{};
  int axis = 2;  // the voxel axis closest to the plane's normal: what slices count along
  int slice = 0;
  std::array<double, 3> planePoint{};  // a world point the plane passes through
  bool resliced = false;               // `shown` is up to date with planePoint and image

  double planePosition() const { return planePoint[worldAxis]; }

  // World bounds of the shown slice: the grid's in-plane extent, half a grid step beyond the
  // outermost points (as voxels are drawn), at the plane.
  void sliceBounds(double bounds[6]) const {
    for (int world = 0; world < 3; ++world) {
      bounds[2 * world] = grid.low(world) - 0.5 * grid.spacing[world];
      bounds[2 * world + 1] = grid.high(world) + 0.5 * grid.spacing[world];
    }
    bounds[2 * worldAxis] = bounds[2 * worldAxis + 1] = planePosition();
  }

  void showSlice() {
    if (!resliced) {
      shown = patientSlice(image, grid, worldAxis, planePosition(), false, background);
      actor->SetInputData(shown);
      resliced = true;
    }
    actor->SetDisplayExtent(shown->GetExtent());
    showOverlay();
    showHeatMap();
  }

  // The labels resliced exactly as the image (same plane and grid), nearest neighbour.
  void showOverlay() {
    if (!labels || !image) return;
    labelPlane = patientSlice(labels, grid, worldAxis, planePosition(), true, 0.0);
    overlay = labelSliceOverlay(labelPlane, worldAxis, 0, labelDisplay);
    overlayActor->SetInputData(overlay);
    // The display extent also tells vtkImageActor which way the one-voxel-thin image faces.
    overlayActor->SetDisplayExtent(overlay->GetExtent());
    overlayActor->VisibilityOn();
  }

  // The heat map resliced as the labels are (the same plane, grid and sampling); outside the
  // image it is -1, below any threshold.
  void showHeatMap() {
    if (!heatValues || !image) return;
    heatPlane = patientSlice(heatValues, grid, worldAxis, planePosition(), true, -1.0);
    colourHeatMap();
  }

  void colourHeatMap() {
    heatOverlay = seqseg::heatMapOverlay(heatPlane, heatDisplay);
    heatActor->SetInputData(heatOverlay);
    heatActor->SetDisplayExtent(heatOverlay->GetExtent());
    heatActor->VisibilityOn();
    colourBar->SetLookupTable(heatLookupTable(heatDisplay.colours));
    colourBar->SetTitle(heatDisplay.title.c_str());
    colourBar->VisibilityOn();
  }

  // Samples and colours again the part of the overlay that voxels within `changed` (VTK index
  // extent of `labels`) can reach; false when the plane misses them.
  bool showOverlayPart(const std::array<int, 6>& changed) {
    if (!labels || !image || !labelPlane || !overlay) return false;
    // Nearest-neighbour sampling reads a voxel only at points inside its cell: the world bounds
    // of the changed voxels' cells hold every plane point that can show them.
    std::array<double, 3> low, high;
    low.fill(std::numeric_limits<double>::max());
    high.fill(std::numeric_limits<double>::lowest());
    for (int corner = 0; corner < 8; ++corner) {
      const double index[3] = {(corner & 1) ? changed[1] + 0.5 : changed[0] - 0.5,
                               (corner & 2) ? changed[3] + 0.5 : changed[2] - 0.5,
                               (corner & 4) ? changed[5] + 0.5 : changed[4] - 0.5};
      double world[3];
      labels->TransformContinuousIndexToPhysicalPoint(index, world);
      for (int axis = 0; axis < 3; ++axis) {
        low[axis] = std::min(low[axis], world[axis]);
        high[axis] = std::max(high[axis], world[axis]);
      }
    }
    const double tolerance = 1e-3 * std::min({grid.spacing[0], grid.spacing[1], grid.spacing[2]});
    if (planePosition() < low[worldAxis] - tolerance ||
        planePosition() > high[worldAxis] + tolerance)
      return false;
    // The grid points of the plane within those bounds.
    std::array<int, 6> region{};
    for (int axis = 0; axis < 3; ++axis) {
      if (axis == worldAxis) continue;
      const double from =
          std::ceil((low[axis] - tolerance - grid.origin[axis]) / grid.spacing[axis]);
      const double to =
          std::floor((high[axis] + tolerance - grid.origin[axis]) / grid.spacing[axis]);
      region[2 * axis] = static_cast<int>(std::max(from, 0.0));
      region[2 * axis + 1] = static_cast<int>(std::min(to, grid.size[axis] - 1.0));
      if (region[2 * axis] > region[2 * axis + 1]) return false;
    }
    vtkSmartPointer<vtkImageData> part =
        patientSliceRegion(labels, grid, worldAxis, planePosition(), true, 0.0, region);
    int index[3];
    for (index[2] = region[4]; index[2] <= region[5]; ++index[2])
      for (index[1] = region[2]; index[1] <= region[3]; ++index[1])
        for (index[0] = region[0]; index[0] <= region[1]; ++index[0])
          *static_cast<uint8_t*>(labelPlane->GetScalarPointer(index)) =
              *static_cast<const uint8_t*>(part->GetScalarPointer(index));
    labelPlane->Modified();
    // Outlines: a pixel's colour depends on its in-plane neighbours' labels too.
    for (int axis = 0; axis < 3; ++axis) {
      if (axis == worldAxis) continue;
      --region[2 * axis];
      ++region[2 * axis + 1];
    }
    colourLabelSliceRegion(labelPlane, overlay, worldAxis, region, labelDisplay);
    overlay->Modified();
    return true;
  }

  // The crosshair: two lines along the patient's axes across the slice through the cursor,
  // a little in front of it so that the slice does not hide them.
  void showCrosshair() {
    if (!image || !hasCursor) {
      crosshairActor->VisibilityOff();
      return;
    }
    double bounds[6];
    sliceBounds(bounds);
    const double offset = 0.1 * std::min({grid.spacing[0], grid.spacing[1], grid.spacing[2]});
    int point = 0;
    for (int inPlane = 0; inPlane < 3; ++inPlane) {
      if (inPlane == worldAxis) continue;
      for (int end = 0; end < 2; ++end) {
        double world[3] = {cursor[0], cursor[1], cursor[2]};
        world[inPlane] = bounds[2 * inPlane + end];
        world[worldAxis] = planePosition();
        for (int c = 0; c < 3; ++c) world[c] -= offset * view.projection[c];
        crosshairPoints->SetPoint(point++, world);
      }
    }
    crosshairPoints->Modified();
    crosshairActor->SetVisibility(crosshairWanted);
  }

  // The rulers on this plane, in front of it as the crosshair is.
  void showRulers() {
    rulerPoints->Reset();
    rulerLines->Reset();
    rulersShown = 0;
    if (image) {
      // The plane passes through voxel centres (the cursor's): a ruler within half a voxel's
      // extent along the normal lies in the slice shown, obliquely stored grids included.
      const double* spacing = image->GetSpacing();
      double tolerance = 1e-6;
      for (int c = 0; c < 3; ++c)
        tolerance +=
            0.5 * std::abs(image->GetDirectionMatrix()->GetElement(worldAxis, c)) * spacing[c];
      const double offset = 0.2 * std::min({grid.spacing[0], grid.spacing[1], grid.spacing[2]});
      for (const Ruler& ruler : rulers) {
        if (std::abs(ruler[0][worldAxis] - planePosition()) > tolerance ||
            std::abs(ruler[1][worldAxis] - planePosition()) > tolerance)
          continue;
        vtkIdType ends[2];
        for (int end = 0; end < 2; ++end) {
          double world[3] = {ruler[end][0], ruler[end][1], ruler[end][2]};
          world[worldAxis] = planePosition();
          for (int c = 0; c < 3; ++c) world[c] -= offset * view.projection[c];
          ends[end] = rulerPoints->InsertNextPoint(world);
        }
        rulerLines->InsertNextCell(2, ends);
        ++rulersShown;
      }
    }
    rulerPoints->Modified();
    rulerLines->Modified();
    rulerLinesShown->Modified();
    rulerActor->SetVisibility(rulersShown > 0);
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
    view = radiologicalView(orientation);
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
    showRulers();
  }

  // Moves the plane through `point`: the slice index is the voxel's along `axis`.
  void movePlane(const std::array<double, 3>& point) {
    const double before = planePosition();
    planePoint = point;
    if (planePosition() != before) resliced = false;
    double index[3];
    image->TransformPhysicalPointToContinuousIndex(point.data(), index);
    int extent[6];
    image->GetExtent(extent);
    slice = std::clamp(static_cast<int>(std::lround(index[axis])) - extent[2 * axis], 0,
                       image->GetDimensions()[axis] - 1);
    showSlice();
    // Keep the camera at the same distance in front of the plane (the clipping range was
    // fitted to the plane shown before): move it along the normal only, so the zoom and pan
    // stay as they are.
    vtkCamera* camera = renderer->GetActiveCamera();
    double focal[3], position[3];
    camera->GetFocalPoint(focal);
    camera->GetPosition(position);
    const double along = planePosition() - before;
    focal[worldAxis] += along;
    position[worldAxis] += along;
    camera->SetFocalPoint(focal);
    camera->SetPosition(position);
    double bounds[6];
    sliceBounds(bounds);
    renderer->ResetCameraClippingRange(bounds);
    showCrosshair();
    showRulers();
  }
};

SliceScene::SliceScene(vtkRenderer* renderer, SliceOrientation orientation) : d(new Impl) {
  d->renderer = renderer;
  d->orientation = orientation;
  d->worldAxis = normalWorldAxis(orientation);
  d->view = radiologicalView(orientation);
  d->actor->GetProperty()->SetInterpolationTypeToLinear();
  d->actor->VisibilityOff();
  renderer->AddViewProp(d->actor);
  // Labels are drawn as they are: nearest neighbour, colours and opacity from the RGBA image.
  d->overlayActor->GetProperty()->SetInterpolationTypeToNearest();
  d->overlayActor->VisibilityOff();
  renderer->AddViewProp(d->overlayActor);
  // The heat map over the labels, drawn as they are.
  d->heatActor->GetProperty()->SetInterpolationTypeToNearest();
  d->heatActor->VisibilityOff();
  renderer->AddViewProp(d->heatActor);
  // The colour bar: upper right, clear of the edge letter at the middle of the right edge.
  d->colourBar->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
  d->colourBar->SetPosition(0.8, 0.58);
  d->colourBar->SetWidth(0.18);
  d->colourBar->SetHeight(0.4);
  d->colourBar->SetNumberOfLabels(3);
  d->colourBar->SetLabelFormat("%.1f");
  d->colourBar->SetBarRatio(0.35);
  d->colourBar->UnconstrainedFontSizeOn();
  d->colourBar->GetTitleTextProperty()->SetFontSize(12);
  d->colourBar->GetLabelTextProperty()->SetFontSize(11);
  d->colourBar->GetTitleTextProperty()->ShadowOff();
  d->colourBar->GetLabelTextProperty()->ShadowOff();
  d->colourBar->GetTitleTextProperty()->ItalicOff();
  d->colourBar->GetLabelTextProperty()->ItalicOff();
  d->colourBar->PickableOff();
  d->colourBar->VisibilityOff();
  renderer->AddViewProp(d->colourBar);

  d->crosshairPoints->SetNumberOfPoints(4);
  for (int point = 0; point < 4; ++point) d->crosshairPoints->SetPoint(point, 0, 0, 0);
  vtkNew<vtkCellArray> lines;
  const vtkIdType first[2] = {0, 1}, second[2] = {2, 3};
  lines->InsertNextCell(2, first);
  lines->InsertNextCell(2, second);
  d->crosshair->SetPoints(d->crosshairPoints);
  d->crosshair->SetLines(lines);
  addLineActor(renderer, d->crosshairActor, d->crosshair, {0.3, 0.6, 1.0}, 1.0);

  // Rulers: magenta, apart from grey anatomy, the label colours (red, green, yellow) and the
  // bluish crosshair.
  d->rulerLinesShown->SetPoints(d->rulerPoints);
  d->rulerLinesShown->SetLines(d->rulerLines);
  addLineActor(renderer, d->rulerActor, d->rulerLinesShown, {1.0, 0.2, 1.0}, 2.0);

  // The brush: a closed polyline, its points placed when shown.
  vtkNew<vtkCellArray> brushLine;
  std::vector<vtkIdType> ring(kBrushSegments + 1);
  for (int n = 0; n <= kBrushSegments; ++n) ring[n] = n % kBrushSegments;
  brushLine->InsertNextCell(static_cast<vtkIdType>(ring.size()), ring.data());
  d->brushPoints->SetNumberOfPoints(kBrushSegments);
  d->brushOutline->SetPoints(d->brushPoints);
  d->brushOutline->SetLines(brushLine);
  addLineActor(renderer, d->brushActor, d->brushOutline, {1.0, 1.0, 1.0}, 1.5);

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
  d->renderer->RemoveViewProp(d->rulerActor);
  d->renderer->RemoveViewProp(d->crosshairActor);
  d->renderer->RemoveViewProp(d->colourBar);
  d->renderer->RemoveViewProp(d->heatActor);
  d->renderer->RemoveViewProp(d->overlayActor);
  d->renderer->RemoveViewProp(d->actor);
}

void SliceScene::setImage(vtkImageData* image, const IntensityWindow& window) {
  d->image = image;
  d->background = image->GetScalarRange()[0];
  d->grid = patientGrid(image);
  std::array<double, 9> direction{};
  for (int row = 0; row < 3; ++row)
    for (int column = 0; column < 3; ++column)
      direction[row * 3 + column] = image->GetDirectionMatrix()->GetElement(row, column);
  d->axis = normalVoxelAxis(d->orientation, direction);
  int extent[6];
  image->GetExtent(extent);
  double centre[3];
  image->TransformContinuousIndexToPhysicalPoint(0.5 * (extent[0] + extent[1]),
                                                 0.5 * (extent[2] + extent[3]),
                                                 0.5 * (extent[4] + extent[5]), centre);
  d->planePoint = {centre[0], centre[1], centre[2]};
  d->resliced = false;
  setSlice(sliceCount() / 2);
  setWindow(window);
  d->actor->VisibilityOn();
  d->fitCamera();
}

void SliceScene::replaceImage(vtkImageData* image) {
  if (!d->image) return;
  d->image = image;
  d->background = image->GetScalarRange()[0];
  d->resliced = false;
  d->showSlice();
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

void SliceScene::refreshLabels() {
  d->showOverlay();
}

bool SliceScene::refreshLabels(const std::array<int, 6>& changed) {
  return d->showOverlayPart(changed);
}

void SliceScene::setLabelDisplay(const LabelDisplay& display) {
  d->labelDisplay = display;
  d->showOverlay();
}

void SliceScene::clearLabels() {
  d->overlayActor->VisibilityOff();
  d->overlayActor->SetInputData(nullptr);
  d->overlay = nullptr;
  d->labelPlane = nullptr;
  d->labels = nullptr;
}

void SliceScene::setHeatMap(vtkImageData* values, const HeatMapDisplay& display) {
  d->heatValues = values;
  d->heatDisplay = display;
  d->showHeatMap();
}

void SliceScene::setHeatMapDisplay(const HeatMapDisplay& display) {
  d->heatDisplay = display;
  if (d->heatPlane) d->colourHeatMap();
}

void SliceScene::clearHeatMap() {
  d->heatActor->VisibilityOff();
  d->heatActor->SetInputData(nullptr);
  d->colourBar->VisibilityOff();
  d->heatOverlay = nullptr;
  d->heatPlane = nullptr;
  d->heatValues = nullptr;
}

vtkImageData* SliceScene::heatMapOverlay() const {
  return d->heatOverlay;
}

bool SliceScene::colourBarShown() const {
  return d->colourBar->GetVisibility() != 0;
}

void SliceScene::setBrushOutline(const std::array<double, 3>& centre, double radiusMm,
                                 const std::array<double, 3>& colour) {
  // The two in-plane world axes, and a little in front of the slice (as the crosshair).
  const int u = (d->worldAxis + 1) % 3, v = (d->worldAxis + 2) % 3;
  const double offset =
      0.15 * std::min({d->grid.spacing[0], d->grid.spacing[1], d->grid.spacing[2]});
  for (int n = 0; n < kBrushSegments; ++n) {
    const double angle = 2.0 * 3.14159265358979323846 * n / kBrushSegments;
    double point[3] = {centre[0], centre[1], centre[2]};
    point[u] += radiusMm * std::cos(angle);
    point[v] += radiusMm * std::sin(angle);
    point[d->worldAxis] = d->planePosition();
    for (int c = 0; c < 3; ++c) point[c] -= offset * d->view.projection[c];
    d->brushPoints->SetPoint(n, point);
  }
  d->brushPoints->Modified();
  d->brushActor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  d->brushActor->VisibilityOn();
}

void SliceScene::hideBrushOutline() {
  d->brushActor->VisibilityOff();
}

bool SliceScene::brushOutlineShown() const {
  return d->brushActor->GetVisibility() != 0;
}

vtkImageData* SliceScene::labelOverlay() const {
  return d->overlay;
}

void SliceScene::setCursor(const std::array<double, 3>& world) {
  d->cursor = world;
  d->hasCursor = true;
  if (d->image) d->movePlane(world);
}

void SliceScene::setCrosshairVisible(bool visible) {
  d->crosshairWanted = visible;
  d->showCrosshair();
}

bool SliceScene::crosshairVisible() const {
  return d->crosshairActor->GetVisibility() != 0;
}

void SliceScene::setRulers(const std::vector<Ruler>& rulers) {
  d->rulers = rulers;
  d->showRulers();
}

void SliceScene::clearRulers() {
  setRulers({});
}

int SliceScene::rulersShown() const {
  return d->rulersShown;
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
  double bounds[6];
  d->sliceBounds(bounds);
  for (int c = 0; c < 3; ++c)
    world[c] = std::clamp(homogeneous[c] / homogeneous[3], bounds[2 * c], bounds[2 * c + 1]);
  world[d->worldAxis] = d->planePosition();
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
  clearHeatMap();
  d->actor->VisibilityOff();
  d->actor->SetInputData(nullptr);
  d->shown = nullptr;
  d->resliced = false;
  d->image = nullptr;
  d->hasCursor = false;
  d->crosshairActor->VisibilityOff();
  clearRulers();
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
  // The plane through the point of voxel slice `index` nearest to the current plane point.
  double continuous[3];
  d->image->TransformPhysicalPointToContinuousIndex(d->planePoint.data(), continuous);
  int extent[6];
  d->image->GetExtent(extent);
  continuous[d->axis] = extent[2 * d->axis] + std::clamp(index, 0, sliceCount() - 1);
  std::array<double, 3> point{};
  d->image->TransformContinuousIndexToPhysicalPoint(continuous, point.data());
  d->movePlane(point);
}

}  // namespace seqseg
