#include "ui/train_wizard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

#include "remote/cluster_profile.h"
#include "types/resource_paths.h"
#include "ui/training_charts.h"
#include "ui/training_run.h"

namespace seqseg {
namespace {

// A page whose Next/Finish button follows a predicate; refresh() re-asks it.
class CheckedPage : public QWizardPage {
 public:
  explicit CheckedPage(std::function<bool()> complete) : complete_(std::move(complete)) {}
  bool isComplete() const override { return complete_(); }
  void refresh() { emit completeChanged(); }

 private:
  std::function<bool()> complete_;
};

CheckedPage* checked(QWizardPage* page) {
  return static_cast<CheckedPage*>(page);
}

QComboBox* choices(const QStringList& values, const QString& objectName) {
  auto* box = new QComboBox;
  box->addItems(values);
  box->setObjectName(objectName);
  return box;
}

QSpinBox* spin(int low, int high, int value, const QString& objectName) {
  auto* box = new QSpinBox;
  box->setRange(low, high);
  box->setValue(value);
  box->setObjectName(objectName);
  return box;
}

QLabel* problemLabel(const QString& objectName) {
  auto* label = new QLabel;
  label->setObjectName(objectName);
  label->setWordWrap(true);
  label->setStyleSheet(QStringLiteral("color: #c03030"));
  return label;
}

QString duration(double seconds) {
  if (seconds < 0) return QStringLiteral("–");
  const long long s = std::llround(seconds);
  return s >= 3600 ? QStringLiteral("%1:%2:%3")
                         .arg(s / 3600)
                         .arg(s / 60 % 60, 2, 10, QChar('0'))
                         .arg(s % 60, 2, 10, QChar('0'))
                   : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

const char* const kCustomPreset = "custom";

}  // namespace

TrainWizard::TrainWizard(QWidget* parent) : QWizard(parent) {
  setObjectName(QStringLiteral("trainWizard"));
  setWindowTitle(tr("New model"));
  setWizardStyle(QWizard::ClassicStyle);
  setOption(QWizard::NoBackButtonOnLastPage);
  setOption(QWizard::NoCancelButtonOnLastPage);
  run_ = new TrainingRun(this);
  setPage(DataPageId, makeDataPage());
  setPage(ModelPageId, makeModelPage());
  setPage(ParallelPageId, makeParallelPage());
  setPage(TrainingPageId, makeTrainingPage());
  setPage(RunPageId, makeRunPage());
  setPage(FinishPageId, makeFinishPage());
  connect(run_, &TrainingRun::curvesChanged, this, &TrainWizard::showRun);
  connect(run_, &TrainingRun::ended, this, &TrainWizard::showRun);
  resize(1100, 760);
}

TrainWizard::~TrainWizard() {
  // A run keeps going without its window; the survey thread and helper processes do not.
  if (surveyThread_) {
    surveyThread_->disconnect(this);
    surveyThread_->wait();
    delete surveyThread_;
  }
  for (QProcess* process : {synth_, probe_})
    if (process) {
      process->disconnect(this);
      process->kill();
      process->waitForFinished(5000);
    }
}

void TrainWizard::setExecutable(const QString& path) {
  executable_ = path;
  run_->setExecutable(path);
}

// ---------------------------------------------------------------- Data

QWizardPage* TrainWizard::makeDataPage() {
  auto* page = new CheckedPage([this] {
    if (surveying_ || survey_.readable < 1) return false;
    if (useFolder_->isChecked()) return !validationFolder_->text().trimmed().isEmpty();
    return true;
  });
  page->setTitle(tr("Data"));
  page->setSubTitle(
      tr("A folder of cases with reference label maps, in any layout seqseg reads "
         "(BraTS 2021/2023, MSD Task01, nnU-Net)."));
  dataFolder_ = new QLineEdit;
  dataFolder_->setObjectName(QStringLiteral("dataFolder"));
  auto* browse = new QPushButton(tr("Browse…"));
  auto* synth = new QPushButton(tr("Make a synthetic dataset…"));
  synth->setObjectName(QStringLiteral("synthButton"));
  synth->setToolTip(
      tr("Write small BraTS-like cases with ground truth (seqseg synth) to try "
         "training first"));
  connect(dataFolder_, &QLineEdit::editingFinished, this,
          [this] { surveyFolder(dataFolder_->text().trimmed()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Dataset folder"));
    if (!folder.isEmpty()) surveyFolder(folder);
  });
  connect(synth, &QPushButton::clicked, this, [this] {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("An empty folder for the synthetic dataset"));
    if (!folder.isEmpty()) makeSyntheticDataset(folder);
  });
  dataSummary_ = new QLabel(tr("Choose a folder."));
  dataSummary_->setObjectName(QStringLiteral("dataSummary"));
  dataSummary_->setWordWrap(true);
  unreadable_ = new QListWidget;
  unreadable_->setObjectName(QStringLiteral("unreadableCases"));
  unreadable_->setMaximumHeight(120);

  useFraction_ = new QRadioButton(tr("Hold out a share of the cases (seeded)"));
  useFraction_->setChecked(true);
  validationFraction_ = new QDoubleSpinBox;
  validationFraction_->setObjectName(QStringLiteral("validationFraction"));
  validationFraction_->setRange(0.0, 0.9);
  validationFraction_->setSingleStep(0.05);
  validationFraction_->setValue(0.2);
  useFolder_ = new QRadioButton(tr("A second folder"));
  useFolder_->setObjectName(QStringLiteral("useValidationFolder"));
  validationFolder_ = new QLineEdit;
  validationFolder_->setObjectName(QStringLiteral("validationFolder"));
  connect(useFolder_, &QRadioButton::toggled, page, &CheckedPage::refresh);
  connect(validationFolder_, &QLineEdit::textChanged, page, &CheckedPage::refresh);

  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(dataFolder_, 1);
  folderRow->addWidget(browse);
  folderRow->addWidget(synth);
  auto* validation = new QGroupBox(tr("Validation"));
  auto* validationForm = new QFormLayout(validation);
  validationForm->addRow(useFraction_, validationFraction_);
  validationForm->addRow(useFolder_, validationFolder_);
  auto* layout = new QVBoxLayout(page);
  layout->addLayout(folderRow);
  layout->addWidget(dataSummary_);
  layout->addWidget(new QLabel(tr("Cases left out (they cannot be read):")));
  layout->addWidget(unreadable_);
  layout->addWidget(validation);
  layout->addStretch(1);
  return page;
}

void TrainWizard::surveyFolder(const QString& folder) {
  if (folder.isEmpty() || surveying_) return;
  dataFolder_->setText(folder);
  surveying_ = true;
  dataSummary_->setText(tr("Reading the cases of %1…").arg(folder));
  unreadable_->clear();
  checked(page(DataPageId))->refresh();
  auto result = std::make_shared<DatasetSurvey>();
  // Reading every case is file I/O: off the UI thread.
  QThread* worker =
      QThread::create([result, path = folder.toStdString()] { *result = surveyDataset(path); });
  connect(worker, &QThread::finished, this, [this, worker, result] {
    worker->deleteLater();
    survey_ = *result;
    surveying_ = false;
    showSurvey();
    emit dataSurveyed();
  });
  worker->start();
}

void TrainWizard::showSurvey() {
  unreadable_->clear();
  if (!survey_.error.empty()) {
    dataSummary_->setText(QString::fromStdString(survey_.error));
  } else {
    QStringList values;
    for (int value : survey_.labelValues) values << QString::number(value);
    dataSummary_->setText(
        tr("Layout: %1. Cases: %2, with labels: %3, usable for training: %4. Label values: %5.")
            .arg(QString::fromStdString(survey_.layout))
            .arg(survey_.cases)
            .arg(survey_.labelled)
            .arg(survey_.readable)
            .arg(values.isEmpty() ? tr("none") : values.join(QStringLiteral(", "))));
    for (const UnreadableCase& bad : survey_.unreadable)
      unreadable_->addItem(QStringLiteral("%1: %2").arg(QString::fromStdString(bad.id),
                                                        QString::fromStdString(bad.reason)));
  }
  checked(page(DataPageId))->refresh();
}

void TrainWizard::makeSyntheticDataset(const QString& folder, int cases) {
  if (synth_) return;
  synth_ = new QProcess(this);
  synth_->setProgram(run_->executable());
  synth_->setArguments({QStringLiteral("synth"), QStringLiteral("--out"), folder,
                        QStringLiteral("--cases"), QString::number(cases), QStringLiteral("--size"),
                        QStringLiteral("40"), QStringLiteral("--seed"), QStringLiteral("1")});
  dataSummary_->setText(tr("Writing %1 synthetic cases into %2…").arg(cases).arg(folder));
  connect(synth_, &QProcess::finished, this, [this, folder](int exitCode) {
    const QString errors = QString::fromUtf8(synth_->readAllStandardError()).trimmed();
    synth_->deleteLater();
    synth_ = nullptr;
    if (exitCode != 0) {
      dataSummary_->setText(tr("seqseg synth failed: %1").arg(errors));
      return;
    }
    surveyFolder(folder);
  });
  synth_->start();
}

// ---------------------------------------------------------------- Model

QWizardPage* TrainWizard::makeModelPage() {
  auto* page = new CheckedPage([this] {
    QString error;
    currentShape(&error);
    return error.isEmpty();
  });
  page->setTitle(tr("Model"));
  page->setSubTitle(
      tr("The ViT segmenter's shape. Tokens grow with the ROI over the patch "
         "size cubed; attention costs their square: that is where sequence "
         "parallelism helps."));
  QStringList presets;
  for (const QString& name : QDir(QString::fromStdString(presetsDir()))
                                 .entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
    presets << QFileInfo(name).completeBaseName();
  presets << QString::fromLatin1(kCustomPreset);
  preset_ = choices(presets, QStringLiteral("presetChoice"));
  preset_->setCurrentText(QStringLiteral("tiny"));
  roi_ = spin(8, 512, 32, QStringLiteral("roiSize"));
  patch_ = spin(1, 64, 4, QStringLiteral("patchSize"));
  embed_ = spin(8, 4096, 96, QStringLiteral("embedDim"));
  depth_ = spin(1, 48, 4, QStringLiteral("depth"));
  heads_ = spin(1, 64, 4, QStringLiteral("heads"));
  decoderChannels_ = new QLineEdit(QStringLiteral("64, 32, 16"));
  decoderChannels_->setObjectName(QStringLiteral("decoderChannels"));
  modelFacts_ = new QLabel;
  modelFacts_->setObjectName(QStringLiteral("modelFacts"));
  modelFacts_->setWordWrap(true);
  probeButton_ = new QPushButton(tr("Estimate memory and time"));
  probeButton_->setObjectName(QStringLiteral("probeButton"));
  probeResult_ = new QLabel(tr("A short seqseg-bench run measures them on this machine."));
  probeResult_->setObjectName(QStringLiteral("probeResult"));
  probeResult_->setWordWrap(true);
  connect(probeButton_, &QPushButton::clicked, this, &TrainWizard::runProbe);

  auto* custom = new QGroupBox(tr("Custom model"));
  auto* form = new QFormLayout(custom);
  form->addRow(tr("ROI (voxels per side)"), roi_);
  form->addRow(tr("Patch (voxels per side)"), patch_);
  form->addRow(tr("Embedding"), embed_);
  form->addRow(tr("Depth (blocks)"), depth_);
  form->addRow(tr("Heads"), heads_);
  form->addRow(tr("Decoder channels"), decoderChannels_);
  auto refresh = [this, page, custom] {
    custom->setEnabled(preset_->currentText() == kCustomPreset);
    updateModelFacts();
    page->refresh();
  };
  connect(preset_, &QComboBox::currentTextChanged, this, refresh);
  for (QSpinBox* box : {roi_, patch_, embed_, depth_, heads_})
    connect(box, &QSpinBox::valueChanged, this, refresh);
  connect(decoderChannels_, &QLineEdit::textChanged, this, refresh);
  auto* top = new QFormLayout;
  top->addRow(tr("Preset"), preset_);
  auto* layout = new QVBoxLayout(page);
  layout->addLayout(top);
  layout->addWidget(custom);
  layout->addWidget(modelFacts_);
  layout->addWidget(probeButton_, 0, Qt::AlignLeft);
  layout->addWidget(probeResult_);
  layout->addStretch(1);
  refresh();
  return page;
}

ModelShape TrainWizard::currentShape(QString* error) const {
  try {
    if (preset_->currentText() != kCustomPreset)
      return readModelShape(preset_->currentText().toStdString(), presetsDir());
    ModelShape shape;
    shape.roi = {roi_->value(), roi_->value(), roi_->value()};
    shape.patch = {patch_->value(), patch_->value(), patch_->value()};
    shape.embedDim = embed_->value();
    shape.depth = depth_->value();
    shape.numHeads = heads_->value();
    const int patch = patch_->value();
    if ((patch & (patch - 1)) != 0) throw std::invalid_argument("the patch must be a power of two");
    if (roi_->value() % patch != 0)
      throw std::invalid_argument("the ROI must be a multiple of the patch");
    if (embed_->value() % heads_->value() != 0)
      throw std::invalid_argument("the heads must divide the embedding");
    const int stages = static_cast<int>(std::log2(patch));
    if (decoderChannels_->text().split(',', Qt::SkipEmptyParts).size() != stages + 1)
      throw std::invalid_argument("the decoder needs " + std::to_string(stages + 1) +
                                  " channel counts (one more than log2 of the patch)");
    return shape;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return {};
  }
}

void TrainWizard::updateModelFacts() {
  QString error;
  const ModelShape shape = currentShape(&error);
  if (!error.isEmpty()) {
    modelFacts_->setText(QStringLiteral("<span style='color:#c03030'>%1</span>").arg(error));
    return;
  }
  const auto grid = shape.grid();
  modelFacts_->setText(
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
  if (isVisible()) updateParallelProblem();
}

QString TrainWizard::benchExecutable() const {
  const QFileInfo seqseg(run_->executable());
  for (const QString& candidate : {seqseg.dir().filePath(QStringLiteral("seqseg-bench")),
                                   seqseg.dir().filePath(QStringLiteral("../bench/seqseg-bench"))})
    if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).absoluteFilePath();
  return QStringLiteral("seqseg-bench");
}

void TrainWizard::runProbe() {
  if (probe_) return;
  QString error;
  if (!writeCustomConfig(error)) {
    probeResult_->setText(error);
    return;
  }
  probe_ = new QProcess(this);
  const int ranks = ranks_ ? ranks_->value() : 1;
  QStringList arguments{
      QStringLiteral("--config"), modelConfigArgument(),     QStringLiteral("--mode"),
      QStringLiteral("train"),    QStringLiteral("--steps"), QStringLiteral("2"),
      QStringLiteral("--warmup"), QStringLiteral("1"),       QStringLiteral("--json")};
  if (ranks > 1)
    arguments << QStringLiteral("--ranks") << QString::number(ranks) << QStringLiteral("--split")
              << split_->currentText() << QStringLiteral("--attention") << attention_->currentText()
              << QStringLiteral("--decoder") << decoder_->currentText();
  probeButton_->setEnabled(false);
  probeResult_->setText(tr("Measuring a few training steps…"));
  connect(probe_, &QProcess::finished, this, [this, ranks](int exitCode) {
    const QByteArray out = probe_->readAllStandardOutput();
    const QString errors = QString::fromUtf8(probe_->readAllStandardError()).trimmed();
    probe_->deleteLater();
    probe_ = nullptr;
    probeButton_->setEnabled(true);
    const QJsonObject result = QJsonDocument::fromJson(out).object();
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

// ---------------------------------------------------------------- Parallel

QWizardPage* TrainWizard::makeParallelPage() {
  auto* page = new CheckedPage([this] { return parallelProblem_->text().isEmpty(); });
  page->setTitle(tr("Parallel"));
  page->setSubTitle(
      tr("Ranks share every crop: each tokenises its part of the volume and "
         "attention spans all ranks' tokens."));
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
  ranks_ = spin(1, 1024, 1, QStringLiteral("trainRanks"));
  launcher_ = choices({"local", "mpirun", "srun"}, QStringLiteral("trainLauncher"));
  connect(runOn_, &QComboBox::currentIndexChanged, this, &TrainWizard::chooseRunOn);
  split_ = choices({"slab0", "slab1", "slab2", "blocks"}, QStringLiteral("trainSplit"));
  attention_ = choices({"allgather", "ring", "ulysses"}, QStringLiteral("trainAttention"));
  decoder_ = choices({"halo", "gather", "nogather"}, QStringLiteral("trainDecoder"));
  sharded_ = new QCheckBox(tr("Shard AdamW's state over the ranks"));
  sharded_->setChecked(true);
  sharded_->setEnabled(false);
  sharded_->setToolTip(tr("seqseg train always keeps 1/R of the optimiser state per rank"));
  parallelProblem_ = problemLabel(QStringLiteral("parallelProblem"));
  auto refresh = [this, page] {
    updateParallelProblem();
    page->refresh();
  };
  connect(ranks_, &QSpinBox::valueChanged, this, refresh);
  for (QComboBox* box : {launcher_, split_, attention_, decoder_})
    connect(box, &QComboBox::currentTextChanged, this, refresh);
  auto* form = new QFormLayout(page);
  form->addRow(tr("Run on"), runOn_);
  form->addRow(tr("Ranks"), ranks_);
  form->addRow(tr("Launcher"), launcher_);
  form->addRow(tr("Split"), split_);
  form->addRow(tr("Attention"), attention_);
  form->addRow(tr("Decoder"), decoder_);
  form->addRow(QString(), sharded_);
  form->addRow(parallelProblem_);
  return page;
}

void TrainWizard::chooseRunOn() {
  const bool remote = runOn_->currentIndex() > 0;
  if (remote) ranks_->setValue(std::max(1, runOn_->currentData().toInt()));
  ranks_->setEnabled(!remote);
  launcher_->setEnabled(!remote);
  ranks_->setToolTip(remote ? tr("The cluster profile's nodes × tasks per node (or its hosts)")
                            : QString());
}

void TrainWizard::updateParallelProblem() {
  if (!parallelProblem_) return;
  QString error;
  const ModelShape shape = currentShape(&error);
  parallelProblem_->setText(error.isEmpty() ? QString::fromStdString(parallelProblem(plan(), shape))
                                            : error);
  checked(page(ParallelPageId))->refresh();
}

// ---------------------------------------------------------------- Training

QWizardPage* TrainWizard::makeTrainingPage() {
  auto* page = new CheckedPage([this] { return trainingProblem_->text().isEmpty(); });
  page->setTitle(tr("Training"));
  // Next starts the run; there is no going back to change a run that has begun.
  page->setCommitPage(true);
  page->setButtonText(QWizard::CommitButton, tr("Start training"));
  page->setSubTitle(
      tr("AdamW with warm-up and cosine decay; soft Dice + cross-entropy; "
         "validation Dice per region after every epoch."));
  epochs_ = spin(1, 100000, 20, QStringLiteral("epochs"));
  stepsPerEpoch_ = spin(0, 1000000, 0, QStringLiteral("stepsPerEpoch"));
  stepsPerEpoch_->setSpecialValueText(tr("cases / batch"));
  batch_ = spin(1, 256, 2, QStringLiteral("batchSize"));
  learningRate_ = new QDoubleSpinBox;
  learningRate_->setObjectName(QStringLiteral("learningRate"));
  learningRate_->setDecimals(6);
  learningRate_->setRange(1e-6, 1.0);
  learningRate_->setSingleStep(1e-4);
  learningRate_->setValue(1e-3);
  medianSpacing_ = new QCheckBox(tr("the cases' median"));
  medianSpacing_->setObjectName(QStringLiteral("medianSpacing"));
  medianSpacing_->setChecked(true);
  auto* spacingRow = new QHBoxLayout;
  spacingRow->addWidget(medianSpacing_);
  for (QDoubleSpinBox*& box : spacing_) {
    box = new QDoubleSpinBox;
    box->setRange(0.1, 20);
    box->setValue(1.0);
    box->setSuffix(QStringLiteral(" mm"));
    box->setEnabled(false);
    spacingRow->addWidget(box);
    connect(medianSpacing_, &QCheckBox::toggled, box, &QWidget::setDisabled);
  }
  augment_ = new QCheckBox(tr("flips, intensity scale and shift"));
  augment_->setObjectName(QStringLiteral("augment"));
  augment_->setChecked(true);
  seed_ = spin(0, 1000000000, 0, QStringLiteral("seed"));
  threads_ = spin(0, 1024, 0, QStringLiteral("threads"));
  threads_->setSpecialValueText(tr("all cores"));
  outputFolder_ = new QLineEdit;
  outputFolder_->setObjectName(QStringLiteral("outputFolder"));
  auto* browse = new QPushButton(tr("Browse…"));
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Run folder"));
    if (!folder.isEmpty()) outputFolder_->setText(folder);
  });
  resume_ = new QCheckBox(tr("resume the run in this folder"));
  resume_->setObjectName(QStringLiteral("resumeRun"));
  modelName_ = new QLineEdit(tr("My model"));
  modelName_->setObjectName(QStringLiteral("modelName"));
  trainingProblem_ = problemLabel(QStringLiteral("trainingProblem"));
  auto refresh = [this, page] {
    updateTrainingProblem();
    page->refresh();
  };
  connect(outputFolder_, &QLineEdit::textChanged, this, refresh);
  connect(resume_, &QCheckBox::toggled, this, refresh);
  connect(modelName_, &QLineEdit::textChanged, this, refresh);

  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(outputFolder_, 1);
  folderRow->addWidget(browse);
  auto* form = new QFormLayout(page);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Steps per epoch"), stepsPerEpoch_);
  form->addRow(tr("Batch (crops per step)"), batch_);
  form->addRow(tr("Learning rate"), learningRate_);
  form->addRow(tr("Spacing"), spacingRow);
  form->addRow(tr("Augmentation"), augment_);
  form->addRow(tr("Seed"), seed_);
  form->addRow(tr("Threads per rank"), threads_);
  form->addRow(tr("Output folder"), folderRow);
  form->addRow(QString(), resume_);
  form->addRow(tr("Model name"), modelName_);
  form->addRow(trainingProblem_);
  refresh();
  return page;
}

void TrainWizard::updateTrainingProblem() {
  QString problem = QString::fromStdString(runFolderProblem(plan()));
  if (problem.isEmpty() && modelName_->text().trimmed().isEmpty())
    problem = tr("give the model a name");
  trainingProblem_->setText(problem);
}

QString TrainWizard::modelConfigArgument() const {
  if (preset_->currentText() != kCustomPreset) return preset_->currentText();
  // A custom model's config lives in the run folder (before there is one, for the probe, in a
  // file of this process in the temporary folder).
  if (outputFolder_ && !outputFolder_->text().trimmed().isEmpty())
    return QDir(outputFolder_->text().trimmed()).absoluteFilePath(QStringLiteral("model.json"));
  return QDir::temp().absoluteFilePath(
      QStringLiteral("seqseg-model-%1.json").arg(QCoreApplication::applicationPid()));
}

bool TrainWizard::writeCustomConfig(QString& error) const {
  if (preset_->currentText() != kCustomPreset) return true;
  currentShape(&error);
  if (!error.isEmpty()) return false;
  QJsonArray channels;
  for (const QString& text : decoderChannels_->text().split(',', Qt::SkipEmptyParts))
    channels.append(text.trimmed().toInt());
  const int roi = roi_->value(), patch = patch_->value();
  const QJsonObject config{{"in_channels", 4},
                           {"num_classes", 4},
                           {"roi", QJsonArray{roi, roi, roi}},
                           {"patch", QJsonArray{patch, patch, patch}},
                           {"embed_dim", embed_->value()},
                           {"depth", depth_->value()},
                           {"num_heads", heads_->value()},
                           {"mlp_ratio", 4.0},
                           {"qkv_bias", true},
                           {"decoder_channels", channels}};
  const QString path = modelConfigArgument();
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

TrainPlan TrainWizard::plan() const {
  TrainPlan plan;
  plan.data = dataFolder_->text().trimmed().toStdString();
  if (useFolder_->isChecked())
    plan.validationData = validationFolder_->text().trimmed().toStdString();
  plan.validationFraction = validationFraction_->value();
  plan.config = modelConfigArgument().toStdString();
  plan.ranks = ranks_->value();
  plan.launcher = launcher_->currentText().toStdString();
  plan.split = split_->currentText().toStdString();
  plan.attention = attention_->currentText().toStdString();
  plan.decoder = decoder_->currentText().toStdString();
  if (runOn_->currentIndex() > 0) plan.cluster = runOn_->currentText().toStdString();
  if (epochs_) {
    plan.epochs = epochs_->value();
    plan.stepsPerEpoch = stepsPerEpoch_->value();
    plan.batch = batch_->value();
    plan.learningRate = learningRate_->value();
    if (!medianSpacing_->isChecked())
      plan.spacing =
          std::array<double, 3>{spacing_[0]->value(), spacing_[1]->value(), spacing_[2]->value()};
    plan.augment = augment_->isChecked();
    plan.seed = static_cast<unsigned long long>(seed_->value());
    plan.threads = threads_->value();
    plan.runDir = outputFolder_->text().trimmed().toStdString();
    plan.resume = resume_->isChecked();
  }
  return plan;
}

// ---------------------------------------------------------------- Run

QWizardPage* TrainWizard::makeRunPage() {
  auto* page = new CheckedPage([this] { return run_->curves().doneStatus == "ok"; });
  page->setTitle(tr("Run"));
  page->setSubTitle(
      tr("Training runs in a process of its own: closing this window leaves it "
         "running, and Train → Open run… shows it again."));
  charts_ = new TrainingCharts;
  runFacts_ = new QLabel;
  runFacts_->setObjectName(QStringLiteral("runFacts"));
  runFacts_->setWordWrap(true);
  log_ = new QPlainTextEdit;
  log_->setObjectName(QStringLiteral("runLog"));
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(200);
  log_->setMaximumHeight(110);
  pause_ = new QPushButton(tr("Pause"));
  pause_->setObjectName(QStringLiteral("pauseButton"));
  resumeButton_ = new QPushButton(tr("Resume"));
  resumeButton_->setObjectName(QStringLiteral("resumeButton"));
  resumeButton_->setToolTip(tr("Continue from last.pt on the same curve"));
  cancel_ = new QPushButton(tr("Cancel run"));
  cancel_->setObjectName(QStringLiteral("cancelRunButton"));
  cancel_->setToolTip(tr("End every rank; last.pt (the last epoch) stays"));
  connect(pause_, &QPushButton::clicked, this, &TrainWizard::pauseRun);
  connect(resumeButton_, &QPushButton::clicked, this, &TrainWizard::resumeRun);
  connect(cancel_, &QPushButton::clicked, this, &TrainWizard::cancelRun);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(pause_);
  buttons->addWidget(resumeButton_);
  buttons->addWidget(cancel_);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(page);
  layout->addWidget(charts_, 1);
  layout->addWidget(runFacts_);
  layout->addLayout(buttons);
  layout->addWidget(log_);
  return page;
}

void TrainWizard::showRun() {
  const TrainingCurves& curves = run_->curves();
  charts_->show(curves);
  const bool running = run_->running();
  QString state = running ? tr("running") : QString::fromStdString(curves.doneStatus);
  if (state.isEmpty()) state = tr("stopped");
  QString facts = tr("State: %1.").arg(state);
  if (!curves.steps.empty()) {
    const StepPoint& last = curves.steps.back();
    facts += tr("  Step %1 of %2, loss %3, learning rate %4, %5 tokens/s, elapsed %6, ETA %7.")
                 .arg(last.step)
                 .arg(curves.totalSteps)
                 .arg(last.loss, 0, 'f', 4)
                 .arg(last.learningRate, 0, 'g', 3)
                 .arg(last.tokensPerSecond, 0, 'f', 0)
                 .arg(duration(last.elapsedSeconds))
                 .arg(running ? duration(curves.etaSeconds) : QStringLiteral("–"));
  }
  if (!curves.validations.empty()) {
    const ValidationPoint& v = curves.validations.back();
    facts += tr("  Validation Dice WT %1, TC %2, ET %3.")
                 .arg(v.wt, 0, 'f', 3)
                 .arg(v.tc, 0, 'f', 3)
                 .arg(v.et, 0, 'f', 3);
  }
  runFacts_->setText(facts);
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
  const bool remote = !run_->plan().cluster.empty();
  pause_->setEnabled(running && !remote);
  pause_->setToolTip(remote ? tr("A run on a cluster cannot pause; Cancel keeps last.pt there")
                            : tr("Checkpoint after the current step (last.pt) and stop"));
  cancel_->setEnabled(running);
  resumeButton_->setEnabled(!running && curves.doneStatus != "ok" &&
                            QFileInfo::exists(run_->runDir() + QStringLiteral("/last.pt")));
  checked(page(RunPageId))->refresh();
}

void TrainWizard::pauseRun() {
  run_->pause();
  pause_->setEnabled(false);
  log_->appendPlainText(tr("Pausing after the current step…"));
}

void TrainWizard::resumeRun() {
  if (!run_->resume()) QMessageBox::warning(this, tr("Resume"), run_->errorString());
  showRun();
}

void TrainWizard::cancelRun() {
  run_->cancel();
  cancel_->setEnabled(false);
}

bool TrainWizard::openRun(const QString& runDir, bool quiet, const QString& remoteJob) {
  if (!(remoteJob.isEmpty() ? run_->attach(runDir) : run_->attachRemote(remoteJob, runDir))) {
    if (!quiet) QMessageBox::warning(this, tr("Open run"), run_->errorString());
    return false;
  }
  attached_ = true;
  setWindowTitle(tr("Training run — %1").arg(runDir));
  // The model's name for Finish: the folder's, unless the person changes it.
  modelName_->setText(QFileInfo(runDir).fileName());
  setStartId(RunPageId);
  restart();
  showRun();
  return true;
}

bool TrainWizard::startRun(const TrainPlan& plan) {
  if (!run_->start(plan)) return false;
  attached_ = true;
  setStartId(RunPageId);
  restart();
  showRun();
  return true;
}

// ---------------------------------------------------------------- Finish

QWizardPage* TrainWizard::makeFinishPage() {
  auto* page = new QWizardPage;
  page->setTitle(tr("Finish"));
  finishSummary_ = new QLabel;
  finishSummary_->setObjectName(QStringLiteral("finishSummary"));
  finishSummary_->setWordWrap(true);
  auto* layout = new QVBoxLayout(page);
  layout->addWidget(finishSummary_);
  layout->addStretch(1);
  return page;
}

ModelEntry TrainWizard::trainedModel() const {
  const TrainPlan& plan = run_->plan();
  const TrainingCurves& curves = run_->curves();
  double best = -1;
  for (const ValidationPoint& v : curves.validations) best = std::max(best, v.mean);
  QJsonObject card{{"data", QString::fromStdString(plan.data)},
                   {"preset", QFileInfo(QString::fromStdString(plan.config)).completeBaseName()},
                   {"steps", curves.steps.empty() ? 0 : curves.steps.back().step},
                   {"run_dir", run_->runDir()}};
  if (best >= 0) card["best_dice"] = best;
  return {modelName_->text().trimmed(), QDir(run_->runDir()).absoluteFilePath("best.pt"),
          QStringLiteral("trained"), card};
}

void TrainWizard::initializePage(int id) {
  QWizard::initializePage(id);
  if (id == ParallelPageId) updateParallelProblem();
  if (id == TrainingPageId) updateTrainingProblem();
  if (id == RunPageId && !attached_ && !run_->running()) {
    QString error;
    TrainPlan plan = this->plan();
    if (!writeCustomConfig(error) || !run_->start(plan)) {
      if (error.isEmpty()) error = run_->errorString();
      log_->appendPlainText(tr("Could not start: %1").arg(error));
    }
    showRun();
  }
  if (id == FinishPageId) {
    const ModelEntry entry = trainedModel();
    finishSummary_->setText(tr("Finish puts the best checkpoint in the Segment panel's model "
                               "list as “%1”.\n\n%2")
                                .arg(entry.name, ModelRegistry::describe(entry)));
  }
}

bool TrainWizard::validateCurrentPage() {
  if (currentId() == TrainingPageId) {
    updateTrainingProblem();
    if (!trainingProblem_->text().isEmpty()) return false;
  }
  return QWizard::validateCurrentPage();
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
