#include "ui/review_panel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <csignal>

#include "types/resource_paths.h"
#include "ui/job_process.h"

namespace seqseg {

namespace {

enum Column { CaseColumn, UncertaintyColumn, VolumeColumn, KeptColumn, ColumnCount };

QTableWidgetItem* cell(const QString& text, Qt::Alignment alignment = Qt::AlignLeft) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  item->setTextAlignment(alignment | Qt::AlignVCenter);
  return item;
}

}  // namespace

ReviewPanel::ReviewPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  folderLabel_ =
      new QLabel(tr("File \u2192 Review a folder\u2026 lists a folder's cases, the ones "
                    "the model is least sure of first."));
  folderLabel_->setWordWrap(true);
  layout->addWidget(folderLabel_);
  progress_ = new QProgressBar;
  progress_->setObjectName(QStringLiteral("reviewProgress"));
  progress_->setVisible(false);
  status_ = new QLabel;
  status_->setObjectName(QStringLiteral("reviewStatus"));
  status_->setWordWrap(true);
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName(QStringLiteral("reviewCancel"));
  cancel_->setVisible(false);
  connect(cancel_, &QPushButton::clicked, this, &ReviewPanel::cancel);
  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(cancel_);
  layout->addLayout(progressRow);
  layout->addWidget(status_);

  table_ = new QTableWidget(0, ColumnCount);
  table_->setObjectName(QStringLiteral("reviewTable"));
  table_->setHorizontalHeaderLabels({tr("Case"), tr("Uncertainty"), tr("WT mL"), tr("Kept")});
  table_->horizontalHeader()->setSectionResizeMode(CaseColumn, QHeaderView::Stretch);
  for (int column = UncertaintyColumn; column < ColumnCount; ++column)
    table_->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
  table_->verticalHeader()->setVisible(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setToolTip(
      tr("Uncertainty: the mean voxel entropy of the flip-averaged prediction "
         "inside the predicted whole tumour (0 sure, 1 no idea)"));
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { openRow(row); });
  layout->addWidget(table_, 1);

  previous_ = new QPushButton(tr("\u2190 Previous"));
  previous_->setObjectName(QStringLiteral("reviewPrevious"));
  next_ = new QPushButton(tr("Next \u2192"));
  next_->setObjectName(QStringLiteral("reviewNext"));
  connect(previous_, &QPushButton::clicked, this, &ReviewPanel::previous);
  connect(next_, &QPushButton::clicked, this, &ReviewPanel::next);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(previous_);
  buttons->addWidget(next_);
  layout->addLayout(buttons);
  updateButtons();
}

ReviewPanel::~ReviewPanel() {
  if (process_) process_->stop(SIGTERM, 5000);
}

bool ReviewPanel::busy() const {
  return process_ != nullptr;
}

QString ReviewPanel::outputFolderFor(const QString& folder, const QString& model) const {
  const QString root =
      cacheFolder_.isEmpty()
          ? QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/review"
          : cacheFolder_;
  // One folder per reviewed folder and model: another model's masks are another review.
  const QByteArray key = QCryptographicHash::hash(
      (QFileInfo(folder).absoluteFilePath() + '\n' + QFileInfo(model).absoluteFilePath()).toUtf8(),
      QCryptographicHash::Sha1);
  return root + '/' + QFileInfo(folder).fileName() + '-' +
         QString::fromLatin1(key.toHex().left(10));
}

void ReviewPanel::review(const QString& folder, const SegmentSettings& settings) {
  if (process_) return;
  try {
    dataset_ = findCases(folder.toStdString());
  } catch (const std::exception& error) {
    fail(QString::fromStdString(error.what()));
    return;
  }
  model_ = QString::fromStdString(settings.model.empty() ? bundledModelPath() : settings.model);
  outputFolder_ = outputFolderFor(folder, model_);
  entries_.clear();
  fillTable();
  folderLabel_->setText(
      tr("%1: %n case(s), model %2", nullptr, static_cast<int>(dataset_.cases.size()))
          .arg(QDir::toNativeSeparators(folder), QFileInfo(model_).fileName()));
  // Segmented for review before with this model, every case of the folder: that review again.
  if (QFileInfo::exists(outputFolder_ + "/report.json")) {
    try {
      entries_ = readReviewOrder((outputFolder_ + "/report.json").toStdString(),
                                 correctionsRoot_.toStdString());
    } catch (const std::exception&) {
      entries_.clear();  // an unfinished or older review: segment again
    }
    if (entries_.size() == dataset_.cases.size()) {
      showEntries();
      return;
    }
    entries_.clear();
  }
  QDir().mkpath(outputFolder_);
  QStringList arguments;
  for (const std::string& argument :
       reviewArguments(folder.toStdString(), settings, outputFolder_.toStdString()))
    arguments << QString::fromStdString(argument);
  process_ = new JobProcess(this);
  process_->setOwnProcessGroup(true);
  process_->setParentDeathSignal(SIGTERM);
  process_->setNiceness(10);  // below the UI: the window stays smooth
  process_->setGracePeriodMs(15000);
  connect(process_, &JobProcess::lineRead, this, [this](const QByteArray& line) {
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    if (event.value("event").toString() != QLatin1String("progress")) return;
    const int total = event.value("total").toInt();
    progress_->setMaximum(std::max(1, total));
    progress_->setValue(event.value("done").toInt());
    status_->setText(tr("Segmenting %1 (%2 of %3)\u2026")
                         .arg(event.value("case").toString())
                         .arg(std::min(total, event.value("done").toInt() + 1))
                         .arg(total));
  });
  connect(process_, &JobProcess::finished, this, &ReviewPanel::segmentationEnded);
  connect(process_, &JobProcess::failedToStart, this, [this](const QString& reason) {
    process_->deleteLater();
    process_ = nullptr;
    fail(tr("could not start %1: %2").arg(seqsegProgram(executable_), reason));
  });
  progress_->setRange(0, std::max<int>(1, static_cast<int>(dataset_.cases.size())));
  progress_->setValue(0);
  progress_->setVisible(true);
  cancel_->setVisible(true);
  status_->setText(tr("Segmenting the folder with test-time flips to score each case\u2026"));
  updateButtons();
  process_->start(seqsegProgram(executable_), arguments);
}

