#pragma once
// A QOpenGLWidget that shows one VTK render window. Debian's VTK Qt module is built against
// Qt 5, so this is our own adapter on the pattern of VTK's QVTKRenderWindowAdapter.
#include <QOpenGLWidget>

#include <memory>

class vtkGenericOpenGLRenderWindow;
class vtkGenericRenderWindowInteractor;
class vtkRenderer;

namespace seqseg {

class VtkViewWidget : public QOpenGLWidget {
  Q_OBJECT

 public:
  explicit VtkViewWidget(QWidget* parent = nullptr);
  ~VtkViewWidget() override;

  // Sets the default QSurfaceFormat VTK needs (OpenGL 3.2 core, depth 24, stencil 8, no
  // multisampling in Qt's buffers: VTK multisamples in its own framebuffer). Call before
  // constructing the QApplication.
  static void setDefaultSurfaceFormat();

  vtkGenericOpenGLRenderWindow* renderWindow() const;
  vtkRenderer* renderer() const;  // the one renderer filling the view
  vtkGenericRenderWindowInteractor* interactor() const;

  // Schedules a repaint; VTK renders in paintGL. Prefer this to renderWindow()->Render().
  void requestRender() { update(); }

 protected:
  void initializeGL() override;
  void resizeGL(int width, int height) override;
  void paintGL() override;

  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void releaseGraphics();  // while the GL context still exists
  void syncSize();

  struct Impl;
  std::unique_ptr<Impl> d;
};

}  // namespace seqseg
