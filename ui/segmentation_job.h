#pragma once
// Runs the segmentation of the session's case in worker processes: `seqseg --batch` (the same
// executable) writing into a private temporary folder, its JSON Lines progress fed to the
// session. On success the mask becomes the session's segmentation; on cancel or failure, and
// in any case at the end, the temporary folder is removed.
#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

#include <memory>

#include "ui/batch_arguments.h"

class QTemporaryDir;
class QThread;

namespace seqseg {

class SessionModel;

class SegmentationJob : public QObject {
  Q_OBJECT

 public:
  explicit SegmentationJob(SessionModel& session, QObject* parent = nullptr);
  ~SegmentationJob() override;  // ends a running job (and its process group) first

  // The seqseg executable to run; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }
  QString executable() const;
  // How long a cancelled job has to end after SIGTERM before it is killed.
  void setGracePeriodMs(int ms) { gracePeriodMs_ = ms; }

  // Starts segmenting the session's open case; ignored without a case or while a job runs.
  void start(const SegmentSettings& settings);
  // SIGTERM to the job's process group; SIGKILL after the grace period.
  void cancel();
  // The private output folder of the running job; empty when none.
  QString outputFolder() const;
  // The process group of the running job (its first process's id); 0 when none.
  qint64 processGroup() const { return processGroup_; }

 signals:
  void started();
  // The job is over: done (the segmentation is in the session), failed or cancelled.
  void finished();

 private:
  void readOutput();
  void readErrors();
  void processEnded(int exitCode, QProcess::ExitStatus status);
  void processFailedToStart();
  void readResult();
  void signalGroup(int signal);
  void endJob();

  SessionModel& session_;
  QString executable_;
  // Longer than the rank launcher's own SIGTERM-to-SIGKILL grace (10 s), so that it can stop
  // its ranks and remove its temporary files itself.
  int gracePeriodMs_ = 15000;
  QProcess* process_ = nullptr;
  std::unique_ptr<QTemporaryDir> output_;
  QByteArray pendingOutput_;
  QByteArray pendingErrors_;
  QString lastErrorLine_;
  QTimer killTimer_;
  qint64 processGroup_ = 0;
  QThread* reader_ = nullptr;  // reads the finished mask
};

}  // namespace seqseg
