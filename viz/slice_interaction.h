#pragma once
// The mouse and keyboard bindings of a slice view, as ITK-SNAP and 3D Slicer users expect
// them (positions are the view's own; "up" is towards the top of the screen):
//   left click or drag        moves the cursor (the crosshair) to the point under the mouse
//   Ctrl + left drag          window/level: dragging right widens the window, dragging up
//                             lowers the level (brighter picture), as in Slicer
//   middle drag, Shift + left drag   pans
//   right drag, Ctrl + wheel  zooms (drag up or wheel forward magnifies)
//   wheel, Up / Down          the next / previous slice (one voxel along the view's normal)
//   Page Up / Page Down       five slices
//   r                         fits the slice to the view again (zoom and pan)
//   a / d                     label opacity down / up; s shows or hides the labels (ITK-SNAP)
// While the label editor paints (SliceActions::painting), a plain left press and drag paint
// instead of moving the cursor, and the brush's outline follows the mouse.
#include <array>
#include <functional>
#include <memory>

namespace seqseg {

class SliceScene;
class VtkViewWidget;

// What the bindings ask of the views; zoom and pan the interaction does on its own scene.
struct SliceActions {
  std::function<void(const std::array<double, 3>& world)> moveCursor;
  std::function<void(int steps)> stepSlice;
  std::function<void()> beginWindowDrag;
  // Mouse travel since beginWindowDrag, as fractions of the view's width and height (y up).
  std::function<void(double dx, double dy)> dragWindow;
  std::function<void(double delta)> changeLabelOpacity;
  std::function<void()> toggleLabels;
  // The label editor: whether left drags paint, each point of a stroke (the point under the
  // mouse, on the shown plane), the stroke's end, and where the brush is (nullptr: it left
  // the view).
  std::function<bool()> painting;
  std::function<void(const std::array<double, 3>& world)> paint;
  std::function<void()> endStroke;
  std::function<void(const std::array<double, 3>* world)> hoverBrush;
};

class SliceInteraction {
 public:
  // Replaces the view's interactor style; `view` and `scene` must outlive this object.
  SliceInteraction(VtkViewWidget* view, SliceScene& scene, SliceActions actions);
  ~SliceInteraction();
  SliceInteraction(const SliceInteraction&) = delete;
  SliceInteraction& operator=(const SliceInteraction&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
