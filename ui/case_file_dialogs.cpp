#include "ui/case_file_dialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>

#include "io/case_files.h"

namespace seqseg {
namespace {

constexpr const char* kNiftiFilter = "NIfTI images (*.nii *.nii.gz);;All files (*)";

}  // namespace

CaseFileDialogs::CaseFileDialogs(QWidget* parent)
    : parent_(parent), lastDirectory_(QDir::homePath()) {}

QString CaseFileDialogs::folder(const QString& title) {
  const QString folder = QFileDialog::getExistingDirectory(parent_, title, lastDirectory_);
  if (!folder.isEmpty()) lastDirectory_ = folder;
  return folder;
}

QString CaseFileDialogs::remember(const QString& file) {
  if (!file.isEmpty()) lastDirectory_ = QFileInfo(file).absolutePath();
  return file;
}

QString CaseFileDialogs::caseFolder() {
  return folder(tr("Open case folder"));
}

QString CaseFileDialogs::dicomFolder() {
  return folder(tr("Open DICOM folder"));
}

QStringList CaseFileDialogs::fourFiles() {
  QStringList files;
  for (const char* modality : kModalityNames) {
    const QString file = remember(QFileDialog::getOpenFileName(
        parent_, tr("Choose the %1 image (%2 of 4)").arg(modality).arg(files.size() + 1),
        lastDirectory_, tr(kNiftiFilter)));
    if (file.isEmpty()) return {};
    files << file;
  }
  return files;
}

QString CaseFileDialogs::segmentationToOpen() {
  return remember(QFileDialog::getOpenFileName(parent_, tr("Open segmentation"), lastDirectory_,
                                               tr(kNiftiFilter)));
}

QString CaseFileDialogs::segmentationToSave(const QString& caseId) {
  const QString suggested = QDir(lastDirectory_).filePath(caseId + QStringLiteral("_seg.nii.gz"));
  return remember(
      QFileDialog::getSaveFileName(parent_, tr("Save segmentation"), suggested, tr(kNiftiFilter)));
}

QString CaseFileDialogs::screenshotFile(const QString& view) {
  return remember(QFileDialog::getSaveFileName(
      parent_, tr("Export screenshot"),
      QDir(lastDirectory_).filePath(view + QStringLiteral(".png")), tr("PNG images (*.png)")));
}

}  // namespace seqseg
