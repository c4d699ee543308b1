#include "ui/main_window.h"

#include <malloc.h>

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QUrl>
#include <QVBoxLayout>

#include <array>
#include <exception>
#include <memory>
#include <string>

#include "types/resource_paths.h"
#include "ui/case_file_dialogs.h"
#include "ui/case_logic.h"
#include "ui/cluster_settings_dialog.h"
#include "ui/corrections_menu.h"
#include "ui/dicom_seg_menu.h"
#include "ui/display_controls.h"
#include "ui/edit_panel.h"
#include "ui/legend_panel.h"
#include "ui/modality_order.h"
#include "ui/probability_panel.h"
#include "ui/remote_jobs_dialog.h"
#include "ui/remote_segment_folder.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"
#include "ui/train_menu.h"
#include "ui/ui_stall_meter.h"
#include "viz/case_views.h"
#include "viz/label_colours.h"
#include "viz/view_layout.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

namespace {

QString formatNumber(double value) {
  return QString::number(value, 'g', 4);
}

// A view with its name above it.
QWidget* captioned(const QString& caption, VtkViewWidget* view) {
  auto* frame = new QWidget;
  auto* layout = new QVBoxLayout(frame);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(new QLabel(caption));
  layout->addWidget(view, 1);
  return frame;
}

// The view names grabView knows, with the names people see.
const std::array<std::pair<const char*, const char*>, 5> kViews{{{"axialView", "Axial view"},
                                                                 {"sagittalView", "Sagittal view"},
                                                                 {"coronalView", "Coronal view"},
                                                                 {"overviewView", "3D view"},
                                                                 {"window", "Whole window"}}};

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), fileDialogs_(this) {
  setWindowTitle(QStringLiteral("seqseg[*]"));
  resize(1300, 850);
  setAcceptDrops(true);
  caseLogic_ = std::make_unique<CaseLogic>(session_);
  job_ = new SegmentationJob(session_, this);
  stallMeter_ = new UiStallMeter(10, this);
  connect(job_, &SegmentationJob::started, stallMeter_, &UiStallMeter::start);
  connect(job_, &SegmentationJob::finished, this, [this] {
    stallMeter_->stop();
    lastJobStallMs_ = stallMeter_->longestStallMs();
    emit segmentationJobFinished();
  });
  createMenus();
  createViews();
  createPanels();
  trainMenu_ = new TrainMenu(*this, *segmentPanel_);  // the wizard, runs, the models list
  correctionsMenu_ = new CorrectionsMenu(*this, *segmentPanel_);  // keep, review
  dicomSegMenu_ = new DicomSegMenu(*this);
  // After Train: Jobs -> Remote jobs (runs and segmentations on cluster profiles).
  QMenu* jobs = menuBar()->addMenu(tr("&Jobs"));
  jobs->addAction(tr("&Remote jobs…"), this, &MainWindow::showRemoteJobs)
      ->setObjectName(QStringLiteral("remoteJobsAction"));
  caseLabel_ =
      new QLabel(tr("Open a case folder, four image files or a DICOM study (File menu), or "
                    "drop them on this window."));
  statusBar()->addWidget(caseLabel_, 1);
  session_.addListener(this);
  connectCaseLogic();
}

