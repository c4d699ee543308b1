#pragma once
// DICOM Segmentation objects in the main window's File menu, for a case opened from a DICOM
// study: Export DICOM SEG… writes the segmentation as a SEG referencing the study's T1 series
// (the case's grid), and Open DICOM SEG… (or Open segmentation… given a DICOM file) reads one
// over that series (io/dicom_seg.h). Which series the case came from is taken from the series
// dialog that opened it.
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

#include "io/dicom_series.h"
#include "ui/session_model.h"

class QAction;
class QThread;

namespace seqseg {

class MainWindow;

class DicomSegMenu : public QObject, private SessionListener {
  Q_OBJECT

 public:
  explicit DicomSegMenu(MainWindow& window);
  ~DicomSegMenu() override;  // waits for a read or write still running

  // Whether the open case came from a DICOM study (its T1 series is known).
  bool caseIsDicomStudy() const { return caseSeries_.has_value(); }
  // Whether `path` is to be read as a DICOM SEG of the open case: a DICOM file, and the case
  // came from a DICOM study.
  bool readsAsDicomSeg(const QString& path) const;

  // Each works in the background and ends in its signal or in failed (also shown in a dialog).
  void exportSeg(const QString& path);  // the session's segmentation as a SEG at `path`
  void openSeg(const QString& path);    // a SEG of the case's series as its segmentation
  QAction* exportAction() const { return export_; }
  QAction* openAction() const { return open_; }

 signals:
  void exported(const QString& path);
  void opened(const QString& path);
  void failed(const QString& message);

 private:
  void chooseExportFile();
  void chooseSegFile();
  // Runs `work` on a worker thread; then `done`, or the failure with `work`'s message.
  void runInBackground(const QString& title, std::function<void()> work,
                       std::function<void()> done);
  void updateActions();
  void caseChanged() override;
  void segmentationChanged() override { updateActions(); }
  void editFinished() override { updateActions(); }  // an edit from none makes one
  void jobChanged() override { updateActions(); }

  MainWindow& window_;
  QAction* export_;
  QAction* open_;
  // The T1 series chosen for a study whose case is loading (its folder: the case's source).
  QString pendingStudy_;
  std::optional<DicomSeriesInfo> pendingSeries_;
  std::optional<DicomSeriesInfo> caseSeries_;  // the open case's T1 series, if DICOM
  QPointer<QThread> working_;
};

}  // namespace seqseg
