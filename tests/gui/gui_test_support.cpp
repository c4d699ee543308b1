#include "tests/gui/gui_test_support.h"

#include <QApplication>
#include <QDir>
#include <QTest>

#include <cstdlib>

#include <vtkRenderer.h>

#include "viz/vtk_view_widget.h"

namespace seqseg::test {

void ensureApplication() {
  if (QApplication::instance()) return;
  VtkViewWidget::setDefaultSurfaceFormat();
  // QApplication keeps references to argc and argv for its whole life. It is never deleted:
  // destroying it among static destructors (after VTK's) is not safe.
  static int argc = 1;
  static char name[] = "seqseg_gui_tests";
  static char* argv[] = {name, nullptr};
  new QApplication(argc, argv);
}

double fractionUnlike(const QImage& image, const QColor& color, int tolerance) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
  if (rgb.isNull()) return 0.0;
  long unlike = 0;
  for (int y = 0; y < rgb.height(); ++y) {
    const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = 0; x < rgb.width(); ++x)
      if (std::abs(qRed(line[x]) - color.red()) > tolerance ||
          std::abs(qGreen(line[x]) - color.green()) > tolerance ||
          std::abs(qBlue(line[x]) - color.blue()) > tolerance)
        ++unlike;
  }
  return static_cast<double>(unlike) / (static_cast<double>(rgb.width()) * rgb.height());
}

QColor backgroundOf(const VtkViewWidget& view) {
  const double* background = view.renderer()->GetBackground();
  return QColor::fromRgbF(static_cast<float>(background[0]), static_cast<float>(background[1]),
                          static_cast<float>(background[2]));
}

void saveSnapshot(const QImage& image, const char* name) {
  const QString folder = qEnvironmentVariable("SEQSEG_GUI_SNAPSHOTS");
  if (!folder.isEmpty()) image.save(QDir(folder).filePath(QString::fromUtf8(name) + ".png"));
}

bool showAndWait(QWidget& window) {
  window.show();
  return QTest::qWaitForWindowExposed(&window, 30000);
}

}  // namespace seqseg::test
