#include "viz/case_views.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

#include <QMetaObject>
#include <QObject>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkImageData.h>
#include <vtkPolyData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include "viz/label_surfaces.h"
#include "viz/overview_scene.h"
#include "viz/slice_interaction.h"
#include "viz/slice_scene.h"
#include "viz/volume_to_vtk.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

struct CaseViews::PreparedChannel {
  std::shared_ptr<const Volume> volume;
  int64_t channel = 0;
  vtkSmartPointer<vtkImageData> image;
};

struct CaseViews::Impl {
  std::array<VtkViewWidget*, 3> sliceViews;  // axial, sagittal, coronal
  VtkViewWidget* overviewView;
  SliceScene axial, sagittal, coronal;
  OverviewScene overview;
  std::array<std::unique_ptr<SliceInteraction>, 3> interactions;

  std::shared_ptr<const Volume> volume;
  int64_t channel = 0;
  vtkSmartPointer<vtkImageData> image;
  vtkSmartPointer<vtkImageData> labels;
  std::array<double, 3> cursor{};

  std::map<int64_t, IntensityWindow> windows;  // per channel, once shown
  std::string preset = windowPresetNames().front();
  IntensityWindow dragStart;
  double dragRange = 1.0;

  LabelDisplay labelDisplay;
  vtkSmartPointer<vtkImageData> heatValues;  // the heat map's channel
  HeatMapDisplay heatDisplay;
  std::optional<double> levelSurface;  // the level of the heat map's surface in 3D, if shown
  // What the surface shown was built from.
  vtkSmartPointer<vtkImageData> surfaceValues;
  double surfaceLevel = 0.0;
  HeatColourMap surfaceColours = HeatColourMap::Inferno;
  bool surfacesBuilt = false;
  // Where each label value may lie (grown as voxels take it, never shrunk): the part of the
  // labels an edited label's surface is extracted from.
  std::array<IndexBounds, 256> labelBounds;
  // Labels edited since their surfaces were built.
  std::bitset<256> surfacesStale;
  // Edited labels' surfaces are extracted on `surfaceWorker` from copies of their part of the
  // labels; the results come back to the UI thread through `surfaceReceiver`'s event queue
  // and are dropped when the labels were replaced meanwhile (`surfaceEpoch` changed).
  std::thread surfaceWorker;
  bool surfacesBuilding = false;
  uint64_t surfaceEpoch = 0;
  QObject surfaceReceiver;
  std::function<void()> surfacesObserver;

  PaintHandler paintHandler;
  double brushRadiusMm = 3.0;
  std::array<double, 3> brushColour{1, 1, 1};

  CursorObserver cursorObserver;
  std::function<void(const IntensityWindow&)> windowObserver;

  Impl(VtkViewWidget* axialView, VtkViewWidget* sagittalView, VtkViewWidget* coronalView,
       VtkViewWidget* overviewView)
      : sliceViews{axialView, sagittalView, coronalView},
        overviewView(overviewView),
        axial(axialView->renderer(), SliceOrientation::Axial),
        sagittal(sagittalView->renderer(), SliceOrientation::Sagittal),
        coronal(coronalView->renderer(), SliceOrientation::Coronal),
        overview(overviewView->renderer()) {}

  ~Impl() {
    if (surfaceWorker.joinable()) surfaceWorker.join();
  }

  std::array<SliceScene*, 3> sliceScenes() { return {&axial, &sagittal, &coronal}; }

  SliceScene& scene(SliceOrientation orientation) {
    switch (orientation) {
      case SliceOrientation::Sagittal:
        return sagittal;
      case SliceOrientation::Coronal:
        return coronal;
      case SliceOrientation::Axial:
        break;
    }
    return axial;
  }

  void requestRenders() {
    for (VtkViewWidget* view : sliceViews) view->requestRender();
    overviewView->requestRender();
  }

