#include "ui/case_logic.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <exception>
#include <fstream>
#include <new>

#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/label_mapping.h"
#include "types/input_error.h"
#include "ui/recent_cases.h"
#include "ui/remote_segment_folder.h"
#include "ui/session_model.h"

namespace seqseg {

namespace {

// Memory a new allocation can take without swapping (the kernel's MemAvailable), or -1 when
// unknown.
int64_t availableMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line))
    if (line.rfind("MemAvailable:", 0) == 0) return std::stoll(line.substr(13)) * 1024;  // kB
  return -1;
}

QString formatNumber(double value) {
  return QString::number(value, 'g', 4);
}

// "240x240x155, spacing 1x1x1 mm": NIfTI i, j, k order, as `seqseg info` prints it.
QString describeGrid(const Volume& volume) {
  const Geometry& geometry = volume.geometry;
  return QStringLiteral("%1x%2x%3, spacing %4x%5x%6 mm")
      .arg(volume.shape[3])
      .arg(volume.shape[2])
      .arg(volume.shape[1])
      .arg(formatNumber(geometry.spacing[0]), formatNumber(geometry.spacing[1]),
           formatNumber(geometry.spacing[2]));
}

}  // namespace

// What a background load hands back: the case, or the message saying why not.
struct CaseLogic::CaseRead {
  LoadedCase loaded;
  QString source;  // the folder it was found in (a dataset root for MSD)
  QStringList recent;
  QString error;
};

CaseLogic::CaseLogic(SessionModel& session, QObject* parent) : QObject(parent), session_(session) {}

CaseLogic::~CaseLogic() {
  // A worker still reading or writing files would report to an object that is gone.
  for (QThread* worker : workers_) {
    worker->disconnect(this);
    worker->wait();
    delete worker;
  }
}

bool CaseLogic::isDicomStudy(const QString& folder) {
  return containsDicomFiles(folder.toStdString());
}

bool CaseLogic::waitForSave() {
  QEventLoop waiting;
  bool saved = false;
  connect(this, &CaseLogic::segmentationSaved, &waiting, [&] {
    saved = true;
    waiting.quit();
  });
  connect(this, &CaseLogic::writeFailed, &waiting, &QEventLoop::quit);
  if (std::any_of(workers_.begin(), workers_.end(),
                  [](const QThread* worker) { return worker->isRunning(); }))
    waiting.exec();
  return saved;
}

void CaseLogic::runInBackground(std::function<void()> work, std::function<void()> done) {
  QThread* worker = QThread::create(std::move(work));
  workers_.push_back(worker);
  connect(worker, &QThread::finished, this, [this, worker, done] {
    workers_.erase(std::remove(workers_.begin(), workers_.end(), worker), workers_.end());
    worker->deleteLater();
    done();
  });
  worker->start();
}

void CaseLogic::loadCaseFolder(const QString& folder) {
  const std::string path = folder.toStdString();
  startLoading(folder, {QFileInfo(folder).absoluteFilePath()},
               [path](std::string& note, std::string& root) {
                 const Dataset dataset = findCases(path);  // never empty: it throws instead
                 if (dataset.cases.size() > 1)
                   note = "case 1 of " + std::to_string(dataset.cases.size()) + " in the folder";
                 root = dataset.root;
                 return dataset.cases.front();
               });
}

void CaseLogic::loadFourFiles(const QStringList& files) {
  std::vector<std::string> paths;
  QStringList recent;
  for (const QString& file : files) {
    paths.push_back(file.toStdString());
    recent << QFileInfo(file).absoluteFilePath();
  }
  startLoading(QFileInfo(files.front()).fileName(), recent, [paths](std::string&, std::string&) {
    return explicitCase(paths[0], paths[1], paths[2], paths[3]);
  });
}

void CaseLogic::loadDicomCase(const QString& folder,
                              const std::array<DicomSeriesInfo, kModalityCount>& series,
                              bool resample) {
  const QString study = QFileInfo(folder).absoluteFilePath();
  const std::string id = QDir(study).dirName().toStdString();
  const QString key = QString::fromLatin1(
      QCryptographicHash::hash(study.toUtf8(), QCryptographicHash::Sha1).toHex().left(10));
  const std::string staging = (QStandardPaths::writableLocation(QStandardPaths::CacheLocation) +
                               QStringLiteral("/dicom/%1-%2").arg(QDir(study).dirName(), key))
                                  .toStdString();
  startLoading(QDir(study).dirName(), {study},
               [series, resample, staging, id, root = study.toStdString()](std::string& note,
                                                                           std::string& source) {
                 source = root;
                 return stageDicomCase(series, resample, staging, id, note);
               });
}

