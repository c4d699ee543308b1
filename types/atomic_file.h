#pragma once
// Writes that never leave a half-written file under the final name: data goes to a temporary
// file in the same folder (same file system, so the rename is atomic) and is renamed on commit.
#include <string>

namespace seqseg {

class AtomicFile {
 public:
  explicit AtomicFile(std::string finalPath);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temporaryPath() const { return temporaryPath_; }
  void commit();  // renames the temporary file into place; throws InputError on failure

 private:
  std::string finalPath_;
  std::string temporaryPath_;
  bool committed_ = false;
  int signalSlot_ = -1;
};

// Writes `text` to `path` through an AtomicFile. Throws InputError naming `path` on failure.
void writeFileAtomically(const std::string& path, const std::string& text);

// Throws InputError naming `folder` unless a file can be created in it (a read-only mount, a
// folder without write permission): checked before a job starts work whose results it could
// not write. Creates and removes one hidden probe file.
void checkFolderWritable(const std::string& folder);

// Removes the temporary files that process `pid` left in `folder` (it was killed before it could
// commit or clean up); pid -1: any process's. Returns how many. Missing folders are fine.
int removeTemporaryFilesOf(const std::string& folder, int pid);

// On SIGTERM, SIGINT or SIGHUP (a cancelled job), removes the temporary files of writes in
// progress and exits with 128 + signal, so that a cancelled run leaves no partial file.
void removeTemporaryFilesOnSignals();

}  // namespace seqseg
