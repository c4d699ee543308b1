#pragma once
// The four views of a loaded case: axial, sagittal and coronal slices and the 3D overview.
#include <cstdint>
#include <memory>

#include "engine/volume.h"
#include "viz/intensity_window.h"

namespace seqseg {

class VtkViewWidget;

class CaseViews {
 public:
  // The widgets must outlive this object.
  CaseViews(VtkViewWidget* axial, VtkViewWidget* sagittal, VtkViewWidget* coronal,
            VtkViewWidget* overview);
  ~CaseViews();
  CaseViews(const CaseViews&) = delete;
  CaseViews& operator=(const CaseViews&) = delete;

  // Shows channel `channel` of `volume` (copied) in every view, with `window`; any labels
  // shown before are cleared.
  void show(const Volume& volume, int64_t channel, const IntensityWindow& window);
  void clear();

  // Overlays `labels` (internal classes, the shown volume's grid) on the three slice views
  // and moves each to the slice holding the most labelled voxels.
  void showLabels(const LabelVolume& labels);
  void clearLabels();

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
