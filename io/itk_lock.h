// The one lock every ITK call in io holds.
#pragma once

#include <mutex>

namespace seqseg {

// ITK 5.2 cannot be called from several threads at once, and io reads a case's files on several
// (four images and the reference label map together):
// - NiftiImageIO::ReadImageInformation keeps the last file name in a function-local static
//   std::string that every call assigns. Two threads assigning it free the same buffer twice and
//   glibc aborts the process, at the time or when a thread ends ("double free or corruption",
//   "unaligned tcache chunk detected"); helgrind shows the race on any two concurrent reads.
// - The object factory list, the default threader and its pool are built on first use without
//   a lock.
// ITK's part of reading a NIfTI file is its header: the voxels are decoded outside the lock
// (nifti_header.h), so a case's files still inflate concurrently. Hold the returned lock until
// the ITK objects made under it are gone (declare it first).
[[nodiscard]] std::unique_lock<std::mutex> lockItk();

}  // namespace seqseg
