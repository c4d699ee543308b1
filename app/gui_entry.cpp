#include "app/gui_entry.h"

#include <QApplication>
#include <QStringList>

#include <cstdlib>
#include <iostream>

#include "ui/main_window.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {

int runGui(int argc, char** argv, const std::vector<std::string>& caseArguments,
           const std::string& segmentation) {
  // Qt aborts without a display; say so plainly instead.
  const char* platform = std::getenv("QT_QPA_PLATFORM");
  const bool headlessPlatform = platform && std::string(platform) != "xcb";
  if (!headlessPlatform && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) {
    std::cerr << "seqseg: error: no display to open the desktop application on (DISPLAY is "
                 "not set); use a subcommand, see seqseg --help\n";
    return 2;
  }
  if (caseArguments.size() != 0 && caseArguments.size() != 1 && caseArguments.size() != 4) {
    std::cerr << "seqseg: error: give one case folder or four modality files "
                 "(T1, T1ce, T2, FLAIR)\n";
    return 2;
  }
  if (!segmentation.empty() && caseArguments.empty()) {
    std::cerr << "seqseg: error: --segmentation needs the case it belongs to\n";
    return 2;
  }
  VtkViewWidget::setDefaultSurfaceFormat();
  QApplication application(argc, argv);
  QApplication::setApplicationName("seqseg");
  QApplication::setOrganizationName("seqseg");  // where QSettings keeps recent cases
  MainWindow window;
  window.show();
  if (!segmentation.empty()) {
    // The segmentation is read against the case's grid and layout: wait for the case.
    QObject::connect(
        &window, &MainWindow::caseLoaded, &window,
        [&window, segmentation] { window.openSegmentation(QString::fromStdString(segmentation)); },
        Qt::SingleShotConnection);
  }
  if (caseArguments.size() == 1) {
    window.openCase(QString::fromStdString(caseArguments[0]));
  } else if (caseArguments.size() == 4) {
    QStringList files;
    for (const std::string& file : caseArguments) files << QString::fromStdString(file);
    window.openFiles(files);
  }
  return application.exec();
}

}  // namespace seqseg
