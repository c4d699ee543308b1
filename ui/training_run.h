#pragma once
// One `seqseg train --progress json` run, started as a process of its own that outlives the
// window: its JSON Lines go to RUN_DIR/events.jsonl, which this object follows (a detached
// JobProcess, ui/job_process.h, reads what was appended, never blocking the UI thread), so a run
// left running can be reopened later (attach) with its curves rebuilt from RUN_DIR/metrics.jsonl.
// Pause asks the run to checkpoint and stop (the file RUN_DIR/pause), Resume continues it from
// last.pt, Cancel sends SIGTERM (the job's launcher stops every rank; last.pt stays). Qt Core
// only.
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "ui/job_process.h"
#include "ui/train_plan.h"
#include "ui/training_curves.h"

namespace seqseg {

class TrainingRun : public QObject {
  Q_OBJECT

 public:
  explicit TrainingRun(QObject* parent = nullptr);

  // The seqseg executable to run; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }
  QString executable() const;

  // Starts a run of `plan` (plan.resume continues the run in plan.runDir). False, with
  // errorString(), when it could not start.
  bool start(const TrainPlan& plan);
  // Follows the run in `runDir` (running or not): the curves from metrics.jsonl, then the
  // events appended from now on. False when the folder holds no run.
  bool attach(const QString& runDir);
  // Follows again the run in `runDir` that runs as job `jobId` on a cluster profile: unless its
  // process still follows it, a `seqseg jobs attach` process of its own (detached as well)
  // appends the job's events to the run's events file. False when it could not start.
  bool attachRemote(const QString& jobId, const QString& runDir);
  void pause();   // checkpoint after the current step, then stop
  bool resume();  // continue a paused, cancelled or interrupted run from last.pt
  // SIGTERM to the run; last.pt stays. A paused run is marked cancelled (in its events file
  // too): it is over unless resumed.
  void cancel();

  bool running() const;  // the run's process is alive
  // Wall time of the run's process: the last step's elapsed time plus, while it runs, the time
  // since that step (a validation adds no steps, but its time passes).
  double elapsedSeconds() const;
  QString runDir() const { return runDir_; }
  const TrainPlan& plan() const { return plan_; }
  const TrainingCurves& curves() const { return curves_; }
  qint64 processId() const { return process_.processId(); }
  QString errorString() const { return error_; }

  // How often the events file is read (ms).
  void setPollInterval(int ms) { process_.setPollInterval(ms); }

 signals:
  void curvesChanged();  // new points, log lines or state
  void ended();          // the process is gone (done, paused, cancelled or failed)

 private:
  void applyLine(const QByteArray& line);
  void processEnded();
  bool launch();
  // Starts `arguments` detached, its stdout appended to the events file; `marker`: a word of
  // its command line by which running() knows it (a reused process id is not it).
  bool launchDetached(const QStringList& arguments, const QString& marker);

  QString executable_;
  TrainPlan plan_;
  QString runDir_;
  TrainingCurves curves_;
  bool cancelled_ = false;
  QElapsedTimer sinceLastStep_;  // since the last step point arrived (or the run started)
  QString error_;
  JobProcess process_;
  // One curvesChanged() for the lines of one read, however many there are.
  QTimer notifyChange_;
};

// The plan stored in RUN_DIR/plan.json by start() (what the wizard needs to resume and to
// describe the model); false when there is none.
bool readRunPlan(const QString& runDir, TrainPlan& plan);

}  // namespace seqseg
