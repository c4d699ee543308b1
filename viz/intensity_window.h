#pragma once
// The intensity range an image is displayed with (window/level), as MRI viewers choose it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

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

// The whole finite range of `values` (never empty, as above).
IntensityWindow fullRangeWindow(const float* values, std::size_t count);

// Window presets by name, as the View menu lists them:
//   "Auto (0.1-99.9 %)"  the default: percentileWindow of all voxels;
//   "Brain (1-99 %)"     percentiles of the non-zero voxels only, so that the air around the
//                        head (most of a skull-stripped BraTS image) does not dim the tissue;
//   "Full range"         minimum to maximum.
std::vector<std::string> windowPresetNames();
// The preset `name` computed on `values`; nullopt for an unknown name.
std::optional<IntensityWindow> presetWindow(const std::string& name, const float* values,
                                            std::size_t count);

}  // namespace seqseg
