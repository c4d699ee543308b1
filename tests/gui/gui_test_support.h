#pragma once
// What the GUI tests share: one QApplication per process and pixel counting on grabbed views.
#include <QColor>
#include <QImage>

class QSignalSpy;

namespace seqseg {
class VtkViewWidget;
}

namespace seqseg::test {

// Sets VTK's surface format, then creates the process's QApplication on first use.
void ensureApplication();

// Fraction of pixels of `image` whose red, green or blue differs from `color` by more than
// `tolerance` (0..255).
double fractionUnlike(const QImage& image, const QColor& color, int tolerance = 24);

// The renderer's background as an 8-bit colour.
QColor backgroundOf(const VtkViewWidget& view);

// Saves `image` as NAME.png in the folder $SEQSEG_GUI_SNAPSHOTS names, if set: to look at
// what the tests saw.
void saveSnapshot(const QImage& image, const char* name);

// Waits until `done` or `failed` (whose first argument is the message) has been emitted; a
// failure or nothing within `timeoutMs` is a test failure. True when `done` came.
bool waitForOutcome(QSignalSpy& done, QSignalSpy& failed, int timeoutMs = 60000);

// Shows `window` and waits until it is on screen; false on timeout.
bool showAndWait(QWidget& window);

}  // namespace seqseg::test
