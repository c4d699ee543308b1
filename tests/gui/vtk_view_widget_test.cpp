// The Qt 6 / VTK adapter really draws: a shaded sphere over the renderer's background, at the
// widget's size, and again after the scene changes.
#include <gtest/gtest.h>

#include <cmath>

#include <QApplication>
#include <QImage>
#include <QMouseEvent>
#include <QTest>
#include <QWheelEvent>

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkNew.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>

#include "tests/gui/gui_test_support.h"
#include "viz/vtk_view_widget.h"

namespace seqseg {
namespace {

class VtkViewWidgetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { test::ensureApplication(); }

  void SetUp() override {
    view_.resize(320, 240);
    addSphereScene(view_);
  }

  // A red sphere over a steel-blue background.
  static void addSphereScene(VtkViewWidget& view) {
    vtkNew<vtkSphereSource> sphere;
    sphere->SetThetaResolution(48);
    sphere->SetPhiResolution(48);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(sphere->GetOutputPort());
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(1.0, 0.0, 0.0);
    actor->GetProperty()->SetSpecular(0.0);
    view.renderer()->AddActor(actor);
    view.renderer()->SetBackground(kBackground.redF(), kBackground.greenF(), kBackground.blueF());
    view.renderer()->ResetCamera();
  }

  // Pixels clearly red: the sphere, lit or in shade.
  static double redFraction(const QImage& image) {
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    long red = 0;
    for (int y = 0; y < rgb.height(); ++y)
      for (int x = 0; x < rgb.width(); ++x) {
        const QRgb pixel = rgb.pixel(x, y);
        if (qRed(pixel) > 60 && qGreen(pixel) < qRed(pixel) / 3 && qBlue(pixel) < qRed(pixel) / 3)
          ++red;
      }
    return static_cast<double>(red) / (static_cast<double>(rgb.width()) * rgb.height());
  }

  static void expectColorNear(const QColor& actual, const QColor& expected, const char* where) {
    EXPECT_NEAR(actual.red(), expected.red(), 3) << where;
    EXPECT_NEAR(actual.green(), expected.green(), 3) << where;
    EXPECT_NEAR(actual.blue(), expected.blue(), 3) << where;
  }

