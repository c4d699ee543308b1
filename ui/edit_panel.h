#pragma once
// The label editor's panel (the "Edit" dock): paint on or off, the label painted (NCR, ED, ET
// or erase), the brush's radius in mm and shape (a disc on the slice or a sphere), and undo /
// redo. Its actions carry the keys, as ITK-SNAP's: 1 / 2 / 3 paint that label and 0 erases
// (each turns painting on), [ and ] make the brush smaller / larger, B turns painting on or off,
// Ctrl+Z undoes and Ctrl+Shift+Z redoes. Two whole-region tools write the chosen label at once:
// "Fill holes" (F) fills what it encloses, unlabelled, in the slice through the cursor of the
// view last painted in (the axial at first); "Grow region" (G) takes the voxels connected to the
// cursor whose intensity in the shown channel lies in the range given (io/label_filters.h).
// "Interpolate slices" (I, also in the Edit menu) fills the slices between two slices that hold
// the chosen label, along the index axis nearest the normal of the view last painted in, by
// shape-based interpolation (io/label_filters.h's interpolateSlices: only unlabelled voxels).
// Strokes go to the session model (ui/session_model.h); the brush is ui/label_brush.h.
#include <QWidget>

#include <array>
#include <cstdint>
#include <functional>

#include "ui/label_brush.h"
#include "ui/session_model.h"
#include "viz/label_colours.h"
#include "viz/slice_orientation.h"

class QAction;
class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QToolButton;

namespace seqseg {

class CaseViews;

class EditPanel : public QWidget, private SessionListener {
  Q_OBJECT
 public:
  // `session` and `views` must outlive the panel.
  EditPanel(SessionModel& session, CaseViews& views, const LabelColourTable& colours,
            QWidget* parent = nullptr);
  ~EditPanel() override;

  // For the window's Edit menu (they carry the keys).
  QList<QAction*> actions() const;
  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }

  bool painting() const;
  void setPainting(bool on);
  uint8_t label() const;  // 0 erases
  void setLabel(uint8_t label);
  double radiusMm() const;
  void setRadiusMm(double radius);
  BrushShape shape() const;
  void setShape(BrushShape shape);
  // The region grow's intensity range; setGrowRangeAroundCursor: the cursor's intensity plus or
  // minus 15 % of the window's width.
  void setGrowRange(double lower, double upper);
  void setGrowRangeAroundCursor();
  // The whole-region tools; each is one undo step. Return the voxels changed.
  int64_t fillHoles();
  int64_t growRegionFromCursor();
  int64_t interpolateSlices();

 private:
  void caseChanged() override { updateState(); }
  void segmentationChanged() override { updateState(); }
  void editFinished() override { updateState(); }
  void updateState();
  // A key (no menu entry) that calls `triggered`.
  void addKey(int key, std::function<void()> triggered);
  void showBrush();
  void paintAt(SliceOrientation view, const std::array<double, 3>& world, bool strokeEnds);

  SessionModel& session_;
  CaseViews& views_;
  LabelColourTable colours_;
  QToolButton* paintButton_;
  QButtonGroup* labels_;
  QDoubleSpinBox* radius_;
  QComboBox* shape_;
  QDoubleSpinBox* growLower_;
  QDoubleSpinBox* growUpper_;
  SliceOrientation lastView_ = SliceOrientation::Axial;
  QAction* paint_;
  QAction* interpolate_;
  QAction* undo_;
  QAction* redo_;
  std::array<double, 3> lastPoint_{};  // the stroke's last point
};

}  // namespace seqseg
