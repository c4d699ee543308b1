#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <exception>
#include <fstream>
#include <memory>
#include <string>

#include "io/dataset_layout.h"
#include "io/dicom_series.h"
#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/label_mapping.h"
#include "types/input_error.h"
#include "types/resource_paths.h"
#include "ui/cluster_settings_dialog.h"
#include "ui/dicom_series_dialog.h"
#include "ui/display_controls.h"
#include "ui/legend_panel.h"
#include "ui/modality_order.h"
#include "ui/recent_cases.h"
#include "ui/remote_jobs_dialog.h"
#include "ui/remote_segment_folder.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"
#include "ui/train_menu.h"
#include "ui/ui_stall_meter.h"
#include "viz/case_views.h"
#include "viz/intensity_window.h"
#include "viz/label_colours.h"
#include "viz/view_layout.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

namespace {

constexpr const char* kNiftiFilter = "NIfTI images (*.nii *.nii.gz);;All files (*)";

QString formatNumber(double value) {
  return QString::number(value, 'g', 4);
}

// "240x240x155, spacing 1x1x1 mm": NIfTI i, j, k order, as `seqseg info` prints it.
QString describeGrid(const Volume& volume) {
  const Geometry& geometry = volume.geometry;
  return QStringLiteral("%1x%2x%3, spacing %4x%5x%6 mm")
      .arg(volume.shape[3])
      .arg(volume.shape[2])
      .arg(volume.shape[1])
      .arg(formatNumber(geometry.spacing[0]), formatNumber(geometry.spacing[1]),
           formatNumber(geometry.spacing[2]));
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

// Memory a new allocation can take without swapping (the kernel's MemAvailable), or -1 when
// unknown.
int64_t availableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line))
    if (line.rfind("MemAvailable:", 0) == 0) return std::stoll(line.substr(13)) * 1024;  // kB
  return -1;
}

}  // namespace

// What a background load hands to the window: the case, or the message saying why not.
struct MainWindow::LoadResult {
  CaseFiles files;
  QString source;  // the folder it was found in (a dataset root for MSD)
  QStringList recent;
  QString note;  // e.g. which case of a dataset folder this is
  std::shared_ptr<const Volume> volume;
  std::shared_ptr<const CaseViews::PreparedChannel> t1Display;  // T1 converted for the views
  IntensityWindow t1Window;
  QString error;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("seqseg[*]"));
  resize(1300, 850);
  setAcceptDrops(true);
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
  // After Train: Jobs -> Remote jobs (runs and segmentations on cluster profiles).
  QMenu* jobs = menuBar()->addMenu(tr("&Jobs"));
  jobs->addAction(tr("&Remote jobs…"), this, &MainWindow::showRemoteJobs)
      ->setObjectName(QStringLiteral("remoteJobsAction"));
  caseLabel_ =
      new QLabel(tr("Open a case folder, four image files or a DICOM study (File menu), or "
                    "drop them on this window."));
  statusBar()->addWidget(caseLabel_, 1);
  lastDirectory_ = QDir::homePath();
  session_.addListener(this);
}

