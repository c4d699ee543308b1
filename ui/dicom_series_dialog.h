#pragma once
// The series picker of a DICOM study: lists every series found (description, size, spacing,
// date), guesses which is T1, T1ce, T2 and FLAIR from the descriptions, and lets people correct
// the choice and allow resampling onto T1's grid before the four open as one case.
#include <QDialog>

#include <array>
#include <vector>

#include "io/dataset_layout.h"
#include "io/dicom_series.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace seqseg {

class DicomSeriesDialog : public QDialog {
  Q_OBJECT

 public:
  DicomSeriesDialog(const QString& studyFolder, std::vector<DicomSeriesInfo> series,
                    QWidget* parent = nullptr);

  const std::vector<DicomSeriesInfo>& series() const { return series_; }
  // The series index chosen for each modality (T1, T1ce, T2, FLAIR); -1 while unchosen.
  std::array<int, kModalityCount> choice() const;
  void setChoice(int modality, int seriesIndex);
  // The chosen series in modality order; valid only when all four are chosen.
  std::array<DicomSeriesInfo, kModalityCount> chosenSeries() const;
  bool resampleAllowed() const;
  void setResampleAllowed(bool allowed);

 private:
  void updateState();  // the grid note and whether Open is enabled

  std::vector<DicomSeriesInfo> series_;
  QTableWidget* table_ = nullptr;
  std::array<QComboBox*, kModalityCount> choosers_{};
  QCheckBox* resample_ = nullptr;
  QLabel* gridNote_ = nullptr;
  QPushButton* openButton_ = nullptr;
};

}  // namespace seqseg
