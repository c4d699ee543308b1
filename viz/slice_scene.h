#pragma once
// A 2D slice view: one anatomical slice of an image in a renderer, seen radiologically.
#include <memory>

#include "viz/intensity_window.h"
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
  void clear();

  // Draws `overlay` (RGBA, the image's geometry; kept by reference) over the image, on the
  // same slice, without interpolation.
  void setOverlay(vtkImageData* overlay);
  void clearOverlay();

  // The VTK index axis (0 x, 1 y, 2 z) normal to the plane: what slice() counts along.
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
