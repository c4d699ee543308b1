#include "ui/dicom_series_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "ui/series_modality_guess.h"

namespace seqseg {
namespace {

QString text(const std::string& value) {
  return QString::fromStdString(value);
}

QString seriesName(const DicomSeriesInfo& series) {
  const QString description =
      series.description.empty() ? QObject::tr("(no description)") : text(series.description);
  return series.seriesNumber.empty()
             ? description
             : QStringLiteral("%1: %2").arg(text(series.seriesNumber), description);
}

}  // namespace

DicomSeriesDialog::DicomSeriesDialog(const QString& studyFolder,
                                     std::vector<DicomSeriesInfo> series, QWidget* parent)
    : QDialog(parent), series_(std::move(series)) {
  setObjectName(QStringLiteral("dicomSeriesDialog"));
  setWindowTitle(tr("Open DICOM study"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("Series found in %1:").arg(studyFolder)));
  // Every series of one scan names the same skipped files.
  if (!series_.empty() && !series_.front().skipped.empty()) {
    auto* skipped = new QLabel(text(skippedFilesNote(series_.front())));
    skipped->setObjectName(QStringLiteral("skippedFilesNote"));
    skipped->setWordWrap(true);
    layout->addWidget(skipped);
  }

  const QStringList headers{tr("Series"),  tr("Modality"), tr("Size"),
                            tr("Spacing"), tr("Date"),     tr("Note")};
  table_ = new QTableWidget(static_cast<int>(series_.size()), headers.size());
  table_->setObjectName(QStringLiteral("seriesTable"));
  table_->setHorizontalHeaderLabels(headers);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  table_->verticalHeader()->hide();
  for (int row = 0; row < table_->rowCount(); ++row) {
    const DicomSeriesInfo& s = series_[row];
    const QStringList cells{
        seriesName(s),
        text(s.modality),
        text(describeSize(s)),
        s.problem.empty() ? text(describeSpacing(s.geometry)) : QString(),
        text(s.date),
        s.problem.empty() ? QString() : tr("cannot open: %1").arg(text(s.problem))};
    for (int column = 0; column < cells.size(); ++column)
      table_->setItem(row, column, new QTableWidgetItem(cells[column]));
  }
  table_->resizeColumnsToContents();
  table_->horizontalHeader()->setStretchLastSection(true);
  // Wide enough to show every column, up to a size that fits a small screen.
  int width = 2 * table_->frameWidth() + 24;
  for (int column = 0; column < table_->columnCount(); ++column)
    width += table_->columnWidth(column);
  table_->setMinimumWidth(std::min(width, 1100));
  layout->addWidget(table_);

  // One chooser per modality; series that cannot be read are listed but not offered.
  auto* form = new QFormLayout;
  std::vector<std::string> descriptions;
  for (const DicomSeriesInfo& s : series_)
    descriptions.push_back(s.problem.empty() ? s.description : "");
  const std::array<int, kModalityCount> guess = guessModalities(descriptions);
  static const std::array<const char*, kModalityCount> names{"t1Choice", "t1ceChoice", "t2Choice",
                                                             "flairChoice"};
  for (int m = 0; m < kModalityCount; ++m) {
    auto* chooser = new QComboBox;
    chooser->setObjectName(QString::fromLatin1(names[m]));
    chooser->addItem(tr("(choose a series)"), -1);
    for (size_t s = 0; s < series_.size(); ++s)
      if (series_[s].problem.empty()) chooser->addItem(seriesName(series_[s]), static_cast<int>(s));
    chooser->setCurrentIndex(std::max(0, chooser->findData(guess[m])));
    connect(chooser, &QComboBox::currentIndexChanged, this, &DicomSeriesDialog::updateState);
    choosers_[m] = chooser;
    form->addRow(m == 0 ? tr("T1 (reference grid):") : tr("%1:").arg(kModalityNames[m]), chooser);
  }
  layout->addLayout(form);

  resample_ = new QCheckBox(tr("Resample series on another grid onto T1's grid (trilinear)"));
  resample_->setObjectName(QStringLiteral("resampleCheck"));
  connect(resample_, &QCheckBox::toggled, this, &DicomSeriesDialog::updateState);
  layout->addWidget(resample_);
  gridNote_ = new QLabel;
  gridNote_->setObjectName(QStringLiteral("gridNote"));
  gridNote_->setWordWrap(true);
  layout->addWidget(gridNote_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
  openButton_ = buttons->button(QDialogButtonBox::Open);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  updateState();
}

std::array<int, kModalityCount> DicomSeriesDialog::choice() const {
  std::array<int, kModalityCount> chosen{};
  for (int m = 0; m < kModalityCount; ++m) chosen[m] = choosers_[m]->currentData().toInt();
  return chosen;
}

void DicomSeriesDialog::setChoice(int modality, int seriesIndex) {
  choosers_.at(modality)->setCurrentIndex(std::max(0, choosers_[modality]->findData(seriesIndex)));
}

std::array<DicomSeriesInfo, kModalityCount> DicomSeriesDialog::chosenSeries() const {
  std::array<DicomSeriesInfo, kModalityCount> chosen;
  const auto indices = choice();
  for (int m = 0; m < kModalityCount; ++m)
    if (indices[m] >= 0) chosen[m] = series_[indices[m]];
  return chosen;
}

bool DicomSeriesDialog::resampleAllowed() const {
  return resample_->isChecked();
}
void DicomSeriesDialog::setResampleAllowed(bool allowed) {
  resample_->setChecked(allowed);
}

void DicomSeriesDialog::updateState() {
  const auto indices = choice();
  const bool complete =
      std::none_of(indices.begin(), indices.end(), [](int index) { return index < 0; });
  QStringList differing;
  if (indices[0] >= 0)
    for (int m = 1; m < kModalityCount; ++m)
      if (indices[m] >= 0 && !gridDifference(series_[indices[0]], series_[indices[m]]).empty())
        differing << QString::fromLatin1(kModalityNames[m]);
  if (differing.isEmpty())
    gridNote_->setText(complete ? tr("All four series share T1's grid.") : QString());
  else
    gridNote_->setText(
        resampleAllowed()
            ? tr("%1 will be resampled onto T1's grid.").arg(differing.join(QStringLiteral(", ")))
            : tr("%1 on another grid than T1: allow resampling to open them together.")
                  .arg(differing.join(QStringLiteral(", "))));
  openButton_->setEnabled(complete);
}

}  // namespace seqseg
