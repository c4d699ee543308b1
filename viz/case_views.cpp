#include "viz/case_views.h"

#include <array>

#include <vtkGenericRenderWindowInteractor.h>
#include <vtkImageData.h>
#include <vtkInteractorStyleImage.h>
#include <vtkNew.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include "viz/label_overlay.h"
#include "viz/overview_scene.h"
#include "viz/slice_scene.h"
#include "viz/volume_to_vtk.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

struct CaseViews::Impl {
  std::array<VtkViewWidget*, 3> sliceViews;
  VtkViewWidget* overviewView;
  SliceScene axial, sagittal, coronal;
  OverviewScene overview;
  vtkSmartPointer<vtkImageData> image;
  vtkSmartPointer<vtkImageData> overlay;

  std::array<SliceScene*, 3> sliceScenes() { return {&axial, &sagittal, &coronal}; }

  Impl(VtkViewWidget* axialView, VtkViewWidget* sagittalView, VtkViewWidget* coronalView,
       VtkViewWidget* overviewView)
      : sliceViews{axialView, sagittalView, coronalView},
        overviewView(overviewView),
        axial(axialView->renderer(), SliceOrientation::Axial),
        sagittal(sagittalView->renderer(), SliceOrientation::Sagittal),
        coronal(coronalView->renderer(), SliceOrientation::Coronal),
        overview(overviewView->renderer()) {}

  void requestRenders() {
    for (VtkViewWidget* view : sliceViews) view->requestRender();
    overviewView->requestRender();
  }
};

CaseViews::CaseViews(VtkViewWidget* axial, VtkViewWidget* sagittal, VtkViewWidget* coronal,
                     VtkViewWidget* overview)
    : d(new Impl(axial, sagittal, coronal, overview)) {
  // Slice views: left drag sets window/level, middle pans, right and wheel zoom.
  for (VtkViewWidget* view : d->sliceViews) {
    vtkNew<vtkInteractorStyleImage> style;
    view->interactor()->SetInteractorStyle(style);
  }
}

CaseViews::~CaseViews() = default;

void CaseViews::show(const Volume& volume, int64_t channel, const IntensityWindow& window) {
  clearLabels();
  d->image = channelToVtkImage(volume, channel);
  d->axial.setImage(d->image, window);
  d->sagittal.setImage(d->image, window);
  d->coronal.setImage(d->image, window);
  d->overview.setImage(d->image, window);
  d->requestRenders();
}

void CaseViews::showLabels(const LabelVolume& labels) {
  d->overlay = labelOverlayImage(labels);
  const std::array<int, 3> busiest = busiestLabelSlices(labels);
  for (SliceScene* scene : d->sliceScenes()) {
    scene->setOverlay(d->overlay);
    const int slice = busiest[scene->normalAxis()];
    if (slice >= 0) scene->setSlice(slice);
  }
  d->requestRenders();
}

void CaseViews::clearLabels() {
  for (SliceScene* scene : d->sliceScenes()) scene->clearOverlay();
  d->overlay = nullptr;
  d->requestRenders();
}

void CaseViews::clear() {
  d->overlay = nullptr;
  d->axial.clear();
  d->sagittal.clear();
  d->coronal.clear();
  d->overview.clear();
  d->image = nullptr;
  d->requestRenders();
}

}  // namespace seqseg
