#include "viz/vtk_view_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <string>
#include <vector>

namespace seqseg {

namespace {

// The X11 key symbol VTK's interactor styles expect ("Left", "Prior", "a", ...).
std::string keySymbol(int key, char ascii) {
  switch (key) {
    case Qt::Key_Left:
      return "Left";
    case Qt::Key_Right:
      return "Right";
    case Qt::Key_Up:
      return "Up";
    case Qt::Key_Down:
      return "Down";
    case Qt::Key_PageUp:
      return "Prior";
    case Qt::Key_PageDown:
      return "Next";
    case Qt::Key_Home:
      return "Home";
    case Qt::Key_End:
      return "End";
    case Qt::Key_Return:
      return "Return";
    case Qt::Key_Enter:
      return "KP_Enter";
    case Qt::Key_Escape:
      return "Escape";
    case Qt::Key_Tab:
      return "Tab";
    case Qt::Key_Backspace:
      return "BackSpace";
    case Qt::Key_Delete:
      return "Delete";
    case Qt::Key_Space:
      return "space";
    case Qt::Key_Plus:
      return "plus";
    case Qt::Key_Minus:
      return "minus";
    case Qt::Key_Shift:
      return "Shift_L";
    case Qt::Key_Control:
      return "Control_L";
    case Qt::Key_Alt:
      return "Alt_L";
    default:
      break;
  }
  if ((ascii >= 'a' && ascii <= 'z') || (ascii >= 'A' && ascii <= 'Z') ||
      (ascii >= '0' && ascii <= '9'))
    return std::string(1, ascii);
  return "";
}

}  // namespace

struct VtkViewWidget::Impl {
  VtkViewWidget* widget;
  vtkNew<vtkGenericOpenGLRenderWindow> window;
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkGenericRenderWindowInteractor> interactor;
  std::vector<unsigned long> windowObservers;
  QMetaObject::Connection contextDestroyed;
  bool inPaint = false;
  int wheelRemainder = 0;  // angle delta not yet sent to VTK (touchpads send small steps)

  explicit Impl(VtkViewWidget* owner) : widget(owner) {}

  // VTK asks for its context before every render and resource release. Use the
  // QOpenGLContext directly: QOpenGLWidget::makeCurrent() would also rebind Qt's framebuffer
  // in the middle of VTK's render, and the view would stay black.
  void onMakeCurrent(vtkObject*, unsigned long, void*) {
    if (QOpenGLContext* context = widget->context()) context->makeCurrent(context->surface());
  }

  void onIsCurrent(vtkObject*, unsigned long, void* callData) {
    QOpenGLContext* context = widget->context();
    const QOpenGLContext* current = QOpenGLContext::currentContext();
    *static_cast<bool*>(callData) =
        context && current == context && current->surface() == context->surface();
  }

  // A render started outside paintGL (by application code) still has to reach the screen.
  void onFrame(vtkObject*, unsigned long, void*) {
    if (!inPaint) widget->update();
  }

  // Interactor styles ask for renders; VTK renders in paintGL, so schedule one.
  void onInteractorRender(vtkObject*, unsigned long, void*) { widget->update(); }

  // 'q' and 'e' in VTK's styles would end the interactor's event loop, which we do not use.
  void onExit(vtkObject*, unsigned long, void*) {}

  void setEventPosition(const QPointF& position, Qt::KeyboardModifiers modifiers, int repeat) {
    const double ratio = widget->devicePixelRatioF();
    interactor->SetEventInformationFlipY(static_cast<int>(position.x() * ratio + 0.5),
                                         static_cast<int>(position.y() * ratio + 0.5),
                                         modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
                                         modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0, 0, repeat);
    interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
  }

  void forwardButton(QMouseEvent* event, bool press, int repeat) {
    unsigned long vtkEvent = 0;
    switch (event->button()) {
      case Qt::LeftButton:
        vtkEvent = press ? vtkCommand::LeftButtonPressEvent : vtkCommand::LeftButtonReleaseEvent;
        break;
      case Qt::MiddleButton:
        vtkEvent =
            press ? vtkCommand::MiddleButtonPressEvent : vtkCommand::MiddleButtonReleaseEvent;
        break;
      case Qt::RightButton:
        vtkEvent = press ? vtkCommand::RightButtonPressEvent : vtkCommand::RightButtonReleaseEvent;
        break;
      default:
        return;
    }
    setEventPosition(event->position(), event->modifiers(), repeat);
    interactor->InvokeEvent(vtkEvent, event);
    event->accept();
  }

