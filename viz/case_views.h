#pragma once
// The four views of a loaded case: axial, sagittal and coronal slices and the 3D overview,
// linked by one cursor (a world point, LPS) that every slice view passes through. Mouse and
// key bindings of the slice views: viz/slice_interaction.h.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "types/region_measurements.h"
#include "types/volume.h"
#include "viz/heat_map.h"
#include "viz/intensity_window.h"
#include "viz/label_overlay.h"
#include "viz/slice_orientation.h"

namespace seqseg {

class OverviewScene;
class SliceScene;
class VtkViewWidget;

class CaseViews {
 public:
  // The widgets must outlive this object.
  CaseViews(VtkViewWidget* axial, VtkViewWidget* sagittal, VtkViewWidget* coronal,
            VtkViewWidget* overview);
  ~CaseViews();
  CaseViews(const CaseViews&) = delete;
  CaseViews& operator=(const CaseViews&) = delete;

  // Shows channel `channel` of `volume` in every view with `window`, the cursor at the
  // centre; any labels shown before are cleared. The first copies the volume, the second
  // shares it and uses the current window preset (windowPreset()).
  void show(const Volume& volume, int64_t channel, const IntensityWindow& window);
  void show(std::shared_ptr<const Volume> volume, int64_t channel = 0);
  // The same with a channel prepared by prepareChannel (on any thread): what remains to do here
  // takes no time that grows with the volume, so that a large case does not stall the UI.
  struct PreparedChannel;
  static std::shared_ptr<const PreparedChannel> prepareChannel(std::shared_ptr<const Volume> volume,
                                                               int64_t channel);
  void show(const std::shared_ptr<const PreparedChannel>& prepared, const IntensityWindow& window);
  void clear();
  bool hasImage() const;

  // The channel shown (0 T1, 1 T1ce, 2 T2, 3 FLAIR). setChannel keeps the cursor, zoom, pan
  // and labels; each channel keeps its own window (the current preset when first shown).
  // Throws std::out_of_range for a channel the volume does not have.
  int64_t channel() const;
  void setChannel(int64_t channel);

  // The cursor, in LPS world coordinates and as the voxel (i, j, k) holding it.
  std::array<double, 3> cursor() const;
  std::array<int64_t, 3> cursorVoxel() const;
  // Moves the cursor to the centre of the voxel holding `world` (clamped into the image);
  // every slice view moves to the plane through it, the 3D planes too.
  void setCursor(const std::array<double, 3>& world);
  void setCursorVoxel(const std::array<int64_t, 3>& voxel);
  // Called after every cursor change (by the mouse, keys or the functions above).
  using CursorObserver =
      std::function<void(const std::array<double, 3>& world, const std::array<int64_t, 3>& voxel)>;
  void setCursorObserver(CursorObserver observer);
  // The shown channel's intensity and the label (-1 without labels) under the cursor.
  float intensityAtCursor() const;
  int labelAtCursor() const;
  void setCrosshairVisible(bool visible);

  // Slices along each view's normal (what the wheel and Up/Down keys step).
  int slice(SliceOrientation view) const;
  int sliceCount(SliceOrientation view) const;
  void stepSlice(SliceOrientation view, int steps);
  // Zoom (factor > 1 magnifies) of one slice view; resetViews fits every slice view again.
  void zoom(SliceOrientation view, double factor);
  void resetViews();

  // Window/level of the shown channel, in all slice views and the 3D view.
  IntensityWindow window() const;
  void setWindow(const IntensityWindow& window);
  // Presets (intensity_window.h's windowPresetNames()); false for an unknown name. The
  // preset also applies to channels shown later. windowPreset() is "" after a manual change.
  static std::vector<std::string> windowPresets();
  bool applyWindowPreset(const std::string& name);
  std::string windowPreset() const;
  void setWindowObserver(std::function<void(const IntensityWindow&)> observer);