MainWindow::~MainWindow() {
  session_.removeListener(this);
  caseLogic_.reset();  // waits for the reads and writes still running
  delete job_;         // ends a running job before the session it reports to goes
  job_ = nullptr;
  // The panels listen to session_, a member that dies before QMainWindow deletes its children.
  delete segmentPanel_;
  delete legendPanel_;
  delete editPanel_;
  delete probabilityPanel_;
  delete correctionsMenu_;
  delete dicomSegMenu_;
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->setObjectName(QStringLiteral("fileMenu"));
  QAction* openFolder =
      file->addAction(tr("&Open case folder…"), this, &MainWindow::chooseCaseFolder);
  openFolder->setShortcut(QKeySequence::Open);
  openFolder->setStatusTip(tr("Open a BraTS, MSD or nnU-Net case or dataset folder"));
  QAction* openFiles = file->addAction(tr("Open &four files…"), this, &MainWindow::chooseFourFiles);
  openFiles->setStatusTip(tr("Open a case given as four images: T1, T1ce, T2 and FLAIR"));
  QAction* openDicom =
      file->addAction(tr("Open &DICOM folder…"), this, &MainWindow::chooseDicomFolder);
  openDicom->setObjectName(QStringLiteral("openDicomAction"));
  openDicom->setStatusTip(tr("Open a DICOM study: choose its T1, T1ce, T2 and FLAIR series"));
  recentMenu_ = file->addMenu(tr("&Recent cases"));
  recentMenu_->setObjectName(QStringLiteral("recentMenu"));
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  file->addSeparator();
  QAction* openMask =
      file->addAction(tr("Open &segmentation…"), this, &MainWindow::chooseSegmentation);
  openMask->setObjectName(QStringLiteral("openSegmentationAction"));
  openMask->setStatusTip(
      tr("Overlay a label map of the open case (in its dataset's native labels)"));
  QAction* saveMask = file->addAction(tr("Sa&ve segmentation…"), this, &MainWindow::chooseSaveFile);
  saveMask->setObjectName(QStringLiteral("saveSegmentationAction"));
  saveMask->setShortcut(QKeySequence::Save);
  saveMask->setStatusTip(
      tr("Write the segmentation as NIfTI with the case's geometry and its dataset's labels"));
  QMenu* screenshot = file->addMenu(tr("E&xport screenshot"));
  for (const auto& [name, caption] : kViews) {
    const QString view = QString::fromLatin1(name);
    screenshot->addAction(tr(caption) + QStringLiteral("…"), this,
                          [this, view] { chooseScreenshotFile(view); });
  }
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  QMenu* settings = menuBar()->addMenu(tr("&Settings"));
  settings->setObjectName(QStringLiteral("settingsMenu"));
  settings->addAction(tr("&Clusters…"), this, &MainWindow::editClusters)
      ->setObjectName(QStringLiteral("clustersAction"));
}

void MainWindow::editClusters() {
  ClusterSettingsDialog dialog(QString(), this);
  connect(&dialog, &ClusterSettingsDialog::profilesChanged, segmentPanel_,
          &SegmentPanel::refreshClusters);
  dialog.exec();
}

void MainWindow::showRemoteJobs() {
  auto* dialog = new RemoteJobsDialog(this);
  dialog->setObjectName(QStringLiteral("remoteJobsDialog"));
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setExecutable(job_->executable());
  connect(dialog, &RemoteJobsDialog::attachSegment, this, &MainWindow::attachRemoteSegment);
  connect(dialog, &RemoteJobsDialog::attachTraining, trainMenu_, &TrainMenu::attachRemoteRun);
  dialog->show();
}

void MainWindow::attachRemoteSegment(const QString& jobId, const QString& folder) {
  RemoteSegmentCase segmentCase;
  if (!readRemoteSegmentCase(folder, segmentCase)) {
    showLoadError(tr("%1 does not name the case of job %2").arg(folder, jobId));
    return;
  }
  if (session_.jobActive()) {
    showError(tr("Attach"), tr("A segmentation job is running."),
              tr("Wait for it, or cancel it, then attach to job %1.").arg(jobId));
    return;
  }
  if (session_.hasCase() && session_.caseFiles().images == segmentCase.files.images) {
    job_->attach(jobId, folder);
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  // Its case first: the job's result is a mask of that case.
  caseLogic_->loadCaseFiles(segmentCase.files, segmentCase.source,
                            [this, jobId, folder] { job_->attach(jobId, folder); });
}

void MainWindow::createViews() {
  auto* axial = new VtkViewWidget;
  auto* sagittal = new VtkViewWidget;
  auto* coronal = new VtkViewWidget;
  auto* overview = new VtkViewWidget;
  axial->setObjectName(QStringLiteral("axialView"));
  sagittal->setObjectName(QStringLiteral("sagittalView"));
  coronal->setObjectName(QStringLiteral("coronalView"));
  overview->setObjectName(QStringLiteral("overviewView"));

  // Double-click a view to let it fill the grid, and again to bring the grid back.
  setCentralWidget(
      new ViewLayout(captioned(tr("Axial"), axial), captioned(tr("Sagittal"), sagittal),
                     captioned(tr("Coronal"), coronal), captioned(tr("3D"), overview)));

  caseViews_ = std::make_unique<CaseViews>(axial, sagittal, coronal, overview);
  try {
    caseViews_->setLabelColours(loadLabelColourTable(labelColourTablePath(resourcesDir())));
  } catch (const std::exception& error) {
    // The built-in table is the same one; say why the file was not used.
    statusBar()->showMessage(QString::fromStdString(error.what()), 10000);
  }
  displayControls_ = new DisplayControls(*this, *caseViews_);
  cursorLabel_ = new QLabel;
  cursorLabel_->setObjectName(QStringLiteral("cursorLabel"));
  // Wide enough for the longest reading, so that the label number is never cut off.
  cursorLabel_->setMinimumWidth(cursorLabel_->fontMetrics().horizontalAdvance(
      QStringLiteral("voxel 000, 000, 000   value -0000.00   label 000")));
  statusBar()->addPermanentWidget(cursorLabel_);
  caseViews_->setCursorObserver(
      [this](const std::array<double, 3>&, const std::array<int64_t, 3>&) { showCursor(); });
}

// `panel` in a dock on the right, titled `title`.
void MainWindow::addPanel(QWidget* panel, const QString& title, const QString& objectName) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(objectName);
  dock->setWidget(panel);
  addDockWidget(Qt::RightDockWidgetArea, dock);
}

