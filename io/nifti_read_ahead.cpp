#include "io/nifti_read_ahead.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "types/name_affixes.h"

namespace seqseg {
namespace {

struct FileIdentity {
  uint64_t device = 0, inode = 0;
  int64_t size = 0, modifiedNs = 0;
  bool regular = false;
};

// The shared memory: this index, then each file's inflated bytes at its offset.
struct SharedFile {
  char path[PATH_MAX];    // as realpath() gives it
  FileIdentity identity;  // when the launcher looked
  int64_t offset, size;   // of the inflated bytes in the shared memory
  int32_t complete;       // set by the read-ahead process when the whole file inflated as expected
};
struct SharedIndex {
  char magic[8];
  int32_t count;
  SharedFile files[kReadAheadMaxFiles];
};
constexpr char kMagic[8] = "seqseg1";
constexpr int64_t kPage = 4096;

int64_t roundUpToPage(int64_t bytes) {
  return (bytes + kPage - 1) / kPage * kPage;
}

FileIdentity identityOf(const struct stat& status) {
  return {static_cast<uint64_t>(status.st_dev), static_cast<uint64_t>(status.st_ino),
          static_cast<int64_t>(status.st_size),
          static_cast<int64_t>(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec,
          S_ISREG(status.st_mode)};
}

bool identify(const char* path, FileIdentity& identity) {
  struct stat status {};
  if (stat(path, &status) != 0) return false;
  identity = identityOf(status);
  return true;
}

// Still the file the launcher saw (a file rewritten in place changes its modification time).
bool isRecordedFile(const FileIdentity& identity, const SharedFile& file) {
  const FileIdentity& recorded = file.identity;
  return identity.device == recorded.device && identity.inode == recorded.inode &&
         identity.size == recorded.size && identity.modifiedNs == recorded.modifiedNs;
}

// gzip's ISIZE field: the inflated size modulo 2^32 (a wrong guess only fails the inflate).
int64_t inflatedSizeOf(const char* path, int64_t fileSize) {
  if (fileSize < 18) return -1;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  unsigned char trailer[4];
  const bool ok = pread(fd, trailer, 4, fileSize - 4) == 4;
  close(fd);
  if (!ok) return -1;
  return static_cast<int64_t>(trailer[0]) | static_cast<int64_t>(trailer[1]) << 8 |
         static_cast<int64_t>(trailer[2]) << 16 | static_cast<int64_t>(trailer[3]) << 24;
}

// The whole file, when it is still the one the launcher saw.
bool readWhole(const SharedFile& file, std::vector<char>& bytes) {
  const int fd = open(file.path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat status {};
  if (fstat(fd, &status) != 0 || !isRecordedFile(identityOf(status), file)) {
    close(fd);
    return false;
  }
  const int64_t size = file.identity.size;
  bytes.resize(static_cast<size_t>(size));
  int64_t done = 0;
  while (done < size) {
    const ssize_t got = read(fd, bytes.data() + done, static_cast<size_t>(size - done));
    if (got <= 0) break;
    done += got;
  }
  close(fd);
  return done == size;
}

// The detached process's work: inflate every file into its place, marking the complete ones.
void inflateAll(SharedIndex* index, char* memory) {
  std::vector<char> compressed;
  for (int i = 0; i < index->count; ++i) {
    SharedFile& file = index->files[i];
    file.complete =
        readWhole(file, compressed) &&
        inflateExactGzip(compressed.data(), compressed.size(), memory + file.offset, file.size);
  }
}

// Reader side: the hand-over adopted from the environment.
class ReadAheadMemory {
 public:
  static ReadAheadMemory& instance() {
    static ReadAheadMemory memory;
    return memory;
  }

  void adopt() {
    const char* handover = std::getenv(kReadAheadHandoverVariable);
    if (!handover) return;
    int memoryFd = -1, pipeFd = -1;
    char flag[16] = "";
    const int fields = std::sscanf(handover, "%d,%d,%15s", &memoryFd, &pipeFd, flag);
    const bool verbose = fields == 3 && std::strcmp(flag, "verbose") == 0;
    unsetenv(kReadAheadHandoverVariable);  // not for the processes this one starts
    if (fields < 2) return;
    std::lock_guard<std::mutex> lock(mutex_);
    clear();
    struct stat status {};
    if (fstat(memoryFd, &status) != 0 || status.st_size < static_cast<off_t>(sizeof(SharedIndex)))
      return;
    // Not inherited by ranks, helpers or the GUI's children.
    fcntl(memoryFd, F_SETFD, FD_CLOEXEC);
    fcntl(pipeFd, F_SETFD, FD_CLOEXEC);
    void* mapped = mmap(nullptr, static_cast<size_t>(status.st_size), PROT_READ | PROT_WRITE,
                        MAP_SHARED, memoryFd, 0);
    if (mapped == MAP_FAILED) return;
    auto* index = static_cast<SharedIndex*>(mapped);
    if (std::memcmp(index->magic, kMagic, sizeof kMagic) != 0 || index->count < 0 ||
        index->count > kReadAheadMaxFiles) {
      munmap(mapped, static_cast<size_t>(status.st_size));
      return;
    }
    index_ = index;
    memory_ = static_cast<char*>(mapped);
    mappedSize_ = status.st_size;
    memoryFd_ = memoryFd;
    pipeFd_ = pipeFd;
    verbose_ = verbose;
    finished_ = false;
    std::fill(std::begin(taken_), std::end(taken_), false);
  }

  ReadAheadBytes take(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!index_) return {};
    waitUntilFinished();
    char real[PATH_MAX];
    if (!realpath(path.c_str(), real)) return {};
    for (int i = 0; i < index_->count; ++i) {
      SharedFile& file = index_->files[i];
      if (std::strcmp(file.path, real) != 0 || taken_[i]) continue;
      taken_[i] = true;
      FileIdentity now;
      const bool unchanged = identify(real, now) && isRecordedFile(now, file);
      if (verbose_)
        std::fprintf(stderr, "read-ahead: %s %s\n", real,
                     !file.complete ? "not inflated, read again"
                     : !unchanged   ? "changed since, read again"
                                    : "taken");
      if (!file.complete || !unchanged) {
        releaseLocked(file.offset, file.size);
        return {};
      }
#ifdef MADV_POPULATE_READ
      // One call maps the pages in, instead of a fault per page while decoding.
      madvise(memory_ + file.offset, static_cast<size_t>(roundUpToPage(file.size)),
              MADV_POPULATE_READ);
#endif
      return {memory_ + file.offset, file.size, file.offset};
    }
    return {};
  }

  void release(const ReadAheadBytes& bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (index_ && bytes.data) releaseLocked(bytes.offset, bytes.size);
  }

 private:
  // The pages go back to the system: nothing else maps this memory any more.
  void releaseLocked(int64_t offset, int64_t size) {
    const int64_t length = roundUpToPage(size);
    madvise(memory_ + offset, static_cast<size_t>(length), MADV_DONTNEED);
    fallocate(memoryFd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
  }

  // The read-ahead process holds the pipe's only write end: end of file means it has finished
  // (or died; its files are then incomplete). A read-ahead stuck for a minute is given up.
  void waitUntilFinished() {
    if (finished_) return;
    finished_ = true;
    char buffer[64];
    for (;;) {
      pollfd waiting{pipeFd_, POLLIN, 0};
      const int ready = poll(&waiting, 1, 60000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        std::fill(std::begin(taken_), std::end(taken_), true);
        break;
      }
      const ssize_t got = read(pipeFd_, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
    }
    close(pipeFd_);
    pipeFd_ = -1;
  }

  void clear() {
    if (!index_) return;
    munmap(memory_, static_cast<size_t>(mappedSize_));
    close(memoryFd_);
    if (pipeFd_ >= 0) close(pipeFd_);
    index_ = nullptr;
    memory_ = nullptr;
    memoryFd_ = pipeFd_ = -1;
  }

  std::mutex mutex_;
  SharedIndex* index_ = nullptr;
  char* memory_ = nullptr;
  int64_t mappedSize_ = 0;
  int memoryFd_ = -1, pipeFd_ = -1;
  bool verbose_ = false, finished_ = false;
  bool taken_[kReadAheadMaxFiles] = {};
};

}  // namespace

bool isGzippedNiftiName(const std::string& path) {
  return path.size() > 7 && endsWith(path, ".nii.gz");
}

bool inflateExactGzip(const char* compressed, size_t compressedSize, char* into,
                      int64_t inflatedSize) {
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> decompressor(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  size_t consumed = 0, produced = 0;
  return decompressor &&
         libdeflate_gzip_decompress_ex(decompressor.get(), compressed, compressedSize, into,
                                       static_cast<size_t>(inflatedSize), &consumed,
                                       &produced) == LIBDEFLATE_SUCCESS &&
         consumed == compressedSize && static_cast<int64_t>(produced) == inflatedSize;
}

bool startReadAhead(const std::vector<std::string>& paths, bool verbose) {
  SharedIndex index{};
  std::memcpy(index.magic, kMagic, sizeof kMagic);
  int64_t offset = roundUpToPage(sizeof(SharedIndex));
  for (const std::string& path : paths) {
    char real[PATH_MAX];
    FileIdentity identity;
    if (!isGzippedNiftiName(path) || !realpath(path.c_str(), real) || !identify(real, identity) ||
        !identity.regular)
      continue;
    bool duplicate = false;
    for (int i = 0; i < index.count; ++i) duplicate |= std::strcmp(index.files[i].path, real) == 0;
    if (duplicate) continue;
    const int64_t size = inflatedSizeOf(real, identity.size);
    if (size < 348 || size > kReadAheadMaxBytes) continue;  // not a whole NIfTI file: read later
    if (index.count == kReadAheadMaxFiles || offset + size > kReadAheadMaxBytes) return false;
    SharedFile& file = index.files[index.count++];
    std::memcpy(file.path, real, sizeof real);
    file.identity = identity;
    file.offset = offset;
    file.size = size;
    offset += roundUpToPage(size);
  }
  if (index.count == 0) return false;

  const int memoryFd = memfd_create("seqseg-read-ahead", 0);
  if (memoryFd < 0) return false;
  void* mapped = MAP_FAILED;
  if (ftruncate(memoryFd, offset) == 0)
    mapped =
        mmap(nullptr, static_cast<size_t>(offset), PROT_READ | PROT_WRITE, MAP_SHARED, memoryFd, 0);
  int finished[2];
  if (mapped == MAP_FAILED || pipe(finished) != 0) {
    if (mapped != MAP_FAILED) munmap(mapped, static_cast<size_t>(offset));
    close(memoryFd);
    return false;
  }
  std::memcpy(mapped, &index, sizeof index);
  // The write end stays in the read-ahead process only: the program's copy closes at exec.
  fcntl(finished[1], F_SETFD, FD_CLOEXEC);
  const pid_t child = fork();
  if (child == 0) {
    // Detached (a grandchild, adopted by init), so the program never sees it as its child.
    close(finished[0]);
    if (fork() == 0) {
      // Holds no descriptor but the pipe's write end: a caller waiting for the end of the
      // program's output must not wait for this process too.
      close_range(0, static_cast<unsigned>(finished[1]) - 1, 0);
      close_range(static_cast<unsigned>(finished[1]) + 1, ~0U, 0);
      inflateAll(static_cast<SharedIndex*>(mapped), static_cast<char*>(mapped));
      _exit(0);
    }
    _exit(0);
  }
  munmap(mapped, static_cast<size_t>(offset));
  close(finished[1]);
  if (child < 0) {
    close(finished[0]);
    close(memoryFd);
    return false;
  }
  while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  const std::string handover =
      std::to_string(memoryFd) + "," + std::to_string(finished[0]) + (verbose ? ",verbose" : "");
  setenv(kReadAheadHandoverVariable, handover.c_str(), 1);
  return true;
}

void adoptReadAhead() {
  ReadAheadMemory::instance().adopt();
}

ReadAheadBytes takeReadAhead(const std::string& path) {
  return ReadAheadMemory::instance().take(path);
}

void releaseReadAhead(const ReadAheadBytes& bytes) {
  ReadAheadMemory::instance().release(bytes);
}

}  // namespace seqseg
