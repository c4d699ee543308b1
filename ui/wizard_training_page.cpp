#include "ui/wizard_training_page.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QWizard>

#include "ui/wizard_fields.h"

namespace seqseg {

WizardTrainingPage::WizardTrainingPage(TrainWizardModel& model, QWidget* parent)
    : QWizardPage(parent), model_(model) {
  setTitle(tr("Training"));
  // Next starts the run; there is no going back to change a run that has begun.
  setCommitPage(true);
  setButtonText(QWizard::CommitButton, tr("Start training"));
  setSubTitle(
      tr("AdamW with warm-up and cosine decay; soft Dice + cross-entropy; "
         "validation Dice per region after every epoch."));
  const WizardTrainingChoices& choices = model_.training;
  epochs_ = spinBox(1, 100000, choices.epochs, QStringLiteral("epochs"));
  stepsPerEpoch_ = spinBox(0, 1000000, choices.stepsPerEpoch, QStringLiteral("stepsPerEpoch"));
  stepsPerEpoch_->setSpecialValueText(tr("cases / batch"));
  batch_ = spinBox(1, 256, choices.batch, QStringLiteral("batchSize"));
  learningRate_ = new QDoubleSpinBox;
  learningRate_->setObjectName(QStringLiteral("learningRate"));
  learningRate_->setDecimals(6);
  learningRate_->setRange(1e-6, 1.0);
  learningRate_->setSingleStep(1e-4);
  learningRate_->setValue(choices.learningRate);
  medianSpacing_ = new QCheckBox(tr("the cases' median"));
  medianSpacing_->setObjectName(QStringLiteral("medianSpacing"));
  medianSpacing_->setChecked(choices.medianSpacing);
  auto* spacingRow = new QHBoxLayout;
  spacingRow->addWidget(medianSpacing_);
  for (int axis = 0; axis < 3; ++axis) {
    QDoubleSpinBox*& box = spacing_[axis];
    box = new QDoubleSpinBox;
    box->setObjectName(QStringLiteral("spacing") + QChar("IJK"[axis]));
    box->setRange(0.1, 20);
    box->setValue(choices.spacing[static_cast<size_t>(axis)]);
    box->setSuffix(QStringLiteral(" mm"));
    box->setEnabled(!choices.medianSpacing);
    spacingRow->addWidget(box);
    connect(medianSpacing_, &QCheckBox::toggled, box, &QWidget::setDisabled);
    connect(box, &QDoubleSpinBox::valueChanged, this, [this] {
      if (!showingProposal_) model_.training.spacingEdited = true;
    });
  }
  spacingReason_ = new QLabel;
  spacingReason_->setObjectName(QStringLiteral("spacingReason"));
  spacingReason_->setWordWrap(true);
  augment_ = new QCheckBox(tr("flips, intensity scale and shift"));
  augment_->setObjectName(QStringLiteral("augment"));
  augment_->setChecked(choices.augment);
  balanceCropClasses_ = new QCheckBox(tr("centre crops on necrosis, oedema and enhancing alike"));
  balanceCropClasses_->setObjectName(QStringLiteral("balanceCropClasses"));
  balanceCropClasses_->setChecked(choices.balanceCropClasses);
  balanceCropClasses_->setToolTip(
      tr("Small classes are seen as often as the large oedema (--balance-crop-classes)"));
  regionDice_ = new QCheckBox(tr("over whole tumour, tumour core and enhancing tumour"));
  regionDice_->setObjectName(QStringLiteral("regionDice"));
  regionDice_->setChecked(choices.regionDice);
  regionDice_->setToolTip(
      tr("The regions BraTS scores, as nnU-Net trains on BraTS; 4-class models (--region-dice)"));
  seed_ = spinBox(0, 1000000000, static_cast<int>(choices.seed), QStringLiteral("seed"));
  threads_ = spinBox(0, 1024, choices.threads, QStringLiteral("threads"));
  threads_->setSpecialValueText(tr("all cores"));
  timeLimit_ = new QDoubleSpinBox;
  timeLimit_->setObjectName(QStringLiteral("timeLimit"));
  timeLimit_->setRange(0, 100000);
  timeLimit_->setDecimals(1);
  timeLimit_->setSuffix(tr(" min"));
  timeLimit_->setSpecialValueText(tr("none"));
  timeLimit_->setValue(choices.timeLimitMinutes);
  timeLimit_->setToolTip(tr("Stop after this long, validated, with best.pt and last.pt written"));
  outputFolder_ = new QLineEdit(QString::fromStdString(choices.outputFolder));
  outputFolder_->setObjectName(QStringLiteral("outputFolder"));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Run folder"));
    if (!folder.isEmpty()) outputFolder_->setText(folder);
  });
  resume_ = new QCheckBox(tr("resume the run in this folder"));
  resume_->setObjectName(QStringLiteral("resumeRun"));
  resume_->setChecked(choices.resume);
  modelName_ = new QLineEdit(QString::fromStdString(choices.modelName));
  modelName_->setObjectName(QStringLiteral("modelName"));
  problem_ = problemLabel(QStringLiteral("trainingProblem"));
  for (QSpinBox* box : {epochs_, stepsPerEpoch_, batch_, seed_, threads_})
    connect(box, &QSpinBox::valueChanged, this, &WizardTrainingPage::readFields);
  for (QDoubleSpinBox* box : {learningRate_, timeLimit_, spacing_[0], spacing_[1], spacing_[2]})
    connect(box, &QDoubleSpinBox::valueChanged, this, &WizardTrainingPage::readFields);
  for (QCheckBox* box : {medianSpacing_, augment_, balanceCropClasses_, regionDice_, resume_})
    connect(box, &QCheckBox::toggled, this, &WizardTrainingPage::readFields);
  for (QLineEdit* line : {outputFolder_, modelName_})
    connect(line, &QLineEdit::textChanged, this, &WizardTrainingPage::readFields);

  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(outputFolder_, 1);
  folderRow->addWidget(browse);
  auto* form = new QFormLayout(this);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Steps per epoch"), stepsPerEpoch_);
  form->addRow(tr("Batch (crops per step)"), batch_);
  form->addRow(tr("Learning rate"), learningRate_);
  form->addRow(tr("Time limit"), timeLimit_);
  form->addRow(tr("Spacing"), spacingRow);
  form->addRow(QString(), spacingReason_);
  form->addRow(tr("Augmentation"), augment_);
  form->addRow(tr("Crops"), balanceCropClasses_);
  form->addRow(tr("Dice loss"), regionDice_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Threads per rank"), threads_);
  form->addRow(tr("Output folder"), folderRow);
  form->addRow(QString(), resume_);
  form->addRow(tr("Model name"), modelName_);
  form->addRow(problem_);
  readFields();
}

