#pragma once
// The Probabilities panel: which of the segmentation's probability maps (WT, TC or ET
// probability, or the uncertainty) the slice views overlay as a heat map, its colours, opacity
// and threshold, and the 3D view's surface of that map at a chosen level. The maps come with a
// segmentation from the Segment panel (ui/probability_maps.h); the panel says when the
// segmentation has none (opened from a file, painted, or edited since).
#include <QWidget>

#include "ui/session_model.h"
#include "viz/heat_map.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace seqseg {

class CaseViews;

class ProbabilityPanel : public QWidget, private SessionListener {
  Q_OBJECT

 public:
  // `session` and `views` must outlive the panel.
  ProbabilityPanel(SessionModel& session, CaseViews& views, QWidget* parent = nullptr);
  ~ProbabilityPanel() override;

  // The map shown: -1 none, else a ProbabilityMap.
  int shownMap() const;
  // Why there is nothing to show, or what is shown: the panel's message.
  QString statusText() const;

 private:
  void probabilitiesChanged() override { showAvailability(); }
  void caseChanged() override { showAvailability(); }
  void showAvailability();
  void showMap();
  void showDisplay();
  HeatMapDisplay chosenDisplay() const;
  void showLevelSurface();

  SessionModel& session_;
  CaseViews& views_;
  QLabel* status_ = nullptr;
  QComboBox* map_ = nullptr;
  QComboBox* colours_ = nullptr;
  QSlider* opacity_ = nullptr;
  QSlider* threshold_ = nullptr;
  QLabel* thresholdValue_ = nullptr;
  QCheckBox* surface_ = nullptr;
  QDoubleSpinBox* level_ = nullptr;
};

}  // namespace seqseg