  static inline const QColor kBackground{51, 102, 153};
  VtkViewWidget view_;
};

TEST_F(VtkViewWidgetTest, DrawsSphereOverBackground) {
  ASSERT_TRUE(test::showAndWait(view_));
  const QImage image = view_.grabFramebuffer();
  ASSERT_FALSE(image.isNull());
  test::saveSnapshot(image, "sphere");
  const double ratio = view_.devicePixelRatioF();
  EXPECT_EQ(image.width(), static_cast<int>(320 * ratio + 0.5));
  EXPECT_EQ(image.height(), static_cast<int>(240 * ratio + 0.5));

  // A black (failed) blit, or one that lost the background, shows here first.
  expectColorNear(image.pixelColor(0, 0), kBackground, "top left");
  expectColorNear(image.pixelColor(image.width() - 1, 0), kBackground, "top right");
  expectColorNear(image.pixelColor(0, image.height() - 1), kBackground, "bottom left");
  expectColorNear(image.pixelColor(image.width() - 1, image.height() - 1), kBackground,
                  "bottom right");

  const QColor center = image.pixelColor(image.width() / 2, image.height() / 2);
  EXPECT_GT(center.red(), 100);
  EXPECT_LT(center.green(), 40);
  EXPECT_LT(center.blue(), 40);
  // ResetCamera frames the sphere's bounding box: the sphere covers a fair part of the view.
  const double sphere = redFraction(image);
  EXPECT_GT(sphere, 0.08);
  EXPECT_LT(sphere, 0.6);
  EXPECT_NEAR(test::fractionUnlike(image, kBackground), sphere, 0.05)
      << "only the sphere should differ from the background";
}

TEST_F(VtkViewWidgetTest, RedrawsAfterSceneAndSizeChange) {
  ASSERT_TRUE(test::showAndWait(view_));
  const double before = redFraction(view_.grabFramebuffer());
  ASSERT_GT(before, 0.08);

  const QColor newBackground(230, 230, 30);
  view_.renderer()->SetBackground(newBackground.redF(), newBackground.greenF(),
                                  newBackground.blueF());
  view_.resize(200, 300);
  QTest::qWait(50);  // let the resize reach the widget; the grab itself renders
  view_.requestRender();
  const QImage image = view_.grabFramebuffer();
  test::saveSnapshot(image, "sphere-changed");
  const double ratio = view_.devicePixelRatioF();
  EXPECT_EQ(image.width(), static_cast<int>(200 * ratio + 0.5));
  EXPECT_EQ(image.height(), static_cast<int>(300 * ratio + 0.5));
  expectColorNear(image.pixelColor(0, 0), newBackground, "top left after change");
  expectColorNear(image.pixelColor(image.width() - 1, image.height() - 1), newBackground,
                  "bottom right after change");
  EXPECT_GT(redFraction(image), 0.04) << "the sphere survives the resize";
}

// Qt gives a widget a new GL context when it moves to another top-level window; VTK must
// let go of the old one and start over in the new one.
TEST_F(VtkViewWidgetTest, KeepsDrawingAfterMovingToAnotherWindow) {
  QWidget first;
  QWidget second;
  first.resize(320, 240);
  second.resize(320, 240);
  auto* moving = new VtkViewWidget(&first);
  moving->resize(320, 240);
  addSphereScene(*moving);
  ASSERT_TRUE(test::showAndWait(first));
  EXPECT_GT(redFraction(moving->grabFramebuffer()), 0.08);

  moving->setParent(&second);
  moving->show();
  ASSERT_TRUE(test::showAndWait(second));
  const QImage image = moving->grabFramebuffer();
  test::saveSnapshot(image, "sphere-moved");
  expectColorNear(image.pixelColor(0, 0), kBackground, "top left after the move");
  EXPECT_GT(redFraction(image), 0.08);
}

// Mouse and wheel events reach VTK's interactor style and move the camera.
TEST_F(VtkViewWidgetTest, ForwardsWheelAndDragToTheInteractor) {
  ASSERT_TRUE(test::showAndWait(view_));
  vtkCamera* camera = view_.renderer()->GetActiveCamera();
  const double distance = camera->GetDistance();
  const QPointF center(160, 120);
  QWheelEvent wheel(center, view_.mapToGlobal(center), QPoint(), QPoint(0, 120), Qt::NoButton,
                    Qt::NoModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(&view_, &wheel);
  EXPECT_LT(camera->GetDistance(), distance) << "wheel forward zooms in";

  double before[3];
  camera->GetPosition(before);
  const QPointF end(220, 120);
  QMouseEvent press(QEvent::MouseButtonPress, center, view_.mapToGlobal(center), Qt::LeftButton,
                    Qt::LeftButton, Qt::NoModifier);
  QMouseEvent move(QEvent::MouseMove, end, view_.mapToGlobal(end), Qt::NoButton, Qt::LeftButton,
                   Qt::NoModifier);
  QMouseEvent release(QEvent::MouseButtonRelease, end, view_.mapToGlobal(end), Qt::LeftButton,
                      Qt::NoButton, Qt::NoModifier);
  QApplication::sendEvent(&view_, &press);
  QApplication::sendEvent(&view_, &move);
  QApplication::sendEvent(&view_, &release);
  double after[3];
  camera->GetPosition(after);
  const double moved = std::hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2]);
  EXPECT_GT(moved, 0.1 * camera->GetDistance()) << "a left drag rotates the camera";

  // And the view shows it: the sphere is still there after the interaction's render.
  EXPECT_GT(redFraction(view_.grabFramebuffer()), 0.08);
}

}  // namespace
}  // namespace seqseg
