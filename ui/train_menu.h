#pragma once
// The Train menu of the main window: New model… (the wizard), Open run… (reattach to a run),
// Models… (the list of known models: rename, remove, show card, import a .pt). It keeps the
// model registry (ui/model_registry.h) in the user's settings and the Segment panel's model
// list in step with it.
#include <QObject>
#include <QPointer>

#include "ui/model_registry.h"

class QMainWindow;
class QMenu;

namespace seqseg {

class SegmentPanel;
class TrainWizard;

class TrainMenu : public QObject {
  Q_OBJECT

 public:
  TrainMenu(QMainWindow& window, SegmentPanel& panel);

  // The seqseg executable the wizard runs; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }

  TrainWizard* newModel();  // shows a new wizard
  // Train -> Fine-tune on my corrections…: a wizard on the corrections folder, starting from the
  // Segment panel's model with fine-tuning's defaults. Null (with a message) when no case has
  // been kept yet.
  TrainWizard* fineTuneOnCorrections();
  TrainWizard* openRun(const QString& runDir);  // shows a wizard on an existing run
  // Shows a wizard on the run in `runDir` that runs as job `jobId` on a cluster profile,
  // following the job again (TrainingRun::attachRemote).
  TrainWizard* attachRemoteRun(const QString& jobId, const QString& runDir);
  void showModels();            // the Models dialog
  TrainWizard* wizard() const;  // the latest wizard shown; null once closed

  const ModelRegistry& registry() const { return registry_; }
  // Adds (or renames, removes) a model, saves the registry and updates the Segment panel.
  QString addModel(const ModelEntry& entry);
  bool renameModel(const QString& from, const QString& to);
  bool removeModel(const QString& name);

 private:
  TrainWizard* makeWizard();
  void saveAndShow();
  void showInPanel();

  QMainWindow& window_;
  SegmentPanel& panel_;
  QString executable_;
  ModelRegistry registry_;
  QPointer<TrainWizard> wizard_;
};

}  // namespace seqseg