MainWindow::~MainWindow() {
  session_.removeListener(this);
  // A worker still reading or writing files would report to a window that is gone.
  for (QThread* worker : workers_) {
    worker->disconnect(this);
    worker->wait();
    delete worker;
  }
  delete job_;  // ends a running job before the session it reports to goes
  job_ = nullptr;
  // The panels listen to session_, a member that dies before QMainWindow deletes its children.
  delete segmentPanel_;
  delete legendPanel_;
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
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
  const std::vector<std::string> images = segmentCase.files.images;
  if (session_.hasCase() && session_.caseFiles().images == images) {
    job_->attach(jobId, folder);
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  // Its case first: the job's result is a mask of that case.
  auto follow = std::make_shared<QMetaObject::Connection>();
  auto failed = std::make_shared<QMetaObject::Connection>();
  *follow =
      connect(this, &MainWindow::caseLoaded, this, [this, jobId, folder, images, follow, failed] {
        disconnect(*follow);
        disconnect(*failed);
        if (session_.caseFiles().images == images) job_->attach(jobId, folder);
      });
  *failed = connect(this, &MainWindow::loadFailed, this, [follow, failed] {
    disconnect(*follow);
    disconnect(*failed);
  });
  QStringList recent;
  if (images.size() == kModalityCount)
    for (const std::string& image : images) recent << QString::fromStdString(image);
  else
    recent << QString::fromStdString(segmentCase.source);
  startLoading(QString::fromStdString(segmentCase.files.id), recent,
               [segmentCase](std::string&, std::string& root) {
                 root = segmentCase.source;
                 return segmentCase.files;
               });
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

void MainWindow::createPanels() {
  segmentPanel_ = new SegmentPanel(session_, *job_);
  auto* segmentDock = new QDockWidget(tr("Segment"), this);
  segmentDock->setObjectName(QStringLiteral("segmentDock"));
  segmentDock->setWidget(segmentPanel_);
  addDockWidget(Qt::RightDockWidgetArea, segmentDock);

  legendPanel_ = new LegendPanel(session_, caseViews_->labelDisplay().colours);
  auto* legendDock = new QDockWidget(tr("Labels"), this);
  legendDock->setObjectName(QStringLiteral("legendDock"));
  legendDock->setWidget(legendPanel_);
  addDockWidget(Qt::RightDockWidgetArea, legendDock);
  connect(legendPanel_, &LegendPanel::labelVisibilityChanged, this, [this](int label, bool shown) {
    caseViews_->setLabelVisible(static_cast<uint8_t>(label), shown);
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
  const QString folder =
      QFileDialog::getExistingDirectory(this, tr("Open case folder"), lastDirectory_);
  if (folder.isEmpty()) return;
  lastDirectory_ = folder;
  openCase(folder);
}

void MainWindow::chooseDicomFolder() {
  const QString folder =
      QFileDialog::getExistingDirectory(this, tr("Open DICOM folder"), lastDirectory_);
  if (folder.isEmpty()) return;
  lastDirectory_ = folder;
  openDicomStudy(folder);
}

void MainWindow::chooseFourFiles() {
  QStringList files;
  for (const char* modality : kModalityNames) {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Choose the %1 image (%2 of 4)").arg(modality).arg(files.size() + 1),
        lastDirectory_, tr(kNiftiFilter));
    if (file.isEmpty()) return;
    lastDirectory_ = QFileInfo(file).absolutePath();
    files << file;
  }
  openFiles(files);
}

void MainWindow::chooseSegmentation() {
  const QString file =
      QFileDialog::getOpenFileName(this, tr("Open segmentation"), lastDirectory_, tr(kNiftiFilter));
  if (file.isEmpty()) return;
  lastDirectory_ = QFileInfo(file).absolutePath();
  openSegmentation(file);
}

void MainWindow::chooseSaveFile() {
  if (!session_.segmentation()) {
    showError(tr("Nothing to save"), tr("There is no segmentation to save."),
              tr("Segment the case or open a segmentation first."));
    return;
  }
  const QString suggested = QDir(lastDirectory_)
                                .filePath(QString::fromStdString(session_.caseFiles().id) +
                                          QStringLiteral("_seg.nii.gz"));
  const QString file =
      QFileDialog::getSaveFileName(this, tr("Save segmentation"), suggested, tr(kNiftiFilter));
  if (file.isEmpty()) return;
  lastDirectory_ = QFileInfo(file).absolutePath();
  saveSegmentation(file);
}

void MainWindow::chooseScreenshotFile(const QString& view) {
  const QString file = QFileDialog::getSaveFileName(
      this, tr("Export screenshot"), QDir(lastDirectory_).filePath(view + QStringLiteral(".png")),
      tr("PNG images (*.png)"));
  if (file.isEmpty()) return;
  lastDirectory_ = QFileInfo(file).absolutePath();
  exportScreenshot(view, file);
}

void MainWindow::openSegmentation(const QString& path) {
  const QString title = tr("Could not open the segmentation");
  if (!session_.hasCase()) {
    showLoadError(tr("%1: open a case before its segmentation").arg(path), title);
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  const int caseGeneration = loadGeneration_;
  const int generation = ++segmentationGeneration_;
  const std::string file = path.toStdString();
  const Volume& volume = *session_.volume();
  const std::array<int64_t, 3> grid{volume.shape[1], volume.shape[2], volume.shape[3]};
  const Layout layout = session_.layout();
  struct Result {
    std::shared_ptr<const LabelVolume> labels;
    QString error;
  };
  auto result = std::make_shared<Result>();
  QThread* loader = QThread::create([result, file, grid, layout] {
    try {
      const LabelVolume native = readLabelMap(file);
      if (native.shape != grid) {
        // NIfTI i, j, k order, as the status line and `seqseg info` print grids.
        throw InputError(file, "its grid " + std::to_string(native.shape[2]) + "x" +
                                   std::to_string(native.shape[1]) + "x" +
                                   std::to_string(native.shape[0]) + " is not the case's " +
                                   std::to_string(grid[2]) + "x" + std::to_string(grid[1]) + "x" +
                                   std::to_string(grid[0]));
      }
      result->labels = std::make_shared<LabelVolume>(toInternalLabels(native, layout, file));
    } catch (const std::bad_alloc&) {
      result->error = QStringLiteral("%1: not enough memory to load this segmentation")
                          .arg(QString::fromStdString(file));
    } catch (const std::exception& error) {
      result->error = QString::fromStdString(error.what());
    }
  });
  workers_.push_back(loader);
  connect(loader, &QThread::finished, this,
          [this, loader, generation, caseGeneration, result, title] {
            workers_.erase(std::remove(workers_.begin(), workers_.end(), loader), workers_.end());
            loader->deleteLater();
            // A newer segmentation, or another case, has been asked for since.
            if (generation != segmentationGeneration_ || caseGeneration != loadGeneration_) return;
            statusBar()->clearMessage();
            if (!result->labels) {
              showLoadError(result->error, title);
              return;
            }
            session_.setSegmentation(result->labels, /*unsaved=*/false);
            emit segmentationLoaded();
          });
  statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()));
  loader->start();
}

void MainWindow::openCase(const QString& folderOrFirstFile) {
  if (containsDicomFiles(folderOrFirstFile.toStdString())) {
    openDicomStudy(folderOrFirstFile);
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  const std::string folder = folderOrFirstFile.toStdString();
  startLoading(folderOrFirstFile, {QFileInfo(folderOrFirstFile).absoluteFilePath()},
               [folder](std::string& note, std::string& root) {
                 const Dataset dataset = findCases(folder);  // never empty: it throws instead
                 if (dataset.cases.size() > 1)
                   note = "case 1 of " + std::to_string(dataset.cases.size()) + " in the folder";
                 root = dataset.root;
                 return dataset.cases.front();
               });
}

void MainWindow::openDicomStudy(const QString& folder) {
  if (!settleUnsavedSegmentation()) return;
  const int generation = ++loadGeneration_;
  struct Scan {
    std::vector<DicomSeriesInfo> series;
    QString error;
  };
  auto scan = std::make_shared<Scan>();
  QThread* scanner = QThread::create([scan, path = folder.toStdString()] {
    try {
      scan->series = scanDicomFolder(path);
    } catch (const std::exception& error) {
      scan->error = QString::fromStdString(error.what());
    }
  });
  workers_.push_back(scanner);
  connect(scanner, &QThread::finished, this, [this, scanner, generation, scan, folder] {
    workers_.erase(std::remove(workers_.begin(), workers_.end(), scanner), workers_.end());
    scanner->deleteLater();
    if (generation != loadGeneration_) return;
    statusBar()->clearMessage();
    if (!scan->error.isEmpty()) {
      showLoadError(scan->error);
      return;
    }
    auto* dialog = new DicomSeriesDialog(folder, std::move(scan->series), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, folder] {
      loadDicomCase(folder, dialog->chosenSeries(), dialog->resampleAllowed());
    });
    dialog->open();
    emit dicomSeriesOffered(dialog);
  });
  statusBar()->showMessage(tr("Scanning %1 for DICOM series…").arg(folder));
  scanner->start();
}

void MainWindow::loadDicomCase(const QString& folder,
                               const std::array<DicomSeriesInfo, kModalityCount>& series,
                               bool resample) {
  const QString study = QFileInfo(folder).absoluteFilePath();
  const std::string id = QDir(study).dirName().toStdString();
  // Staged as NIfTI in the cache (one folder per study, reused): the case then segments and
  // saves like any other.
  const QString key = QString::fromLatin1(
      QCryptographicHash::hash(study.toUtf8(), QCryptographicHash::Sha1).toHex().left(10));
  const std::string staging = (QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                               QStringLiteral("/dicom/%1-%2").arg(QDir(study).dirName(), key))
                                  .toStdString();
  startLoading(QDir(study).dirName(), {study},
               [series, resample, staging, id, root = study.toStdString()](std::string& note,
                                                                           std::string& source) {
                 source = root;
                 return stageDicomCase(series, resample, staging, id, note);
               });
}

void MainWindow::openFiles(const QStringList& files) {
  if (files.size() != kModalityCount) {
    showLoadError(
        tr("%1 files given; a case needs four: T1, T1ce, T2 and FLAIR.").arg(files.size()));
    return;
  }
  if (!settleUnsavedSegmentation()) return;
  std::vector<std::string> paths;
  QStringList recent;
  for (const QString& file : files) {
    paths.push_back(file.toStdString());
    recent << QFileInfo(file).absoluteFilePath();
  }
  startLoading(QFileInfo(files.front()).fileName(), recent, [paths](std::string&, std::string&) {
    return explicitCase(paths[0], paths[1], paths[2], paths[3]);
  });
}

void MainWindow::startLoading(
    const QString& what, const QStringList& recent,
    std::function<CaseFiles(std::string& note, std::string& root)> locateCase) {
  const int generation = ++loadGeneration_;
  auto result = std::make_shared<LoadResult>();
  result->recent = recent;
  QThread* loader = QThread::create([result, locateCase] {
    try {
      std::string note, root;
      const CaseFiles files = locateCase(note, root);
      // Refused up front rather than left to the kernel's out-of-memory killer halfway through.
      if (const int64_t available = availableMemoryBytes(); available >= 0)
        checkCaseFitsMemory(files, available);
      auto volume = std::make_shared<Volume>(readCase(files));
      // Display range of T1, the channel the views show; here, off the UI thread.
      result->t1Window =
          percentileWindow(volume->channel(0), static_cast<size_t>(volume->voxelsPerChannel()));
      // The copy for VTK too: for a large case it would stall the window for seconds.
      result->t1Display = CaseViews::prepareChannel(volume, 0);
      result->files = files;
      result->source = QString::fromStdString(root);
      result->note = QString::fromStdString(note);
      result->volume = std::move(volume);
    } catch (const InputError& error) {
      result->error = QString::fromStdString(error.what());
    } catch (const std::bad_alloc&) {
      result->error = QStringLiteral("not enough memory to load this case");
    } catch (const std::exception& error) {
      result->error = QString::fromStdString(error.what());
    }
  });
  workers_.push_back(loader);
  connect(loader, &QThread::finished, this, [this, loader, generation, result] {
    workers_.erase(std::remove(workers_.begin(), workers_.end(), loader), workers_.end());
    loader->deleteLater();
    if (generation == loadGeneration_) finishLoading(*result);
  });
  statusBar()->showMessage(tr("Loading %1…").arg(what));
  loader->start();
}

void MainWindow::finishLoading(const LoadResult& result) {
  statusBar()->clearMessage();
  if (!result.volume) {
    showLoadError(result.error);
    return;
  }
  if (session_.jobActive()) job_->cancel();  // its result would be for the last case
  QString summary = QStringLiteral("%1 — %2").arg(QString::fromStdString(result.files.id),
                                                  describeGrid(*result.volume));
  if (!result.note.isEmpty()) summary += QStringLiteral(" (%1)").arg(result.note);
  caseLabel_->setText(summary);
  caseViews_->show(result.t1Display, result.t1Window);  // also clears the last case's labels
  displayControls_->refresh();
  session_.setCase(result.volume, result.files, result.source.toStdString());
  RecentCases().add(result.recent);
  emit caseLoaded();
}

void MainWindow::saveSegmentation(const QString& path) {
  if (!session_.segmentation()) {
    emit saveFailed(tr("%1: there is no segmentation to save").arg(path));
    return;
  }
  // Converted here (cheap), written on a worker thread (file I/O).
  auto native = std::make_shared<const LabelVolume>(session_.segmentationForSaving());
  const std::shared_ptr<const LabelVolume> saved = session_.segmentation();
  const std::string file = path.toStdString();
  statusBar()->showMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  writeInBackground(
      path, [native, file] { writeLabelMap(file, *native); },
      [this, saved, path] {
        // Still the segmentation that was written: it is saved now.
        if (session_.segmentation() == saved) session_.markSaved();
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        emit segmentationSaved(path);
      });
}

void MainWindow::exportScreenshot(const QString& view, const QString& path) {
  const QImage image = grabView(view);  // on the UI thread: it owns the GL contexts
  if (image.isNull()) {
    emit saveFailed(tr("%1: no view named %2").arg(path, view));
    return;
  }
  const std::string file = path.toStdString();
  writeInBackground(
      path,
      [image, path, file] {
        if (!image.save(path, "PNG")) throw InputError(file, "cannot write this PNG file");
      },
      [this, path] {
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        emit screenshotSaved(path);
      });
}

void MainWindow::writeInBackground(const QString& path, std::function<void()> write,
                                   std::function<void()> done) {
  auto error = std::make_shared<QString>();
  QThread* writer = QThread::create([write, error, path] {
    try {
      write();
    } catch (const std::exception& failure) {
      *error = QString::fromStdString(failure.what());
      if (error->isEmpty()) *error = path + QStringLiteral(": could not be written");
    }
  });
  workers_.push_back(writer);
  connect(writer, &QThread::finished, this, [this, writer, error, done] {
    workers_.erase(std::remove(workers_.begin(), workers_.end(), writer), workers_.end());
    writer->deleteLater();
    if (error->isEmpty()) {
      done();
      return;
    }
    statusBar()->clearMessage();
    showError(tr("Could not save"), tr("The file could not be written."), *error);
    emit saveFailed(*error);
  });
  writer->start();
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
  // The save runs on a worker thread; wait for it here with the event loop still running.
  QEventLoop waiting;
  bool saved = false;
  const auto onSaved = connect(this, &MainWindow::segmentationSaved, &waiting, [&] {
    saved = true;
    waiting.quit();
  });
  const auto onFailed = connect(this, &MainWindow::saveFailed, &waiting, &QEventLoop::quit);
  bool writing = false;
  for (QThread* worker : workers_) writing = writing || worker->isRunning();
  if (writing) waiting.exec();
  disconnect(onSaved);
  disconnect(onFailed);
  return saved && !session_.isDirty();
}

void MainWindow::fillRecentMenu() {
  recentMenu_->clear();
  RecentCases recent;
  const QList<QStringList> missing = recent.removeMissing();
  if (!missing.isEmpty()) {
    QStringList names;
    for (const QStringList& entry : missing) names << entry.join(QStringLiteral(", "));
    statusBar()->showMessage(
        tr("No longer there, removed from Recent cases: %1").arg(names.join(QStringLiteral("; "))),
        10000);
  }
  const QList<QStringList> entries = recent.entries();
  for (const QStringList& entry : entries) {
    const QString name =
        entry.size() == 1 ? entry.front() : tr("%1 (four files)").arg(entry.front());
    recentMenu_->addAction(name, this, [this, entry] { openRecent(entry); });
  }
  if (entries.isEmpty()) recentMenu_->addAction(tr("No recent cases"))->setEnabled(false);
}

void MainWindow::openRecent(const QStringList& paths) {
  for (const QString& path : paths) {
    if (QFileInfo::exists(path)) continue;
    RecentCases().remove(paths);
    showLoadError(tr("%1: no longer there; removed from Recent cases").arg(path));
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