  std::array<double, 3> continuousIndex(const std::array<double, 3>& world) const {
    std::array<double, 3> index{};
    image->TransformPhysicalPointToContinuousIndex(world.data(), index.data());
    return index;
  }

  std::array<int64_t, 3> voxelOf(const std::array<double, 3>& world) const {
    const std::array<double, 3> index = continuousIndex(world);
    return {std::lround(index[0]), std::lround(index[1]), std::lround(index[2])};
  }

  // The cursor is always a voxel centre (as in ITK-SNAP): every view's plane then passes
  // through voxel centres, and a click maps to one voxel and back exactly.
  void moveCursor(const std::array<double, 3>& world) {
    if (!image) return;
    std::array<double, 3> index = continuousIndex(world);
    int extent[6];
    image->GetExtent(extent);
    for (int axis = 0; axis < 3; ++axis)
      index[axis] =
          std::clamp<double>(std::round(index[axis]), extent[2 * axis], extent[2 * axis + 1]);
    image->TransformContinuousIndexToPhysicalPoint(index.data(), cursor.data());
    for (SliceScene* scene : sliceScenes()) scene->setCursor(cursor);
    overview.setPlanes(cursor);
    requestRenders();
    if (cursorObserver) cursorObserver(cursor, voxelOf(cursor));
  }

  void moveCursorToVoxel(const std::array<int64_t, 3>& voxel) {
    if (!image) return;
    const double index[3] = {static_cast<double>(voxel[0]), static_cast<double>(voxel[1]),
                             static_cast<double>(voxel[2])};
    std::array<double, 3> world{};
    image->TransformContinuousIndexToPhysicalPoint(index, world.data());
    moveCursor(world);
  }

  void step(SliceScene& scene, int steps) {
    if (!image) return;
    std::array<double, 3> index = continuousIndex(cursor);
    const int axis = scene.normalAxis();
    index[axis] = std::round(index[axis]) + steps;
    std::array<double, 3> world{};
    image->TransformContinuousIndexToPhysicalPoint(index.data(), world.data());
    moveCursor(world);
  }

  // The current preset (Auto when the window was set by hand) on the shown channel.
  IntensityWindow presetWindowOfChannel() const {
    const float* values = volume->channel(channel);
    const auto count = static_cast<std::size_t>(volume->voxelsPerChannel());
    if (auto window = presetWindow(preset, values, count)) return *window;
    return percentileWindow(values, count);
  }

  void applyWindow(const IntensityWindow& window) {
    windows[channel] = window;
    for (SliceScene* scene : sliceScenes()) scene->setWindow(window);
    overview.setWindow(window);
    requestRenders();
    if (windowObserver) windowObserver(window);
  }

  void showLabelDisplay() {
    for (SliceScene* scene : sliceScenes()) scene->setLabelDisplay(labelDisplay);
    overview.setLabelDisplay(labelDisplay);
    requestRenders();
  }

  // Every label's surface, now, when none are built (and they are shown).
  void buildSurfaces() {
    if (labels && !surfacesBuilt && overview.surfacesVisible()) {
      ++surfaceEpoch;  // what is being extracted is of older labels
      overview.setLabels(labels, labelDisplay);
      surfacesBuilt = true;
      surfacesStale.reset();
    }
  }

  // The surfaces of the labels edited since they were built, extracted off the UI thread;
  // they replace the shown ones when done, and the labels edited meanwhile follow.
  void refreshStaleSurfaces() {
    if (!labels || !overview.surfacesVisible()) return;
    if (!surfacesBuilt) {
      buildSurfaces();
      overviewView->requestRender();
      return;
    }
    if (surfacesBuilding || surfacesStale.none()) return;
    std::vector<LabelSurfaceJob> jobs;
    for (const LabelClass& entry : labelDisplay.colours.classes)
      if (entry.value != 0 && surfacesStale.test(entry.value))
        jobs.push_back({entry.value, labelSurfaceInput(labels, labelBounds[entry.value]), nullptr});
    surfacesStale.reset();
    if (jobs.empty()) return;
    if (surfaceWorker.joinable()) surfaceWorker.join();
    surfacesBuilding = true;
    surfaceWorker = std::thread([this, epoch = surfaceEpoch, jobs = std::move(jobs)]() mutable {
      bool built = true;
      try {
        buildLabelSurfaces(jobs);
      } catch (const std::exception&) {
        built = false;  // out of memory: the surfaces shown stay
      }
      QMetaObject::invokeMethod(
          &surfaceReceiver,
          [this, epoch, built, jobs = std::move(jobs)] { surfacesRefreshed(epoch, built, jobs); },
          Qt::QueuedConnection);
    });
  }