void CaseLogic::loadCaseFiles(const CaseFiles& files, const std::string& source,
                              std::function<void()> whenLoaded) {
  // Followed up on the next case loaded, if it is this one.
  auto follow = std::make_shared<QMetaObject::Connection>();
  auto failed = std::make_shared<QMetaObject::Connection>();
  *follow = connect(this, &CaseLogic::caseLoaded, this,
                    [this, images = files.images, whenLoaded, follow, failed] {
                      disconnect(*follow);
                      disconnect(*failed);
                      if (session_.caseFiles().images == images) whenLoaded();
                    });
  *failed = connect(this, &CaseLogic::caseLoadFailed, this, [follow, failed] {
    disconnect(*follow);
    disconnect(*failed);
  });
  QStringList recent;
  if (files.images.size() == kModalityCount)
    for (const std::string& image : files.images) recent << QString::fromStdString(image);
  else
    recent << QString::fromStdString(source);
  startLoading(QString::fromStdString(files.id), recent,
               [files, source](std::string&, std::string& root) {
                 root = source;
                 return files;
               });
}

void CaseLogic::scanDicomStudy(const QString& folder) {
  const int generation = ++loadGeneration_;
  struct Scan {
    std::vector<DicomSeriesInfo> series;
    QString error;
  };
  auto scan = std::make_shared<Scan>();
  emit statusMessage(tr("Scanning %1 for DICOM series…").arg(folder), 0);
  runInBackground(
      [scan, path = folder.toStdString()] {
        try {
          scan->series = scanDicomFolder(path);
        } catch (const std::exception& error) {
          scan->error = QString::fromStdString(error.what());
        }
      },
      [this, generation, scan, folder] {
        if (generation != loadGeneration_) return;
        emit statusMessage(QString(), 0);
        if (!scan->error.isEmpty()) {
          emit caseLoadFailed(scan->error);
          return;
        }
        emit dicomSeriesFound(folder, scan->series);
      });
}

void CaseLogic::startLoading(
    const QString& what, const QStringList& recent,
    std::function<CaseFiles(std::string& note, std::string& root)> locateCase) {
  const int generation = ++loadGeneration_;
  auto result = std::make_shared<CaseRead>();
  result->recent = recent;
  emit statusMessage(tr("Loading %1…").arg(what), 0);
  runInBackground(
      [result, locateCase] {
        try {
          std::string note, root;
          const CaseFiles files = locateCase(note, root);
          // Refused up front rather than left to the kernel's out-of-memory killer halfway.
          if (const int64_t available = availableMemoryBytes(); available >= 0)
            checkCaseFitsMemory(files, available);
          auto volume = std::make_shared<Volume>(readCase(files));
          LoadedCase& loaded = result->loaded;
          // Display range of T1, the channel the views show; here, off the UI thread.
          loaded.t1Window =
              percentileWindow(volume->channel(0), static_cast<size_t>(volume->voxelsPerChannel()));
          // The copy for VTK too: for a large case it would stall the window for seconds.
          loaded.t1Display = CaseViews::prepareChannel(volume, 0);
          loaded.files = files;
          loaded.summary = QStringLiteral("%1 — %2").arg(QString::fromStdString(files.id),
                                                         describeGrid(*volume));
          if (!note.empty())
            loaded.summary += QStringLiteral(" (%1)").arg(QString::fromStdString(note));
          loaded.volume = std::move(volume);
          result->source = QString::fromStdString(root);
        } catch (const InputError& error) {
          result->error = QString::fromStdString(error.what());
        } catch (const std::bad_alloc&) {
          result->error = QStringLiteral("not enough memory to load this case");
        } catch (const std::exception& error) {
          result->error = QString::fromStdString(error.what());
        }
      },
      [this, generation, result] {
        if (generation == loadGeneration_) finishLoading(*result);
      });
}

void CaseLogic::finishLoading(const CaseRead& result) {
  emit statusMessage(QString(), 0);
  if (!result.loaded.volume) {
    emit caseLoadFailed(result.error);
    return;
  }
  emit caseRead(result.loaded);
  session_.setCase(result.loaded.volume, result.loaded.files, result.source.toStdString());
  RecentCases().add(result.recent);
  emit caseLoaded();
}

