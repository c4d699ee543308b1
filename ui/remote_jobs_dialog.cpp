#include "ui/remote_jobs_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

#include "remote/job_record.h"
#include "ui/job_process.h"
#include "ui/remote_segment_folder.h"

namespace seqseg {
namespace {

enum Column { IdColumn, ClusterColumn, KindColumn, StateColumn, ProgressColumn, StartedColumn };

}  // namespace

RemoteJobsDialog::RemoteJobsDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Remote jobs"));
  resize(760, 360);
  table_ = new QTableWidget(0, 6);
  table_->setObjectName(QStringLiteral("remoteJobsTable"));
  table_->setHorizontalHeaderLabels(
      {tr("Job"), tr("Cluster"), tr("Kind"), tr("State"), tr("Progress"), tr("Started")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  connect(table_, &QTableWidget::itemSelectionChanged, this, &RemoteJobsDialog::updateButtons);
  connect(table_, &QTableWidget::cellDoubleClicked, this, &RemoteJobsDialog::attachJob);

  attach_ = new QPushButton(tr("Attach"));
  attach_->setObjectName(QStringLiteral("attachJobButton"));
  attach_->setToolTip(tr("Follow the job again: progress, Cancel and its result"));
  cancel_ = new QPushButton(tr("Cancel job"));
  cancel_->setObjectName(QStringLiteral("cancelJobButton"));
  cancel_->setToolTip(tr("End the job on its cluster and remove its remote folder"));
  auto* refreshButton = new QPushButton(tr("Refresh"));
  refreshButton->setObjectName(QStringLiteral("refreshJobsButton"));
  connect(attach_, &QPushButton::clicked, this, &RemoteJobsDialog::attachJob);
  connect(cancel_, &QPushButton::clicked, this, &RemoteJobsDialog::cancelJob);
  connect(refreshButton, &QPushButton::clicked, this, &RemoteJobsDialog::refresh);
  message_ = new QLabel;
  message_->setObjectName(QStringLiteral("remoteJobsMessage"));
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(attach_);
  buttons->addWidget(cancel_);
  buttons->addWidget(refreshButton);
  buttons->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_, 1);
  layout->addLayout(buttons);
  layout->addWidget(message_);
  layout->addWidget(close);
  refresh();
}

void RemoteJobsDialog::refresh() {
  const QString selected = selectedId();
  std::vector<JobRecord> records;
  try {
    records = listJobRecords();
  } catch (const std::exception& error) {
    message_->setText(QString::fromStdString(error.what()));
  }
  table_->setRowCount(static_cast<int>(records.size()));
  for (int row = 0; row < static_cast<int>(records.size()); ++row) {
    const JobRecord& record = records[static_cast<size_t>(row)];
    const QString values[] = {QString::fromStdString(record.id),
                              QString::fromStdString(record.cluster),
                              QString::fromStdString(record.kind),
                              QString::fromStdString(recordStateSpelling(record.state)),
                              QString::fromStdString(record.progress),
                              QString::fromStdString(record.created)};
    for (int column = IdColumn; column <= StartedColumn; ++column)
      table_->setItem(row, column, new QTableWidgetItem(values[column]));
  }
  if (records.empty()) message_->setText(tr("No remote jobs were started from this computer."));
  table_->resizeColumnsToContents();
  selectJob(selected);
  updateButtons();
}

void RemoteJobsDialog::selectJob(const QString& id) {
  for (int row = 0; row < table_->rowCount(); ++row)
    if (table_->item(row, IdColumn)->text() == id) {
      table_->selectRow(row);
      return;
    }
}

QString RemoteJobsDialog::selectedId() const {
  const QList<QTableWidgetItem*> items = table_->selectedItems();
  return items.isEmpty() ? QString() : table_->item(items.front()->row(), IdColumn)->text();
}

void RemoteJobsDialog::updateButtons() {
  const QList<QTableWidgetItem*> items = table_->selectedItems();
  const bool running =
      !items.isEmpty() && table_->item(items.front()->row(), StateColumn)->text() == "running";
  attach_->setEnabled(running);
  cancel_->setEnabled(running && !canceller_);
}

void RemoteJobsDialog::attachJob() {
  const QString id = selectedId();
  if (id.isEmpty()) return;
  JobRecord record;
  try {
    record = loadJobRecord(id.toStdString());
  } catch (const std::exception& error) {
    message_->setText(QString::fromStdString(error.what()));
    return;
  }
  if (record.state != JobState::Running) {
    message_->setText(tr("Job %1 has ended (%2).")
                          .arg(id, QString::fromStdString(recordStateSpelling(record.state))));
    refresh();
    return;
  }
  if (record.kind == "train") {
    emit attachTraining(id, QString::fromStdString(record.localOutput));
    accept();
  } else if (const QString folder = remoteSegmentFolderOf(record); !folder.isEmpty()) {
    emit attachSegment(id, folder);
    accept();
  } else {
    // A batch of the command line: its outputs go where that command said.
    message_->setText(
        tr("Job %1 was started from the command line; follow it there: seqseg jobs attach %1")
            .arg(id));
  }
}

void RemoteJobsDialog::cancelJob() {
  const QString id = selectedId();
  if (id.isEmpty() || canceller_) return;
  canceller_ = new JobProcess(this);
  canceller_->setMergedChannels(true);
  cancellerSaid_.clear();
  message_->setText(tr("Cancelling job %1…").arg(id));
  connect(canceller_, &JobProcess::lineRead, this,
          [this](const QByteArray& line) { cancellerSaid_ += line + '\n'; });
  connect(canceller_, &JobProcess::finished, this,
          [this, id](int exitCode) { cancelEnded(id, exitCode); });
  connect(canceller_, &JobProcess::failedToStart, this, [this](const QString& reason) {
    message_->setText(reason);
    canceller_->deleteLater();
    canceller_ = nullptr;
    updateButtons();
  });
  updateButtons();
  canceller_->start(seqsegProgram(executable_),
                    {QStringLiteral("jobs"), QStringLiteral("cancel"), id});
}

void RemoteJobsDialog::cancelEnded(const QString& id, int exitCode) {
  const QString said = QString::fromUtf8(cancellerSaid_).trimmed();
  canceller_->deleteLater();
  canceller_ = nullptr;
  // A Segment panel job's local folder has nothing more to receive.
  try {
    const JobRecord record = loadJobRecord(id.toStdString());
    if (record.state != JobState::Running)
      if (const QString folder = remoteSegmentFolderOf(record); !folder.isEmpty())
        QDir(folder).removeRecursively();
  } catch (const std::exception&) {
  }
  message_->setText(said.isEmpty() ? tr("seqseg jobs cancel ended with exit code %1").arg(exitCode)
                                   : said.section('\n', -1));
  refresh();
  if (exitCode == 0) emit jobCancelled(id);
}

}  // namespace seqseg
