#pragma once
// The last cases opened, kept in QSettings: each a folder or four files, newest first.
#include <QList>
#include <QStringList>

namespace seqseg {

class RecentCases {
 public:
  static constexpr int kMaximum = 8;

  QList<QStringList> entries() const;
  void add(const QStringList& paths);  // moves it to the front, keeps the newest kMaximum
  void remove(const QStringList& paths);
  // The entries naming a path that no longer exists: removed, and returned.
  QList<QStringList> removeMissing();
};

}  // namespace seqseg
