#include "ui/wizard_parallel_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

#include <algorithm>

#include "remote/cluster_profile.h"
#include "ui/wizard_fields.h"

namespace seqseg {

WizardParallelPage::WizardParallelPage(TrainWizardModel& model, QWidget* parent)
    : QWizardPage(parent), model_(model) {
  setTitle(tr("Parallel"));
  setSubTitle(
      tr("Ranks share every crop: each tokenises its part of the volume and "
         "attention spans all ranks' tokens."));
  const WizardParallelChoices& choices = model_.parallel;
  runOn_ = new QComboBox;
  runOn_->setObjectName(QStringLiteral("trainRunOn"));
  runOn_->addItem(tr("This computer"), 0);
  try {
    for (const ClusterProfile& profile : loadClusterProfiles(clustersFilePath()))
      runOn_->addItem(QString::fromStdString(profile.name), profile.scheduler.ranks());
    runOn_->setToolTip(
        tr("Where training runs: here, or as a job on a cluster profile (Settings → Clusters), "
           "its data uploaded and its run folder brought back"));
  } catch (const std::exception& error) {
    runOn_->setToolTip(QString::fromStdString(error.what()));
  }
  ranks_ = spinBox(1, 1024, choices.ranks, QStringLiteral("trainRanks"));
  launcher_ = choiceBox({"local", "mpirun", "srun"}, QStringLiteral("trainLauncher"));
  connect(runOn_, &QComboBox::currentIndexChanged, this, &WizardParallelPage::chooseRunOn);
  split_ = choiceBox({"slab0", "slab1", "slab2", "blocks"}, QStringLiteral("trainSplit"));
  attention_ = choiceBox({"allgather", "ring", "ulysses"}, QStringLiteral("trainAttention"));
  decoder_ = choiceBox({"halo", "gather", "nogather"}, QStringLiteral("trainDecoder"));
  launcher_->setCurrentText(QString::fromStdString(choices.launcher));
  split_->setCurrentText(QString::fromStdString(choices.split));
  attention_->setCurrentText(QString::fromStdString(choices.attention));
  decoder_->setCurrentText(QString::fromStdString(choices.decoder));
  sharded_ = new QCheckBox(tr("Shard AdamW's state over the ranks"));
  sharded_->setChecked(true);
  sharded_->setEnabled(false);
  sharded_->setToolTip(tr("seqseg train always keeps 1/R of the optimiser state per rank"));
  problem_ = problemLabel(QStringLiteral("parallelProblem"));
  connect(ranks_, &QSpinBox::valueChanged, this, &WizardParallelPage::readFields);
  for (QComboBox* box : {launcher_, split_, attention_, decoder_})
    connect(box, &QComboBox::currentTextChanged, this, &WizardParallelPage::readFields);
  auto* form = new QFormLayout(this);
  form->addRow(tr("Run on"), runOn_);
  form->addRow(tr("Ranks"), ranks_);
  form->addRow(tr("Launcher"), launcher_);
  form->addRow(tr("Split"), split_);
  form->addRow(tr("Attention"), attention_);
  form->addRow(tr("Decoder"), decoder_);
  form->addRow(QString(), sharded_);
  form->addRow(problem_);
  readFields();
}

void WizardParallelPage::readFields() {
  WizardParallelChoices& choices = model_.parallel;
  choices.cluster = runOn_->currentIndex() > 0 ? runOn_->currentText().toStdString() : "";
  choices.ranks = ranks_->value();
  choices.launcher = launcher_->currentText().toStdString();
  choices.split = split_->currentText().toStdString();
  choices.attention = attention_->currentText().toStdString();
  choices.decoder = decoder_->currentText().toStdString();
  showProblem();
}

void WizardParallelPage::chooseRunOn() {
  const bool remote = runOn_->currentIndex() > 0;
  model_.parallel.cluster = remote ? runOn_->currentText().toStdString() : "";
  if (remote) ranks_->setValue(std::max(1, runOn_->currentData().toInt()));
  ranks_->setEnabled(!remote);
  launcher_->setEnabled(!remote);
  ranks_->setToolTip(remote ? tr("The cluster profile's nodes × tasks per node (or its hosts)")
                            : QString());
}

void WizardParallelPage::showProblem() {
  problem_->setText(QString::fromStdString(model_.parallelProblem()));
  emit completeChanged();
}

void WizardParallelPage::initializePage() {
  QWizardPage::initializePage();
  showProblem();
}

bool WizardParallelPage::isComplete() const {
  return problem_->text().isEmpty();
}

}  // namespace seqseg
