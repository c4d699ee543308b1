// MainWindow: its menus, views and panels, and what they show when the case, its labels or a job
// change (opening and saving live in main_window_open_save.cpp).
#include "ui/main_window.h"

#include <malloc.h>

#include <QAction>
#include <QDockWidget>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
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
