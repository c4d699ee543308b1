#pragma once
// The file dialogs of the main window's File menu, each opening in the folder last chosen in
// any of them. Each returns what was chosen, empty when cancelled.
#include <QCoreApplication>
#include <QString>
#include <QStringList>

class QWidget;

namespace seqseg {

class CaseFileDialogs {
  Q_DECLARE_TR_FUNCTIONS(CaseFileDialogs)

 public:
  explicit CaseFileDialogs(QWidget* parent);

  QString caseFolder();
  QString dicomFolder();
  QStringList fourFiles();  // T1, T1ce, T2, FLAIR: one dialog each; empty unless all four
  QString segmentationToOpen();
  QString segmentationToSave(const QString& caseId);  // suggests CASE_seg.nii.gz
  QString screenshotFile(const QString& view);        // suggests VIEW.png

 private:
  QString folder(const QString& title);
  QString remember(const QString& file);  // its folder becomes the last one; returns `file`

  QWidget* parent_;
  QString lastDirectory_;
};

}  // namespace seqseg
