#include "io/itk_lock.h"

namespace seqseg {

std::unique_lock<std::mutex> lockItk() {
  static std::mutex itk;
  return std::unique_lock<std::mutex>(itk);
}

}  // namespace seqseg
