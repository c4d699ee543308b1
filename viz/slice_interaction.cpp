#include "viz/slice_interaction.h"

#include <cmath>
#include <cstring>
#include <vector>

#include <vtkCommand.h>
#include <vtkGenericRenderWindowInteractor.h>

#include "viz/slice_scene.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

namespace {

enum class Drag { None, Cursor, Window, Pan, Zoom, Paint };

constexpr double kZoomPerPixel = 1.01;  // right drag: 1 % per pixel
constexpr double kZoomPerNotch = 1.1;   // Ctrl + wheel
constexpr double kOpacityStep = 0.1;    // a / d
constexpr int kPageSlices = 5;

}  // namespace

struct SliceInteraction::Impl {
  VtkViewWidget* view;
  SliceScene& scene;
  SliceActions actions;
  std::vector<unsigned long> observers;
  Drag drag = Drag::None;
  int start[2] = {0, 0};
  int last[2] = {0, 0};

  Impl(VtkViewWidget* owner, SliceScene& shown, SliceActions wanted)
      : view(owner), scene(shown), actions(std::move(wanted)) {}

  vtkRenderWindowInteractor* interactor() const { return view->interactor(); }

  void moveCursorTo(const int* position) {
    std::array<double, 3> world{};
    if (actions.moveCursor && scene.pick(position[0], position[1], world))
      actions.moveCursor(world);
  }

  void onPress(vtkObject*, unsigned long event, void*) {
    const int* position = interactor()->GetEventPosition();
    start[0] = last[0] = position[0];
    start[1] = last[1] = position[1];
    const bool control = interactor()->GetControlKey() != 0;
    const bool shift = interactor()->GetShiftKey() != 0;
    if (event == vtkCommand::LeftButtonPressEvent) {
      if (control) {
        drag = Drag::Window;
        if (actions.beginWindowDrag) actions.beginWindowDrag();
      } else if (shift) {
        drag = Drag::Pan;
      } else if (actions.painting && actions.painting()) {
        drag = Drag::Paint;
        paintAt(position);
      } else {
        drag = Drag::Cursor;
        moveCursorTo(position);
      }
    } else if (event == vtkCommand::MiddleButtonPressEvent) {
      drag = Drag::Pan;
    } else if (event == vtkCommand::RightButtonPressEvent) {
      drag = Drag::Zoom;
    }
  }

  void paintAt(const int* position) {
    std::array<double, 3> world{};
    if (!scene.pick(position[0], position[1], world)) return;
    if (actions.hoverBrush) actions.hoverBrush(&world);
    if (actions.paint) actions.paint(world);
  }

  void onRelease(vtkObject*, unsigned long, void*) {
    if (drag == Drag::Paint && actions.endStroke) actions.endStroke();
    drag = Drag::None;
  }

  // The brush's outline follows the mouse over the view while the editor paints.
  void hover(const int* position) {
    if (!actions.hoverBrush) return;
    std::array<double, 3> world{};
    const bool over =
        actions.painting && actions.painting() && scene.pick(position[0], position[1], world);
    actions.hoverBrush(over ? &world : nullptr);
  }

  void onLeave(vtkObject*, unsigned long, void*) {
    if (actions.hoverBrush) actions.hoverBrush(nullptr);
  }

  void onMove(vtkObject*, unsigned long, void*) {
    const int* position = interactor()->GetEventPosition();
    if (drag == Drag::None) {
      hover(position);
      return;
    }
    const int dx = position[0] - last[0];
    const int dy = position[1] - last[1];
    switch (drag) {
      case Drag::Cursor:
        moveCursorTo(position);
        break;
      case Drag::Paint:
        paintAt(position);
        break;
      case Drag::Window: {
        const int* size = interactor()->GetSize();
        if (actions.dragWindow && size[0] > 0 && size[1] > 0)
          actions.dragWindow(static_cast<double>(position[0] - start[0]) / size[0],
                             static_cast<double>(position[1] - start[1]) / size[1]);
        break;
      }
      case Drag::Pan:
        scene.pan(dx, dy);
        view->requestRender();
        break;
      case Drag::Zoom:
        scene.zoom(std::pow(kZoomPerPixel, dy));
        view->requestRender();
        break;
      case Drag::None:
        break;
    }
    last[0] = position[0];
    last[1] = position[1];
  }

  void onWheel(vtkObject*, unsigned long event, void*) {
    const int direction = event == vtkCommand::MouseWheelForwardEvent ? 1 : -1;
    if (interactor()->GetControlKey()) {
      scene.zoom(std::pow(kZoomPerNotch, direction));
      view->requestRender();
    } else if (actions.stepSlice) {
      actions.stepSlice(direction);
    }
  }

  void onKey(vtkObject*, unsigned long, void*) {
    const char* symbol = interactor()->GetKeySym();
    if (!symbol) return;
    auto is = [symbol](const char* name) { return std::strcmp(symbol, name) == 0; };
    if (is("Up") || is("Down") || is("Prior") || is("Next")) {
      const int steps = (is("Prior") || is("Next")) ? kPageSlices : 1;
      if (actions.stepSlice) actions.stepSlice((is("Up") || is("Prior")) ? steps : -steps);
    } else if (is("r")) {
      scene.resetCamera();
      view->requestRender();
    } else if (is("a") || is("d")) {
      if (actions.changeLabelOpacity)
        actions.changeLabelOpacity(is("a") ? -kOpacityStep : kOpacityStep);
    } else if (is("s")) {
      if (actions.toggleLabels) actions.toggleLabels();
    }
  }
};

SliceInteraction::SliceInteraction(VtkViewWidget* view, SliceScene& scene, SliceActions actions)
    : d(new Impl(view, scene, std::move(actions))) {
  vtkRenderWindowInteractor* interactor = view->interactor();
  // Our observers are the only bindings: no VTK style turning the slice into a 3D camera.
  interactor->SetInteractorStyle(nullptr);
  Impl* impl = d.get();
  for (unsigned long event : {vtkCommand::LeftButtonPressEvent, vtkCommand::MiddleButtonPressEvent,
                              vtkCommand::RightButtonPressEvent})
    d->observers.push_back(interactor->AddObserver(event, impl, &Impl::onPress));
  for (unsigned long event :
       {vtkCommand::LeftButtonReleaseEvent, vtkCommand::MiddleButtonReleaseEvent,
        vtkCommand::RightButtonReleaseEvent})
    d->observers.push_back(interactor->AddObserver(event, impl, &Impl::onRelease));
  d->observers.push_back(interactor->AddObserver(vtkCommand::MouseMoveEvent, impl, &Impl::onMove));
  for (unsigned long event :
       {vtkCommand::MouseWheelForwardEvent, vtkCommand::MouseWheelBackwardEvent})
    d->observers.push_back(interactor->AddObserver(event, impl, &Impl::onWheel));
  d->observers.push_back(interactor->AddObserver(vtkCommand::KeyPressEvent, impl, &Impl::onKey));
  d->observers.push_back(interactor->AddObserver(vtkCommand::LeaveEvent, impl, &Impl::onLeave));
}

SliceInteraction::~SliceInteraction() {
  for (unsigned long id : d->observers) d->view->interactor()->RemoveObserver(id);
}

}  // namespace seqseg
