// seqseg-soak-gui: the desktop application's main window opens, segments and saves cases one
// after another, as a person would (a DICOM study through its series dialog, the guessed
// choice accepted), and the process's resident memory is printed after each case. Growth
// after the first case is what a long day at the workstation would leak.
// usage: seqseg-soak-gui --seqseg PATH --out DIR CASE...
// Each CASE is a case folder or a DICOM study folder. Exit 1 when a case fails.
#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ui/dicom_series_dialog.h"
#include "ui/main_window.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"
#include "viz/vtk_view_widget.h"

namespace {

constexpr int kLoadTimeoutMs = 300000;
constexpr int kJobTimeoutMs = 900000;

// This process's resident memory (VmRSS), in MB.
double residentMb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    status.ignore(1 << 12, '\n');
  }
  return -1;
}

// Opens `folder` (accepting the series dialog of a DICOM study); an error message or "".
QString openCase(seqseg::MainWindow& window, const QString& folder) {
  QSignalSpy loaded(&window, &seqseg::MainWindow::caseLoaded);
  QSignalSpy failed(&window, &seqseg::MainWindow::loadFailed);
  QSignalSpy offered(&window, &seqseg::MainWindow::dicomSeriesOffered);
  window.openCase(folder);
  const auto answered = [&] { return loaded.count() + failed.count() + offered.count() > 0; };
  if (!QTest::qWaitFor(answered, kLoadTimeoutMs)) return QStringLiteral("no answer");
  if (offered.count() > 0) offered.first().first().value<seqseg::DicomSeriesDialog*>()->accept();
  if (!QTest::qWaitFor([&] { return loaded.count() + failed.count() > 0; }, kLoadTimeoutMs))
    return QStringLiteral("the study did not load");
  return failed.count() ? failed.first().first().toString() : QString();
}

QString segmentAndSave(seqseg::MainWindow& window, const QString& maskPath) {
  QSignalSpy finished(&window, &seqseg::MainWindow::segmentationJobFinished);
  QSignalSpy jobFailed(&window, &seqseg::MainWindow::segmentationJobFailed);
  window.segmentPanel()->segment();
  if (!QTest::qWaitFor([&] { return finished.count() > 0; }, kJobTimeoutMs))
    return QStringLiteral("the segmentation did not end");
  if (jobFailed.count()) return jobFailed.first().first().toString();
  if (!window.session().segmentation()) return QStringLiteral("no segmentation shown");
  QSignalSpy saved(&window, &seqseg::MainWindow::segmentationSaved);
  QSignalSpy saveFailed(&window, &seqseg::MainWindow::saveFailed);
  window.saveSegmentation(maskPath);
  if (!QTest::qWaitFor([&] { return saved.count() + saveFailed.count() > 0; }, kLoadTimeoutMs))
    return QStringLiteral("the save did not end");
  return saveFailed.count() ? saveFailed.first().first().toString() : QString();
}

}  // namespace

int main(int argc, char** argv) {
  std::string seqseg, out;
  std::vector<QString> cases;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--seqseg" && i + 1 < argc) {
      seqseg = argv[++i];
    } else if (argument == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else {
      cases.push_back(QString::fromStdString(argument));
    }
  }
  if (seqseg.empty() || out.empty() || cases.empty()) {
    std::cerr << "usage: seqseg-soak-gui --seqseg PATH --out DIR CASE...\n";
    return 2;
  }
  seqseg::VtkViewWidget::setDefaultSurfaceFormat();
  QApplication application(argc, argv);
  // Recent cases go to a settings folder of this run's own, not the user's.
  QTemporaryDir settings;
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings.path());
  QApplication::setOrganizationName("seqseg-soak");

  seqseg::MainWindow window;
  window.segmentationJob().setExecutable(QString::fromStdString(seqseg));
  window.resize(1400, 1000);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) {
    std::cerr << "seqseg-soak-gui: the window was not shown\n";
    return 1;
  }
  const double startMb = residentMb();
  std::printf("before the first case: %.0f MB resident\n", startMb);
  std::printf("%4s %-28s %8s %10s %9s\n", "case", "name", "open s", "segment s", "RSS MB");
  double firstMb = 0, highestAfterFirstMb = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    QElapsedTimer clock;
    clock.start();
    QString error = openCase(window, cases[i]);
    const double openSeconds = clock.elapsed() / 1000.0;
    clock.restart();
    const QString mask = QString::fromStdString(out) + QStringLiteral("/case%1_seg.nii.gz").arg(i);
    if (error.isEmpty()) error = segmentAndSave(window, mask);
    if (!error.isEmpty()) {
      std::cerr << "seqseg-soak-gui: " << cases[i].toStdString() << ": " << error.toStdString()
                << "\n";
      return 1;
    }
    const double mb = residentMb();
    if (i == 0)
      firstMb = mb;
    else
      highestAfterFirstMb = std::max(highestAfterFirstMb, mb);
    std::printf("%4zu %-28s %8.1f %10.1f %9.0f\n", i + 1,
                QFileInfo(cases[i]).fileName().left(28).toStdString().c_str(), openSeconds,
                clock.elapsed() / 1000.0, mb);
    std::fflush(stdout);
  }
  std::printf("resident after the first case %.0f MB, highest after it %.0f MB: growth %.0f MB\n",
              firstMb, highestAfterFirstMb, cases.size() > 1 ? highestAfterFirstMb - firstMb : 0.0);
  return 0;
}
