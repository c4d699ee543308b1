#pragma once
// Train -> New model...: from a dataset folder to a model in the Segment panel. Pages: Data,
// Model, Parallel, Training, Run (live curves; Pause, Resume, Cancel), Finish, one class each
// (ui/wizard_*_page.h) over the choices they collect (ui/train_wizard_model.h). Training runs in
// a `seqseg train` process of its own (ui/training_run.h); the window only watches it, and a
// run left running is reopened with Train -> Open run... (openRun()).
#include <QWizard>

#include "ui/dataset_survey.h"
#include "ui/model_registry.h"
#include "ui/train_plan.h"
#include "ui/train_wizard_model.h"

namespace seqseg {

class TrainingCharts;
class TrainingRun;
class WizardDataPage;
class WizardFinishPage;
class WizardModelPage;
class WizardParallelPage;
class WizardRunPage;
class WizardTrainingPage;

class TrainWizard : public QWizard {
  Q_OBJECT

 public:
  enum PageId { DataPageId, ModelPageId, ParallelPageId, TrainingPageId, RunPageId, FinishPageId };

  explicit TrainWizard(QWidget* parent = nullptr);

  // The seqseg executable the runs, the survey's synthetic data and the probe use (seqseg-bench
  // is looked for beside it); by default this application's own.
  void setExecutable(const QString& path);

  // Opens the Run page on the run in `runDir` (running or not): its curves from metrics.jsonl.
  // False, with a message box unless quiet, when the folder holds no run. With `remoteJob`
  // (the run's job on a cluster profile), the job is followed again if nothing follows it.
  bool openRun(const QString& runDir, bool quiet = false, const QString& remoteJob = QString());
  // Starts `plan` as it is (no pages before Run) and shows the Run page.
  bool startRun(const TrainPlan& plan);

  // The Model page's "Start from" list after random weights: (name, checkpoint).
  void setKnownModels(const QVector<QPair<QString, QString>>& models);
  // Fine-tuning: starts from `checkpoint` (named `name`) with fine-tuning's defaults.
  void startFrom(const QString& checkpoint, const QString& name);
  // The share of the cases held out for validation (the Data page's default is 0.2).
  void setValidationFraction(double fraction);
  // The Data page: survey `folder` (off the UI thread); dataSurveyed() when done.
  void surveyFolder(const QString& folder);
  // Writes a small synthetic dataset (`seqseg synth`) into `folder`, then surveys it.
  void makeSyntheticDataset(const QString& folder, int cases = 6);
  const DatasetSurvey& survey() const { return model_.survey; }

  // The plan the pages describe (Data, Model, Parallel, Training).
  TrainPlan plan() const { return model_.plan(); }
  // The model the finished run made: its best checkpoint, the name given and its card.
  ModelEntry trainedModel() const;
  TrainingRun& run() { return *run_; }
  TrainingCharts& charts();

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

 private:
  void showAttachedRun();  // the Run page, with no pages before it

  TrainWizardModel model_;
  TrainingRun* run_ = nullptr;
  WizardDataPage* dataPage_ = nullptr;
  WizardModelPage* modelPage_ = nullptr;
  WizardParallelPage* parallelPage_ = nullptr;
  WizardTrainingPage* trainingPage_ = nullptr;
  WizardRunPage* runPage_ = nullptr;
  WizardFinishPage* finishPage_ = nullptr;
  CloseChoice closeChoice_ = CloseChoice::Ask;
  bool attached_ = false;  // opened on an existing run: no pages before Run
};

}  // namespace seqseg
