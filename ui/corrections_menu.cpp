#include "ui/corrections_menu.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>

#include <memory>

#include "io/corrections_dataset.h"
#include "types/sha256.h"
#include "ui/main_window.h"
#include "ui/review_panel.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"

namespace seqseg {

namespace {

constexpr const char* kFolderKey = "corrections/folder";

// The action of `menu` after the one named `objectName` (null when it is the last or absent).
QAction* actionAfter(QMenu* menu, const QString& objectName) {
  const QList<QAction*> actions = menu->actions();
  for (int n = 0; n + 1 < actions.size(); ++n)
    if (actions[n]->objectName() == objectName) return actions[n + 1];
  return nullptr;
}

}  // namespace

CorrectionsMenu::CorrectionsMenu(MainWindow& window, SegmentPanel& segmentPanel)
    : QObject(&window), window_(window), segmentPanel_(segmentPanel) {
  QMenu* file = window.menuBar()->findChild<QMenu*>(QStringLiteral("fileMenu"));
  QMenu* settings = window.menuBar()->findChild<QMenu*>(QStringLiteral("settingsMenu"));
  QAction* before = actionAfter(file, QStringLiteral("saveSegmentationAction"));
  keep_ = new QAction(tr("&Keep as training case"), this);
  keep_->setObjectName(QStringLiteral("keepCaseAction"));
  keep_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  keep_->setStatusTip(
      tr("Copy the case and its corrected segmentation into the corrections "
         "folder, to fine-tune a model on (Train menu)"));
  connect(keep_, &QAction::triggered, this, &CorrectionsMenu::keepCase);
  file->insertAction(before, keep_);
  auto* review = new QAction(tr("&Review a folder\u2026"), this);
  review->setObjectName(QStringLiteral("reviewFolderAction"));
  review->setStatusTip(tr("Segment a folder's cases and list them, the most uncertain first"));
  connect(review, &QAction::triggered, this, &CorrectionsMenu::chooseReviewFolder);
  file->insertAction(before, review);
  settings
      ->addAction(tr("C&orrections folder\u2026"), this, &CorrectionsMenu::chooseCorrectionsFolder)
      ->setObjectName(QStringLiteral("correctionsFolderAction"));

  reviewPanel_ = new ReviewPanel;
  reviewPanel_->showKept(correctionsFolder());
  reviewDock_ = new QDockWidget(tr("Review"), &window);
  reviewDock_->setObjectName(QStringLiteral("reviewDock"));
  reviewDock_->setWidget(reviewPanel_);
  window.addDockWidget(Qt::RightDockWidgetArea, reviewDock_);
  reviewDock_->hide();  // until a folder is reviewed
  connect(reviewPanel_, &ReviewPanel::caseChosen, this,
          [this](const CaseFiles& files, const QString& source, const QString& mask,
                 const QString& model) {
            window_.openCaseWithSegmentation(files, source.toStdString(), mask,
                                             {"model", model.toStdString()});
          });
  connect(reviewPanel_, &ReviewPanel::failed, this,
          [this](const QString& message) { window_.statusBar()->showMessage(message, 10000); });
  connect(this, &CorrectionsMenu::caseKept, reviewPanel_,
          [this] { reviewPanel_->showKept(correctionsFolder()); });

  window.session().addListener(this);
  updateActions();
}

CorrectionsMenu::~CorrectionsMenu() {
  window_.session().removeListener(this);
  if (keeping_) keeping_->wait();
}

QString CorrectionsMenu::correctionsFolder() {
  const QString chosen = QSettings().value(QLatin1String(kFolderKey)).toString();
  if (!chosen.isEmpty()) return chosen;
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/corrections";
}

void CorrectionsMenu::setCorrectionsFolder(const QString& folder) {
  QSettings().setValue(QLatin1String(kFolderKey), folder);
}

void CorrectionsMenu::updateActions() {
  const SessionModel& session = window_.session();
  keep_->setEnabled(session.hasCase() && session.segmentation() && !session.jobActive() &&
                    !keeping_);
}

void CorrectionsMenu::keepCase() {
  SessionModel& session = window_.session();
  if (!session.hasCase() || !session.segmentation() || keeping_) return;
  // What is kept is what is shown now; the worker holds its own references (later edits copy).
  auto correction = std::make_shared<CorrectionCase>();
  auto volume = session.volume();
  auto corrected = session.segmentation();
  auto started = session.startingSegmentation();
  correction->source = session.caseFiles();
  correction->image = volume.get();
  correction->corrected = corrected.get();
  correction->started = started.get();
  correction->startedFrom = session.segmentationOrigin().kind;
  correction->startedPath = session.segmentationOrigin().path;
  const std::string root = correctionsFolder().toStdString();
  auto outcome = std::make_shared<std::pair<std::string, std::string>>();  // folder, error
  keeping_ = QThread::create([correction, volume, corrected, started, root, outcome] {
    try {
      if (correction->startedFrom == "model") {
        try {
          correction->modelSha256 = fileSha256(correction->startedPath);
        } catch (const std::exception&) {
          // The model file has gone since it segmented: kept without its digest.
        }
      }
      outcome->first = keepCorrectionCase(root, *correction);
    } catch (const std::exception& error) {
      outcome->second = error.what();
    }
  });
  connect(keeping_, &QThread::finished, this, [this, outcome, corrected] {
    keeping_->deleteLater();
    keeping_ = nullptr;
    updateActions();
    if (!outcome->second.empty()) {
      const QString message = QString::fromStdString(outcome->second);
      auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not keep the case"),
                                  tr("The case could not be kept as a training case."),
                                  QMessageBox::Ok, &window_);
      box->setInformativeText(message);
      box->setAttribute(Qt::WA_DeleteOnClose);
      box->open();
      emit keepFailed(message);
      return;
    }
    const QString folder = QString::fromStdString(outcome->first);
    // The corrections folder holds what is shown (unless it was edited meanwhile: an edit
    // copies): nothing would be lost by moving on to the next case.
    if (window_.session().segmentation() == corrected) window_.session().markSaved();
    window_.statusBar()->showMessage(
        tr("Kept as a training case in %1").arg(QDir::toNativeSeparators(folder)), 10000);
    emit caseKept(folder);
  });
  window_.statusBar()->showMessage(tr("Keeping the case as a training case\u2026"));
  keeping_->start();
  updateActions();
}

void CorrectionsMenu::chooseReviewFolder() {
  const QString folder = QFileDialog::getExistingDirectory(&window_, tr("Review a folder of cases"),
                                                           QString(), QFileDialog::ShowDirsOnly);
  if (!folder.isEmpty()) review(folder);
}

void CorrectionsMenu::review(const QString& folder) {
  reviewDock_->show();
  reviewDock_->raise();
  reviewPanel_->showKept(correctionsFolder());
  reviewPanel_->setExecutable(window_.segmentationJob().executable());
  reviewPanel_->review(folder, segmentPanel_.settings());
}

void CorrectionsMenu::chooseCorrectionsFolder() {
  const QString folder = QFileDialog::getExistingDirectory(
      &window_, tr("Corrections folder: where kept training cases go"), correctionsFolder(),
      QFileDialog::ShowDirsOnly);
  if (folder.isEmpty()) return;
  setCorrectionsFolder(folder);
  reviewPanel_->showKept(folder);
  window_.statusBar()->showMessage(
      tr("Training cases will be kept in %1").arg(QDir::toNativeSeparators(folder)), 10000);
}

}  // namespace seqseg
