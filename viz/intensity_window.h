#pragma once
// The intensity range an image is displayed with (window/level), as MRI viewers choose it.
#include <cstddef>

namespace seqseg {

struct IntensityWindow {
  double low = 0.0;
  double high = 1.0;

  double width() const { return high - low; }
  double level() const { return 0.5 * (low + high); }
};

// The range between two percentiles of `values` (0.1 and 99.9 by default), so that a few hot
// voxels do not darken the whole image. Never empty: a constant image gets width 1.
IntensityWindow percentileWindow(const float* values, std::size_t count, double lowerPercent = 0.1,
                                 double upperPercent = 99.9);

}  // namespace seqseg
