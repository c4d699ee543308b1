#include "ui/recent_cases.h"

#include <QFileInfo>
#include <QSettings>

namespace seqseg {
namespace {

constexpr const char* kKey = "recentCases";

void store(const QList<QStringList>& entries) {
  QSettings settings;
  settings.beginWriteArray(kKey, static_cast<int>(entries.size()));
  for (int i = 0; i < entries.size(); ++i) {
    settings.setArrayIndex(i);
    settings.setValue("paths", entries[i]);
  }
  settings.endArray();
}

}  // namespace

QList<QStringList> RecentCases::entries() const {
  QSettings settings;
  QList<QStringList> entries;
  const int count = settings.beginReadArray(kKey);
  for (int i = 0; i < count; ++i) {
    settings.setArrayIndex(i);
    const QStringList paths = settings.value("paths").toStringList();
    if (!paths.isEmpty()) entries << paths;
  }
  settings.endArray();
  return entries;
}

void RecentCases::add(const QStringList& paths) {
  QList<QStringList> list = entries();
  list.removeAll(paths);
  list.prepend(paths);
  while (list.size() > kMaximum) list.removeLast();
  store(list);
}

void RecentCases::remove(const QStringList& paths) {
  QList<QStringList> list = entries();
  list.removeAll(paths);
  store(list);
}

QList<QStringList> RecentCases::removeMissing() {
  QList<QStringList> kept, missing;
  for (const QStringList& entry : entries()) {
    bool present = true;
    for (const QString& path : entry) present = present && QFileInfo::exists(path);
    (present ? kept : missing) << entry;
  }
  if (!missing.isEmpty()) store(kept);
  return missing;
}

}  // namespace seqseg