  void surfacesRefreshed(uint64_t epoch, bool built, const std::vector<LabelSurfaceJob>& jobs) {
    surfaceWorker.join();
    surfacesBuilding = false;
    if (built && epoch == surfaceEpoch && labels && surfacesBuilt) {
      for (const LabelSurfaceJob& job : jobs) overview.setLabelSurface(job.value, job.surface);
      overviewView->requestRender();
    }
    refreshStaleSurfaces();
    if (!surfacesBuilding && surfacesObserver) surfacesObserver();
  }

  // `window` nullopt: the current preset's.
  void show(std::shared_ptr<const Volume> shown, int64_t shownChannel,
            std::optional<IntensityWindow> window) {
    // Converted first: throws for a bad channel before anything changes.
    show(prepareChannel(std::move(shown), shownChannel), window);
  }

  void show(const std::shared_ptr<const PreparedChannel>& prepared,
            std::optional<IntensityWindow> window) {
    clearLabels();
    clearHeatMap();
    image = prepared->image;
    std::shared_ptr<const Volume> shown = prepared->volume;
    const int64_t shownChannel = prepared->channel;
    volume = std::move(shown);
    channel = shownChannel;
    windows.clear();
    if (window)
      preset.clear();
    else
      window = presetWindowOfChannel();
    windows[channel] = *window;
    for (SliceScene* scene : sliceScenes()) scene->setImage(image, *window);
    overview.setImage(image, *window);
    int dimensions[3];
    image->GetDimensions(dimensions);
    moveCursorToVoxel({dimensions[0] / 2, dimensions[1] / 2, dimensions[2] / 2});
    if (windowObserver) windowObserver(*window);
  }

  // Builds the surface at `levelSurface` of the heat map's values, unless the one shown is
  // that already.
  void showLevelSurface() {
    if (heatValues && levelSurface) {
      if (surfaceValues == heatValues && surfaceLevel == *levelSurface &&
          surfaceColours == heatDisplay.colours)
        return;
      const std::array<uint8_t, 3> colour = heatColour(heatDisplay.colours, *levelSurface);
      overview.setLevelSurface(heatValues, *levelSurface,
                               {colour[0] / 255.0, colour[1] / 255.0, colour[2] / 255.0});
      surfaceValues = heatValues;
      surfaceLevel = *levelSurface;
      surfaceColours = heatDisplay.colours;
    } else {
      overview.clearLevelSurface();
      surfaceValues = nullptr;
    }
    overviewView->requestRender();
  }

  void clearHeatMap() {
    for (SliceScene* scene : sliceScenes()) scene->clearHeatMap();
    overview.clearLevelSurface();
    surfaceValues = nullptr;
    heatValues = nullptr;
    requestRenders();
  }

  void clearLabels() {
    for (SliceScene* scene : sliceScenes()) {
      scene->clearLabels();
      scene->clearRulers();
    }
    overview.clearLabels();
    labels = nullptr;
    surfacesBuilt = false;
    surfacesStale.reset();
    ++surfaceEpoch;
    requestRenders();
  }

  // Shows `shown` (labels on the image's grid) in the slice views, and where each label lies.
  void setLabels(const LabelVolume& shown) {
    labels = labelsToVtkImage(shown);
    labelBounds = labelIndexBounds(labels);
    for (SliceScene* scene : sliceScenes()) scene->setLabels(labels, labelDisplay);
  }

