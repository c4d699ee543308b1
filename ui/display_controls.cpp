#include "ui/display_controls.h"

#include <QAction>
#include <QActionGroup>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSlider>
#include <QToolBar>

#include <cmath>

#include "viz/case_views.h"

namespace seqseg {
namespace {

constexpr const char* kChannelNames[] = {"T1", "T1ce", "T2", "FLAIR"};

QAction* addToggle(QMenu* menu, const QString& text, bool checked, const QString& name) {
  QAction* action = menu->addAction(text);
  action->setCheckable(true);
  action->setChecked(checked);
  action->setObjectName(name);
  return action;
}

}  // namespace

DisplayControls::DisplayControls(QMainWindow& window, CaseViews& views)
    : QObject(&window), views_(views) {
  menu_ = window.menuBar()->addMenu(tr("&View"));
  menu_->setObjectName(QStringLiteral("viewMenu"));

  // MRI channel, Ctrl+1..4 as in most viewers' modality switch.
  QMenu* channelMenu = menu_->addMenu(tr("&Modality"));
  channels_ = new QActionGroup(this);
  for (int channel = 0; channel < 4; ++channel) {
    QAction* action = channelMenu->addAction(QString::fromLatin1(kChannelNames[channel]));
    action->setCheckable(true);
    action->setChecked(channel == 0);
    action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + channel)));
    action->setObjectName(QStringLiteral("channel%1").arg(channel));
    action->setData(channel);
    channels_->addAction(action);
  }
  connect(channels_, &QActionGroup::triggered, this, [this](QAction* action) {
    if (views_.hasImage()) views_.setChannel(action->data().toInt());
  });

  QMenu* presets = menu_->addMenu(tr("&Window/level"));
  for (const std::string& name : CaseViews::windowPresets()) {
    QAction* action = presets->addAction(QString::fromStdString(name));
    connect(action, &QAction::triggered, this, [this, name] { views_.applyWindowPreset(name); });
  }

  QAction* reset = menu_->addAction(tr("&Reset zoom and pan"));
  reset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
  connect(reset, &QAction::triggered, this, [this] { views_.resetViews(); });
  QAction* crosshair = addToggle(menu_, tr("&Crosshair"), true, QStringLiteral("crosshair"));
  connect(crosshair, &QAction::toggled, this, [this](bool on) { views_.setCrosshairVisible(on); });

  menu_->addSeparator();
  QAction* labels = addToggle(menu_, tr("Show &labels"), true, QStringLiteral("showLabels"));
  connect(labels, &QAction::toggled, this, [this](bool on) { views_.setLabelsVisible(on); });
  QAction* outline = addToggle(menu_, tr("Label &outlines"), false, QStringLiteral("outline"));
  connect(outline, &QAction::toggled, this, [this](bool on) { views_.setLabelOutline(on); });

  menu_->addSeparator();
  QAction* surfaces = addToggle(menu_, tr("3D label &surfaces"), true, QStringLiteral("surfaces"));
  connect(surfaces, &QAction::toggled, this, [this](bool on) { views_.setSurfacesVisible(on); });
  QAction* volume =
      addToggle(menu_, tr("3D &volume rendering"), false, QStringLiteral("volumeRendering"));
  connect(volume, &QAction::toggled, this, [this](bool on) { views_.setVolumeRendering(on); });

  QToolBar* toolbar = window.addToolBar(tr("Display"));
  toolbar->setObjectName(QStringLiteral("displayToolBar"));
  toolbar->addWidget(new QLabel(tr("Label opacity ")));
  opacity_ = new QSlider(Qt::Horizontal);
  opacity_->setObjectName(QStringLiteral("labelOpacity"));
  opacity_->setRange(0, 100);
  opacity_->setMaximumWidth(160);
  opacity_->setToolTip(tr("Opacity of the labels (keys a / d in a slice view, s hides them)"));
  toolbar->addWidget(opacity_);
  connect(opacity_, &QSlider::valueChanged, this,
          [this](int value) { views_.setLabelOpacity(value / 100.0); });
  refresh();
}

void DisplayControls::refresh() {
  const QSignalBlocker blockSlider(opacity_);
  opacity_->setValue(static_cast<int>(std::lround(views_.labelDisplay().opacity * 100)));
  if (views_.hasImage())
    for (QAction* action : channels_->actions())
      if (action->data().toInt() == views_.channel()) action->setChecked(true);
}

}  // namespace seqseg
