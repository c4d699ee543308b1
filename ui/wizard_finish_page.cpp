#include "ui/wizard_finish_page.h"

#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/train_wizard_model.h"
#include "ui/training_run.h"

namespace seqseg {

WizardFinishPage::WizardFinishPage(const TrainingRun& run, const TrainWizardModel& model,
                                   QWidget* parent)
    : QWizardPage(parent), run_(run), model_(model) {
  setTitle(tr("Finish"));
  summary_ = new QLabel;
  summary_->setObjectName(QStringLiteral("finishSummary"));
  summary_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addStretch(1);
}

ModelEntry WizardFinishPage::trainedModel() const {
  const TrainPlan& plan = run_.plan();
  const TrainingCurves& curves = run_.curves();
  // A fine-tuning run validates its start model before the first step (step 0): the Dice
  // before, on the same held-out cases as the Dice after.
  double before = -1, best = -1;
  for (const ValidationPoint& v : curves.validations) {
    double& slot = v.step == 0 ? before : best;
    slot = std::max(slot, v.mean);
  }
  QJsonObject card{{"data", QString::fromStdString(plan.data)},
                   {"steps", curves.steps.empty() ? 0 : curves.steps.back().step},
                   {"run_dir", run_.runDir()}};
  if (plan.initModel.empty())
    card["preset"] = QFileInfo(QString::fromStdString(plan.config)).completeBaseName();
  else
    card["fine_tuned_from"] = QString::fromStdString(plan.initModel);
  if (best >= 0) card["best_dice"] = best;
  if (before >= 0) card["dice_before"] = before;
  return {QString::fromStdString(model_.training.modelName),
          QDir(run_.runDir()).absoluteFilePath("best.pt"), QStringLiteral("trained"), card};
}

void WizardFinishPage::initializePage() {
  QWizardPage::initializePage();
  const ModelEntry entry = trainedModel();
  summary_->setText(tr("Finish puts the best checkpoint in the Segment panel's model "
                       "list as “%1”.\n\n%2")
                        .arg(entry.name, ModelRegistry::describe(entry)));
}

}  // namespace seqseg
