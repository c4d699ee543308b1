#include "ui/ui_stall_meter.h"

#include <algorithm>

namespace seqseg {

UiStallMeter::UiStallMeter(int intervalMs, QObject* parent)
    : QObject(parent), intervalMs_(intervalMs) {
  timer_.setInterval(intervalMs);
  timer_.setTimerType(Qt::PreciseTimer);
  connect(&timer_, &QTimer::timeout, this, &UiStallMeter::beat);
}

void UiStallMeter::start() {
  longestStallMs_ = 0;
  clock_.start();
  lastBeatNs_ = 0;
  timer_.start();
}

void UiStallMeter::stop() {
  if (timer_.isActive()) beat();  // a stall still going on counts too
  timer_.stop();
}

void UiStallMeter::beat() {
  const qint64 now = clock_.nsecsElapsed();
  const double gapMs = static_cast<double>(now - lastBeatNs_) / 1e6;
  longestStallMs_ = std::max(longestStallMs_, gapMs - intervalMs_);
  lastBeatNs_ = now;
}

}  // namespace seqseg