  // Overlays `labels` (internal classes, the shown volume's grid) on the slice views, builds
  // their surfaces in the 3D view and moves the cursor to the most labelled slices.
  void showLabels(const LabelVolume& labels);
  void clearLabels();
  bool hasLabels() const;
  // The label editor changed `voxels` (linear indices) of `labels` in place: the slice views
  // whose plane passes through them draw them at once (only that part of the slice is drawn
  // again); the 3D surfaces wait for refreshSurfaces (at the end of a stroke). Without labels
  // shown yet, shows them (the cursor stays where it is).
  void updateLabels(const LabelVolume& labels, const std::vector<int64_t>& voxels);
  // Rebuilds the surfaces of the labels edited since they were built, each from the part of
  // the labels where it lies, off the UI thread: they replace the shown ones when done (labels
  // edited meanwhile follow at once). Surfaces hidden: when they are shown again.
  void refreshSurfaces();
  // True while edited labels' surfaces are not rebuilt yet (being extracted, or waiting for
  // refreshSurfaces or for the surfaces to be shown).
  bool surfacesPending() const;
  // Called on the UI thread when the surfaces refreshSurfaces rebuilds are in the 3D view.
  void setSurfacesObserver(std::function<void()> observer);

  // Painting: while a handler is set, left drags in the slice views paint. It is called with
  // the view and the point under the mouse (LPS, on the view's plane), and once with
  // `strokeEnds` at the release. The brush's outline (radius in mm, colour RGB 0..1) follows
  // the mouse. An empty handler ends painting.
  using PaintHandler = std::function<void(SliceOrientation view, const std::array<double, 3>& world,
                                          bool strokeEnds)>;
  void setPainting(PaintHandler handler);
  bool painting() const;
  void setBrush(double radiusMm, const std::array<double, 3>& colour);

  // Measurement lines (ends in LPS world coordinates) over the slice views, each drawn on the
  // plane it lies in (SliceScene::setRulers); cleared with the labels.
  void showRulers(const std::vector<std::array<std::array<double, 3>, 2>>& rulers);
  void clearRulers();
  // A region's axial diameters (RAS, types/region_measurements.h): the cursor goes to the
  // middle of the longest, on their plane, and both are drawn there.
  void showAxialDiameters(const BidimensionalMeasurement& axial);

  // How labels are drawn: names and colours (labelColourTablePath(resourcesDir()) holds the
  // shipped table), opacity 0..1, filled or outlines, per-label visibility (slice views and
  // surfaces) and all labels on/off in the slice views (the surfaces have their own toggle).
  const LabelDisplay& labelDisplay() const;
  void setLabelColours(const LabelColourTable& colours);
  void setLabelOpacity(double opacity);  // clamped to 0..1
  void changeLabelOpacity(double delta);
  void setLabelOutline(bool outline);
  void setLabelVisible(uint8_t value, bool visible);
  void setLabelsVisible(bool visible);
  void toggleLabelsVisible();

  // A probability or uncertainty map (channel `channel` of `maps`, values 0..1 on the shown
  // volume's grid) as a heat map over the labels in the slice views, with a colour bar; only
  // that channel is copied for VTK. Cleared by show() and clear(), not with the labels.
  void showHeatMap(const Volume& maps, int64_t channel, const HeatMapDisplay& display);
  void setHeatMapDisplay(const HeatMapDisplay& display);
  void clearHeatMap();
  bool hasHeatMap() const;
  const HeatMapDisplay& heatMapDisplay() const;
  // In the 3D view, the surface where the heat map's values cross `level`, in the heat map's
  // colour at that level (kept through showHeatMap of another map); clearLevelSurface hides it.
  void showLevelSurface(double level);
  void clearLevelSurface();

  // The 3D view: label surfaces (on by default) and volume rendering of the shown channel.
  void setSurfacesVisible(bool visible);
  bool surfacesVisible() const;
  void setVolumeRendering(bool on);
  bool volumeRendering() const;

  SliceScene& sliceScene(SliceOrientation view);
  OverviewScene& overviewScene();
  VtkViewWidget* view(SliceOrientation view) const;
  VtkViewWidget* overviewView() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
