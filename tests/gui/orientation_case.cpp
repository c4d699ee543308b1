#include "tests/gui/orientation_case.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>

#include <vtkRenderer.h>

#include "tests/gui/gui_test_support.h"
#include "ui/main_window.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace test {

namespace {

std::array<std::array<double, 4>, 4> matrixOf(const QJsonValue& value) {
  std::array<std::array<double, 4>, 4> matrix{};
  const QJsonArray rows = value.toArray();
  for (int row = 0; row < 4; ++row)
    for (int column = 0; column < 4; ++column)
      matrix[row][column] = rows[row].toArray()[column].toDouble();
  return matrix;
}

}  // namespace

OrientationCase writeCase(const char* kind, const QString& folder) {
  QProcess tool;
  tool.start(QStringLiteral("/usr/bin/python3"),
             {QStringLiteral(SEQSEG_SOURCE_DIR "/tests/tools/make_orientation_case.py"),
              QString::fromLatin1(kind), folder});
  OrientationCase written;
  if (!tool.waitForFinished(60000) || tool.exitCode() != 0) {
    ADD_FAILURE() << "make_orientation_case.py " << kind << ": "
                  << tool.readAllStandardError().toStdString();
    return written;
  }
  const QJsonObject facts = QJsonDocument::fromJson(tool.readAllStandardOutput()).object();
  for (const QJsonValue& file : facts[QStringLiteral("files")].toArray())
    written.files << file.toString();
  written.mask = facts[QStringLiteral("mask")].toString();
  written.affine = matrixOf(facts[QStringLiteral("affine")]);
  written.inverse = matrixOf(facts[QStringLiteral("inverse")]);
  for (int axis = 0; axis < 3; ++axis) {
    written.markerVoxel[axis] = facts[QStringLiteral("marker_voxel")].toArray()[axis].toInt();
    written.markerWorld[axis] = facts[QStringLiteral("marker_lps")].toArray()[axis].toDouble();
  }
  written.orientation = facts[QStringLiteral("orientation")].toString().toStdString();
  return written;
}

Point OrientationCase::indexOf(const Point& lps) const {
  const double ras[3] = {-lps[0], -lps[1], lps[2]};
  Point index{};
  for (int row = 0; row < 3; ++row)
    index[row] = inverse[row][0] * ras[0] + inverse[row][1] * ras[1] + inverse[row][2] * ras[2] +
                 inverse[row][3];
  return index;
}

Point OrientationCase::worldOf(const Voxel& voxel) const {
  Point ras{};
  for (int row = 0; row < 3; ++row)
    ras[row] = affine[row][0] * voxel[0] + affine[row][1] * voxel[1] + affine[row][2] * voxel[2] +
               affine[row][3];
  return {-ras[0], -ras[1], ras[2]};
}

void openInWindow(MainWindow& window, const OrientationCase& written) {
  ASSERT_EQ(written.files.size(), 4);
  window.resize(1200, 900);
  ASSERT_TRUE(showAndWait(window));
  QSignalSpy loaded(&window, &MainWindow::caseLoaded);
  QSignalSpy failed(&window, &MainWindow::loadFailed);
  window.openFiles(written.files);
  ASSERT_TRUE(waitForOutcome(loaded, failed));
}

// The widget pixel (x right, y down) where `view` draws world point `world`.
QPointF pixelOf(VtkViewWidget* view, const Point& world) {
  vtkRenderer* renderer = view->renderer();
  renderer->SetWorldPoint(world[0], world[1], world[2], 1.0);
  renderer->WorldToDisplay();
  const double* display = renderer->GetDisplayPoint();
  const double ratio = view->devicePixelRatioF();
  return {display[0] / ratio, (view->height() * ratio - 1 - display[1]) / ratio};
}

}  // namespace test
}  // namespace seqseg
