#include "tests/gui/gui_test_support.h"

#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTest>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <vtkRenderer.h>

#include "viz/vtk_view_widget.h"

namespace seqseg::test {
namespace {

// Whether an X connection to $DISPLAY completes its handshake (the socket alone has been seen
// to take a connection the server then refused). libxcb is loaded at run time: Qt's xcb plugin
// needs it anyway, and no development package is needed for it.
bool displayAccepts() {
  void* xcb = ::dlopen("libxcb.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!xcb) return true;  // let Qt say what it finds
  using Connect = void* (*)(const char*, int*);
  using HasError = int (*)(void*);
  using Disconnect = void (*)(void*);
  const auto connect = reinterpret_cast<Connect>(::dlsym(xcb, "xcb_connect"));
  const auto hasError = reinterpret_cast<HasError>(::dlsym(xcb, "xcb_connection_has_error"));
  const auto disconnect = reinterpret_cast<Disconnect>(::dlsym(xcb, "xcb_disconnect"));
  if (!connect || !hasError || !disconnect) return true;
  void* connection = connect(nullptr, nullptr);
  const bool accepted = hasError(connection) == 0;
  disconnect(connection);
  return accepted;
}

// Qt's xcb plugin ends the process when its first connection fails, and a loaded Xvfb has been
// seen to refuse one (ctest -j2 beside builds): wait until the display takes a connection, for
// up to 20 s.
void waitForDisplay() {
  const char* display = std::getenv("DISPLAY");
  if (!display || display[0] != ':') return;  // not a local X display: let Qt say what it finds
  const std::string path =
      "/tmp/.X11-unix/X" + std::string(display + 1).substr(0, std::string(display + 1).find('.'));
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const bool connected =
        fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (fd >= 0) ::close(fd);
    if (connected && displayAccepts()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

void ensureApplication() {
  if (QApplication::instance()) return;
  waitForDisplay();
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

bool waitForOutcome(QSignalSpy& done, QSignalSpy& failed, int timeoutMs) {
  if (!QTest::qWaitFor([&] { return done.count() + failed.count() > 0; }, timeoutMs))
    ADD_FAILURE() << "nothing happened within " << timeoutMs << " ms";
  if (failed.count() > 0) ADD_FAILURE() << failed.first().first().toString().toStdString();
  return done.count() > 0;
}

bool showAndWait(QWidget& window) {
  window.show();
  return QTest::qWaitForWindowExposed(&window, 30000);
}

}  // namespace seqseg::test
