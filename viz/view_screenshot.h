#pragma once
// Screenshots of the views (File > Export screenshot).
#include <QString>

class QWidget;

namespace seqseg {

class VtkViewWidget;

// Renders `view` at its current size and writes it as a PNG to `path`; false (and the
// reason in `error`, when given) if the file could not be written.
bool saveViewScreenshot(VtkViewWidget& view, const QString& path, QString* error = nullptr);

// The same for any widget holding views (the whole ViewLayout, for example).
bool saveWidgetScreenshot(QWidget& widget, const QString& path, QString* error = nullptr);

}  // namespace seqseg
