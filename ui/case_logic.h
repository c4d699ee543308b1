#pragma once
// What the main window does with files, without a widget: reads cases (a folder, four images, a
// DICOM study's chosen series, the case of a remote job) and segmentations, writes
// segmentations and screenshots, scans DICOM studies, and keeps the Recent cases list. The
// reading, scanning and writing run on worker threads; the results come back as signals on the
// UI thread, where the window shows them. Only the latest case or segmentation asked for is
// reported.
#include <QImage>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/dataset_layout.h"
#include "io/dicom_series.h"
#include "ui/session_model.h"
#include "types/volume.h"
#include "viz/case_views.h"
#include "viz/intensity_window.h"

class QThread;

namespace seqseg {

class SessionModel;

// A case read in the background, ready to be shown.
struct LoadedCase {
  CaseFiles files;
  QString summary;  // "CASE — 240x240x155, spacing 1x1x1 mm (case 1 of 3 in the folder)"
  std::shared_ptr<const Volume> volume;
  std::shared_ptr<const CaseViews::PreparedChannel> t1Display;  // T1 converted for the views
  IntensityWindow t1Window;
};

class CaseLogic : public QObject {
  Q_OBJECT

 public:
  // `session` receives the cases and segmentations read; it must outlive this object.
  explicit CaseLogic(SessionModel& session, QObject* parent = nullptr);
  ~CaseLogic() override;  // waits for the reads and writes still running

  static bool isDicomStudy(const QString& folder);

  // Each reads in the background and ends in caseLoaded or caseLoadFailed.
  // A folder: the case it is, or the first case of the dataset it holds.
  void loadCaseFolder(const QString& folder);
  void loadFourFiles(const QStringList& files);  // T1, T1ce, T2, FLAIR
  // Staged as NIfTI in the cache (one folder per study, reused): the case then segments and
  // saves like any other.
  void loadDicomCase(const QString& folder,
                     const std::array<DicomSeriesInfo, kModalityCount>& series, bool resample);
  // A case given by its files, found in `source` (the dataset root for MSD): the case of a
  // remote Segment job, a case of a reviewed folder. `whenLoaded` runs once it is the session's
  // case.
  void loadCaseFiles(const CaseFiles& files, const std::string& source,
                     std::function<void()> whenLoaded);
  // Ends in dicomSeriesFound or caseLoadFailed.
  void scanDicomStudy(const QString& folder);
  // A label map of the open case in its layout's native labels; ends in segmentationLoaded or
  // segmentationLoadFailed (no case open, unreadable, or a grid that is not the case's).
  // `origin`: what made it (for a kept correction's provenance); by default the file itself.
  void loadSegmentation(const QString& path, SegmentationOrigin origin = {});

  // Each ends in its done signal or in writeFailed.
  void saveSegmentation(const QString& path);  // the session must hold a segmentation
  void saveScreenshot(const QImage& image, const QString& path);

  // With a read or write running: runs the event loop until a segmentation is saved or a write
  // fails. Whether a segmentation was saved.
  bool waitForSave();

  // The Recent cases entries that still exist (each a folder or four files, newest first);
  // those that are gone are dropped from the list, and the status line says so.
  QList<QStringList> recentCases();
  // Drops `paths` from Recent cases when one of them is gone, and returns that one (empty when
  // all are there).
  QString forgetRecentIfGone(const QStringList& paths);

 signals:
  // What the status line says now; empty to clear it. `timeoutMs` 0: until the next message.
  void statusMessage(const QString& text, int timeoutMs);
  // A case was read; shown by the window before the session takes it and caseLoaded follows.
  void caseRead(const LoadedCase& loaded);
  void caseLoaded();
  void caseLoadFailed(const QString& message);
  void dicomSeriesFound(const QString& folder, const std::vector<DicomSeriesInfo>& series);
  void segmentationLoaded();
  void segmentationLoadFailed(const QString& message);
  void segmentationSaved(const QString& path);
  void screenshotSaved(const QString& path);
  void writeFailed(const QString& message);

 private:
  struct CaseRead;

  // Runs `locateCase` and reads the case on a worker thread; `locateCase` may add a note and
  // name the folder it was found in. `recent`: the paths the Recent cases menu reopens it with.
  void startLoading(const QString& what, const QStringList& recent,
                    std::function<CaseFiles(std::string& note, std::string& root)> locateCase);
  void finishLoading(const CaseRead& result);
  // Runs `work` on a worker thread, then `done` here; the thread is waited for on destruction.
  void runInBackground(std::function<void()> work, std::function<void()> done);
  // Runs `write` on a worker thread; then `done`, or writeFailed with its message.
  void writeInBackground(const QString& path, std::function<void()> write,
                         std::function<void()> done);

  SessionModel& session_;
  std::vector<QThread*> workers_;
  int loadGeneration_ = 0;          // only the latest case request is reported
  int segmentationGeneration_ = 0;  // only the latest segmentation request is reported
};

}  // namespace seqseg
