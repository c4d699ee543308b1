#include "io/image_writer.h"

#include <nifti1.h>

#include "io/nifti_header.h"
#include "types/input_error.h"

namespace seqseg {

void writeLabelMap(const std::string& path, const LabelVolume& labels) {
  if (static_cast<int64_t>(labels.labels.size()) != labels.size())
    throw InputError(path, "label map has " + std::to_string(labels.labels.size()) +
                               " voxels, its shape needs " + std::to_string(labels.size()));
  // NIfTI dims are i, j, k: the reverse of our [A0, A1, A2].
  const std::array<int64_t, 4> dims{labels.shape[2], labels.shape[1], labels.shape[0], 1};
  writeNiftiFile(path, dims, 3, DT_UINT8, labels.labels.data(), labels.geometry.nifti);
}

void writeImage(const std::string& path, const Volume& volume) {
  if (static_cast<int64_t>(volume.voxels.size()) != volume.channels() * volume.voxelsPerChannel())
    throw InputError(path, "image buffer does not match its shape");
  const std::array<int64_t, 4> dims{volume.shape[3], volume.shape[2], volume.shape[1],
                                    volume.shape[0]};
  writeNiftiFile(path, dims, volume.channels() > 1 ? 4 : 3, DT_FLOAT32, volume.voxels.data(),
                 volume.geometry.nifti);
}

void writeImageRows(const std::string& path, const std::array<int64_t, 4>& shape,
                    const Geometry& geometry, const ImageRowFiller& fillRow) {
  const std::array<int64_t, 4> dims{shape[3], shape[2], shape[1], shape[0]};
  // File rows run A1 fastest, then A0, then the channel.
  writeFloatNiftiRows(
      path, dims, shape[0] > 1 ? 4 : 3,
      [&](int64_t first, int64_t count, float* into) {
        for (int64_t row = first; row < first + count; ++row, into += shape[3])
          fillRow(row / (shape[1] * shape[2]), row / shape[2] % shape[1], row % shape[2], into);
      },
      geometry.nifti);
}

}  // namespace seqseg