  SliceActions actionsFor(SliceScene& scene, VtkViewWidget* view) {
    SliceActions actions;
    actions.moveCursor = [this](const std::array<double, 3>& world) { moveCursor(world); };
    actions.stepSlice = [this, &scene](int steps) { step(scene, steps); };
    actions.beginWindowDrag = [this] {
      if (!image) return;
      dragStart = windows[channel];
      dragRange = fullRangeWindow(volume->channel(channel),
                                  static_cast<std::size_t>(volume->voxelsPerChannel()))
                      .width();
    };
    actions.dragWindow = [this](double dx, double dy) {
      if (!image) return;
      const double width = std::max(1e-3 * dragRange, dragStart.width() + dx * dragRange);
      const double level = dragStart.level() - dy * dragRange;
      preset.clear();
      applyWindow({level - 0.5 * width, level + 0.5 * width});
    };
    actions.changeLabelOpacity = [this](double delta) {
      labelDisplay.opacity = std::clamp(labelDisplay.opacity + delta, 0.0, 1.0);
      showLabelDisplay();
    };
    actions.toggleLabels = [this] {
      labelDisplay.visible = !labelDisplay.visible;
      showLabelDisplay();
    };
    actions.painting = [this] { return static_cast<bool>(paintHandler) && image != nullptr; };
    const SliceOrientation orientation = scene.orientation();
    actions.paint = [this, orientation](const std::array<double, 3>& world) {
      if (paintHandler) paintHandler(orientation, world, false);
    };
    actions.endStroke = [this, orientation] {
      if (paintHandler) paintHandler(orientation, cursor, true);
    };
    actions.hoverBrush = [this, &scene, view](const std::array<double, 3>* world) {
      const bool wasShown = scene.brushOutlineShown();
      if (world)
        scene.setBrushOutline(*world, brushRadiusMm, brushColour);
      else
        scene.hideBrushOutline();
      if (world || wasShown) view->requestRender();
    };
    return actions;
  }
};

CaseViews::CaseViews(VtkViewWidget* axial, VtkViewWidget* sagittal, VtkViewWidget* coronal,
                     VtkViewWidget* overview)
    : d(new Impl(axial, sagittal, coronal, overview)) {
  // Software OpenGL (llvmpipe) shades every sample: multisampling cost the slice views half of
  // each frame, and the 3D view more. The slice views draw voxels as they are (their lines run
  // along the screen's axes but for the brush's circle); the 3D view smooths its edges with
  // FXAA, one pass over the finished frame.
  for (VtkViewWidget* view : {axial, sagittal, coronal, overview})
    view->renderWindow()->SetMultiSamples(0);
  overview->renderer()->UseFXAAOn();
  const std::array<SliceScene*, 3> scenes = d->sliceScenes();
  for (int n = 0; n < 3; ++n)
    d->interactions[n] = std::make_unique<SliceInteraction>(
        d->sliceViews[n], *scenes[n], d->actionsFor(*scenes[n], d->sliceViews[n]));
}

CaseViews::~CaseViews() = default;

void CaseViews::show(const Volume& volume, int64_t channel, const IntensityWindow& window) {
  d->show(std::make_shared<const Volume>(volume), channel, window);
}

void CaseViews::show(std::shared_ptr<const Volume> volume, int64_t channel) {
  d->show(std::move(volume), channel, std::nullopt);
}

std::shared_ptr<const CaseViews::PreparedChannel> CaseViews::prepareChannel(
    std::shared_ptr<const Volume> volume, int64_t channel) {
  auto prepared = std::make_shared<PreparedChannel>();
  prepared->image = channelToVtkImage(*volume, channel);
  // The views ask for the range; VTK computes it once (a pass over every voxel) and keeps it.
  prepared->image->GetScalarRange();
  prepared->volume = std::move(volume);
  prepared->channel = channel;
  return prepared;
}