void CaseLogic::loadSegmentation(const QString& path, SegmentationOrigin origin) {
  if (origin.kind == "none") origin = {"file", path.toStdString()};
  if (!session_.hasCase()) {
    emit segmentationLoadFailed(tr("%1: open a case before its segmentation").arg(path));
    return;
  }
  const int caseGeneration = loadGeneration_;
  const int generation = ++segmentationGeneration_;
  const std::string file = path.toStdString();
  const Volume& volume = *session_.volume();
  const std::array<int64_t, 3> grid{volume.shape[1], volume.shape[2], volume.shape[3]};
  const Layout layout = session_.layout();
  struct Result {
    std::shared_ptr<const LabelVolume> labels;
    QString error;
  };
  auto result = std::make_shared<Result>();
  emit statusMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()), 0);
  runInBackground(
      [result, file, grid, layout] {
        try {
          const LabelVolume native = readLabelMap(file);
          if (native.shape != grid) {
            // NIfTI i, j, k order, as the status line and `seqseg info` print grids.
            throw InputError(file, "its grid " + std::to_string(native.shape[2]) + "x" +
                                       std::to_string(native.shape[1]) + "x" +
                                       std::to_string(native.shape[0]) + " is not the case's " +
                                       std::to_string(grid[2]) + "x" + std::to_string(grid[1]) +
                                       "x" + std::to_string(grid[0]));
          }
          result->labels = std::make_shared<LabelVolume>(toInternalLabels(native, layout, file));
        } catch (const std::bad_alloc&) {
          result->error = QStringLiteral("%1: not enough memory to load this segmentation")
                              .arg(QString::fromStdString(file));
        } catch (const std::exception& error) {
          result->error = QString::fromStdString(error.what());
        }
      },
      [this, generation, caseGeneration, result, origin] {
        // A newer segmentation, or another case, has been asked for since.
        if (generation != segmentationGeneration_ || caseGeneration != loadGeneration_) return;
        emit statusMessage(QString(), 0);
        if (!result->labels) {
          emit segmentationLoadFailed(result->error);
          return;
        }
        session_.setSegmentation(result->labels, /*unsaved=*/false, origin);
        emit segmentationLoaded();
      });
}

void CaseLogic::saveSegmentation(const QString& path) {
  // Converted here (cheap), written on a worker thread (file I/O).
  auto native = std::make_shared<const LabelVolume>(session_.segmentationForSaving());
  const std::shared_ptr<const LabelVolume> saved = session_.segmentation();
  const std::string file = path.toStdString();
  emit statusMessage(tr("Saving %1…").arg(QFileInfo(path).fileName()), 0);
  writeInBackground(
      path, [native, file] { writeLabelMap(file, *native); },
      [this, saved, path] {
        // Still the segmentation that was written: it is saved now.
        if (session_.segmentation() == saved) session_.markSaved();
        emit statusMessage(tr("Saved %1").arg(path), 5000);
        emit segmentationSaved(path);
      });
}

void CaseLogic::saveScreenshot(const QImage& image, const QString& path) {
  const std::string file = path.toStdString();
  writeInBackground(
      path,
      [image, path, file] {
        if (!image.save(path, "PNG")) throw InputError(file, "cannot write this PNG file");
      },
      [this, path] {
        emit statusMessage(tr("Saved %1").arg(path), 5000);
        emit screenshotSaved(path);
      });
}

void CaseLogic::writeInBackground(const QString& path, std::function<void()> write,
                                  std::function<void()> done) {
  auto error = std::make_shared<QString>();
  runInBackground(
      [write, error, path] {
        try {
          write();
        } catch (const std::exception& failure) {
          *error = QString::fromStdString(failure.what());
          if (error->isEmpty()) *error = path + QStringLiteral(": could not be written");
        }
      },
      [this, error, done] {
        if (error->isEmpty()) {
          done();
          return;
        }
        emit statusMessage(QString(), 0);
        emit writeFailed(*error);
      });
}

QList<QStringList> CaseLogic::recentCases() {
  RecentCases recent;
  const QList<QStringList> missing = recent.removeMissing();
  if (!missing.isEmpty()) {
    QStringList names;
    for (const QStringList& entry : missing) names << entry.join(QStringLiteral(", "));
    emit statusMessage(
        tr("No longer there, removed from Recent cases: %1").arg(names.join(QStringLiteral("; "))),
        10000);
  }
  return recent.entries();
}

QString CaseLogic::forgetRecentIfGone(const QStringList& paths) {
  for (const QString& path : paths) {
    if (QFileInfo::exists(path)) continue;
    RecentCases().remove(paths);
    return path;
  }
  return QString();
}

}  // namespace seqseg
