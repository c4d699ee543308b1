#pragma once
// Train -> New model...: from a dataset folder to a model in the Segment panel. Pages: Data,
// Model, Parallel, Training, Run (live curves; Pause, Resume, Cancel), Finish. Training runs in
// a `seqseg train` process of its own (ui/training_run.h); the window only watches it, and a
// run left running is reopened with Train -> Open run... (openRun()).
#include <QWizard>

#include <memory>

#include "ui/dataset_survey.h"
#include "ui/model_registry.h"
#include "ui/train_plan.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProcess;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QThread;

namespace seqseg {

class TrainingCharts;
class TrainingRun;

class TrainWizard : public QWizard {
  Q_OBJECT

 public:
  enum PageId { DataPageId, ModelPageId, ParallelPageId, TrainingPageId, RunPageId, FinishPageId };

  explicit TrainWizard(QWidget* parent = nullptr);
  ~TrainWizard() override;

  // The seqseg executable the runs, the survey's synthetic data and the probe use (seqseg-bench
  // is looked for beside it); by default this application's own.
  void setExecutable(const QString& path);

  // Opens the Run page on the run in `runDir` (running or not): its curves from metrics.jsonl.
  // False, with a message box unless quiet, when the folder holds no run. With `remoteJob`
  // (the run's job on a cluster profile), the job is followed again if nothing follows it.
  bool openRun(const QString& runDir, bool quiet = false, const QString& remoteJob = QString());
  // Starts `plan` as it is (no pages before Run) and shows the Run page.
  bool startRun(const TrainPlan& plan);

  // The Data page: survey `folder` (off the UI thread); dataSurveyed() when done.
  void surveyFolder(const QString& folder);
  // Writes a small synthetic dataset (`seqseg synth`) into `folder`, then surveys it.
  void makeSyntheticDataset(const QString& folder, int cases = 6);
  const DatasetSurvey& survey() const { return survey_; }

  // The plan the pages describe (Data, Model, Parallel, Training).
  TrainPlan plan() const;
  // The model the finished run made: its best checkpoint, the name given and its card.
  ModelEntry trainedModel() const;
  TrainingRun& run() { return *run_; }
  TrainingCharts& charts() { return *charts_; }

  // What closing does while a run goes on, without asking (for scripted use); by default the
  // window asks.
  enum class CloseChoice { Ask, KeepRunning, CancelRun };
  void setCloseChoice(CloseChoice choice) { closeChoice_ = choice; }

 signals:
  void dataSurveyed();
  void modelTrained(const seqseg::ModelEntry& entry);  // on Finish

 public slots:
  void pauseRun();
  void resumeRun();
  void cancelRun();
  void runProbe();  // the Model page's estimate: a few steps of seqseg-bench

 protected:
  void done(int result) override;
  void initializePage(int id) override;
  bool validateCurrentPage() override;

 private:
  QWizardPage* makeDataPage();
  QWizardPage* makeModelPage();
  QWizardPage* makeParallelPage();
  QWizardPage* makeTrainingPage();
  QWizardPage* makeRunPage();
  QWizardPage* makeFinishPage();
  void showSurvey();
  void updateModelFacts();
  void updateParallelProblem();
  void chooseRunOn();  // a cluster profile decides the ranks and the launcher
  void updateTrainingProblem();
  void showRun();
  QString modelConfigArgument() const;  // preset name, or the custom config file to write
  bool writeCustomConfig(QString& error) const;
  ModelShape currentShape(QString* error = nullptr) const;
  QString benchExecutable() const;

  QString executable_;
  DatasetSurvey survey_;
  bool surveying_ = false;
  QThread* surveyThread_ = nullptr;
  CloseChoice closeChoice_ = CloseChoice::Ask;
  bool attached_ = false;  // opened on an existing run: no pages before Run

  // Data
  QLineEdit* dataFolder_ = nullptr;
  QLabel* dataSummary_ = nullptr;
  QListWidget* unreadable_ = nullptr;
  QRadioButton* useFraction_ = nullptr;
  QDoubleSpinBox* validationFraction_ = nullptr;
  QRadioButton* useFolder_ = nullptr;
  QLineEdit* validationFolder_ = nullptr;
  QProcess* synth_ = nullptr;
  // Model
  QComboBox* preset_ = nullptr;
  QSpinBox* roi_ = nullptr;
  QSpinBox* patch_ = nullptr;
  QSpinBox* embed_ = nullptr;
  QSpinBox* depth_ = nullptr;
  QSpinBox* heads_ = nullptr;
  QLineEdit* decoderChannels_ = nullptr;
  QLabel* modelFacts_ = nullptr;
  QLabel* probeResult_ = nullptr;
  QPushButton* probeButton_ = nullptr;
  QProcess* probe_ = nullptr;
  // Parallel
  QComboBox* runOn_ = nullptr;  // This computer, then the cluster profiles (data: their ranks)
  QSpinBox* ranks_ = nullptr;
  QComboBox* launcher_ = nullptr;
  QComboBox* split_ = nullptr;
  QComboBox* attention_ = nullptr;
  QComboBox* decoder_ = nullptr;
  QCheckBox* sharded_ = nullptr;
  QLabel* parallelProblem_ = nullptr;
  // Training
  QSpinBox* epochs_ = nullptr;
  QSpinBox* stepsPerEpoch_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QDoubleSpinBox* learningRate_ = nullptr;
  QCheckBox* medianSpacing_ = nullptr;
  QDoubleSpinBox* spacing_[3] = {};
  QCheckBox* augment_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QLineEdit* outputFolder_ = nullptr;
  QCheckBox* resume_ = nullptr;
  QLineEdit* modelName_ = nullptr;
  QLabel* trainingProblem_ = nullptr;
  // Run
  TrainingRun* run_ = nullptr;
  TrainingCharts* charts_ = nullptr;
  QLabel* runFacts_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QPushButton* pause_ = nullptr;
  QPushButton* resumeButton_ = nullptr;
  QPushButton* cancel_ = nullptr;
  int logLinesShown_ = 0;
  // Finish
  QLabel* finishSummary_ = nullptr;
};

}  // namespace seqseg
