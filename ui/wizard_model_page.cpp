#include "ui/wizard_model_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/job_process.h"
#include "ui/wizard_fields.h"

namespace seqseg {

WizardModelPage::WizardModelPage(TrainWizardModel& model, QWidget* parent)
    : QWizardPage(parent), model_(model) {
  setTitle(tr("Model"));
  setSubTitle(
      tr("The ViT segmenter's shape. Tokens grow with the ROI over the patch "
         "size cubed; attention costs their square: that is where sequence "
         "parallelism helps."));
  QStringList presets;
  for (const QString& name : QDir(QString::fromStdString(model_.presetsDir()))
                                 .entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
    presets << QFileInfo(name).completeBaseName();
  presets << QString::fromLatin1(kCustomPreset);
  const WizardModelChoices& choices = model_.model;
  startFrom_ = new QComboBox;
  startFrom_->setObjectName(QStringLiteral("startFrom"));
  startFrom_->addItem(tr("Random weights (a new model)"), QString());
  startFrom_->setToolTip(
      tr("A model of the list: fine-tune it (its shape and spacing are kept; "
         "the optimiser starts afresh)"));
  freezeEncoder_ = new QCheckBox(tr("freeze the encoder (train the decoder only)"));
  freezeEncoder_->setObjectName(QStringLiteral("freezeEncoder"));
  freezeEncoder_->setEnabled(false);
  connect(startFrom_, &QComboBox::currentIndexChanged, this, &WizardModelPage::readFields);
  connect(freezeEncoder_, &QCheckBox::toggled, this, &WizardModelPage::readFields);
  preset_ = choiceBox(presets, QStringLiteral("presetChoice"));
  preset_->setCurrentText(QString::fromStdString(choices.preset));
  roi_ = spinBox(8, 512, choices.roi, QStringLiteral("roiSize"));
  patch_ = spinBox(1, 64, choices.patch, QStringLiteral("patchSize"));
  embed_ = spinBox(8, 4096, choices.embedDim, QStringLiteral("embedDim"));
  depth_ = spinBox(1, 48, choices.depth, QStringLiteral("depth"));
  heads_ = spinBox(1, 64, choices.heads, QStringLiteral("heads"));
  decoderChannels_ = new QLineEdit(QString::fromStdString(choices.decoderChannels));
  decoderChannels_->setObjectName(QStringLiteral("decoderChannels"));
  facts_ = new QLabel;
  facts_->setObjectName(QStringLiteral("modelFacts"));
  facts_->setWordWrap(true);
  probeButton_ = new QPushButton(tr("Estimate memory and time"));
  probeButton_->setObjectName(QStringLiteral("probeButton"));
  probeResult_ = new QLabel(tr("A short seqseg-bench run measures them on this machine."));
  probeResult_->setObjectName(QStringLiteral("probeResult"));
  probeResult_->setWordWrap(true);
  connect(probeButton_, &QPushButton::clicked, this, &WizardModelPage::runProbe);

  custom_ = new QGroupBox(tr("Custom model"));
  auto* form = new QFormLayout(custom_);
  form->addRow(tr("ROI (voxels per side)"), roi_);
  form->addRow(tr("Patch (voxels per side)"), patch_);
  form->addRow(tr("Embedding"), embed_);
  form->addRow(tr("Depth (blocks)"), depth_);
  form->addRow(tr("Heads"), heads_);
  form->addRow(tr("Decoder channels"), decoderChannels_);
  connect(preset_, &QComboBox::currentTextChanged, this, &WizardModelPage::readFields);
  for (QSpinBox* box : {roi_, patch_, embed_, depth_, heads_})
    connect(box, &QSpinBox::valueChanged, this, &WizardModelPage::readFields);
  connect(decoderChannels_, &QLineEdit::textChanged, this, &WizardModelPage::readFields);
  auto* top = new QFormLayout;
  top->addRow(tr("Start from"), startFrom_);
  top->addRow(QString(), freezeEncoder_);
  top->addRow(tr("Preset"), preset_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(custom_);
  layout->addWidget(facts_);
  layout->addWidget(probeButton_, 0, Qt::AlignLeft);
  layout->addWidget(probeResult_);
  layout->addStretch(1);
  readFields();
}

void WizardModelPage::setKnownModels(const QVector<QPair<QString, QString>>& models) {
  const QString chosen = startFrom_->currentData().toString();
  QSignalBlocker quiet(startFrom_);
  while (startFrom_->count() > 1) startFrom_->removeItem(1);
  for (const auto& [name, path] : models) startFrom_->addItem(name, path);
  const int index = startFrom_->findData(chosen);
  startFrom_->setCurrentIndex(index < 0 ? 0 : index);
}

void WizardModelPage::startFrom(const QString& checkpoint, const QString& name) {
  int index = checkpoint.isEmpty() ? 0 : startFrom_->findData(checkpoint);
  if (index < 0) {
    startFrom_->addItem(name, checkpoint);
    index = startFrom_->count() - 1;
  }
  startFrom_->setCurrentIndex(index);
  readFields();
}

void WizardModelPage::readFields() {
  WizardModelChoices& choices = model_.model;
  const std::string start = startFrom_->currentData().toString().toStdString();
  if (start != choices.startModel) {
    choices.startModel = start;
    choices.startModelName = startFrom_->currentText().toStdString();
    choices.start.reset();
    choices.startModelError.clear();
    if (!start.empty()) {
      model_.useFineTuningDefaults();
      readStartModel();
    }
  }
  freezeEncoder_->setEnabled(model_.fineTuning());
  choices.freezeEncoder = freezeEncoder_->isChecked();
  preset_->setEnabled(!model_.fineTuning());
  choices.preset = preset_->currentText().toStdString();
  choices.roi = roi_->value();
  choices.patch = patch_->value();
  choices.embedDim = embed_->value();
  choices.depth = depth_->value();
  choices.heads = heads_->value();
  // Not trimmed: a blank entry counts as one of the channel counts, which the check refuses.
  choices.decoderChannels = decoderChannels_->text().toStdString();
  custom_->setEnabled(model_.customModel());
  showFacts();
  emit completeChanged();
  emit shapeChanged();
}

bool WizardModelPage::isComplete() const {
  return model_.modelProblem().empty();
}

void WizardModelPage::showFacts() {
  ModelShape shape;
  try {
    shape = model_.shape();
  } catch (const std::exception& error) {
    facts_->setText(QStringLiteral("<span style='color:#c03030'>%1</span>")
                        .arg(QString::fromUtf8(error.what())));
    return;
  }
  const auto grid = shape.grid();
  const QString start = model_.fineTuning()
                            ? tr("Fine-tuning %1 (best validation Dice %2). ")
                                  .arg(QString::fromStdString(model_.model.startModelName))
                                  .arg(model_.model.start && model_.model.start->bestDice >= 0
                                           ? QString::number(model_.model.start->bestDice, 'f', 3)
                                           : tr("unknown"))
                            : QString();
  facts_->setText(start +
                  tr("ROI %1×%2×%3 voxels, patch %4×%5×%6: a %7×%8×%9 grid, %10 tokens per window; "
                     "embedding %11, %12 blocks, %13 heads.")
                      .arg(shape.roi[0])
                      .arg(shape.roi[1])
                      .arg(shape.roi[2])
                      .arg(shape.patch[0])
                      .arg(shape.patch[1])
                      .arg(shape.patch[2])
                      .arg(grid[0])
                      .arg(grid[1])
                      .arg(grid[2])
                      .arg(shape.tokens())
                      .arg(shape.embedDim)
                      .arg(shape.depth)
                      .arg(shape.numHeads));
}

bool WizardModelPage::writeCustomConfig(QString& error) const {
  if (!model_.customModel()) return true;
  error = QString::fromStdString(model_.modelProblem());
  if (!error.isEmpty()) return false;
  const WizardModelChoices& choices = model_.model;
  QJsonArray channels;
  for (const QString& text :
       QString::fromStdString(choices.decoderChannels).split(',', Qt::SkipEmptyParts))
    channels.append(text.trimmed().toInt());
  const QJsonObject config{{"in_channels", 4},
                           {"num_classes", 4},
                           {"roi", QJsonArray{choices.roi, choices.roi, choices.roi}},
                           {"patch", QJsonArray{choices.patch, choices.patch, choices.patch}},
                           {"embed_dim", choices.embedDim},
                           {"depth", choices.depth},
                           {"num_heads", choices.heads},
                           {"mlp_ratio", 4.0},
                           {"qkv_bias", true},
                           {"decoder_channels", channels}};
  const QString path = QString::fromStdString(model_.configArgument());
  QDir().mkpath(QFileInfo(path).path());
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    error = tr("cannot write %1").arg(path);
    return false;
  }
  file.write(QJsonDocument(config).toJson());
  if (!file.commit()) {
    error = tr("cannot write %1").arg(path);
    return false;
  }
  return true;
}

void WizardModelPage::readStartModel() {
  if (startReader_) {
    startReader_->disconnect(this);
    startReader_->deleteLater();
  }
  model_.model.readingStartModel = true;
  startInfo_.clear();
  startReader_ = new JobProcess(this);
  const std::string path = model_.model.startModel;
  connect(startReader_, &JobProcess::lineRead, this,
          [this](const QByteArray& line) { startInfo_ += line; });
  connect(startReader_, &JobProcess::finished, this, [this, path](int exitCode) {
    const QString errors = startReader_->lastErrorLine();
    startReader_->deleteLater();
    startReader_ = nullptr;
    WizardModelChoices& choices = model_.model;
    if (choices.startModel != path) return;  // another one was chosen meanwhile
    choices.readingStartModel = false;
    try {
      if (exitCode != 0) throw std::invalid_argument(errors.toStdString());
      choices.start = readStartModelFacts(startInfo_.toStdString());
      // The estimate measures the start model's shape through a config file of its own.
      QSaveFile config(QString::fromStdString(model_.scratchConfigPath()));
      if (config.open(QIODevice::WriteOnly)) {
        config.write(QByteArray::fromStdString(choices.start->configJson));
        config.commit();
      }
    } catch (const std::exception& error) {
      choices.startModelError = "cannot read the start model: " + std::string(error.what());
    }
    showFacts();
    emit completeChanged();
    emit shapeChanged();
  });
  connect(startReader_, &JobProcess::failedToStart, this, [this](const QString& reason) {
    model_.model.readingStartModel = false;
    model_.model.startModelError = "cannot read the start model: " + reason.toStdString();
    showFacts();
    emit completeChanged();
  });
  startReader_->start(seqsegProgram(executable_), {QStringLiteral("info"), QStringLiteral("--json"),
                                                   QString::fromStdString(path)});
}

QString WizardModelPage::benchExecutable() const {
  const QFileInfo seqseg(seqsegProgram(executable_));
  for (const QString& candidate : {seqseg.dir().filePath(QStringLiteral("seqseg-bench")),
                                   seqseg.dir().filePath(QStringLiteral("../bench/seqseg-bench"))})
    if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).absoluteFilePath();
  return QStringLiteral("seqseg-bench");
}

void WizardModelPage::runProbe() {
  if (probe_) return;
  QString error;
  if (!writeCustomConfig(error)) {
    probeResult_->setText(error);
    return;
  }
  QStringList arguments;
  for (const std::string& argument : model_.probeArguments())
    arguments << QString::fromStdString(argument);
  const int ranks = model_.parallel.ranks;
  probe_ = new JobProcess(this);
  probeOutput_.clear();
  probeButton_->setEnabled(false);
  probeResult_->setText(tr("Measuring a few training steps…"));
  connect(probe_, &JobProcess::lineRead, this,
          [this](const QByteArray& line) { probeOutput_ += line + '\n'; });
  connect(probe_, &JobProcess::finished, this, [this, ranks](int exitCode) {
    const QString errors = QString::fromUtf8(probe_->errorOutput()).trimmed();
    probe_->deleteLater();
    probe_ = nullptr;
    probeButton_->setEnabled(true);
    const QJsonObject result = QJsonDocument::fromJson(probeOutput_).object();
    if (exitCode != 0 || result.isEmpty()) {
      probeResult_->setText(tr("The estimate failed: %1").arg(errors.section('\n', -1)));
      return;
    }
    probeResult_->setText(
        tr("%1 parameters; about %2 MiB per rank and %3 s per step (batch 1, %4 rank(s), "
           "measured by seqseg-bench on this machine).")
            .arg(QLocale().toString(result["parameters"].toInteger()))
            .arg(result["peak_rss_mib"].toDouble(), 0, 'f', 0)
            .arg(result["step_time_s_median"].toDouble(), 0, 'f', 3)
            .arg(ranks));
  });
  probe_->start(benchExecutable(), arguments);
}

}  // namespace seqseg
