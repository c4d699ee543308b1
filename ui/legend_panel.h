#pragma once
// The legend: each label of the segmentation with its overlay colour, volume in mL and a
// visibility checkbox, then the BraTS regions WT, TC and ET with their volumes.
#include <QWidget>

#include "ui/session_model.h"
#include "viz/label_colours.h"

class QTableWidget;

namespace seqseg {

class LegendPanel : public QWidget, private SessionListener {
  Q_OBJECT

 public:
  // Rows: NCR, ED, ET (labels 1..3), then the regions WT, TC, ET.
  static constexpr int kLabelRows = 3;
  static constexpr int kRegionRows = 3;

  // `colours`: the names and colours the views draw labels 1..3 with.
  LegendPanel(SessionModel& session, const LabelColourTable& colours, QWidget* parent = nullptr);
  ~LegendPanel() override;

  // The volume shown in `row`, in mL, unrounded; NaN without a segmentation.
  double volumeMl(int row) const;
  bool labelVisible(int label) const;  // label 1..3

 signals:
  void labelVisibilityChanged(int label, bool visible);

 private:
  void segmentationChanged() override { updateVolumes(); }
  void caseChanged() override { updateVolumes(); }
  void updateVolumes();

  SessionModel& session_;
  QTableWidget* table_ = nullptr;
};

}  // namespace seqseg
