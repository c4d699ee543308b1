// Stands in for the desktop application in the SIGKILL drill: opens a case into a
// SessionModel as the main window does, starts the application's own SegmentationJob on it
// (`seqseg --batch` over RANKS ranks) and prints "batch PID" and "output FOLDER" once it runs.
// Usage: seqseg_segment_job_host CASE_DIR RANKS
#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "io/dataset_layout.h"
#include "ui/segmentation_job.h"
#include "ui/session_model.h"

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CASE_DIR RANKS\n", argv[0]);
    return 2;
  }
  const seqseg::Dataset dataset = seqseg::findCases(argv[1]);
  seqseg::SessionModel session;
  session.setCase(std::make_shared<seqseg::Volume>(seqseg::readCase(dataset.cases.front())),
                  dataset.cases.front(), dataset.root);
  seqseg::SegmentationJob job(session);
  job.setExecutable(SEQSEG_EXECUTABLE);
  QObject::connect(&job, &seqseg::SegmentationJob::started, [&] {
    std::printf("batch %lld\noutput %s\n", static_cast<long long>(job.processGroup()),
                job.outputFolder().toLocal8Bit().constData());
    std::fflush(stdout);
  });
  QObject::connect(&job, &seqseg::SegmentationJob::finished, &app, &QCoreApplication::quit);
  seqseg::SegmentSettings settings;
  settings.ranks = std::atoi(argv[2]);
  job.start(settings);
  return app.exec();
}
