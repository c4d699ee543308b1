#include "ui/wizard_model_page.h"

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

void WizardModelPage::readFields() {
  WizardModelChoices& choices = model_.model;
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
  facts_->setText(tr("ROI %1×%2×%3 voxels, patch %4×%5×%6: a %7×%8×%9 grid, %10 tokens per window; "
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
