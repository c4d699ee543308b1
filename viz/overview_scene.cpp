#include "viz/overview_scene.h"

#include <map>
#include <vector>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkOutlineSource.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include "viz/heat_map.h"
#include "viz/label_surfaces.h"
#include "viz/patient_slicing.h"

namespace seqseg {

struct OverviewScene::Impl {
  vtkSmartPointer<vtkRenderer> renderer;
  vtkSmartPointer<vtkImageData> image;
  vtkNew<vtkOutlineSource> outline;
  vtkNew<vtkActor> outlineActor;
  // The sagittal, coronal and axial planes through the cursor, resliced as the slice views
  // show them (viz/patient_slicing.h).
  std::array<vtkNew<vtkImageActor>, 3> planes;
  PatientGrid grid;
  double background = 0.0;
  std::array<double, 3> planePoint{};
  // An index-space view of the image, placed by the volume's matrix: VTK 9.1's volume
  // mappers are not relied on to apply a direction matrix.
  vtkNew<vtkImageData> indexSpace;
  // Grey ramp whose lowest entry is transparent: the air around the head would otherwise
  // be opaque black squares hiding the other planes.
  vtkNew<vtkLookupTable> greys;

  struct Surface {
    vtkSmartPointer<vtkPolyData> mesh;
    vtkSmartPointer<vtkActor> actor;
  };
  std::map<uint8_t, Surface> surfaces;
  bool surfacesWanted = true;
  LabelDisplay labelDisplay;

  vtkSmartPointer<vtkPolyData> levelMesh;
  vtkNew<vtkPolyDataMapper> levelMapper;
  vtkNew<vtkActor> levelActor;

  vtkNew<vtkVolume> volume;
  vtkNew<vtkSmartVolumeMapper> volumeMapper;
  vtkNew<vtkColorTransferFunction> volumeColours;
  vtkNew<vtkPiecewiseFunction> volumeOpacity;
  bool volumeWanted = false;

  void showPlanes() {
    if (!image) return;
    for (int axis = 0; axis < 3; ++axis) {
      vtkSmartPointer<vtkImageData> plane =
          patientSlice(image, grid, axis, planePoint[axis], false, background);
      planes[axis]->SetInputData(plane);
      planes[axis]->SetDisplayExtent(plane->GetExtent());
      planes[axis]->SetVisibility(!volumeWanted);
    }
  }

  void placeVolume() {
    indexSpace->ShallowCopy(image);
    indexSpace->SetOrigin(0.0, 0.0, 0.0);
    indexSpace->SetSpacing(1.0, 1.0, 1.0);
    indexSpace->SetDirectionMatrix(1, 0, 0, 0, 1, 0, 0, 0, 1);
    volumeMapper->SetInputData(indexSpace);
    volume->SetUserMatrix(image->GetIndexToPhysicalMatrix());
  }

  void showSurfaces() {
    for (auto& [value, surface] : surfaces) {
      const LabelClass* entry = labelDisplay.colours.find(value);
      if (entry)
        surface.actor->GetProperty()->SetColor(entry->colour[0] / 255.0, entry->colour[1] / 255.0,
                                               entry->colour[2] / 255.0);
      surface.actor->SetVisibility(surfacesWanted && entry && !labelDisplay.hidden.test(value));
    }
  }

  void putSurface(uint8_t value, vtkPolyData* mesh) {
    const auto found = surfaces.find(value);
    if (!mesh || mesh->GetNumberOfPoints() == 0) {
      if (found == surfaces.end()) return;
      renderer->RemoveViewProp(found->second.actor);
      surfaces.erase(found);
      return;
    }
    if (found != surfaces.end()) {
      found->second.mesh = mesh;
      found->second.actor->GetMapper()->SetInputDataObject(mesh);
      return;
    }
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(mesh);
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetSpecular(0.2);
    renderer->AddViewProp(actor);
    surfaces[value] = {mesh, actor};
  }

  void showVolume() { volume->SetVisibility(volumeWanted && image != nullptr); }
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

  d->levelMapper->ScalarVisibilityOff();
  d->levelActor->SetMapper(d->levelMapper);
  d->levelActor->GetProperty()->SetSpecular(0.2);
  // Translucent: the label surfaces inside (or on) the level's surface show through it.
  d->levelActor->GetProperty()->SetOpacity(0.5);
  d->levelActor->VisibilityOff();
  renderer->AddViewProp(d->levelActor);

