// MainWindow: opening and saving cases, segmentations and screenshots (the File menu's choosers,
// Recent cases, drops on the window), and the question an unsaved segmentation asks first.
#include "ui/main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QUrl>

#include <string>
#include <vector>

#include "ui/case_logic.h"
#include "ui/dicom_seg_menu.h"
#include "ui/modality_order.h"

namespace seqseg {

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

}  // namespace seqseg
