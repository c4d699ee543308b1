#pragma once
// The 3D overview: the image's bounding box, its three anatomical planes through the cursor,
// the label surfaces and, on request, a volume rendering of the image, each at its place in
// patient (LPS world) space.
#include <array>
#include <cstdint>
#include <memory>

#include "viz/intensity_window.h"
#include "viz/label_overlay.h"

class vtkImageData;
class vtkPolyData;
class vtkRenderer;

namespace seqseg {

class OverviewScene {
 public:
  explicit OverviewScene(vtkRenderer* renderer);
  ~OverviewScene();
  OverviewScene(const OverviewScene&) = delete;
  OverviewScene& operator=(const OverviewScene&) = delete;

  // Shows `image` (kept by reference) and points the camera at it from the front-left-above.
  void setImage(vtkImageData* image, const IntensityWindow& window);
  // Another channel on the same grid: keeps the camera, planes and window.
  void replaceImage(vtkImageData* image);
  void setWindow(const IntensityWindow& window);
  void clear();

  // Puts the sagittal, coronal and axial planes through `world` (LPS), as the slice views
  // show them.
  void setPlanes(const std::array<double, 3>& world);

  // One smoothed surface per label of `labels` (uint8, the image's grid) present in the
  // colour table, coloured and shown as `display` says (hidden labels are not drawn; the
  // overlay opacity does not apply in 3D).
  void setLabels(vtkImageData* labels, const LabelDisplay& display);
  // Replaces the surface of label `value` (built by labelSurface from the labels shown; empty
  // or nullptr: the label has none now), after an edit.
  void setLabelSurface(uint8_t value, vtkPolyData* surface);
  void setLabelDisplay(const LabelDisplay& display);
  void clearLabels();
  // The surface of label `value` (nullptr when none was built).
  vtkPolyData* labelSurface(uint8_t value) const;
  void setSurfacesVisible(bool visible);
  bool surfacesVisible() const;

  // The surface where `values` (float, the image's grid: a probability map) crosses `level`
  // (viz/heat_map.h's levelSurface), drawn in `colour` (RGB 0..1), replacing the one shown.
  void setLevelSurface(vtkImageData* values, double level, const std::array<double, 3>& colour);
  void clearLevelSurface();
  vtkPolyData* levelSurface() const;  // nullptr when none is shown

  // Volume rendering of the image (greys, opacity rising over the window); the planes are
  // hidden while it is on, as they would cut through it.
  void setVolumeRendering(bool on);
  bool volumeRendering() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
