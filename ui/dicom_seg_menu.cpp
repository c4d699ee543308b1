#include "ui/dicom_seg_menu.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QThread>

#include <memory>

#include "io/dicom_file_check.h"
#include "io/dicom_seg.h"
#include "ui/dicom_series_dialog.h"
#include "ui/main_window.h"

namespace seqseg {

namespace {

// The action of `menu` after the one named `objectName` (null when it is the last or absent).
QAction* actionAfter(QMenu* menu, const QString& objectName) {
  const QList<QAction*> actions = menu->actions();
  for (int n = 0; n + 1 < actions.size(); ++n)
    if (actions[n]->objectName() == objectName) return actions[n + 1];
  return nullptr;
}

}  // namespace

DicomSegMenu::DicomSegMenu(MainWindow& window) : QObject(&window), window_(window) {
  QMenu* file = window.menuBar()->findChild<QMenu*>(QStringLiteral("fileMenu"));
  open_ = new QAction(tr("Open DICOM S&EG\u2026"), this);
  open_->setObjectName(QStringLiteral("openDicomSegAction"));
  open_->setStatusTip(tr("Overlay a DICOM Segmentation object of the DICOM study's T1 series"));
  connect(open_, &QAction::triggered, this, &DicomSegMenu::chooseSegFile);
  file->insertAction(actionAfter(file, QStringLiteral("openSegmentationAction")), open_);
  export_ = new QAction(tr("Export DICOM SE&G\u2026"), this);
  export_->setObjectName(QStringLiteral("exportDicomSegAction"));
  export_->setStatusTip(
      tr("Write the segmentation as a DICOM Segmentation object of the study's T1 series"));
  connect(export_, &QAction::triggered, this, &DicomSegMenu::chooseExportFile);
  file->insertAction(actionAfter(file, QStringLiteral("saveSegmentationAction")), export_);

  // The series a study's case is made of are known only to the dialog that chose them.
  connect(&window, &MainWindow::dicomSeriesOffered, this, [this](DicomSeriesDialog* dialog) {
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
      const DicomSeriesInfo t1 = dialog->chosenSeries()[0];
      pendingStudy_ = QFileInfo(QString::fromStdString(t1.folder)).absoluteFilePath();
      pendingSeries_ = t1;
    });
  });
  window.session().addListener(this);
  updateActions();
}

DicomSegMenu::~DicomSegMenu() {
  window_.session().removeListener(this);
  if (working_) working_->wait();
}

void DicomSegMenu::caseChanged() {
  const SessionModel& session = window_.session();
  // A staged study's case has the study folder for its source.
  if (session.hasCase() && pendingSeries_ &&
      QString::fromStdString(session.caseSource()) == pendingStudy_)
    caseSeries_ = pendingSeries_;
  else
    caseSeries_.reset();
  updateActions();
}

void DicomSegMenu::updateActions() {
  const SessionModel& session = window_.session();
  const bool free = caseSeries_ && !session.jobActive() && !working_;
  export_->setEnabled(free && session.segmentation() != nullptr);
  open_->setEnabled(free);
}

bool DicomSegMenu::readsAsDicomSeg(const QString& path) const {
  return caseSeries_ && hasDicomPreamble(path.toStdString());
}

void DicomSegMenu::chooseExportFile() {
  const QString name = QString::fromStdString(window_.session().caseFiles().id) + "_seg.dcm";
  const QString path =
      QFileDialog::getSaveFileName(&window_, tr("Export DICOM SEG"), QDir::home().filePath(name),
                                   tr("DICOM Segmentation (*.dcm);;All files (*)"));
  if (!path.isEmpty()) exportSeg(path);
}

void DicomSegMenu::chooseSegFile() {
  const QString path = QFileDialog::getOpenFileName(&window_, tr("Open DICOM SEG"), QString(),
                                                    tr("DICOM files (*.dcm *);;All files (*)"));
  // The window asks about an unsaved segmentation first, then hands the file back here.
  if (!path.isEmpty()) window_.openSegmentation(path);
}

void DicomSegMenu::exportSeg(const QString& path) {
  const SessionModel& session = window_.session();
  if (!caseSeries_ || !session.segmentation() || working_) return;
  const std::shared_ptr<const LabelVolume> labels = session.segmentation();
  const SegmentationOrigin& origin = session.segmentationOrigin();
  const DicomSegProvenance provenance{origin.kind == "model" ? origin.path : std::string(),
                                      session.canUndo()};
  runInBackground(
      tr("Could not export the DICOM SEG"),
      [labels, series = *caseSeries_, file = path.toStdString(), provenance] {
        writeDicomSeg(file, *labels, series, provenance);
      },
      [this, path] {
        window_.statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)),
                                         10000);
        emit exported(path);
      });
}

void DicomSegMenu::openSeg(const QString& path) {
  SessionModel& session = window_.session();
  if (!caseSeries_ || working_) return;
  auto labels = std::make_shared<LabelVolume>();
  const std::shared_ptr<const Volume> volume = session.volume();
  const Geometry caseGeometry = volume->geometry;
  runInBackground(
      tr("Could not open the DICOM SEG"),
      [labels, series = *caseSeries_, file = path.toStdString(), caseGeometry] {
        *labels = readDicomSeg(file, series);
        labels->geometry = caseGeometry;  // the series' grid is the case's (as staged)
      },
      [this, labels, path, volume] {
        if (window_.session().volume() != volume) return;  // another case opened meanwhile
        window_.session().setSegmentation(labels, /*unsaved=*/false, {"file", path.toStdString()});
        window_.statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)),
                                         10000);
        emit opened(path);
      });
}

void DicomSegMenu::runInBackground(const QString& title, std::function<void()> work,
                                   std::function<void()> done) {
  auto error = std::make_shared<QString>();
  working_ = QThread::create([work, error] {
    try {
      work();
    } catch (const std::exception& failure) {
      *error = QString::fromStdString(failure.what());
    }
  });
  connect(working_, &QThread::finished, this, [this, title, error, done] {
    working_->deleteLater();
    working_ = nullptr;
    updateActions();
    if (error->isEmpty()) {
      done();
      return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, title, title + QStringLiteral("."),
                                QMessageBox::Ok, &window_);
    box->setObjectName(QStringLiteral("dicomSegError"));
    box->setInformativeText(*error);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit failed(*error);
  });
  working_->start();
  updateActions();
}

}  // namespace seqseg