void MainWindow::createPanels() {
  segmentPanel_ = new SegmentPanel(session_, *job_);
  addPanel(segmentPanel_, tr("Segment"), QStringLiteral("segmentDock"));
  editPanel_ = new EditPanel(session_, *caseViews_, caseViews_->labelDisplay().colours);
  addPanel(editPanel_, tr("Edit"), QStringLiteral("editDock"));
  // Edit, after File: painting, undo and redo with their keys.
  auto* edit = new QMenu(tr("&Edit"), this);
  edit->setObjectName(QStringLiteral("editMenu"));
  edit->addActions(editPanel_->actions());
  menuBar()->insertMenu(menuBar()->actions().value(1), edit);
  legendPanel_ = new LegendPanel(session_, caseViews_->labelDisplay().colours);
  addPanel(legendPanel_, tr("Labels"), QStringLiteral("legendDock"));
  probabilityPanel_ = new ProbabilityPanel(session_, *caseViews_);
  addPanel(probabilityPanel_, tr("Probabilities"), QStringLiteral("probabilityDock"));
  connect(legendPanel_, &LegendPanel::labelVisibilityChanged, this, [this](int label, bool shown) {
    caseViews_->setLabelVisible(static_cast<uint8_t>(label), shown);
  });
  connect(legendPanel_, &LegendPanel::regionChosen, this, [this](int region) {
    caseViews_->showAxialDiameters(legendPanel_->axialMeasurement(region));
  });
}

QString MainWindow::caseSummary() const {
  return session_.hasCase() ? caseLabel_->text() : QString();
}

QImage MainWindow::grabView(const QString& view) {
  if (view == QLatin1String("window")) return grab().toImage();
  auto* shown = findChild<VtkViewWidget*>(view);
  return shown ? shown->grabFramebuffer() : QImage();
}

void MainWindow::chooseCaseFolder() {
  if (const QString folder = fileDialogs_.caseFolder(); !folder.isEmpty()) openCase(folder);
}

void MainWindow::chooseDicomFolder() {
  if (const QString folder = fileDialogs_.dicomFolder(); !folder.isEmpty()) openDicomStudy(folder);
}

void MainWindow::chooseFourFiles() {
  if (const QStringList files = fileDialogs_.fourFiles(); !files.isEmpty()) openFiles(files);
}

void MainWindow::chooseSegmentation() {
  if (const QString file = fileDialogs_.segmentationToOpen(); !file.isEmpty())
    openSegmentation(file);
}

void MainWindow::chooseSaveFile() {
  if (!session_.segmentation()) {
    showError(tr("Nothing to save"), tr("There is no segmentation to save."),
              tr("Segment the case or open a segmentation first."));
    return;
  }
  const QString id = QString::fromStdString(session_.caseFiles().id);
  if (const QString file = fileDialogs_.segmentationToSave(id); !file.isEmpty())
    saveSegmentation(file);
}

void MainWindow::chooseScreenshotFile(const QString& view) {
  if (const QString file = fileDialogs_.screenshotFile(view); !file.isEmpty())
    exportScreenshot(view, file);
}