void WizardTrainingPage::readFields() {
  WizardTrainingChoices& choices = model_.training;
  choices.epochs = epochs_->value();
  choices.stepsPerEpoch = stepsPerEpoch_->value();
  choices.batch = batch_->value();
  choices.learningRate = learningRate_->value();
  choices.timeLimitMinutes = timeLimit_->value();
  choices.medianSpacing = medianSpacing_->isChecked();
  for (int axis = 0; axis < 3; ++axis)
    choices.spacing[static_cast<size_t>(axis)] = spacing_[axis]->value();
  choices.augment = augment_->isChecked();
  choices.balanceCropClasses = balanceCropClasses_->isChecked();
  choices.regionDice = regionDice_->isChecked();
  choices.seed = static_cast<unsigned long long>(seed_->value());
  choices.threads = threads_->value();
  choices.outputFolder = trimmedText(outputFolder_->text());
  choices.resume = resume_->isChecked();
  choices.modelName = trimmedText(modelName_->text());
  showProblem();
}

void WizardTrainingPage::setModelName(const QString& name) {
  modelName_->setText(name);
}

void WizardTrainingPage::showProblem() {
  problem_->setText(QString::fromStdString(model_.trainingProblem()));
  emit completeChanged();
}

void WizardTrainingPage::initializePage() {
  QWizardPage::initializePage();
  WizardTrainingChoices& choices = model_.training;
  if (choices.changedOutsidePage) {  // fine-tuning's defaults
    const WizardTrainingChoices wanted = choices;
    epochs_->setValue(wanted.epochs);
    learningRate_->setValue(wanted.learningRate);
    timeLimit_->setValue(wanted.timeLimitMinutes);
    medianSpacing_->setChecked(wanted.medianSpacing);
    modelName_->setText(QString::fromStdString(wanted.modelName));
    choices.spacingEdited = wanted.spacingEdited;
    choices.changedOutsidePage = false;
  }
  // The model may have changed since: its proposal, unless the person set the spacing.
  if (model_.applyProposedSpacing()) {
    showingProposal_ = true;
    for (int axis = 0; axis < 3; ++axis)
      spacing_[axis]->setValue(model_.training.spacing[static_cast<size_t>(axis)]);
    showingProposal_ = false;
  }
  try {
    spacingReason_->setText(QString::fromStdString(model_.proposedSpacing().reason));
  } catch (const std::exception&) {
    spacingReason_->clear();
  }
  showProblem();
}

bool WizardTrainingPage::validatePage() {
  showProblem();
  return problem_->text().isEmpty();
}

bool WizardTrainingPage::isComplete() const {
  return problem_->text().isEmpty();
}

}  // namespace seqseg