  void forwardKey(QKeyEvent* event, bool press) {
    const QString text = event->text();
    const char ascii = text.size() == 1 ? text.at(0).toLatin1() : 0;
    const std::string symbol = keySymbol(event->key(), ascii);
    const Qt::KeyboardModifiers modifiers = event->modifiers();
    interactor->SetKeyEventInformation(modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
                                       modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0, ascii,
                                       event->isAutoRepeat() ? 1 : 0,
                                       symbol.empty() ? nullptr : symbol.c_str());
    interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
    interactor->InvokeEvent(press ? vtkCommand::KeyPressEvent : vtkCommand::KeyReleaseEvent, event);
    if (press && ascii) interactor->InvokeEvent(vtkCommand::CharEvent, event);
  }

  // Clears alpha to opaque where VTK blitted: otherwise Qt composes the view with what lies
  // behind it (seen with Mesa), and grabbed images come out transparent.
  void makeOpaque(QOpenGLFunctions* gl, int width, int height) {
    GLboolean colorMask[4];
    GLfloat clearColor[4];
    gl->glGetBooleanv(GL_COLOR_WRITEMASK, colorMask);
    gl->glGetFloatv(GL_COLOR_CLEAR_VALUE, clearColor);
    gl->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
    gl->glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
    gl->glViewport(0, 0, width, height);
    gl->glClear(GL_COLOR_BUFFER_BIT);
    gl->glColorMask(colorMask[0], colorMask[1], colorMask[2], colorMask[3]);
    gl->glClearColor(clearColor[0], clearColor[1], clearColor[2], clearColor[3]);
  }
};

VtkViewWidget::VtkViewWidget(QWidget* parent) : QOpenGLWidget(parent), d(new Impl(this)) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);  // the label editor's brush follows the mouse without a button
  setMinimumSize(64, 64);

  vtkGenericOpenGLRenderWindow* window = d->window;
  window->SetOwnContext(false);
  window->SetReadyForRendering(false);  // until initializeGL gives it a context
  window->SetFrameBlitModeToNoBlit();   // paintGL blits into Qt's framebuffer
  window->SetForceMaximumHardwareLineWidth(1);
  window->AddRenderer(d->renderer);
  d->windowObservers = {
      window->AddObserver(vtkCommand::WindowMakeCurrentEvent, d.get(), &Impl::onMakeCurrent),
      window->AddObserver(vtkCommand::WindowIsCurrentEvent, d.get(), &Impl::onIsCurrent),
      window->AddObserver(vtkCommand::WindowFrameEvent, d.get(), &Impl::onFrame),
  };

  vtkGenericRenderWindowInteractor* interactor = d->interactor;
  interactor->SetRenderWindow(window);
  interactor->EnableRenderOff();  // renders happen in paintGL only
  interactor->AddObserver(vtkCommand::RenderEvent, d.get(), &Impl::onInteractorRender);
  interactor->AddObserver(vtkCommand::ExitEvent, d.get(), &Impl::onExit);
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  interactor->SetInteractorStyle(style);
  interactor->Initialize();
}

VtkViewWidget::~VtkViewWidget() {
  QObject::disconnect(d->contextDestroyed);
  if (context()) {
    makeCurrent();
    releaseGraphics();
    doneCurrent();
  }
  d->interactor->RemoveAllObservers();
  for (unsigned long id : d->windowObservers) d->window->RemoveObserver(id);
}

void VtkViewWidget::setDefaultSurfaceFormat() {
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setSwapBehavior(QSurfaceFormat::DoubleBuffer);
  format.setRedBufferSize(8);
  format.setGreenBufferSize(8);
  format.setBlueBufferSize(8);
  format.setAlphaBufferSize(8);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setSamples(0);  // VTK multisamples in its own framebuffer when it wants to
  QSurfaceFormat::setDefaultFormat(format);
}

vtkGenericOpenGLRenderWindow* VtkViewWidget::renderWindow() const {
  return d->window;
}
vtkRenderer* VtkViewWidget::renderer() const {
  return d->renderer;
}
vtkGenericRenderWindowInteractor* VtkViewWidget::interactor() const {
  return d->interactor;
}