void MainWindow::openSegmentation(const QString& path) {
  if (!settleUnsavedSegmentation()) return;  // never asks without a case
  if (dicomSegMenu_->readsAsDicomSeg(path)) return dicomSegMenu_->openSeg(path);
  caseLogic_->loadSegmentation(path);
}

void MainWindow::openCaseWithSegmentation(const CaseFiles& files, const std::string& source,
                                          const QString& mask, const SegmentationOrigin& origin) {
  if (!settleUnsavedSegmentation()) return;
  caseLogic_->loadCaseFiles(files, source,
                            [this, mask, origin] { caseLogic_->loadSegmentation(mask, origin); });
}

void MainWindow::openCase(const QString& folderOrFirstFile) {
  if (CaseLogic::isDicomStudy(folderOrFirstFile)) {
    openDicomStudy(folderOrFirstFile);
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  caseLogic_->loadCaseFolder(folderOrFirstFile);
}

void MainWindow::openDicomStudy(const QString& folder) {
  if (!settleUnsavedSegmentation()) return;
  caseLogic_->scanDicomStudy(folder);
}

void MainWindow::offerDicomSeries(const QString& folder,
                                  const std::vector<DicomSeriesInfo>& series) {
  auto* dialog = new DicomSeriesDialog(folder, series, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog, folder] {
    caseLogic_->loadDicomCase(folder, dialog->chosenSeries(), dialog->resampleAllowed());
  });
  dialog->open();
  emit dicomSeriesOffered(dialog);
}

void MainWindow::openFiles(const QStringList& files) {
  if (files.size() != kModalityCount) {
    showLoadError(
        tr("%1 files given; a case needs four: T1, T1ce, T2 and FLAIR.").arg(files.size()));
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  caseLogic_->loadFourFiles(files);
}

void MainWindow::showCase(const LoadedCase& loaded) {
  if (session_.jobActive()) job_->cancel();  // its result would be for the last case
  caseLabel_->setText(loaded.summary);
  caseViews_->show(loaded.t1Display, loaded.t1Window);  // also clears the last case's labels
  displayControls_->refresh();
  // The last case's buffers are free now, but glibc keeps freed heap pages (in an arena per
  // thread that read files) for reuse; handing them back keeps a day of cases from holding the
  // largest mix of sizes seen (bench/soak).
  malloc_trim(0);
}

void MainWindow::connectCaseLogic() {
  CaseLogic* logic = caseLogic_.get();
  connect(logic, &CaseLogic::statusMessage, this, [this](const QString& text, int timeoutMs) {
    if (text.isEmpty())
      statusBar()->clearMessage();
    else
      statusBar()->showMessage(text, timeoutMs);
  });
  connect(logic, &CaseLogic::caseRead, this, &MainWindow::showCase);
  connect(logic, &CaseLogic::caseLoaded, this, &MainWindow::caseLoaded);
  connect(logic, &CaseLogic::caseLoadFailed, this,
          [this](const QString& message) { showLoadError(message); });
  connect(logic, &CaseLogic::dicomSeriesFound, this, &MainWindow::offerDicomSeries);
  connect(logic, &CaseLogic::segmentationLoaded, this, &MainWindow::segmentationLoaded);
  connect(logic, &CaseLogic::segmentationLoadFailed, this, [this](const QString& message) {
    showLoadError(message, tr("Could not open the segmentation"));
  });
  connect(logic, &CaseLogic::segmentationSaved, this, &MainWindow::segmentationSaved);
  connect(logic, &CaseLogic::screenshotSaved, this, &MainWindow::screenshotSaved);
  connect(logic, &CaseLogic::writeFailed, this, [this](const QString& message) {
    showError(tr("Could not save"), tr("The file could not be written."), message);
    emit saveFailed(message);
  });
}

void MainWindow::saveSegmentation(const QString& path) {
  if (!session_.segmentation()) {
    emit saveFailed(tr("%1: there is no segmentation to save").arg(path));
    return;
  }
  caseLogic_->saveSegmentation(path);
}

void MainWindow::exportScreenshot(const QString& view, const QString& path) {
  const QImage image = grabView(view);  // on the UI thread: it owns the GL contexts
  if (image.isNull()) {
    emit saveFailed(tr("%1: no view named %2").arg(path, view));
    return;
  }
  caseLogic_->saveScreenshot(image, path);
}

bool MainWindow::settleUnsavedSegmentation() {
  if (!session_.isDirty()) return true;
  const auto answer = QMessageBox::question(
      this, tr("Unsaved segmentation"),
      tr("The segmentation of %1 has not been saved. Save it first?")
          .arg(QString::fromStdString(session_.caseFiles().id)),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Discard) return true;
  if (answer != QMessageBox::Save) return false;
  chooseSaveFile();
  if (!session_.isDirty()) return true;
  return caseLogic_->waitForSave() && !session_.isDirty();
}

void MainWindow::fillRecentMenu() {
  recentMenu_->clear();
  const QList<QStringList> entries = caseLogic_->recentCases();
  for (const QStringList& entry : entries) {
    const QString name =
        entry.size() == 1 ? entry.front() : tr("%1 (four files)").arg(entry.front());
    recentMenu_->addAction(name, this, [this, entry] { openRecent(entry); });
  }
  if (entries.isEmpty()) recentMenu_->addAction(tr("No recent cases"))->setEnabled(false);
}

void MainWindow::openRecent(const QStringList& paths) {
  if (const QString gone = caseLogic_->forgetRecentIfGone(paths); !gone.isEmpty()) {
    showLoadError(tr("%1: no longer there; removed from Recent cases").arg(gone));
    return;
  }
  if (paths.size() == 1)
    openCase(paths.front());
  else
    openFiles(paths);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  bool local = !urls.isEmpty();
  for (const QUrl& url : urls) local = local && url.isLocalFile();
  if (local && (urls.size() == 1 || urls.size() == kModalityCount)) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  std::vector<std::string> files;
  for (const QUrl& url : event->mimeData()->urls())
    files.push_back(url.toLocalFile().toStdString());
  event->acceptProposedAction();
  if (files.size() == 1) {
    openCase(QString::fromStdString(files.front()));
    return;
  }
  QStringList ordered;
  for (const std::string& file : orderModalities(files)) ordered << QString::fromStdString(file);
  openFiles(ordered);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!settleUnsavedSegmentation()) {
    event->ignore();
    return;
  }
  event->accept();
}

