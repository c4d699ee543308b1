// seqseg-edit-latency: how fast the label editor answers in the desktop application's window, on
// a BraTS-size case (240 x 240 x 155, synthetic, with its segmentation shown), painting with
// real mouse events in the axial view with a disc brush:
//  (a) from a mouse move with the button held to the frame of the axial view presented (the
//      stroke's voxels written, the slice views rendered by VTK, the window composed and
//      swapped: QOpenGLWidget::frameSwapped after the view's render window's EndEvent), one
//      move at a time on an idle window;
//  (b) from a stroke's end (the button released) to the 3D view's frame presented with the
//      label surfaces rebuilt (CaseViews::refreshSurfaces on the session's editFinished).
// Each is printed as median, min and max in ms, with the part spent handling the event itself
// and the part until VTK's render ended. Numbers, never a test: run it on a quiet machine.
// usage: seqseg-edit-latency [--moves N] [--strokes N] [--radius MM] [--seed S] [--case DIR]
// DIR: a case folder with its reference segmentation (BraTS 2021 layout); without it one is
// synthesised (`seqseg synth --seed S`'s first case, needs the Colin27 template). Under Xvfb:
//   xvfb-run -a -s "-screen 0 1600x1200x24 -noreset" build/bench/seqseg-edit-latency
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkNew.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "io/dataset_layout.h"
#include "io/synthetic_case.h"
#include "ui/edit_panel.h"
#include "ui/main_window.h"
#include "viz/case_views.h"
#include "viz/vtk_view_widget.h"

namespace {

using seqseg::VtkViewWidget;

constexpr int kLoadTimeoutMs = 300000;
constexpr int kFrameTimeoutMs = 30000;

// Times (ms on `clock`) of one view's frames: the end of its VTK render and the frame swapped
// after it.
class FrameWatch {
 public:
  FrameWatch(VtkViewWidget* view, const QElapsedTimer& clock) : view_(view), clock_(clock) {
    observer_->SetClientData(this);
    observer_->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
      auto* watch = static_cast<FrameWatch*>(self);
      watch->renderedMs_ = watch->now();
    });
    view_->renderWindow()->AddObserver(vtkCommand::EndEvent, observer_);
    QObject::connect(view_, &QOpenGLWidget::frameSwapped, &loop_, [this] {
      if (renderedMs_ >= 0 && presentedMs_ < 0) {
        presentedMs_ = now();
        loop_.quit();
      }
    });
  }
  ~FrameWatch() { view_->renderWindow()->RemoveObserver(observer_); }

  void reset() { renderedMs_ = presentedMs_ = -1; }
  // Runs the event loop until the view rendered and a frame was presented after it; false on
  // timeout.
  bool wait() {
    if (presentedMs_ < 0) {
      QTimer timeout;
      timeout.setSingleShot(true);
      QObject::connect(&timeout, &QTimer::timeout, &loop_, &QEventLoop::quit);
      timeout.start(kFrameTimeoutMs);
      loop_.exec();
    }
    return presentedMs_ >= 0;
  }
  double renderedMs() const { return renderedMs_; }
  double presentedMs() const { return presentedMs_; }

 private:
  double now() const { return clock_.nsecsElapsed() / 1e6; }

  VtkViewWidget* view_;
  const QElapsedTimer& clock_;
  vtkNew<vtkCallbackCommand> observer_;
  QEventLoop loop_;
  double renderedMs_ = -1, presentedMs_ = -1;
};

struct Latencies {
  std::vector<double> handled, rendered, presented;  // ms after the event was sent
};

void printRow(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  const double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  std::printf("  %-34s median %8.1f   min %8.1f   max %8.1f ms\n", what, median, ms.front(),
              ms.back());
}

void print(const Latencies& latencies) {
  printRow("event handled", latencies.handled);
  printRow("view rendered (VTK EndEvent)", latencies.rendered);
  printRow("frame presented (frameSwapped)", latencies.presented);
}

// Runs the event loop for `ms` so that nothing is pending when an event is timed.
void settle(int ms = 100) {
  QTest::qWait(ms);
}

