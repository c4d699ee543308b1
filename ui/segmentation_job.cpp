#include "ui/segmentation_job.h"

#include <signal.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>

#include <array>
#include <exception>
#include <memory>

#include "io/image_reader.h"
#include "remote/job_record.h"
#include "types/resource_paths.h"
#include "ui/job_process.h"
#include "ui/probability_maps.h"
#include "ui/remote_segment_folder.h"
#include "ui/session_model.h"

namespace seqseg {

SegmentationJob::SegmentationJob(SessionModel& session, QObject* parent)
    : QObject(parent), session_(session) {}

SegmentationJob::~SegmentationJob() {
  if (process_) {
    process_->disconnect(this);
    if (!remoteJobId_.empty()) {
      // A submitted remote job goes on without the window: SIGUSR1 asks its follower (only it)
      // to leave (the job's record keeps where its events were read to), and the job's folder
      // stays for attach().
      process_->stop(SIGUSR1, 10000, JobProcess::Reach::FirstProcess);
      if (remoteJobRunning()) {
        outputFolder_.clear();
        jobFolder_.clear();
      }
    } else {
      // As a cancel: SIGTERM lets the launcher stop its ranks and clean up; SIGKILL if it hangs.
      process_->stop(SIGTERM, gracePeriodMs_);
    }
  }
  if (reader_) {
    reader_->disconnect(this);
    reader_->wait();
    delete reader_;
  }
  const QString folder = jobFolder_.isEmpty() ? outputFolder_ : jobFolder_;
  if (!folder.isEmpty()) QDir(folder).removeRecursively();
}

QString SegmentationJob::executable() const {
  return seqsegProgram(executable_);
}

qint64 SegmentationJob::processGroup() const {
  return process_ ? process_->processId() : 0;
}

void SegmentationJob::start(const SegmentSettings& settings) {
  if (process_ || !session_.hasCase() || session_.jobActive()) return;
  session_.startJob("Starting the segmentation…");
  modelPath_ = settings.model.empty() ? bundledModelPath() : settings.model;
  QString error;
  if (settings.cluster.empty()) {
    QTemporaryDir folder(QDir::temp().filePath("seqseg-segment-XXXXXX"));
    folder.setAutoRemove(false);  // endJob() removes it
    if (folder.isValid()) outputFolder_ = folder.path();
    error = folder.errorString();
  } else {
    jobFolder_ = makeRemoteSegmentFolder({session_.caseFiles(), session_.caseSource()}, error);
    if (!jobFolder_.isEmpty()) outputFolder_ = remoteSegmentOutput(jobFolder_);
  }
  if (outputFolder_.isEmpty()) {
    session_.failJob("cannot create a folder for the job's output: " + error.toStdString());
    endJob();
    return;
  }
  QStringList arguments;
  for (const std::string& argument : batchArguments(session_.caseFiles(), session_.caseSource(),
                                                    settings, outputFolder_.toStdString()))
    arguments << QString::fromStdString(argument);
  run(arguments, !settings.cluster.empty());
}

void SegmentationJob::attach(const QString& jobId, const QString& folder) {
  if (process_ || !session_.hasCase() || session_.jobActive()) return;
  session_.startJob("Attaching to remote job " + jobId.toStdString() + "…");
  jobFolder_ = folder;
  outputFolder_ = remoteSegmentOutput(folder);
  remoteJobId_ = jobId.toStdString();
  run({QStringLiteral("jobs"), QStringLiteral("attach"), jobId, QStringLiteral("--progress"),
       QStringLiteral("json")},
      /*remote=*/true);
}

void SegmentationJob::run(const QStringList& arguments, bool remote) {
  if (!remote) remoteJobId_.clear();
  process_ = new JobProcess(this);
  // Its own process group, so that cancel reaches every worker it starts.
  process_->setOwnProcessGroup(true);
  // The job ends with the application, even when that is killed (SIGTERM cancels the job and
  // its ranks). A remote job goes on without the application: SIGUSR1 ends only its follower
  // (seqseg jobs lists the job).
  process_->setParentDeathSignal(remote ? SIGUSR1 : SIGTERM);
  // Below the UI in the scheduler: the workers take every core, and the window stays smooth.
  process_->setNiceness(10);
  process_->setGracePeriodMs(gracePeriodMs_);
  connect(process_, &JobProcess::lineRead, this, &SegmentationJob::applyLine);
  connect(process_, &JobProcess::finished, this, &SegmentationJob::processEnded);
  connect(process_, &JobProcess::failedToStart, this, &SegmentationJob::processFailedToStart);
  process_->start(executable(), arguments);
  if (!process_) return;  // it could not start: already failed and over
  emit started();
}

void SegmentationJob::cancel() {
  if (!process_ || session_.job().state != JobState::Running) return;
  session_.requestCancel();
  process_->cancel();
}

void SegmentationJob::applyLine(const QByteArray& line) {
  session_.applyJobLine(line.toStdString());
  if (!session_.job().remoteJobId.empty()) remoteJobId_ = session_.job().remoteJobId;
}

void SegmentationJob::processFailedToStart(const QString& reason) {
  process_->deleteLater();
  process_ = nullptr;
  session_.failJob(
      QStringLiteral("could not start %1: %2").arg(executable(), reason).toStdString());
  endJob();
}

void SegmentationJob::processEnded(int exitCode, bool crashed) {
  const QString lastErrorLine = process_->lastErrorLine();
  process_->deleteLater();
  process_ = nullptr;
  session_.finishJob(exitCode, crashed, lastErrorLine.toStdString());
  if (session_.job().state == JobState::Done)
    readResult();
  else
    endJob();
}

void SegmentationJob::readResult() {
  const std::string maskPath = session_.job().maskPath;
  const QString folder = outputFolder_;
  if (maskPath.empty() || !QFileInfo(QString::fromStdString(maskPath))
                               .absoluteFilePath()
                               .startsWith(QDir(folder).absolutePath() + "/")) {
    session_.failJob("the segmentation process did not name its mask in " + folder.toStdString());
    endJob();
    return;
  }
  struct Result {
    std::shared_ptr<LabelVolume> labels;
    std::shared_ptr<Volume> probabilities;
    std::string error;
  };
  auto result = std::make_shared<Result>();
  const Volume& volume = *session_.volume();
  const std::array<int64_t, 3> grid{volume.shape[1], volume.shape[2], volume.shape[3]};
  // Off the UI thread: reading a mask and its probabilities is file I/O (and a pass over them).
  QThread* reader = reader_ = QThread::create([result, maskPath, grid, geometry = volume.geometry] {
    try {
      result->labels = std::make_shared<LabelVolume>(readLabelMap(maskPath));
    } catch (const std::exception& error) {
      result->error = error.what();
      return;
    }
    // A job that did not write them (a remote job started by an older version) gives none.
    if (!QFileInfo::exists(QString::fromStdString(classProbabilitiesPath(maskPath)))) return;
    try {
      result->probabilities =
          std::make_shared<Volume>(readProbabilityMaps(maskPath, grid, geometry));
    } catch (const std::exception& error) {
      result->error = std::string("the segmentation's probabilities: ") + error.what();
    }
  });
  connect(reader, &QThread::finished, this, [this, reader, result] {
    reader->deleteLater();
    reader_ = nullptr;
    if (result->labels && result->error.empty()) {
      try {
        session_.setSegmentation(result->labels, /*unsaved=*/true, {"model", modelPath_},
                                 result->probabilities);
      } catch (const std::exception& error) {
        session_.failJob(std::string("the segmentation does not fit the case: ") + error.what());
      }
    } else {
      session_.failJob(result->error);
    }
    endJob();
  });
  reader->start();
}

bool SegmentationJob::remoteJobRunning() const {
  if (jobFolder_.isEmpty() || remoteJobId_.empty()) return false;
  try {
    return loadJobRecord(remoteJobId_).state == JobState::Running;
  } catch (const std::exception&) {
    return false;  // no record: nothing to attach to
  }
}

void SegmentationJob::endJob() {
  // The folder goes, with whatever the job left in it; a remote job's only when the job is
  // over there too (a follower cut off from the cluster leaves it running: attach() resumes).
  const QString folder = jobFolder_.isEmpty() ? outputFolder_ : jobFolder_;
  if (!folder.isEmpty() && !remoteJobRunning()) QDir(folder).removeRecursively();
  outputFolder_.clear();
  jobFolder_.clear();
  remoteJobId_.clear();
  emit finished();
}

}  // namespace seqseg