  vtkNew<vtkVolumeProperty> volumeProperty;
  volumeProperty->SetColor(d->volumeColours);
  volumeProperty->SetScalarOpacity(d->volumeOpacity);
  volumeProperty->SetInterpolationTypeToLinear();
  volumeProperty->ShadeOff();
  d->volume->SetMapper(d->volumeMapper);
  d->volume->SetProperty(volumeProperty);
  d->volume->VisibilityOff();
  renderer->AddViewProp(d->volume);
}

OverviewScene::~OverviewScene() {
  clearLabels();
  d->renderer->RemoveViewProp(d->volume);
  d->renderer->RemoveViewProp(d->levelActor);
  d->renderer->RemoveViewProp(d->outlineActor);
  for (auto& plane : d->planes) d->renderer->RemoveViewProp(plane);
}

void OverviewScene::setImage(vtkImageData* image, const IntensityWindow& window) {
  d->image = image;
  int extent[6];
  image->GetExtent(extent);
  // Corners at voxel centres, i fastest, as vtkOutlineSource orders them.
  double corners[24];
  for (int corner = 0; corner < 8; ++corner)
    image->TransformIndexToPhysicalPoint(extent[(corner & 1) ? 1 : 0], extent[(corner & 2) ? 3 : 2],
                                         extent[(corner & 4) ? 5 : 4], corners + 3 * corner);
  d->outline->SetCorners(corners);
  d->outlineActor->VisibilityOn();

  d->grid = patientGrid(image);
  d->background = image->GetScalarRange()[0];
  double centre[3];
  image->TransformContinuousIndexToPhysicalPoint(0.5 * (extent[0] + extent[1]),
                                                 0.5 * (extent[2] + extent[3]),
                                                 0.5 * (extent[4] + extent[5]), centre);
  d->planePoint = {centre[0], centre[1], centre[2]};
  d->showPlanes();
  d->placeVolume();
  setWindow(window);
  d->showVolume();

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

void OverviewScene::replaceImage(vtkImageData* image) {
  if (!d->image) return;
  d->image = image;
  d->background = image->GetScalarRange()[0];
  d->showPlanes();
  d->placeVolume();
}

void OverviewScene::setWindow(const IntensityWindow& window) {
  d->greys->SetTableRange(window.low, window.high);
  d->volumeColours->RemoveAllPoints();
  d->volumeColours->AddRGBPoint(window.low, 0.0, 0.0, 0.0);
  d->volumeColours->AddRGBPoint(window.high, 1.0, 1.0, 1.0);
  // The darkest tenth of the window (air, background) stays transparent.
  d->volumeOpacity->RemoveAllPoints();
  d->volumeOpacity->AddPoint(window.low + 0.1 * window.width(), 0.0);
  d->volumeOpacity->AddPoint(window.high, 0.15);
}

void OverviewScene::setPlanes(const std::array<double, 3>& world) {
  d->planePoint = world;
  d->showPlanes();
}

void OverviewScene::setLabels(vtkImageData* labels, const LabelDisplay& display) {
  clearLabels();
  d->labelDisplay = display;
  // Each label from the part of the image where it lies, all at once.
  const std::array<IndexBounds, 256> bounds = labelIndexBounds(labels);
  std::vector<LabelSurfaceJob> jobs;
  for (const LabelClass& entry : display.colours.classes)
    if (entry.value != 0 && !isEmpty(bounds[entry.value]))
      jobs.push_back({entry.value, labelSurfaceInput(labels, bounds[entry.value]), nullptr});
  buildLabelSurfaces(jobs);
  for (const LabelSurfaceJob& job : jobs) d->putSurface(job.value, job.surface);
  d->showSurfaces();
}

void OverviewScene::setLabelSurface(uint8_t value, vtkPolyData* surface) {
  d->putSurface(value, surface);
  d->showSurfaces();
}

void OverviewScene::setLabelDisplay(const LabelDisplay& display) {
  d->labelDisplay = display;
  d->showSurfaces();
}

void OverviewScene::clearLabels() {
  for (auto& [value, surface] : d->surfaces) d->renderer->RemoveViewProp(surface.actor);
  d->surfaces.clear();
}

vtkPolyData* OverviewScene::labelSurface(uint8_t value) const {
  const auto found = d->surfaces.find(value);
  return found == d->surfaces.end() ? nullptr : found->second.mesh.Get();
}

void OverviewScene::setLevelSurface(vtkImageData* values, double level,
                                    const std::array<double, 3>& colour) {
  d->levelMesh = seqseg::levelSurface(values, level);
  d->levelMapper->SetInputData(d->levelMesh);
  d->levelActor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  d->levelActor->SetVisibility(d->levelMesh->GetNumberOfPoints() > 0);
}

void OverviewScene::clearLevelSurface() {
  d->levelActor->VisibilityOff();
  d->levelMapper->SetInputData(nullptr);
  d->levelMesh = nullptr;
}

vtkPolyData* OverviewScene::levelSurface() const {
  return d->levelMesh;
}

void OverviewScene::setSurfacesVisible(bool visible) {
  d->surfacesWanted = visible;
  d->showSurfaces();
}

bool OverviewScene::surfacesVisible() const {
  return d->surfacesWanted;
}

void OverviewScene::setVolumeRendering(bool on) {
  d->volumeWanted = on;
  d->showPlanes();
  d->showVolume();
}

bool OverviewScene::volumeRendering() const {
  return d->volumeWanted;
}

void OverviewScene::clear() {
  clearLabels();
  clearLevelSurface();
  d->outlineActor->VisibilityOff();
  for (auto& plane : d->planes) {
    plane->VisibilityOff();
    plane->SetInputData(nullptr);
  }
  d->volume->VisibilityOff();
  d->volumeMapper->SetInputData(static_cast<vtkImageData*>(nullptr));
  d->image = nullptr;
}

}  // namespace seqseg