void ReviewPanel::cancel() {
  if (process_) process_->cancel();
}

void ReviewPanel::segmentationEnded(int exitCode, bool crashed) {
  const QString lastError = process_->lastErrorLine();
  process_->deleteLater();
  process_ = nullptr;
  progress_->setVisible(false);
  cancel_->setVisible(false);
  const bool reported = QFileInfo::exists(outputFolder_ + "/report.json");
  if (crashed || !reported) {
    fail(exitCode == 0 && !crashed
             ? tr("the segmentation wrote no report in %1").arg(outputFolder_)
             : tr("the segmentation of the folder stopped: %1")
                   .arg(lastError.isEmpty() ? tr("exit code %1").arg(exitCode) : lastError));
    return;
  }
  readReport();
  // Cases that could not be segmented are named in the report; the others are listed.
  if (exitCode != 0 && !lastError.isEmpty())
    status_->setText(status_->text() + '\n' +
                     tr("Not all cases were segmented: %1").arg(lastError));
}

void ReviewPanel::readReport() {
  try {
    entries_ = readReviewOrder((outputFolder_ + "/report.json").toStdString(),
                               correctionsRoot_.toStdString());
  } catch (const std::exception& error) {
    fail(QString::fromStdString(error.what()));
    return;
  }
  showEntries();
}

void ReviewPanel::showEntries() {
  fillTable();
  status_->setText(
      tr("%n case(s), most uncertain first.", nullptr, static_cast<int>(entries_.size())));
  updateButtons();
  emit ready();
}

void ReviewPanel::fail(const QString& message) {
  progress_->setVisible(false);
  cancel_->setVisible(false);
  status_->setText(message);
  updateButtons();
  emit failed(message);
}

void ReviewPanel::fillTable() {
  table_->setRowCount(static_cast<int>(entries_.size()));
  for (int row = 0; row < table_->rowCount(); ++row) {
    const ReviewEntry& entry = entries_[static_cast<size_t>(row)];
    table_->setItem(row, CaseColumn, cell(QString::fromStdString(entry.id)));
    table_->setItem(row, UncertaintyColumn,
                    cell(std::isnan(entry.uncertainty) ? tr("no tumour")
                                                       : QString::number(entry.uncertainty, 'f', 3),
                         Qt::AlignRight));
    table_->setItem(row, VolumeColumn,
                    cell(QString::number(entry.wholeTumourMl, 'f', 1), Qt::AlignRight));
    table_->setItem(row, KeptColumn,
                    cell(entry.kept ? QStringLiteral("\u2713") : QString(), Qt::AlignHCenter));
  }
}

void ReviewPanel::showKept(const QString& correctionsRoot) {
  correctionsRoot_ = correctionsRoot;
  markKept(entries_, correctionsRoot.toStdString());
  for (int row = 0; row < table_->rowCount(); ++row)
    table_->item(row, KeptColumn)
        ->setText(entries_[static_cast<size_t>(row)].kept ? QStringLiteral("\u2713") : QString());
}

int ReviewPanel::currentRow() const {
  return table_->selectionModel()->hasSelection() ? table_->currentRow() : -1;
}

void ReviewPanel::openRow(int row) {
  if (row < 0 || row >= static_cast<int>(entries_.size())) return;
  table_->selectRow(row);
  updateButtons();
  const ReviewEntry& entry = entries_[static_cast<size_t>(row)];
  for (const CaseFiles& files : dataset_.cases)
    if (files.id == entry.id) {
      emit caseChosen(files, QString::fromStdString(dataset_.root),
                      QString::fromStdString(entry.mask), model_);
      return;
    }
  fail(tr("%1: the case is no longer in %2")
           .arg(QString::fromStdString(entry.id), QString::fromStdString(dataset_.root)));
}

void ReviewPanel::next() {
  openRow(currentRow() + 1);
}

void ReviewPanel::previous() {
  openRow(std::max(0, currentRow() - 1));
}

void ReviewPanel::updateButtons() {
  const int row = currentRow();
  const int count = static_cast<int>(entries_.size());
  previous_->setEnabled(!process_ && row > 0);
  next_->setEnabled(!process_ && row + 1 < count);
}

}  // namespace seqseg
