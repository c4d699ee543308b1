#pragma once
// The 3D overview: the image's bounding box and its three middle slices in place.
#include <memory>

#include "viz/intensity_window.h"

class vtkImageData;
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
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
