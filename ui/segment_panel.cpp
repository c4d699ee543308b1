#include "ui/segment_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <QVBoxLayout>

#include <cmath>

#include "remote/cluster_profile.h"
#include "ui/segmentation_job.h"

namespace seqseg {
namespace {

QComboBox* choices(const QStringList& values, const QString& objectName) {
  auto* box = new QComboBox;
  box->addItems(values);
  box->setObjectName(objectName);
  return box;
}

constexpr int kBundledModel = 0;
constexpr int kChooseModel = 1;  // the entry that opens a file dialog; chosen files follow

}  // namespace

SegmentPanel::SegmentPanel(SessionModel& session, SegmentationJob& job, QWidget* parent)
    : QWidget(parent), session_(session), job_(job) {
  model_ = new QComboBox;
  model_->setObjectName(QStringLiteral("modelChoice"));
  model_->addItem(tr("Bundled model"));
  model_->addItem(tr("Choose a model file…"));
  model_->setToolTip(tr("The model checkpoint (.pt) to segment with"));
  connect(model_, &QComboBox::activated, this, &SegmentPanel::chooseModel);

  runOn_ = new QComboBox;
  runOn_->setObjectName(QStringLiteral("runOnChoice"));
  refreshClusters();

  ranks_ = new QSpinBox;
  ranks_->setObjectName(QStringLiteral("ranksChoice"));
  ranks_->setRange(1, std::max(1, QThread::idealThreadCount()));
  ranks_->setValue(1);
  ranks_->setToolTip(tr("Worker processes that share the volume (sequence parallelism)"));

  device_ =
      choices({QStringLiteral("cpu"), QStringLiteral("cuda")}, QStringLiteral("deviceChoice"));
#ifndef SEQSEG_WITH_CUDA
  // This build's LibTorch has no CUDA: list it, but it cannot be chosen.
  if (auto* items = qobject_cast<QStandardItemModel*>(device_->model())) {
    items->item(1)->setEnabled(false);
    items->item(1)->setToolTip(tr("This build of seqseg has no CUDA support"));
  }
#endif
  split_ = choices({"slab0", "slab1", "slab2", "blocks"}, QStringLiteral("splitChoice"));
  attention_ = choices({"allgather", "ring", "ulysses"}, QStringLiteral("attentionChoice"));
  decoder_ = choices({"halo", "gather", "nogather"}, QStringLiteral("decoderChoice"));
  split_->setToolTip(tr("How the volume is cut between the ranks"));
  attention_->setToolTip(tr("How attention reaches the other ranks' tokens"));
  decoder_->setToolTip(tr("How the decoder sees across the ranks' borders"));

  segment_ = new QPushButton(tr("Segment"));
  segment_->setObjectName(QStringLiteral("segmentButton"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName(QStringLiteral("cancelButton"));
  connect(segment_, &QPushButton::clicked, this, &SegmentPanel::segment);
  connect(cancel_, &QPushButton::clicked, this, &SegmentPanel::cancel);

  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("segmentProgress"));
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  message_ = new QLabel;
  message_->setObjectName(QStringLiteral("segmentMessage"));
  message_->setWordWrap(true);

  auto* form = new QFormLayout;
  form->addRow(tr("Model"), model_);
  form->addRow(tr("Run on"), runOn_);
  form->addRow(tr("Ranks"), ranks_);
  form->addRow(tr("Device"), device_);
  form->addRow(tr("Split"), split_);
  form->addRow(tr("Attention"), attention_);
  form->addRow(tr("Decoder"), decoder_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(segment_);
  buttons->addWidget(cancel_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(message_);
  layout->addStretch(1);

  session_.addListener(this);
  updateControls();
}

SegmentPanel::~SegmentPanel() {
  session_.removeListener(this);
}

SegmentSettings SegmentPanel::settings() const {
  SegmentSettings settings;
  if (model_->currentIndex() > kChooseModel)
    settings.model = model_->currentData().toString().toStdString();
  settings.ranks = ranks_->value();
  settings.device = device_->currentText().toStdString();
  settings.split = split_->currentText().toStdString();
  settings.attention = attention_->currentText().toStdString();
  settings.decoder = decoder_->currentText().toStdString();
  if (runOn_->currentIndex() > 0) settings.cluster = runOn_->currentText().toStdString();
  return settings;
}

void SegmentPanel::setModelPath(const QString& path) {
  if (path.isEmpty()) {
    model_->setCurrentIndex(kBundledModel);
    return;
  }
  int index = model_->findData(path);
  if (index < 0) {
    model_->addItem(QFileInfo(path).fileName(), path);
    index = model_->count() - 1;
    model_->setItemData(index, path, Qt::ToolTipRole);
  }
  model_->setCurrentIndex(index);
}

void SegmentPanel::setKnownModels(const QVector<QPair<QString, QString>>& models) {
  constexpr int kKnownRole = Qt::UserRole + 1;
  const QString chosen =
      model_->currentIndex() > kChooseModel ? model_->currentData().toString() : QString();
  for (int index = model_->count() - 1; index > kChooseModel; --index)
    if (model_->itemData(index, kKnownRole).toBool()) model_->removeItem(index);
  int at = kChooseModel + 1;
  for (const auto& [name, path] : models) {
    model_->insertItem(at, name, path);
    model_->setItemData(at, path, Qt::ToolTipRole);
    model_->setItemData(at, true, kKnownRole);
    ++at;
  }
  const int index = chosen.isEmpty() ? -1 : model_->findData(chosen);
  model_->setCurrentIndex(index >= 0 ? index : kBundledModel);
}

void SegmentPanel::refreshClusters() {
  const QString chosen = runOn_->currentIndex() > 0 ? runOn_->currentText() : QString();
  runOn_->clear();
  runOn_->addItem(tr("This computer"));
  try {
    for (const ClusterProfile& profile : loadClusterProfiles(clustersFilePath()))
      runOn_->addItem(QString::fromStdString(profile.name));
    runOn_->setToolTip(
        tr("Where the job runs: here, or as a remote job on a cluster profile "
           "(its ranks come from the profile)"));
  } catch (const std::exception& error) {
    runOn_->setToolTip(QString::fromStdString(error.what()));
  }
  const int index = chosen.isEmpty() ? -1 : runOn_->findText(chosen);
  runOn_->setCurrentIndex(index > 0 ? index : 0);
}

void SegmentPanel::chooseModel(int index) {
  if (index != kChooseModel) return;
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose a model"), QString(),
                                                    tr("Model checkpoints (*.pt);;All files (*)"));
  setModelPath(file);  // cancelled: back to the bundled model
}

void SegmentPanel::segment() {
  job_.start(settings());
}

void SegmentPanel::cancel() {
  job_.cancel();
}

void SegmentPanel::updateControls() {
  const JobStatus& job = session_.job();
  const bool active = session_.jobActive();
  segment_->setEnabled(session_.hasCase() && !active);
  cancel_->setEnabled(job.state == JobState::Running);
  for (QWidget* choice :
       {static_cast<QWidget*>(model_), static_cast<QWidget*>(runOn_), static_cast<QWidget*>(ranks_),
        static_cast<QWidget*>(device_), static_cast<QWidget*>(split_),
        static_cast<QWidget*>(attention_), static_cast<QWidget*>(decoder_)})
    choice->setEnabled(!active);
  progress_->setValue(static_cast<int>(std::lround(job.fraction * progress_->maximum())));
  switch (job.state) {
    case JobState::Idle:
      message_->setText(session_.hasCase() ? tr("Ready.") : tr("Open a case to segment it."));
      break;
    case JobState::Failed:
      message_->setText(tr("Failed: %1").arg(QString::fromStdString(job.message)));
      break;
    case JobState::Done:
      message_->setText(tr("Done. %1").arg(QString::fromStdString(job.message)));
      break;
    default:
      message_->setText(QString::fromStdString(job.message));
      if (!job.remoteJobId.empty() && job.state == JobState::Running)
        message_->setText(message_->text() +
                          tr("\nClosing the window leaves it running: Jobs → Remote jobs "
                             "attaches to it again."));
  }
}

}  // namespace seqseg
