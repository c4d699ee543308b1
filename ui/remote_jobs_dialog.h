#pragma once
// Jobs -> Remote jobs: the jobs started on cluster profiles, as this computer's job records
// list them (`seqseg jobs`), with Attach (follow a running job again, as its Segment panel or
// training wizard showed it) and Cancel (`seqseg jobs cancel`, in a process of its own).
#include <QByteArray>
#include <QDialog>
#include <QString>

class QLabel;
class QPushButton;
class QTableWidget;

namespace seqseg {

class JobProcess;

class RemoteJobsDialog : public QDialog {
  Q_OBJECT

 public:
  explicit RemoteJobsDialog(QWidget* parent = nullptr);

  // The seqseg executable Cancel runs; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }

 public slots:
  void refresh();    // reads the job records again
  void attachJob();  // the selected job: attachSegment or attachTraining
  void cancelJob();  // the selected job, with `seqseg jobs cancel`
  void selectJob(const QString& id);

 signals:
  // A job of the Segment panel: reopen its case, then follow it (SegmentationJob::attach).
  void attachSegment(const QString& jobId, const QString& folder);
  // A training run: follow it in the wizard (its run folder).
  void attachTraining(const QString& jobId, const QString& runDir);
  void jobCancelled(const QString& jobId);

 private:
  QString selectedId() const;
  void updateButtons();
  void cancelEnded(const QString& id, int exitCode);

  QString executable_;
  QTableWidget* table_ = nullptr;
  QPushButton* attach_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QLabel* message_ = nullptr;
  JobProcess* canceller_ = nullptr;
  QByteArray cancellerSaid_;  // its stdout and stderr
};

}  // namespace seqseg