void CaseViews::show(const std::shared_ptr<const PreparedChannel>& prepared,
                     const IntensityWindow& window) {
  d->show(prepared, window);
}

void CaseViews::clear() {
  clearLabels();
  d->clearHeatMap();
  for (SliceScene* scene : d->sliceScenes()) scene->clear();
  d->overview.clear();
  d->image = nullptr;
  d->volume = nullptr;
  d->windows.clear();
  d->requestRenders();
}

bool CaseViews::hasImage() const {
  return d->image != nullptr;
}

int64_t CaseViews::channel() const {
  return d->channel;
}

void CaseViews::setChannel(int64_t channel) {
  if (!d->volume) return;
  vtkSmartPointer<vtkImageData> image = channelToVtkImage(*d->volume, channel);
  d->image = image;
  d->channel = channel;
  for (SliceScene* scene : d->sliceScenes()) scene->replaceImage(image);
  d->overview.replaceImage(image);
  const auto known = d->windows.find(channel);
  d->applyWindow(known != d->windows.end() ? known->second : d->presetWindowOfChannel());
}

std::array<double, 3> CaseViews::cursor() const {
  return d->cursor;
}

std::array<int64_t, 3> CaseViews::cursorVoxel() const {
  return d->image ? d->voxelOf(d->cursor) : std::array<int64_t, 3>{};
}

void CaseViews::setCursor(const std::array<double, 3>& world) {
  d->moveCursor(world);
}

void CaseViews::setCursorVoxel(const std::array<int64_t, 3>& voxel) {
  d->moveCursorToVoxel(voxel);
}

void CaseViews::setCursorObserver(CursorObserver observer) {
  d->cursorObserver = std::move(observer);
}

float CaseViews::intensityAtCursor() const {
  if (!d->image) return 0.0f;
  const std::array<int64_t, 3> voxel = cursorVoxel();
  return d->image->GetScalarComponentAsFloat(static_cast<int>(voxel[0]), static_cast<int>(voxel[1]),
                                             static_cast<int>(voxel[2]), 0);
}

int CaseViews::labelAtCursor() const {
  if (!d->labels) return -1;
  const std::array<int64_t, 3> voxel = cursorVoxel();
  return static_cast<int>(d->labels->GetScalarComponentAsDouble(
      static_cast<int>(voxel[0]), static_cast<int>(voxel[1]), static_cast<int>(voxel[2]), 0));
}

void CaseViews::setCrosshairVisible(bool visible) {
  for (SliceScene* scene : d->sliceScenes()) scene->setCrosshairVisible(visible);
  d->requestRenders();
}

int CaseViews::slice(SliceOrientation view) const {
  return d->scene(view).slice();
}

int CaseViews::sliceCount(SliceOrientation view) const {
  return d->scene(view).sliceCount();
}

void CaseViews::stepSlice(SliceOrientation view, int steps) {
  d->step(d->scene(view), steps);
}

void CaseViews::zoom(SliceOrientation view, double factor) {
  d->scene(view).zoom(factor);
  d->requestRenders();
}

void CaseViews::resetViews() {
  for (SliceScene* scene : d->sliceScenes()) scene->resetCamera();
  d->requestRenders();
}

IntensityWindow CaseViews::window() const {
  const auto known = d->windows.find(d->channel);
  return known != d->windows.end() ? known->second : IntensityWindow{};
}

void CaseViews::setWindow(const IntensityWindow& window) {
  d->preset.clear();
  if (d->image) d->applyWindow(window);
}

std::vector<std::string> CaseViews::windowPresets() {
  return windowPresetNames();
}

bool CaseViews::applyWindowPreset(const std::string& name) {
  const std::vector<std::string> names = windowPresetNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) return false;
  d->preset = name;
  d->windows.clear();  // other channels take the preset when shown next
  if (d->image) d->applyWindow(d->presetWindowOfChannel());
  return true;
}

