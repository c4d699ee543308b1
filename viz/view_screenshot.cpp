#include "viz/view_screenshot.h"

#include <QImage>
#include <QImageWriter>
#include <QPixmap>
#include <QWidget>

#include "viz/vtk_view_widget.h"

namespace seqseg {

namespace {

bool savePng(const QImage& image, const QString& path, QString* error) {
  if (image.isNull()) {
    if (error) *error = QStringLiteral("the view has nothing to capture");
    return false;
  }
  QImageWriter writer(path, "png");
  if (writer.write(image)) return true;
  if (error) *error = path + QStringLiteral(": ") + writer.errorString();
  return false;
}

}  // namespace

bool saveViewScreenshot(VtkViewWidget& view, const QString& path, QString* error) {
  // grabFramebuffer renders paintGL into an image: VTK's current picture at the widget's size.
  return savePng(view.grabFramebuffer(), path, error);
}

bool saveWidgetScreenshot(QWidget& widget, const QString& path, QString* error) {
  // QWidget::grab composes QOpenGLWidget children from their framebuffers.
  return savePng(widget.grab().toImage(), path, error);
}

}  // namespace seqseg
