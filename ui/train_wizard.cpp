#include "ui/train_wizard.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

#include "types/resource_paths.h"
#include "ui/training_run.h"
#include "ui/wizard_data_page.h"
#include "ui/wizard_finish_page.h"
#include "ui/wizard_model_page.h"
#include "ui/wizard_parallel_page.h"
#include "ui/wizard_run_page.h"
#include "ui/wizard_training_page.h"

namespace seqseg {

TrainWizard::TrainWizard(QWidget* parent)
    : QWizard(parent),
      // A custom model's config before there is a run folder: a file of this process.
      model_(presetsDir(),
             QDir::temp()
                 .absoluteFilePath(
                     QStringLiteral("seqseg-model-%1.json").arg(QCoreApplication::applicationPid()))
                 .toStdString()) {
  setObjectName(QStringLiteral("trainWizard"));
  setWindowTitle(tr("New model"));
  setWizardStyle(QWizard::ClassicStyle);
  setOption(QWizard::NoBackButtonOnLastPage);
  setOption(QWizard::NoCancelButtonOnLastPage);
  run_ = new TrainingRun(this);
  setPage(DataPageId, dataPage_ = new WizardDataPage(model_));
  setPage(ModelPageId, modelPage_ = new WizardModelPage(model_));
  setPage(ParallelPageId, parallelPage_ = new WizardParallelPage(model_));
  setPage(TrainingPageId, trainingPage_ = new WizardTrainingPage(model_));
  setPage(RunPageId, runPage_ = new WizardRunPage(*run_));
  setPage(FinishPageId, finishPage_ = new WizardFinishPage(*run_, model_));
  connect(dataPage_, &WizardDataPage::surveyed, this, &TrainWizard::dataSurveyed);
  // Whether the ranks can run the model depends on the model's shape too.
  connect(modelPage_, &WizardModelPage::shapeChanged, parallelPage_,
          &WizardParallelPage::showProblem);
  resize(1100, 760);
}

void TrainWizard::setExecutable(const QString& path) {
  run_->setExecutable(path);
  dataPage_->setExecutable(path);
  modelPage_->setExecutable(path);
}

void TrainWizard::setKnownModels(const QVector<QPair<QString, QString>>& models) {
  modelPage_->setKnownModels(models);
}

void TrainWizard::startFrom(const QString& checkpoint, const QString& name) {
  modelPage_->startFrom(checkpoint, name);
}

void TrainWizard::setValidationFraction(double fraction) {
  dataPage_->setValidationFraction(fraction);
}

void TrainWizard::surveyFolder(const QString& folder) {
  dataPage_->surveyFolder(folder);
}

void TrainWizard::makeSyntheticDataset(const QString& folder, int cases) {
  dataPage_->makeSyntheticDataset(folder, cases);
}

ModelEntry TrainWizard::trainedModel() const {
  return finishPage_->trainedModel();
}

TrainingCharts& TrainWizard::charts() {
  return runPage_->charts();
}

void TrainWizard::pauseRun() {
  runPage_->pauseRun();
}

void TrainWizard::resumeRun() {
  runPage_->resumeRun();
}

void TrainWizard::cancelRun() {
  runPage_->cancelRun();
}

void TrainWizard::runProbe() {
  modelPage_->runProbe();
}

bool TrainWizard::openRun(const QString& runDir, bool quiet, const QString& remoteJob) {
  if (!(remoteJob.isEmpty() ? run_->attach(runDir) : run_->attachRemote(remoteJob, runDir))) {
    if (!quiet) QMessageBox::warning(this, tr("Open run"), run_->errorString());
    return false;
  }
  setWindowTitle(tr("Training run — %1").arg(runDir));
  // The model's name for Finish: the folder's, unless the person changes it.
  trainingPage_->setModelName(QFileInfo(runDir).fileName());
  showAttachedRun();
  return true;
}

bool TrainWizard::startRun(const TrainPlan& plan) {
  if (!run_->start(plan)) return false;
  showAttachedRun();
  return true;
}

void TrainWizard::showAttachedRun() {
  attached_ = true;
  setStartId(RunPageId);
  restart();
  runPage_->showRun();
}

void TrainWizard::initializePage(int id) {
  QWizard::initializePage(id);
  // Leaving the Training page (its commit button) starts the run the pages describe.
  if (id == RunPageId && !attached_ && !run_->running()) {
    QString error;
    const TrainPlan plan = model_.plan();
    if (!modelPage_->writeCustomConfig(error) || !run_->start(plan)) {
      if (error.isEmpty()) error = run_->errorString();
      runPage_->showStartFailure(error);
    }
    runPage_->showRun();
  }
}

void TrainWizard::done(int result) {
  if (result == QDialog::Accepted) {
    if (currentId() == FinishPageId) emit modelTrained(trainedModel());
    QWizard::done(result);
    return;
  }
  if (run_->running()) {
    CloseChoice choice = closeChoice_;
    if (choice == CloseChoice::Ask) {
      QMessageBox box(QMessageBox::Question, tr("Close"),
                      tr("The training run is still going on. It can keep running without this "
                         "window (Train → Open run… shows it again), or stop now (last.pt "
                         "stays)."),
                      QMessageBox::NoButton, this);
      box.setObjectName(QStringLiteral("closeRunQuestion"));
      QPushButton* keep = box.addButton(tr("Keep running"), QMessageBox::AcceptRole);
      QPushButton* stop = box.addButton(tr("Stop the run"), QMessageBox::DestructiveRole);
      box.addButton(QMessageBox::Cancel);
      keep->setObjectName(QStringLiteral("keepRunning"));
      stop->setObjectName(QStringLiteral("stopRun"));
      box.exec();
      if (box.clickedButton() == keep)
        choice = CloseChoice::KeepRunning;
      else if (box.clickedButton() == stop)
        choice = CloseChoice::CancelRun;
      else
        return;  // stay
    }
    if (choice == CloseChoice::CancelRun) run_->cancel();
  }
  QWizard::done(result);
}

}  // namespace seqseg
