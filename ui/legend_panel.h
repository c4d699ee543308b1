#pragma once
// The legend: each label of the segmentation with its overlay colour, volume in mL and a
// visibility checkbox, then the BraTS regions WT, TC and ET with their volumes and
// measurements (types/region_measurements.h, as `seqseg --batch` reports them): the largest 3D
// diameter and the two diameters on the patient-axial plane of largest area. A click on a
// region asks for its axial diameters to be shown.
#include <QWidget>

#include <memory>

#include "types/region_measurements.h"
#include "ui/session_model.h"
#include "viz/label_colours.h"

class QTableWidget;
class QThread;

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

  // Wide enough for every column with its widest numbers: the dock opens that wide.
  QSize sizeHint() const override;

  // The measurements of the segmentation shown, per region in kRegions order; measured off the
  // UI thread after each change: false until they are in.
  bool hasMeasurements() const { return measured_ != nullptr; }
  const RegionMeasurement& measurement(int region) const;
  const BidimensionalMeasurement& axialMeasurement(int region) const;

 signals:
  void labelVisibilityChanged(int label, bool visible);
  void measurementsUpdated();
  // A click on region row `region` (kRegions order) once it is measured.
  void regionChosen(int region);

 private:
  void segmentationChanged() override { updateVolumes(); }
  void caseChanged() override { updateVolumes(); }
  // The volumes follow every stroke; the diameters are measured again when an edit ends.
  void labelsEdited(const std::vector<int64_t>& /*voxels*/) override { showVolumes(); }
  void editFinished() override { updateVolumes(); }
  void updateVolumes();
  void showVolumes();
  void measure();
  void showMeasurements();

  SessionModel& session_;
  QTableWidget* table_ = nullptr;
  std::shared_ptr<const CaseMeasurements> measured_;  // of session_.segmentation(), when in
  QThread* measuring_ = nullptr;
  bool measureAgain_ = false;  // the segmentation changed while measuring
};

}  // namespace seqseg
