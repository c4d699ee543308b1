#pragma once
// Cases in a given storage orientation written by nibabel (tests/tools/make_orientation_case.py,
// an independent NIfTI writer), as the tool describes them, for the GUI tests of the slice
// views and the label editor; and where a view draws a world point.
#include <QPointF>
#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <string>

namespace seqseg {
class MainWindow;
class VtkViewWidget;
namespace test {

using Point = std::array<double, 3>;
using Voxel = std::array<int64_t, 3>;

// A case written by the fixture tool, as the tool describes it.
struct OrientationCase {
  QStringList files;
  QString mask;
  std::array<std::array<double, 4>, 4> affine{};   // voxel -> RAS mm
  std::array<std::array<double, 4>, 4> inverse{};  // RAS mm -> voxel
  Voxel markerVoxel{};
  Point markerWorld{};  // LPS
  std::string orientation;

  // The continuous voxel index of an LPS world point, by nibabel's affine.
  Point indexOf(const Point& lps) const;
  Point worldOf(const Voxel& voxel) const;
};

// Runs the fixture tool (KIND: lps, ras, las, pir, oblique, anisotropic, qform-only,
// sform-only) with Debian's Python (nibabel); fails the test if it does not work.
OrientationCase writeCase(const char* kind, const QString& folder);

// Shows `window` at 1200 x 900 and opens the case's four files in it (fatal test failures;
// call with ASSERT_NO_FATAL_FAILURE).
void openInWindow(MainWindow& window, const OrientationCase& written);

// The widget pixel (x right, y down) where `view` draws world point `world`.
QPointF pixelOf(VtkViewWidget* view, const Point& world);

}  // namespace test
}  // namespace seqseg
