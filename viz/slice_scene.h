#pragma once
// A 2D slice view: one anatomical slice of an image in a renderer, seen radiologically, with
// the label overlay, the crosshair at the cursor and the orientation letters at its edges.
// The slice is a plane of patient space (axial, sagittal or coronal), resampled from the image
// whatever its storage orientation (viz/patient_slicing.h).
#include <array>
#include <memory>
#include <vector>

#include "viz/heat_map.h"
#include "viz/intensity_window.h"
#include "viz/label_overlay.h"
#include "viz/slice_orientation.h"

class vtkImageData;
class vtkRenderer;

namespace seqseg {

class SliceScene {
 public:
  SliceScene(vtkRenderer* renderer, SliceOrientation orientation);
  ~SliceScene();
  SliceScene(const SliceScene&) = delete;
  SliceScene& operator=(const SliceScene&) = delete;

  // Shows the middle slice of `image` (kept by reference) displayed with `window`, and fits
  // the camera to it.
  void setImage(vtkImageData* image, const IntensityWindow& window);
  // Shows `image`, on the grid of the one shown (another channel of the case), keeping the
  // slice, the camera and the window.
  void replaceImage(vtkImageData* image);
  void clear();
  void setWindow(const IntensityWindow& window);
  IntensityWindow window() const;

  // Draws `labels` (uint8, the image's grid; kept by reference) over the image on the same
  // plane, resliced the same way with nearest-neighbour sampling, as `display` says.
  void setLabels(vtkImageData* labels, const LabelDisplay& display);
  void setLabelDisplay(const LabelDisplay& display);
  // Draws the labels again after their voxels changed in place.
  void refreshLabels();
  // The same where only the voxels within `changed` (an extent of the labels' VTK indices: low
  // and high x, y, z, inclusive) changed: only the part of the plane that can show them is
  // sampled and coloured again. False, with nothing to draw, when the plane passes through none
  // of them.
  bool refreshLabels(const std::array<int, 6>& changed);
  void clearLabels();
  // The RGBA overlay of the shown slice (nullptr without labels): what the view draws.
  vtkImageData* labelOverlay() const;

  // Draws `values` (float, the image's grid; kept by reference: a probability or uncertainty
  // map) as a heat map over the labels, resliced on the plane exactly as the labels are
  // (nearest neighbour), as `display` says, with its colour bar at the view's right edge.
  void setHeatMap(vtkImageData* values, const HeatMapDisplay& display);
  void setHeatMapDisplay(const HeatMapDisplay& display);
  void clearHeatMap();
  // The RGBA heat map of the shown slice (nullptr without one): what the view draws.
  vtkImageData* heatMapOverlay() const;
  bool colourBarShown() const;

  // Moves the plane through `world` (LPS) and draws the crosshair through it there.
  void setCursor(const std::array<double, 3>& world);
  void setCrosshairVisible(bool visible);
  bool crosshairVisible() const;

  // Line segments (ends in LPS world coordinates) drawn over the slice, each while the plane
  // passes within half a voxel of both its ends: a measurement's diameters, seen on the
  // plane they were measured in.
  using Ruler = std::array<std::array<double, 3>, 2>;
  void setRulers(const std::vector<Ruler>& rulers);
  void clearRulers();
  int rulersShown() const;  // how many are drawn on the plane shown now

  // The label editor's brush: a circle of `radiusMm` around `centre` (LPS, on the plane shown),
  // drawn in the colour of the label it paints (`colour`, RGB 0..1).
  void setBrushOutline(const std::array<double, 3>& centre, double radiusMm,
                       const std::array<double, 3>& colour);
  void hideBrushOutline();
  bool brushOutlineShown() const;

  // Camera: `factor` > 1 magnifies; pan moves the picture by display pixels (y up); reset
  // fits the slice to the view again.
  void zoom(double factor);
  void pan(double dx, double dy);
  void resetCamera();
  double parallelScale() const;

  // The point of the shown plane under display position (x, y) (pixels, y up), clamped into
  // the slice's extent; false without an image.
  bool pick(double x, double y, std::array<double, 3>& world) const;

  // What lies towards each edge of the screen, as the letters drawn there say.
  EdgeLetters edgeLetters() const;

  // The VTK index axis (0 x, 1 y, 2 z) closest to the plane's normal: what slice() counts
  // along (one voxel per step, whatever the obliquity).
  int normalAxis() const;

  SliceOrientation orientation() const;
  int sliceCount() const;  // 0 without an image
  int slice() const;
  void setSlice(int index);  // clamped to [0, sliceCount)

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
