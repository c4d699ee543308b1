#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <exception>
#include <memory>
#include <string>

#include "engine/input_error.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "viz/case_views.h"
#include "viz/intensity_window.h"
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

}  // namespace

// What a background load hands to the window: the case, or the message saying why not.
struct MainWindow::LoadResult {
  QString caseId;
  QString note;  // e.g. which case of a dataset folder this is
  std::shared_ptr<const Volume> volume;
  IntensityWindow t1Window;
  Layout layout = Layout::Explicit;
  QString error;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("seqseg"));
  resize(1100, 850);
  createMenus();
  createViews();
  caseLabel_ = new QLabel(tr("Open a case folder or four image files (File menu)."));
  statusBar()->addWidget(caseLabel_, 1);
  lastDirectory_ = QDir::homePath();
}

MainWindow::~MainWindow() {
  // A loader still reading files would report to a window that is gone; let it finish.
  for (QThread* loader : loaders_) {
    loader->wait();
    delete loader;
  }
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* openFolder =
      file->addAction(tr("&Open case folder…"), this, &MainWindow::chooseCaseFolder);
  openFolder->setShortcut(QKeySequence::Open);
  openFolder->setStatusTip(tr("Open a BraTS, MSD or nnU-Net case or dataset folder"));
  QAction* openFiles = file->addAction(tr("Open &four files…"), this, &MainWindow::chooseFourFiles);
  openFiles->setStatusTip(tr("Open a case given as four images: T1, T1ce, T2 and FLAIR"));
  QAction* openMask =
      file->addAction(tr("Open &segmentation…"), this, &MainWindow::chooseSegmentation);
  openMask->setObjectName(QStringLiteral("openSegmentationAction"));
  openMask->setStatusTip(
      tr("Overlay a label map of the open case (in its dataset's native labels)"));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);
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

  auto* central = new QWidget;
  auto* grid = new QGridLayout(central);
  grid->setContentsMargins(4, 4, 4, 4);
  grid->setSpacing(4);
  grid->addWidget(captioned(tr("Axial"), axial), 0, 0);
  grid->addWidget(captioned(tr("Sagittal"), sagittal), 0, 1);
  grid->addWidget(captioned(tr("Coronal"), coronal), 1, 0);
  grid->addWidget(captioned(tr("3D"), overview), 1, 1);
  setCentralWidget(central);

  caseViews_ = std::make_unique<CaseViews>(axial, sagittal, coronal, overview);
}

QString MainWindow::caseSummary() const {
  return volume_ ? caseLabel_->text() : QString();
}

void MainWindow::chooseCaseFolder() {
  const QString folder =
      QFileDialog::getExistingDirectory(this, tr("Open case folder"), lastDirectory_);
  if (folder.isEmpty()) return;
  lastDirectory_ = folder;
  openCase(folder);
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

void MainWindow::openSegmentation(const QString& path) {
  const QString title = tr("Could not open the segmentation");
  if (!volume_) {
    showLoadError(tr("%1: open a case before its segmentation").arg(path), title);
    return;
  }
  const int caseGeneration = loadGeneration_;
  const int generation = ++segmentationGeneration_;
  const std::string file = path.toStdString();
  const std::array<int64_t, 3> grid{volume_->shape[1], volume_->shape[2], volume_->shape[3]};
  const Layout layout = caseLayout_;
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
  loaders_.push_back(loader);
  connect(loader, &QThread::finished, this,
          [this, loader, generation, caseGeneration, result, title] {
            loaders_.erase(std::remove(loaders_.begin(), loaders_.end(), loader), loaders_.end());
            loader->deleteLater();
            // A newer segmentation, or another case, has been asked for since.
            if (generation != segmentationGeneration_ || caseGeneration != loadGeneration_) return;
            statusBar()->clearMessage();
            if (!result->labels) {
              showLoadError(result->error, title);
              return;
            }
            caseViews_->showLabels(*result->labels);
            emit segmentationLoaded();
          });
  statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()));
  loader->start();
}

void MainWindow::openCase(const QString& folderOrFirstFile) {
  const std::string folder = folderOrFirstFile.toStdString();
  startLoading(folderOrFirstFile, [folder](std::string& note) {
    const Dataset dataset = findCases(folder);  // never empty: it throws instead
    if (dataset.cases.size() > 1)
      note = "case 1 of " + std::to_string(dataset.cases.size()) + " in the folder";
    return dataset.cases.front();
  });
}

void MainWindow::openFiles(const QStringList& files) {
  if (files.size() != kModalityCount) {
    showLoadError(
        tr("%1 files given; a case needs four: T1, T1ce, T2 and FLAIR.").arg(files.size()));
    return;
  }
  std::vector<std::string> paths;
  for (const QString& file : files) paths.push_back(file.toStdString());
  startLoading(QFileInfo(files.front()).fileName(), [paths](std::string&) {
    return explicitCase(paths[0], paths[1], paths[2], paths[3]);
  });
}

void MainWindow::startLoading(const QString& what,
                              std::function<CaseFiles(std::string& note)> locateCase) {
  const int generation = ++loadGeneration_;
  auto result = std::make_shared<LoadResult>();
  QThread* loader = QThread::create([result, locateCase] {
    try {
      std::string note;
      const CaseFiles files = locateCase(note);
      auto volume = std::make_shared<Volume>(readCase(files));
      // Display range of T1, the channel the views show; here, off the UI thread.
      result->t1Window =
          percentileWindow(volume->channel(0), static_cast<size_t>(volume->voxelsPerChannel()));
      result->caseId = QString::fromStdString(files.id);
      result->layout = files.layout;
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
  loaders_.push_back(loader);
  connect(loader, &QThread::finished, this, [this, loader, generation, result] {
    loaders_.erase(std::remove(loaders_.begin(), loaders_.end(), loader), loaders_.end());
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
  volume_ = result.volume;
  caseLayout_ = result.layout;
  QString summary = QStringLiteral("%1 — %2").arg(result.caseId, describeGrid(*volume_));
  if (!result.note.isEmpty()) summary += QStringLiteral(" (%1)").arg(result.note);
  caseLabel_->setText(summary);
  caseViews_->show(*volume_, 0, result.t1Window);  // also clears the last case's labels
  emit caseLoaded();
}

void MainWindow::showLoadError(const QString& message, const QString& title) {
  // Not exec(): a modal loop here would hold up whoever waits for loadFailed.
  const bool segmentation = !title.isEmpty();
  auto* box =
      new QMessageBox(QMessageBox::Warning, segmentation ? title : tr("Could not open the case"),
                      segmentation ? tr("The segmentation could not be opened.")
                                   : tr("The case could not be opened."),
                      QMessageBox::Ok, this);
  box->setInformativeText(message);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
  emit loadFailed(message);
}

}  // namespace seqseg