std::string CaseViews::windowPreset() const {
  return d->preset;
}

void CaseViews::setWindowObserver(std::function<void(const IntensityWindow&)> observer) {
  d->windowObserver = std::move(observer);
}

void CaseViews::showLabels(const LabelVolume& labels) {
  clearLabels();
  if (!d->image) return;
  d->setLabels(labels);
  d->buildSurfaces();
  const std::array<int, 3> busiest = busiestLabelSlices(labels);
  std::array<int64_t, 3> voxel = cursorVoxel();
  for (int axis = 0; axis < 3; ++axis)
    if (busiest[axis] >= 0) voxel[axis] = busiest[axis];
  d->moveCursorToVoxel(voxel);
}

void CaseViews::updateLabels(const LabelVolume& labels, const std::vector<int64_t>& voxels) {
  if (!d->image) return;
  if (!d->labels) {
    d->setLabels(labels);
    d->surfacesStale.set();
    for (VtkViewWidget* view : d->sliceViews) view->requestRender();
    return;
  }
  // The voxels that changed: their values, where they lie (for the surfaces), and their
  // bounds, which tell each slice view whether its plane shows them and where.
  auto* values = static_cast<uint8_t*>(d->labels->GetScalarPointer());
  int dimensions[3];
  d->labels->GetDimensions(dimensions);
  const int64_t row = dimensions[0];
  const int64_t plane = row * dimensions[1];
  IndexBounds changed = kNoBounds;
  for (int64_t voxel : voxels) {
    const uint8_t before = values[voxel], after = labels.labels[static_cast<size_t>(voxel)];
    if (before == after) continue;
    values[voxel] = after;
    d->surfacesStale.set(before).set(after);
    const auto x = static_cast<int>(voxel % row), y = static_cast<int>(voxel % plane / row),
               z = static_cast<int>(voxel / plane);
    include(d->labelBounds[after], x, y, z);
    include(changed, x, y, z);
  }
  if (isEmpty(changed)) return;
  d->labels->Modified();
  const std::array<SliceScene*, 3> scenes = d->sliceScenes();
  for (int n = 0; n < 3; ++n)
    if (scenes[n]->refreshLabels(changed)) d->sliceViews[n]->requestRender();
}

void CaseViews::refreshSurfaces() {
  d->refreshStaleSurfaces();
}

bool CaseViews::surfacesPending() const {
  return d->surfacesBuilding || (d->labels && d->surfacesStale.any());
}

void CaseViews::setSurfacesObserver(std::function<void()> observer) {
  d->surfacesObserver = std::move(observer);
}

void CaseViews::setPainting(PaintHandler handler) {
  d->paintHandler = std::move(handler);
  if (!d->paintHandler) {
    for (SliceScene* scene : d->sliceScenes()) scene->hideBrushOutline();
    for (VtkViewWidget* view : d->sliceViews) view->requestRender();
  }
}

bool CaseViews::painting() const {
  return static_cast<bool>(d->paintHandler);
}

void CaseViews::setBrush(double radiusMm, const std::array<double, 3>& colour) {
  d->brushRadiusMm = radiusMm;
  d->brushColour = colour;
}

void CaseViews::clearLabels() {
  d->clearLabels();
}

void CaseViews::showRulers(const std::vector<std::array<std::array<double, 3>, 2>>& rulers) {
  for (SliceScene* scene : d->sliceScenes()) scene->setRulers(rulers);
  d->requestRenders();
}

void CaseViews::showAxialDiameters(const BidimensionalMeasurement& axial) {
  const auto lps = [](const Segment3& segment) {
    return std::array<std::array<double, 3>, 2>{rasToLps(segment.from), rasToLps(segment.to)};
  };
  const auto longest = lps(axial.longest);
  setCursor({0.5 * (longest[0][0] + longest[1][0]), 0.5 * (longest[0][1] + longest[1][1]),
             0.5 * (longest[0][2] + longest[1][2])});
  showRulers({longest, lps(axial.perpendicular)});
}

