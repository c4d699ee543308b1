#pragma once
// The training wizard's Run page: the run's live curves (ui/training_charts.h), where it stands
// (state, step, loss, ETA, validation Dice), its log, and Pause, Resume and Cancel. Complete
// once the run has ended well.
#include <QWizardPage>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace seqseg {

class TrainingCharts;
class TrainingRun;

class WizardRunPage : public QWizardPage {
  Q_OBJECT

 public:
  explicit WizardRunPage(TrainingRun& run, QWidget* parent = nullptr);

  TrainingCharts& charts() { return *charts_; }
  void showStartFailure(const QString& error);

  bool isComplete() const override;

 public slots:
  void showRun();    // the run's curves, state and new log lines
  void showFacts();  // state, elapsed wall time, validation progress, the last step and Dice
  void pauseRun();
  void resumeRun();
  void cancelRun();

 private:
  TrainingRun& run_;
  TrainingCharts* charts_ = nullptr;
  QLabel* facts_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QTimer* clock_ = nullptr;  // refreshes the facts every second while the run goes
  int logLinesShown_ = 0;
};

}  // namespace seqseg