void VtkViewWidget::initializeGL() {
  // Qt gives the widget a new context when it moves to another top-level window; VTK's
  // resources in the old one must go before it does.
  QObject::disconnect(d->contextDestroyed);
  d->contextDestroyed = connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
    makeCurrent();
    releaseGraphics();
    doneCurrent();
  });
  d->window->SetReadyForRendering(true);
  d->window->SetMapped(1);
  d->window->OpenGLInitContext();
  syncSize();
}

void VtkViewWidget::resizeGL(int, int) {
  syncSize();
}

void VtkViewWidget::syncSize() {
  const double ratio = devicePixelRatioF();
  const int width = static_cast<int>(this->width() * ratio + 0.5);
  const int height = static_cast<int>(this->height() * ratio + 0.5);
  d->interactor->UpdateSize(width, height);
  d->window->SetSize(width, height);
  d->window->SetDPI(static_cast<int>(72 * ratio + 0.5));
}

void VtkViewWidget::paintGL() {
  vtkGenericOpenGLRenderWindow* window = d->window;
  if (!window->GetReadyForRendering()) return;

  // Qt leaves its own GL state (depth function GL_LESS among it); VTK expects its defaults
  // and must hand Qt's state back unchanged.
  vtkOpenGLState* state = window->GetState();
  state->Reset();
  state->Push();
  state->vtkglDepthFunc(GL_LEQUAL);
  d->inPaint = true;
  window->Render();
  d->inPaint = false;
  state->Pop();

  // Something rendered during VTK's render (another view, a progress callback) may have
  // taken the context.
  if (QOpenGLContext::currentContext() != context()) makeCurrent();

  QOpenGLExtraFunctions* gl = context()->extraFunctions();
  gl->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  const GLenum colorAttachment = GL_COLOR_ATTACHMENT0;
  gl->glDrawBuffers(1, &colorAttachment);
  // A scissor rectangle left by either side would clip the blit.
  state->vtkglDisable(GL_SCISSOR_TEST);
  gl->glDisable(GL_SCISSOR_TEST);
  const int* renderedSize = window->GetRenderFramebuffer()->GetLastSize();
  const int width = window->GetSize()[0];
  const int height = window->GetSize()[1];
  window->BlitDisplayFramebuffer(0, 0, 0, renderedSize[0], renderedSize[1], 0, 0, width, height,
                                 GL_COLOR_BUFFER_BIT, GL_LINEAR);
  d->makeOpaque(gl, width, height);
}

void VtkViewWidget::releaseGraphics() {
  d->window->ReleaseGraphicsResources(d->window);
  d->window->SetReadyForRendering(false);
}

void VtkViewWidget::mousePressEvent(QMouseEvent* event) {
  d->forwardButton(event, true, 0);
}

void VtkViewWidget::mouseReleaseEvent(QMouseEvent* event) {
  d->forwardButton(event, false, 0);
}

void VtkViewWidget::mouseDoubleClickEvent(QMouseEvent* event) {
  d->forwardButton(event, true, 1);
}

void VtkViewWidget::mouseMoveEvent(QMouseEvent* event) {
  d->setEventPosition(event->position(), event->modifiers(), 0);
  d->interactor->InvokeEvent(vtkCommand::MouseMoveEvent, event);
  event->accept();
}

void VtkViewWidget::wheelEvent(QWheelEvent* event) {
  d->wheelRemainder += event->angleDelta().y();
  d->setEventPosition(event->position(), event->modifiers(), 0);
  constexpr int kNotch = 120;  // one wheel step, in eighths of a degree
  while (d->wheelRemainder >= kNotch) {
    d->wheelRemainder -= kNotch;
    d->interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent, event);
  }
  while (d->wheelRemainder <= -kNotch) {
    d->wheelRemainder += kNotch;
    d->interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, event);
  }
  event->accept();
}

void VtkViewWidget::keyPressEvent(QKeyEvent* event) {
  d->forwardKey(event, true);
  event->accept();
}

void VtkViewWidget::keyReleaseEvent(QKeyEvent* event) {
  d->forwardKey(event, false);
  event->accept();
}

void VtkViewWidget::enterEvent(QEnterEvent* event) {
  d->setEventPosition(event->position(), event->modifiers(), 0);
  d->interactor->InvokeEvent(vtkCommand::EnterEvent, event);
  QOpenGLWidget::enterEvent(event);
}

void VtkViewWidget::leaveEvent(QEvent* event) {
  d->interactor->InvokeEvent(vtkCommand::LeaveEvent, event);
  QOpenGLWidget::leaveEvent(event);
}

}  // namespace seqseg