void CaseViews::clearRulers() {
  showRulers({});
}

bool CaseViews::hasLabels() const {
  return d->labels != nullptr;
}

const LabelDisplay& CaseViews::labelDisplay() const {
  return d->labelDisplay;
}

void CaseViews::setLabelColours(const LabelColourTable& colours) {
  d->labelDisplay.colours = colours;
  // Surfaces exist for the labels the table names: build them again.
  if (d->surfacesBuilt) {
    d->surfacesBuilt = false;
    d->buildSurfaces();
  }
  d->showLabelDisplay();
}

void CaseViews::setLabelOpacity(double opacity) {
  d->labelDisplay.opacity = std::clamp(opacity, 0.0, 1.0);
  d->showLabelDisplay();
}

void CaseViews::changeLabelOpacity(double delta) {
  setLabelOpacity(d->labelDisplay.opacity + delta);
}

void CaseViews::setLabelOutline(bool outline) {
  d->labelDisplay.outline = outline;
  d->showLabelDisplay();
}

void CaseViews::setLabelVisible(uint8_t value, bool visible) {
  d->labelDisplay.hidden.set(value, !visible);
  d->showLabelDisplay();
}

void CaseViews::setLabelsVisible(bool visible) {
  d->labelDisplay.visible = visible;
  d->showLabelDisplay();
}

void CaseViews::toggleLabelsVisible() {
  setLabelsVisible(!d->labelDisplay.visible);
}

void CaseViews::showHeatMap(const Volume& maps, int64_t channel, const HeatMapDisplay& display) {
  if (!d->image) return;
  d->heatValues = channelToVtkImage(maps, channel);
  d->heatDisplay = display;
  for (SliceScene* scene : d->sliceScenes()) scene->setHeatMap(d->heatValues, display);
  d->showLevelSurface();
  d->requestRenders();
}

void CaseViews::setHeatMapDisplay(const HeatMapDisplay& display) {
  d->heatDisplay = display;
  if (!d->heatValues) return;
  for (SliceScene* scene : d->sliceScenes()) scene->setHeatMapDisplay(display);
  d->showLevelSurface();  // in the new colours
  d->requestRenders();
}

void CaseViews::clearHeatMap() {
  d->clearHeatMap();
}

bool CaseViews::hasHeatMap() const {
  return d->heatValues != nullptr;
}

const HeatMapDisplay& CaseViews::heatMapDisplay() const {
  return d->heatDisplay;
}

void CaseViews::showLevelSurface(double level) {
  d->levelSurface = level;
  d->showLevelSurface();
}

void CaseViews::clearLevelSurface() {
  d->levelSurface.reset();
  d->showLevelSurface();
}

void CaseViews::setSurfacesVisible(bool visible) {
  d->overview.setSurfacesVisible(visible);
  d->buildSurfaces();
  d->refreshStaleSurfaces();
  d->requestRenders();
}

bool CaseViews::surfacesVisible() const {
  return d->overview.surfacesVisible();
}

void CaseViews::setVolumeRendering(bool on) {
  d->overview.setVolumeRendering(on);
  d->requestRenders();
}

bool CaseViews::volumeRendering() const {
  return d->overview.volumeRendering();
}

SliceScene& CaseViews::sliceScene(SliceOrientation view) {
  return d->scene(view);
}

OverviewScene& CaseViews::overviewScene() {
  return d->overview;
}

VtkViewWidget* CaseViews::view(SliceOrientation view) const {
  switch (view) {
    case SliceOrientation::Sagittal:
      return d->sliceViews[1];
    case SliceOrientation::Coronal:
      return d->sliceViews[2];
    case SliceOrientation::Axial:
      break;
  }
  return d->sliceViews[0];
}

VtkViewWidget* CaseViews::overviewView() const {
  return d->overviewView;
}

}  // namespace seqseg
