#include "ui/wizard_data_page.h"

#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QThread>
#include <QVBoxLayout>

#include <memory>

#include "jobs/job_arguments.h"
#include "ui/job_process.h"
#include "ui/wizard_fields.h"

namespace seqseg {

WizardDataPage::WizardDataPage(TrainWizardModel& model, QWidget* parent)
    : QWizardPage(parent), model_(model) {
  setTitle(tr("Data"));
  setSubTitle(
      tr("A folder of cases with reference label maps, in any layout seqseg reads "
         "(BraTS 2021/2023, MSD Task01, nnU-Net)."));
  folder_ = new QLineEdit(QString::fromStdString(model_.data.folder));
  folder_->setObjectName(QStringLiteral("dataFolder"));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* synth = new QPushButton(tr("Make a synthetic dataset…"));
  synth->setObjectName(QStringLiteral("synthButton"));
  synth->setToolTip(
      tr("Write small BraTS-like cases with ground truth (seqseg synth) to try "
         "training first"));
  connect(folder_, &QLineEdit::textChanged, this,
          [this](const QString& text) { model_.data.folder = trimmedText(text); });
  connect(folder_, &QLineEdit::editingFinished, this,
          [this] { surveyFolder(folder_->text().trimmed()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Dataset folder"));
    if (!folder.isEmpty()) surveyFolder(folder);
  });
  connect(synth, &QPushButton::clicked, this, [this] {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("An empty folder for the synthetic dataset"));
    if (!folder.isEmpty()) makeSyntheticDataset(folder);
  });
  summary_ = new QLabel(tr("Choose a folder."));
  summary_->setObjectName(QStringLiteral("dataSummary"));
  summary_->setWordWrap(true);
  unreadable_ = new QListWidget;
  unreadable_->setObjectName(QStringLiteral("unreadableCases"));
  unreadable_->setMaximumHeight(120);

  useFraction_ = new QRadioButton(tr("Hold out a share of the cases (seeded)"));
  useFraction_->setChecked(!model_.data.useValidationFolder);
  validationFraction_ = new QDoubleSpinBox;
  validationFraction_->setObjectName(QStringLiteral("validationFraction"));
  validationFraction_->setRange(0.0, 0.9);
  validationFraction_->setSingleStep(0.05);
  validationFraction_->setValue(model_.data.validationFraction);
  useFolder_ = new QRadioButton(tr("A second folder"));
  useFolder_->setObjectName(QStringLiteral("useValidationFolder"));
  useFolder_->setChecked(model_.data.useValidationFolder);
  validationFolder_ = new QLineEdit(QString::fromStdString(model_.data.validationFolder));
  validationFolder_->setObjectName(QStringLiteral("validationFolder"));
  connect(validationFraction_, &QDoubleSpinBox::valueChanged, this,
          [this](double value) { model_.data.validationFraction = value; });
  connect(useFolder_, &QRadioButton::toggled, this, [this](bool checked) {
    model_.data.useValidationFolder = checked;
    emit completeChanged();
  });
  connect(validationFolder_, &QLineEdit::textChanged, this, [this](const QString& text) {
    model_.data.validationFolder = trimmedText(text);
    emit completeChanged();
  });

  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);
  folderRow->addWidget(synth);
  auto* validation = new QGroupBox(tr("Validation"));
  auto* validationForm = new QFormLayout(validation);
  validationForm->addRow(useFraction_, validationFraction_);
  validationForm->addRow(useFolder_, validationFolder_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(folderRow);
  layout->addWidget(summary_);
  layout->addWidget(new QLabel(tr("Cases left out (they cannot be read):")));
  layout->addWidget(unreadable_);
  layout->addWidget(validation);
  layout->addStretch(1);
}

bool WizardDataPage::isComplete() const {
  return model_.dataProblem().empty();
}

void WizardDataPage::surveyFolder(const QString& folder) {
  if (folder.isEmpty() || model_.surveying) return;
  folder_->setText(folder);
  model_.surveying = true;
  summary_->setText(tr("Reading the cases of %1…").arg(folder));
  unreadable_->clear();
  emit completeChanged();
  auto result = std::make_shared<DatasetSurvey>();
  // Reading every case is file I/O: off the UI thread. Nothing waits for it: a page closed
  // meanwhile leaves it to end and delete itself.
  QThread* worker =
      QThread::create([result, path = folder.toStdString()] { *result = surveyDataset(path); });
  connect(worker, &QThread::finished, worker, &QObject::deleteLater);
  connect(worker, &QThread::finished, this, [this, result] {
    model_.survey = *result;
    model_.surveying = false;
    showSurvey();
    emit surveyed();
  });
  worker->start();
}

void WizardDataPage::showSurvey() {
  const DatasetSurvey& survey = model_.survey;
  unreadable_->clear();
  if (!survey.error.empty()) {
    summary_->setText(QString::fromStdString(survey.error));
  } else {
    QStringList values;
    for (int value : survey.labelValues) values << QString::number(value);
    summary_->setText(
        tr("Layout: %1. Cases: %2, with labels: %3, usable for training: %4. Label values: %5.")
            .arg(QString::fromStdString(survey.layout))
            .arg(survey.cases)
            .arg(survey.labelled)
            .arg(survey.readable)
            .arg(values.isEmpty() ? tr("none") : values.join(QStringLiteral(", "))));
    for (const UnreadableCase& bad : survey.unreadable)
      unreadable_->addItem(QStringLiteral("%1: %2").arg(QString::fromStdString(bad.id),
                                                        QString::fromStdString(bad.reason)));
  }
  emit completeChanged();
}

void WizardDataPage::makeSyntheticDataset(const QString& folder, int cases) {
  if (synth_) return;
  synth_ = new JobProcess(this);
  summary_->setText(tr("Writing %1 synthetic cases into %2…").arg(cases).arg(folder));
  connect(synth_, &JobProcess::finished, this, [this, folder](int exitCode) {
    const QString errors = QString::fromUtf8(synth_->errorOutput()).trimmed();
    synth_->deleteLater();
    synth_ = nullptr;
    if (exitCode != 0) {
      summary_->setText(tr("seqseg synth failed: %1").arg(errors));
      return;
    }
    surveyFolder(folder);
  });
  SynthRequest request;
  request.out = folder.toStdString();
  request.cases = cases;
  request.size = "40";  // small cases: a dataset to try the wizard on, made in seconds
  request.seed = 1;
  QStringList arguments;
  for (const std::string& argument : synthArguments(request))
    arguments << QString::fromStdString(argument);
  synth_->start(seqsegProgram(executable_), arguments);
}

}  // namespace seqseg
