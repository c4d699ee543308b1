#include "ui/wizard_run_page.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

#include "ui/training_charts.h"
#include "ui/training_run.h"

namespace seqseg {
namespace {

QString duration(double seconds) {
  if (seconds < 0) return QStringLiteral("–");
  const long long s = std::llround(seconds);
  return s >= 3600 ? QStringLiteral("%1:%2:%3")
                         .arg(s / 3600)
                         .arg(s / 60 % 60, 2, 10, QChar('0'))
                         .arg(s % 60, 2, 10, QChar('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

}  // namespace

WizardRunPage::WizardRunPage(TrainingRun& run, QWidget* parent) : QWizardPage(parent), run_(run) {
  setTitle(tr("Run"));
  setSubTitle(
      tr("Training runs in a process of its own: closing this window leaves it "
         "running, and Train → Open run… shows it again."));
  charts_ = new TrainingCharts;
  facts_ = new QLabel;
  facts_->setObjectName(QStringLiteral("runFacts"));
  facts_->setWordWrap(true);
  log_ = new QPlainTextEdit;
  log_->setObjectName(QStringLiteral("runLog"));
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(200);
  log_->setMaximumHeight(110);
  pause_ = new QPushButton(tr("Pause"));
  pause_->setObjectName(QStringLiteral("pauseButton"));
  resume_ = new QPushButton(tr("Resume"));
  resume_->setObjectName(QStringLiteral("resumeButton"));
  resume_->setToolTip(tr("Continue from last.pt on the same curve"));
  cancel_ = new QPushButton(tr("Cancel run"));
  cancel_->setObjectName(QStringLiteral("cancelRunButton"));
  cancel_->setToolTip(tr("End every rank; last.pt (the last epoch) stays"));
  connect(pause_, &QPushButton::clicked, this, &WizardRunPage::pauseRun);
  connect(resume_, &QPushButton::clicked, this, &WizardRunPage::resumeRun);
  connect(cancel_, &QPushButton::clicked, this, &WizardRunPage::cancelRun);
  connect(&run_, &TrainingRun::curvesChanged, this, &WizardRunPage::showRun);
  connect(&run_, &TrainingRun::ended, this, &WizardRunPage::showRun);
  // Elapsed time moves while a validation runs, when no step reports it.
  clock_ = new QTimer(this);
  clock_->setInterval(1000);
  connect(clock_, &QTimer::timeout, this, &WizardRunPage::showFacts);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(pause_);
  buttons->addWidget(resume_);
  buttons->addWidget(cancel_);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(charts_, 1);
  layout->addWidget(facts_);
  layout->addLayout(buttons);
  layout->addWidget(log_);
}

void WizardRunPage::showFacts() {
  const TrainingCurves& curves = run_.curves();
  const bool running = run_.running();
  // The done event's own word (ok, paused, failed, cancelled), as the run's log says it.
  const QString state = running ? tr("running")
                        : curves.doneStatus
                            ? QString::fromStdString(doneStatusSpelling(*curves.doneStatus))
                            : tr("stopped");
  QString facts = tr("State: %1, elapsed %2.").arg(state, duration(run_.elapsedSeconds()));
  if (running && curves.validating) {
    const ValidationProgress& v = *curves.validating;
    facts += tr("  Validating case %1 of %2 (%3), window %4 of %5.")
                 .arg(v.caseIndex + 1)
                 .arg(v.cases)
                 .arg(QString::fromStdString(v.caseId))
                 .arg(v.window)
                 .arg(v.windows);
  }
  if (!curves.steps.empty()) {
    const StepPoint& last = curves.steps.back();
    facts += tr("  Step %1 of %2, loss %3, learning rate %4, %5 tokens/s, ETA %6.")
                 .arg(last.step)
                 .arg(curves.totalSteps)
                 .arg(last.loss, 0, 'f', 4)
                 .arg(last.learningRate, 0, 'g', 3)
                 .arg(last.tokensPerSecond, 0, 'f', 0)
                 .arg(running ? duration(curves.etaSeconds) : QStringLiteral("–"));
  }
  if (!curves.validations.empty()) {
    const ValidationPoint& v = curves.validations.back();
    facts += tr("  Validation Dice WT %1, TC %2, ET %3.")
                 .arg(v.wt, 0, 'f', 3)
                 .arg(v.tc, 0, 'f', 3)
                 .arg(v.et, 0, 'f', 3);
  }
  facts_->setText(facts);
}

bool WizardRunPage::isComplete() const {
  return run_.curves().doneStatus == JobState::Done;
}

void WizardRunPage::showRun() {
  const TrainingCurves& curves = run_.curves();
  const bool running = run_.running();
  charts_->show(curves);
  showFacts();
  // Only the lines not yet shown: the log is appended to, never rebuilt.
  const int total = static_cast<int>(curves.logLines.size());
  if (logLinesShown_ > total) {
    log_->clear();
    logLinesShown_ = 0;
  }
  for (int i = logLinesShown_; i < total; ++i)
    log_->appendPlainText(QString::fromStdString(curves.logLines[static_cast<size_t>(i)]));
  logLinesShown_ = total;
  // A run on a cluster cannot be asked to pause from here (its run folder is there): Cancel.
  const bool remote = !run_.plan().cluster.empty();
  pause_->setEnabled(running && !remote);
  pause_->setToolTip(remote ? tr("A run on a cluster cannot pause; Cancel keeps last.pt there")
                            : tr("Checkpoint after the current step (last.pt) and stop"));
  const bool paused = !running && curves.doneStatus == JobState::Paused;
  cancel_->setEnabled(running || paused);
  cancel_->setToolTip(paused ? tr("End the paused run; Resume can still continue it from last.pt")
                             : tr("End every rank; last.pt (the last epoch) stays"));
  if (running)
    clock_->start();
  else
    clock_->stop();
  resume_->setEnabled(!running && curves.doneStatus != JobState::Done &&
                      QFileInfo::exists(run_.runDir() + QStringLiteral("/last.pt")));
  emit completeChanged();
}

void WizardRunPage::showStartFailure(const QString& error) {
  log_->appendPlainText(tr("Could not start: %1").arg(error));
}

void WizardRunPage::pauseRun() {
  run_.pause();
  pause_->setEnabled(false);
  log_->appendPlainText(tr("Pausing after the current step…"));
}

void WizardRunPage::resumeRun() {
  if (!run_.resume()) QMessageBox::warning(window(), tr("Resume"), run_.errorString());
  showRun();
}

void WizardRunPage::cancelRun() {
  const bool running = run_.running();
  run_.cancel();
  cancel_->setEnabled(false);
  if (!running) showRun();  // a paused run is cancelled at once
}

}  // namespace seqseg
