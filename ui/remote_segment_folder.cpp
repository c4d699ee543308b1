#include "ui/remote_segment_folder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryDir>

#include <stdexcept>

#include "remote/cluster_profile.h"
#include "remote/job_record.h"

namespace seqseg {
namespace {

constexpr const char* kCaseFile = "case.json";

QJsonObject caseToJson(const RemoteSegmentCase& segmentCase) {
  const CaseFiles& files = segmentCase.files;
  QJsonArray images, channels;
  for (const std::string& image : files.images) images.append(QString::fromStdString(image));
  for (int channel : files.channelInFile) channels.append(channel);
  return {{"id", QString::fromStdString(files.id)},
          {"layout", QString::fromStdString(layoutName(files.layout))},
          {"images", images},
          {"channel_in_file", channels},
          {"reference", QString::fromStdString(files.reference)},
          {"source", QString::fromStdString(segmentCase.source)}};
}

}  // namespace

QString makeRemoteSegmentFolder(const RemoteSegmentCase& segmentCase, QString& error) {
  const QString parent = QString::fromStdString(jobRecordsFolder()) + QStringLiteral("/segment");
  if (!QDir().mkpath(parent)) {
    error = QStringLiteral("cannot create %1").arg(parent);
    return {};
  }
  QFile::setPermissions(parent,
                        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  QTemporaryDir folder(parent + QStringLiteral("/job-XXXXXX"));
  if (!folder.isValid()) {
    error = QStringLiteral("cannot create a folder in %1: %2").arg(parent, folder.errorString());
    return {};
  }
  QSaveFile file(QDir(folder.path()).filePath(kCaseFile));
  if (!file.open(QIODevice::WriteOnly) ||
      file.write(QJsonDocument(caseToJson(segmentCase)).toJson()) < 0 || !file.commit()) {
    error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
    return {};  // the temporary folder goes with `folder`
  }
  folder.setAutoRemove(false);
  return folder.path();
}

QString remoteSegmentOutput(const QString& folder) {
  return QDir(folder).filePath(QStringLiteral("out"));
}

bool readRemoteSegmentCase(const QString& folder, RemoteSegmentCase& segmentCase) {
  QFile file(QDir(folder).filePath(kCaseFile));
  if (!file.open(QIODevice::ReadOnly)) return false;
  const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
  const QJsonArray images = json["images"].toArray();
  if (images.isEmpty()) return false;
  CaseFiles files;
  try {
    files.layout = parseLayout(json["layout"].toString().toStdString());
  } catch (const std::invalid_argument&) {
    return false;
  }
  files.id = json["id"].toString().toStdString();
  for (const QJsonValue& image : images) files.images.push_back(image.toString().toStdString());
  const QJsonArray channels = json["channel_in_file"].toArray();
  for (int c = 0; c < kModalityCount && c < channels.size(); ++c)
    files.channelInFile[static_cast<size_t>(c)] = channels[c].toInt(c);
  files.reference = json["reference"].toString().toStdString();
  segmentCase.files = files;
  segmentCase.source = json["source"].toString().toStdString();
  return true;
}

QString remoteSegmentFolderOf(const JobRecord& record) {
  if (record.localOutput.empty()) return {};
  const QString folder = QFileInfo(QString::fromStdString(record.localOutput)).absolutePath();
  return QFileInfo::exists(QDir(folder).filePath(kCaseFile)) ? folder : QString();
}

}  // namespace seqseg
