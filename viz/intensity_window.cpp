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

}  // namespace seqseg
