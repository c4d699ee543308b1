#pragma once
// The Run page's live charts: training loss per step, validation Dice (WT, TC, ET) per
// validation, and the learning rate per step, drawn from a TrainingCurves.
#include <QWidget>

class QChart;
class QLineSeries;
class QValueAxis;

namespace seqseg {

struct TrainingCurves;

class TrainingCharts : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingCharts(QWidget* parent = nullptr);
  // Replaces every series' points with those of `curves` (one replace() per series, so a
  // redraw costs one repaint whatever the number of new points).
  void show(const TrainingCurves& curves);

  QLineSeries* lossSeries() const { return loss_; }
  QLineSeries* learningRateSeries() const { return learningRate_; }
  QLineSeries* diceSeries(int region) const { return dice_[region]; }  // 0 WT, 1 TC, 2 ET

 private:
  QLineSeries* loss_;
  QLineSeries* learningRate_;
  QLineSeries* dice_[3];
  QValueAxis* lossX_;
  QValueAxis* lossY_;
  QValueAxis* rateY_;
  QValueAxis* diceX_;
};

}  // namespace seqseg
