#pragma once
// What closes the loop from a wrong mask back to a better model, in the main window's menus:
// File -> Keep as training case (the case's four images and its corrected mask into the
// corrections folder, io/corrections_dataset.h), File -> Review a folder… (the Review dock,
// ui/review_panel.h) and Settings -> Corrections folder… (where kept cases go; by default
// "corrections" in the user's data folder).
#include <QObject>
#include <QPointer>
#include <QString>

#include "ui/session_model.h"

class QAction;
class QDockWidget;
class QThread;

namespace seqseg {

class MainWindow;
class ReviewPanel;
class SegmentPanel;

class CorrectionsMenu : public QObject, private SessionListener {
  Q_OBJECT

 public:
  CorrectionsMenu(MainWindow& window, SegmentPanel& segmentPanel);
  ~CorrectionsMenu() override;  // waits for a keep still writing

  // The corrections folder (QSettings "corrections/folder"; default: the data folder's).
  static QString correctionsFolder();
  static void setCorrectionsFolder(const QString& folder);

  // Keeps the open case with its segmentation as a training case, in the background; ends in
  // caseKept or keepFailed. Nothing happens without a case and a segmentation.
  void keepCase();
  // Shows the Review dock and reviews `folder` with the Segment panel's model.
  void review(const QString& folder);
  ReviewPanel* reviewPanel() const { return reviewPanel_; }
  QAction* keepAction() const { return keep_; }

 signals:
  void caseKept(const QString& caseFolder);
  void keepFailed(const QString& message);

 private:
  void chooseReviewFolder();
  void chooseCorrectionsFolder();
  void updateActions();
  void caseChanged() override { updateActions(); }
  void segmentationChanged() override { updateActions(); }
  void editFinished() override { updateActions(); }
  void jobChanged() override { updateActions(); }

  MainWindow& window_;
  SegmentPanel& segmentPanel_;
  QAction* keep_;
  QDockWidget* reviewDock_;
  ReviewPanel* reviewPanel_;
  QPointer<QThread> keeping_;
};

}  // namespace seqseg
