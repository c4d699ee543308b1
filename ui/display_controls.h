#pragma once
// The View menu and the display toolbar of the main window: which MRI channel is shown, window
// presets, crosshair, how labels are drawn (filled or outline, opacity slider, on/off) and what
// the 3D view shows (label surfaces, volume rendering). They only forward to CaseViews; the
// slice views' own keys (viz/slice_interaction.h) do the same from the keyboard.
#include <QObject>

class QActionGroup;
class QMainWindow;
class QMenu;
class QSlider;
class QToolBar;

namespace seqseg {

class CaseViews;

class DisplayControls : public QObject {
  Q_OBJECT

 public:
  // Adds a View menu to window's menu bar and a display toolbar; `views` must outlive this.
  DisplayControls(QMainWindow& window, CaseViews& views);

  // Brings the controls in line with the views (after a new case or label change).
  void refresh();

  QSlider* opacitySlider() const { return opacity_; }
  QMenu* menu() const { return menu_; }

 private:
  CaseViews& views_;
  QMenu* menu_ = nullptr;
  QActionGroup* channels_ = nullptr;
  QSlider* opacity_ = nullptr;
};

}  // namespace seqseg