void MainWindow::showLabels() {
  if (const std::shared_ptr<const LabelVolume> labels = session_.segmentation())
    caseViews_->showLabels(*labels);
  else
    caseViews_->clearLabels();
  showCursor();  // the label under the cursor changed
}

void MainWindow::showCursor() {
  if (!caseViews_->hasImage()) {
    cursorLabel_->clear();
    return;
  }
  const std::array<int64_t, 3> voxel = caseViews_->cursorVoxel();
  QString text = QStringLiteral("voxel %1, %2, %3   value %4")
                     .arg(voxel[0])
                     .arg(voxel[1])
                     .arg(voxel[2])
                     .arg(formatNumber(caseViews_->intensityAtCursor()));
  if (const int label = caseViews_->labelAtCursor(); label >= 0)
    text += QStringLiteral("   label %1").arg(label);
  cursorLabel_->setText(text);
}

void MainWindow::segmentationChanged() {
  showLabels();
}

void MainWindow::labelsEdited(const std::vector<int64_t>& voxels) {
  caseViews_->updateLabels(*session_.segmentation(), voxels);
  showCursor();
}

void MainWindow::editFinished() {
  caseViews_->refreshSurfaces();
}

void MainWindow::dirtyChanged(bool dirty) {
  setWindowModified(dirty);
}

void MainWindow::jobChanged() {
  const JobStatus& job = session_.job();
  const JobState previous = shownJobState_;
  shownJobState_ = job.state;
  if (job.state == JobState::Failed && previous != JobState::Failed) {
    const QString message = QString::fromStdString(job.message);
    showError(tr("Segmentation failed"), tr("The case could not be segmented."), message);
    emit segmentationJobFailed(message);
  }
}

void MainWindow::showLoadError(const QString& message, const QString& title) {
  const bool segmentation = !title.isEmpty();
  showError(segmentation ? title : tr("Could not open the case"),
            segmentation ? tr("The segmentation could not be opened.")
                         : tr("The case could not be opened."),
            message);
  emit loadFailed(message);
}

void MainWindow::showError(const QString& title, const QString& text, const QString& message) {
  // Not exec(): a modal loop here would hold up whoever waits for the signal that follows.
  auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
  box->setInformativeText(message);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace seqseg
