#include "viz/intensity_window.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace seqseg {

IntensityWindow percentileWindow(const float* values, std::size_t count, double lowerPercent,
                                 double upperPercent) {
  std::vector<float> finite;
  finite.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    if (std::isfinite(values[i])) finite.push_back(values[i]);
  IntensityWindow window;
  if (finite.empty()) return window;

  auto percentile = [&finite](double percent) {
    const double position = std::clamp(percent, 0.0, 100.0) / 100.0 * (finite.size() - 1);
    const auto nth = finite.begin() + static_cast<std::ptrdiff_t>(std::lround(position));
    std::nth_element(finite.begin(), nth, finite.end());
    return static_cast<double>(*nth);
  };
  window.low = percentile(lowerPercent);
  window.high = percentile(upperPercent);
  if (!(window.high > window.low)) window.high = window.low + 1.0;
  return window;
}

IntensityWindow fullRangeWindow(const float* values, std::size_t count) {
  return percentileWindow(values, count, 0.0, 100.0);
}

std::vector<std::string> windowPresetNames() {
  return {"Auto (0.1-99.9 %)", "Brain (1-99 %)", "Full range"};
}

std::optional<IntensityWindow> presetWindow(const std::string& name, const float* values,
                                            std::size_t count) {
  const std::vector<std::string> names = windowPresetNames();
  if (name == names[0]) return percentileWindow(values, count);
  if (name == names[1]) {
    std::vector<float> tissue;
    for (std::size_t i = 0; i < count; ++i)
      if (values[i] != 0.0f) tissue.push_back(values[i]);
    if (tissue.empty()) return percentileWindow(values, count);
    return percentileWindow(tissue.data(), tissue.size(), 1.0, 99.0);
  }
  if (name == names[2]) return fullRangeWindow(values, count);
  return std::nullopt;
}

}  // namespace seqseg
