#pragma once
// Measures how long the UI thread is kept from its event loop: a timer that should fire every
// few milliseconds records the largest gap between two firings beyond its interval.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace seqseg {

class UiStallMeter : public QObject {
  Q_OBJECT

 public:
  explicit UiStallMeter(int intervalMs = 10, QObject* parent = nullptr);

  void start();  // forgets earlier measurements
  void stop();
  // The longest time, in ms, that the event loop went without serving the timer, beyond the
  // interval itself.
  double longestStallMs() const { return longestStallMs_; }

 private:
  void beat();

  QTimer timer_;
  QElapsedTimer clock_;
  qint64 lastBeatNs_ = 0;
  double longestStallMs_ = 0;
  int intervalMs_;
};

}  // namespace seqseg
