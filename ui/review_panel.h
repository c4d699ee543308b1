#pragma once
// The Review panel (File -> Review a folder…): a folder's cases segmented with the chosen model
// and listed most uncertain first (ui/review_order.h), so that the cases the model is least sure
// of are looked at and corrected first, as MONAI Label's "next sample" does. The folder is
// segmented once per model by `seqseg --batch --uncertainty` into the application's cache, with
// its progress shown and a Cancel; a later review of the same folder with the same model reads
// that report again. Previous / Next (and a double-click) open a case with its predicted mask;
// cases already kept as corrections are marked.
#include <QString>
#include <QWidget>

#include <vector>

#include "io/dataset_layout.h"
#include "ui/batch_arguments.h"
#include "ui/review_order.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace seqseg {

class JobProcess;

class ReviewPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ReviewPanel(QWidget* parent = nullptr);
  ~ReviewPanel() override;  // ends a running segmentation

  // The seqseg executable that segments the folder; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }
  // Where the review's segmentations go: one folder per reviewed folder and model under it
  // (by default the application's cache).
  void setCacheFolder(const QString& folder) { cacheFolder_ = folder; }

  // Reviews the cases of `folder` with the model of `settings`; ends in ready() or failed().
  void review(const QString& folder, const SegmentSettings& settings);
  bool busy() const;
  void cancel();

  const std::vector<ReviewEntry>& entries() const { return entries_; }
  int currentRow() const;  // -1: none opened yet
  // Marks the cases kept in `correctionsRoot` (call again after a case was kept).
  void showKept(const QString& correctionsRoot);

 public slots:
  void openRow(int row);
  void next();
  void previous();

 signals:
  // The list is shown (`entries()` holds it).
  void ready();
  void failed(const QString& message);
  // Open `files` (found in `source`) with the predicted `mask`, made by `model`.
  void caseChosen(const CaseFiles& files, const QString& source, const QString& mask,
                  const QString& model);

 private:
  QString outputFolderFor(const QString& folder, const QString& model) const;
  void readReport();
  void showEntries();
  void segmentationEnded(int exitCode, bool crashed);
  void fail(const QString& message);
  void fillTable();
  void updateButtons();

  QString executable_;
  QString cacheFolder_;
  QString correctionsRoot_;
  Dataset dataset_;
  QString model_;         // the checkpoint the masks come from
  QString outputFolder_;  // the folder's review: masks and report.json
  std::vector<ReviewEntry> entries_;
  JobProcess* process_ = nullptr;
  QLabel* folderLabel_;
  QProgressBar* progress_;
  QLabel* status_;
  QPushButton* cancel_;
  QTableWidget* table_;
  QPushButton* previous_;
  QPushButton* next_;
};

}  // namespace seqseg