bool waitFor(QSignalSpy& done, QSignalSpy& failed, const char* what) {
  if (!QTest::qWaitFor([&] { return done.count() + failed.count() > 0; }, kLoadTimeoutMs) ||
      failed.count()) {
    std::cerr << "seqseg-edit-latency: " << what << " failed"
              << (failed.count() ? ": " + failed.first().first().toString().toStdString() : "")
              << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int moves = 50, strokes = 10;
  double radiusMm = 5.0;
  uint64_t seed = 7;
  std::string caseFolder;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const bool hasValue = i + 1 < argc;
    if (argument == "--moves" && hasValue) {
      moves = std::stoi(argv[++i]);
    } else if (argument == "--strokes" && hasValue) {
      strokes = std::stoi(argv[++i]);
    } else if (argument == "--radius" && hasValue) {
      radiusMm = std::stod(argv[++i]);
    } else if (argument == "--seed" && hasValue) {
      seed = std::stoull(argv[++i]);
    } else if (argument == "--case" && hasValue) {
      caseFolder = argv[++i];
    } else {
      std::cerr << "usage: seqseg-edit-latency [--moves N] [--strokes N] [--radius MM] "
                   "[--seed S] [--case DIR]\n";
      return 2;
    }
  }
  if (moves < 1 || strokes < 1 || radiusMm <= 0) {
    std::cerr << "seqseg-edit-latency: --moves and --strokes need at least 1, --radius > 0\n";
    return 2;
  }

  seqseg::VtkViewWidget::setDefaultSurfaceFormat();
  QApplication application(argc, argv);
  QTemporaryDir settings;
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
  QApplication::setOrganizationName("seqseg-edit-latency");

  // The case: given, or synthesised as `seqseg synth --seed S` writes its first one.
  QTemporaryDir work;
  std::string reference;
  if (caseFolder.empty()) {
    const std::string id = "BraTS2021_00000";
    const seqseg::SyntheticCase synthetic =
        seqseg::synthesizeCase(seqseg::loadBrainTemplate(), {240, 240, 155}, seed, 0);
    const std::string root = work.path().toStdString();
    seqseg::writeCase(root, seqseg::Layout::Brats2021, id, synthetic.image, &synthetic.labels);
    caseFolder = root + "/" + id;
    reference = seqseg::caseFilesFor(root, seqseg::Layout::Brats2021, id).reference;
  } else {
    const std::string trimmed = caseFolder.substr(0, caseFolder.find_last_not_of('/') + 1);
    const std::string root = trimmed.substr(0, trimmed.find_last_of('/'));
    const std::string id = trimmed.substr(trimmed.find_last_of('/') + 1);
    reference = seqseg::caseFilesFor(root, seqseg::Layout::Brats2021, id).reference;
  }

  if (reference.empty()) {
    std::cerr << "seqseg-edit-latency: " << caseFolder
              << " has no segmentation (BraTS 2021 _seg)\n";
    return 2;
  }

  seqseg::MainWindow window;
  window.resize(1400, 1000);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) {
    std::cerr << "seqseg-edit-latency: the window was not shown\n";
    return 1;
  }
  {
    QSignalSpy loaded(&window, &seqseg::MainWindow::caseLoaded);
    QSignalSpy failed(&window, &seqseg::MainWindow::loadFailed);
    window.openCase(QString::fromStdString(caseFolder));
    if (!waitFor(loaded, failed, "opening the case")) return 1;
  }
  {
    QSignalSpy loaded(&window, &seqseg::MainWindow::segmentationLoaded);
    QSignalSpy failed(&window, &seqseg::MainWindow::loadFailed);
    window.openSegmentation(QString::fromStdString(reference));
    if (!waitFor(loaded, failed, "opening the segmentation")) return 1;
  }
  seqseg::CaseViews& views = window.caseViews();
  VtkViewWidget* axial = views.view(seqseg::SliceOrientation::Axial);
  VtkViewWidget* overview = views.overviewView();
  seqseg::EditPanel& edit = *window.editPanel();
  edit.setLabel(2);
  edit.setShape(seqseg::BrushShape::Disc);
  edit.setRadiusMm(radiusMm);
  edit.setPainting(true);
  window.activateWindow();
  axial->setFocus();
  settle(500);

  const auto& shape = window.session().volume()->shape;
  std::string renderer = "?";
  axial->makeCurrent();
  if (const auto* name = axial->context()->functions()->glGetString(GL_RENDERER))
    renderer = reinterpret_cast<const char*>(name);
  axial->doneCurrent();
  std::printf(
      "seqseg-edit-latency: %lld x %lld x %lld case, window %d x %d, axial view %d x %d px, "
      "brush %.1f mm disc, %s on %s\n",
      static_cast<long long>(shape[3]), static_cast<long long>(shape[2]),
      static_cast<long long>(shape[1]), window.width(), window.height(), axial->width(),
      axial->height(), radiusMm, QApplication::platformName().toStdString().c_str(),
      renderer.c_str());

  QElapsedTimer clock;
  clock.start();
  auto now = [&] { return clock.nsecsElapsed() / 1e6; };
  const QPoint centre(axial->width() / 2, axial->height() / 2);
  const double pathRadius = 0.25 * std::min(axial->width(), axial->height());

  // (a) One stroke round a circle, a move at a time, each on an idle window.
  Latencies moving;
  {
    FrameWatch frames(axial, clock);
    auto onCircle = [&](int n) {
      const double angle = 2.0 * M_PI * n / std::max(moves, 60);
      return centre + QPoint(static_cast<int>(std::lround(pathRadius * std::cos(angle))),
                             static_cast<int>(std::lround(pathRadius * std::sin(angle))));
    };
    QTest::mousePress(axial, Qt::LeftButton, Qt::NoModifier, onCircle(0));
    settle();
    for (int n = 1; n <= moves; ++n) {
      frames.reset();
      const double sent = now();
      QTest::mouseMove(axial, onCircle(n));
      const double handled = now();
      if (!frames.wait()) {
        std::cerr << "seqseg-edit-latency: no frame after move " << n << "\n";
        return 1;
      }
      moving.handled.push_back(handled - sent);
      moving.rendered.push_back(frames.renderedMs() - sent);
      moving.presented.push_back(frames.presentedMs() - sent);
      settle(30);
    }
    QTest::mouseRelease(axial, Qt::LeftButton, Qt::NoModifier, onCircle(moves));
    settle(1000);
  }
  std::printf("(a) mouse move while painting -> axial frame presented, %d moves:\n", moves);
  print(moving);

  // (b) Short strokes across the slice; each release times the 3D surfaces' rebuild and frame.
  Latencies ending;
  {
    FrameWatch frames(overview, clock);
    for (int s = 0; s < strokes; ++s) {
      const int y =
          static_cast<int>(centre.y() - pathRadius + 2 * pathRadius * s / std::max(1, strokes - 1));
      const QPoint from(static_cast<int>(centre.x() - pathRadius / 2), y);
      const QPoint step(static_cast<int>(pathRadius / 10), 0);
      QTest::mousePress(axial, Qt::LeftButton, Qt::NoModifier, from);
      for (int n = 1; n <= 5; ++n) {
        QTest::mouseMove(axial, from + step * n);
        QApplication::processEvents();
      }
      settle();
      frames.reset();
      const double sent = now();
      QTest::mouseRelease(axial, Qt::LeftButton, Qt::NoModifier, from + step * 5);
      const double handled = now();
      if (!frames.wait()) {
        std::cerr << "seqseg-edit-latency: no 3D frame after stroke " << s + 1 << "\n";
        return 1;
      }
      ending.handled.push_back(handled - sent);
      ending.rendered.push_back(frames.renderedMs() - sent);
      ending.presented.push_back(frames.presentedMs() - sent);
      settle();
    }
  }
  std::printf("(b) stroke end (release) -> 3D surfaces presented, %d strokes:\n", strokes);
  print(ending);
  std::printf("edit history: %zu steps\n", window.session().editHistory().steps());
  return 0;
}
