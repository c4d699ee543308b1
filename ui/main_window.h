#pragma once
// The desktop application's main window: File menu, four views of the loaded case, the
// Segment panel and the legend, and a status line naming the case. Its state lives in a
// SessionModel; the window shows it and turns people's actions into changes of it. Files are
// read and written by its CaseLogic (ui/case_logic.h); the window asks, and shows the outcome.
#include <QImage>
#include <QMainWindow>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

#include "io/dataset_layout.h"
#include "io/dicom_series.h"
#include "types/volume.h"
#include "ui/case_file_dialogs.h"
#include "ui/dicom_series_dialog.h"
#include "ui/session_model.h"

class QLabel;
class QMenu;

namespace seqseg {

class CaseLogic;
class CaseViews;
class CorrectionsMenu;
class DicomSegMenu;
class DisplayControls;
class EditPanel;
class LegendPanel;
class ProbabilityPanel;
class SegmentPanel;
class SegmentationJob;
class TrainMenu;
class UiStallMeter;
class VtkViewWidget;
struct LoadedCase;

class MainWindow : public QMainWindow, private SessionListener {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // The loaded case's channels (T1, T1ce, T2, FLAIR); null before one is loaded.
  std::shared_ptr<const Volume> volume() const { return session_.volume(); }
  QString caseSummary() const;  // "CASE — AxBxC, spacing … mm", empty before a case

  SessionModel& session() { return session_; }
  SegmentationJob& segmentationJob() { return *job_; }
  SegmentPanel* segmentPanel() const { return segmentPanel_; }
  TrainMenu* trainMenu() const { return trainMenu_; }
  LegendPanel* legendPanel() const { return legendPanel_; }
  EditPanel* editPanel() const { return editPanel_; }
  ProbabilityPanel* probabilityPanel() const { return probabilityPanel_; }
  CorrectionsMenu* correctionsMenu() const { return correctionsMenu_; }
  DicomSegMenu* dicomSegMenu() const { return dicomSegMenu_; }
  CaseViews& caseViews() { return *caseViews_; }
  // The longest UI-thread stall (ms) during the last segmentation job, measured by a 10 ms
  // heartbeat from the job's start until its result is shown.
  double lastJobLongestStallMs() const { return lastJobStallMs_; }

  // What a view shows now: "axialView", "sagittalView", "coronalView", "overviewView", or
  // "window" for the whole window. Null for another name.
  QImage grabView(const QString& view);

 public slots:
  // Loads in the background (the window stays responsive); ends in caseLoaded or loadFailed.
  // A folder: the case it is, or the first case of the dataset it holds.
  void openCase(const QString& folderOrFirstFile);
  // A DICOM study: its series are scanned in the background and offered in a
  // DicomSeriesDialog (dicomSeriesOffered); the four chosen open as one case. openCase comes
  // here for a folder holding DICOM files.
  void openDicomStudy(const QString& folder);
  // Four 3D images, in the order T1, T1ce, T2, FLAIR.
  void openFiles(const QStringList& files);
  // A label map for the loaded case, in its layout's native labels, read in the background
  // and overlaid on the slice views; ends in segmentationLoaded or loadFailed (no case
  // loaded, unreadable file, or a grid that is not the case's). For a DICOM study's case, a
  // DICOM file is read as a DICOM SEG of its T1 series instead (DicomSegMenu).
  void openSegmentation(const QString& path);
  // A case given by its files (found in `source`), then `mask` over it (its native labels),
  // made by `origin`; asks first about an unsaved segmentation. Ends as openCase and
  // openSegmentation do.
  void openCaseWithSegmentation(const CaseFiles& files, const std::string& source,
                                const QString& mask, const SegmentationOrigin& origin);
  // Writes the segmentation in the case's native labels and exact geometry, in the
  // background; ends in segmentationSaved or saveFailed.
  void saveSegmentation(const QString& path);
  // Writes grabView(view) as PNG, in the background; ends in screenshotSaved or saveFailed.
  void exportScreenshot(const QString& view, const QString& path);

 signals:
  void caseLoaded();
  void dicomSeriesOffered(DicomSeriesDialog* dialog);
  void segmentationLoaded();
  void loadFailed(const QString& message);
  void segmentationSaved(const QString& path);
  void screenshotSaved(const QString& path);
  void saveFailed(const QString& message);
  // A segmentation job is over: its result is shown, it failed, or it was cancelled.
  void segmentationJobFinished();
  void segmentationJobFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createMenus();
  void createViews();
  void createPanels();
  void addPanel(QWidget* panel, const QString& title, const QString& objectName);
  void connectCaseLogic();
  void chooseCaseFolder();
  void chooseFourFiles();
  void chooseDicomFolder();
  void offerDicomSeries(const QString& folder, const std::vector<DicomSeriesInfo>& series);
  void showCase(const LoadedCase& loaded);
  void chooseSegmentation();
  void editClusters();    // Settings -> Clusters
  void showRemoteJobs();  // Jobs -> Remote jobs
  // Reopens the case of the Segment panel's remote job `jobId` (unless open), then follows it.
  void attachRemoteSegment(const QString& jobId, const QString& folder);
  void chooseSaveFile();
  void chooseScreenshotFile(const QString& view);
  void fillRecentMenu();
  void openRecent(const QStringList& paths);
  // With an unsaved segmentation: asks whether to save it (and does), discard it or stay.
  // Returns whether to go on.
  bool settleUnsavedSegmentation();
  void showLabels();
  void showCursor();  // voxel, value and label under the cursor, in the status bar
  void showLoadError(const QString& message, const QString& title = QString());
  void showError(const QString& title, const QString& text, const QString& message);

  // SessionListener
  void segmentationChanged() override;
  void dirtyChanged(bool dirty) override;
  void labelsEdited(const std::vector<int64_t>& voxels) override;
  void editFinished() override;
  void jobChanged() override;

  SessionModel session_;
  std::unique_ptr<CaseLogic> caseLogic_;  // reads and writes files on worker threads
  SegmentationJob* job_ = nullptr;
  UiStallMeter* stallMeter_ = nullptr;
  double lastJobStallMs_ = 0;
  JobState shownJobState_ = JobState::Idle;
  std::unique_ptr<CaseViews> caseViews_;
  SegmentPanel* segmentPanel_ = nullptr;
  TrainMenu* trainMenu_ = nullptr;
  CorrectionsMenu* correctionsMenu_ = nullptr;
  DicomSegMenu* dicomSegMenu_ = nullptr;
  LegendPanel* legendPanel_ = nullptr;
  EditPanel* editPanel_ = nullptr;
  ProbabilityPanel* probabilityPanel_ = nullptr;
  DisplayControls* displayControls_ = nullptr;
  QLabel* cursorLabel_ = nullptr;  // voxel, value and label under the cursor
  QMenu* recentMenu_ = nullptr;
  QLabel* caseLabel_ = nullptr;
  CaseFileDialogs fileDialogs_;  // the File menu's, opening in the folder last chosen
};

}  // namespace seqseg
