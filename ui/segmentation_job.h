#pragma once
// Runs the segmentation of the session's case in worker processes: `seqseg --batch` (the same
// executable) writing into a private temporary folder, its JSON Lines progress fed to the
// session. On success the mask becomes the session's segmentation, with its probability maps
// (ui/probability_maps.h); on cancel or failure, and in any case at the end, the temporary
// folder is removed.
// A job on a cluster profile (settings.cluster) writes into a folder that outlives the window
// (ui/remote_segment_folder.h): destroying this object (closing the window) leaves the remote
// job running, and attach() follows it again later (`seqseg jobs attach`).
#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <string>

#include "ui/batch_arguments.h"

class QThread;

namespace seqseg {

class JobProcess;
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
  // Follows the remote job `jobId`, started by start() on the session's open case, whose
  // folder is `folder`: its progress, Cancel and result as if it had been started here.
  void attach(const QString& jobId, const QString& folder);
  // SIGTERM to the job's process group; SIGKILL after the grace period.
  void cancel();
  // The private output folder of the running job; empty when none.
  QString outputFolder() const { return outputFolder_; }
  // The process group of the running job (its first process's id); 0 when none.
  qint64 processGroup() const;

 signals:
  void started();
  // The job is over: done (the segmentation is in the session), failed or cancelled.
  void finished();

 private:
  void run(const QStringList& arguments, bool remote);
  void applyLine(const QByteArray& line);
  void processEnded(int exitCode, bool crashed);
  void processFailedToStart(const QString& reason);
  void readResult();
  // A remote job whose record says it still runs there (its folder is kept for attach()).
  bool remoteJobRunning() const;
  void endJob();

  SessionModel& session_;
  QString executable_;
  std::string modelPath_;  // the checkpoint of the job started last (the bundled one's path too)
  // Longer than the rank launcher's own SIGTERM-to-SIGKILL grace (10 s), so that it can stop
  // its ranks and remove its temporary files itself.
  int gracePeriodMs_ = 15000;
  JobProcess* process_ = nullptr;
  QString outputFolder_;       // removed when the job is over
  QString jobFolder_;          // a remote job's folder (holds outputFolder_); empty for a local job
  std::string remoteJobId_;    // a remote job's id, once submitted
  QThread* reader_ = nullptr;  // reads the finished mask
};

}  // namespace seqseg
