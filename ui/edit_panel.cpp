#include "ui/edit_panel.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QPixmap>
#include <QPushButton>
#include <QRadioButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

#include "io/label_filters.h"
#include "viz/case_views.h"
#include "viz/slice_scene.h"

namespace seqseg {

namespace {

constexpr double kMinRadiusMm = 0.5, kMaxRadiusMm = 50.0;

QIcon swatch(const std::array<uint8_t, 3>& colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(QColor(colour[0], colour[1], colour[2]));
  return QIcon(pixmap);
}

}  // namespace

EditPanel::EditPanel(SessionModel& session, CaseViews& views, const LabelColourTable& colours,
                     QWidget* parent)
    : QWidget(parent), session_(session), views_(views), colours_(colours) {
  setObjectName(QStringLiteral("editPanel"));
  auto* layout = new QVBoxLayout(this);

  paint_ = new QAction(tr("&Paint"), this);
  paint_->setObjectName(QStringLiteral("paintAction"));
  paint_->setCheckable(true);
  paint_->setShortcut(QKeySequence(Qt::Key_B));
  paint_->setStatusTip(tr("Left drags in the slice views paint the chosen label"));
  connect(paint_, &QAction::toggled, this, [this](bool on) { setPainting(on); });
  paintButton_ = new QToolButton;
  paintButton_->setDefaultAction(paint_);
  paintButton_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  layout->addWidget(paintButton_);

  labels_ = new QButtonGroup(this);
  auto* labelBox = new QWidget;
  auto* labelLayout = new QVBoxLayout(labelBox);
  labelLayout->setContentsMargins(0, 0, 0, 0);
  for (uint8_t value : {uint8_t{1}, uint8_t{2}, uint8_t{3}, uint8_t{0}}) {
    const LabelClass* known = colours_.find(value);
    const QString name =
        value == 0 ? tr("Erase")
        : known    ? QString::fromStdString(known->name + " (" + known->abbreviation + ")")
                   : tr("Label %1").arg(value);
    auto* button = new QRadioButton(QStringLiteral("%1  %2").arg(value).arg(name));
    button->setObjectName(QStringLiteral("paintLabel%1").arg(value));
    if (known && value != 0) button->setIcon(swatch(known->colour));
    labels_->addButton(button, value);
    labelLayout->addWidget(button);
    // 1, 2, 3 paint that label and 0 erases: each chooses it and starts painting.
    addKey(Qt::Key_0 + value, [this, value] {
      setLabel(value);
      setPainting(true);
    });
  }
  labels_->button(1)->setChecked(true);
  connect(labels_, &QButtonGroup::idClicked, this, [this] { showBrush(); });
  layout->addWidget(labelBox);

  auto* form = new QFormLayout;
  radius_ = new QDoubleSpinBox;
  radius_->setObjectName(QStringLiteral("brushRadius"));
  radius_->setRange(kMinRadiusMm, kMaxRadiusMm);
  radius_->setSingleStep(0.5);
  radius_->setDecimals(1);
  radius_->setSuffix(tr(" mm"));
  radius_->setValue(3.0);
  connect(radius_, &QDoubleSpinBox::valueChanged, this, [this] { showBrush(); });
  form->addRow(tr("Brush radius"), radius_);
  shape_ = new QComboBox;
  shape_->setObjectName(QStringLiteral("brushShape"));
  shape_->addItem(tr("Disc, on the slice"));
  shape_->addItem(tr("Sphere, in 3D"));
  form->addRow(tr("Brush"), shape_);
  layout->addLayout(form);
  // [ and ]: one step smaller or larger (a tenth of the radius, at least half a millimetre).
  for (const auto& [key, sign] : {std::pair{Qt::Key_BracketLeft, -1}, {Qt::Key_BracketRight, 1}})
    addKey(key, [this, sign = sign] {
      setRadiusMm(radiusMm() + sign * std::max(0.5, std::round(radiusMm()) * 0.1));
    });

  // The whole-region tools.
  auto* fill = new QPushButton(tr("Fill holes (F)"));
  fill->setObjectName(QStringLiteral("fillHolesButton"));
  fill->setToolTip(
      tr("Fill what the chosen label encloses, unlabelled, in the slice through the "
         "cursor of the view last painted in"));
  connect(fill, &QPushButton::clicked, this, [this] { fillHoles(); });
  layout->addWidget(fill);
  auto* growForm = new QFormLayout;
  growLower_ = new QDoubleSpinBox;
  growUpper_ = new QDoubleSpinBox;
  for (QDoubleSpinBox* bound : {growLower_, growUpper_}) {
    bound->setRange(-1e9, 1e9);
    bound->setDecimals(1);
  }
  growLower_->setObjectName(QStringLiteral("growLower"));
  growUpper_->setObjectName(QStringLiteral("growUpper"));
  auto* range = new QHBoxLayout;
  range->addWidget(growLower_);
  range->addWidget(new QLabel(QStringLiteral("–")));
  range->addWidget(growUpper_);
  growForm->addRow(tr("Grow range"), range);
  layout->addLayout(growForm);
  auto* growButtons = new QHBoxLayout;
  auto* around = new QPushButton(tr("Range at cursor"));
  around->setObjectName(QStringLiteral("growRangeButton"));
  connect(around, &QPushButton::clicked, this, [this] { setGrowRangeAroundCursor(); });
  auto* grow = new QPushButton(tr("Grow region (G)"));
  grow->setObjectName(QStringLiteral("growRegionButton"));
  grow->setToolTip(
      tr("Paint the voxels connected to the cursor whose intensity in the shown "
         "channel lies in the range"));
  connect(grow, &QPushButton::clicked, this, [this] { growRegionFromCursor(); });
  growButtons->addWidget(around);
  growButtons->addWidget(grow);
  layout->addLayout(growButtons);
  addKey(Qt::Key_F, [fill] { fill->click(); });
  addKey(Qt::Key_G, [grow] { grow->click(); });
  interpolate_ = new QAction(tr("&Interpolate slices"), this);
  interpolate_->setObjectName(QStringLiteral("interpolateSlicesAction"));
  interpolate_->setShortcut(QKeySequence(Qt::Key_I));
  interpolate_->setStatusTip(
      tr("Fill the unlabelled voxels of the slices between two slices painted with the chosen "
         "label, along the view last painted in"));
  connect(interpolate_, &QAction::triggered, this, [this] { interpolateSlices(); });
  addAction(interpolate_);  // its key while the panel is shown, with or without the menu
  auto* interpolate = new QPushButton(tr("Interpolate slices (I)"));
  interpolate->setObjectName(QStringLiteral("interpolateSlicesButton"));
  interpolate->setToolTip(interpolate_->statusTip());
  connect(interpolate, &QPushButton::clicked, interpolate_, &QAction::trigger);
  layout->addWidget(interpolate);

  undo_ = new QAction(tr("&Undo"), this);
  undo_->setObjectName(QStringLiteral("undoEditAction"));
  undo_->setShortcut(QKeySequence::Undo);
  connect(undo_, &QAction::triggered, this, [this] { session_.undo(); });
  redo_ = new QAction(tr("&Redo"), this);
  redo_->setObjectName(QStringLiteral("redoEditAction"));
  redo_->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
  connect(redo_, &QAction::triggered, this, [this] { session_.redo(); });
  auto* history = new QHBoxLayout;
  for (QAction* action : {undo_, redo_}) {
    auto* button = new QToolButton;
    button->setDefaultAction(action);
    history->addWidget(button);
  }
  history->addStretch(1);
  layout->addLayout(history);
  layout->addStretch(1);

  session_.addListener(this);
  updateState();
}

EditPanel::~EditPanel() {
  session_.removeListener(this);
  views_.setPainting({});
}

void EditPanel::addKey(int key, std::function<void()> triggered) {
  auto* action = new QAction(this);
  action->setShortcut(QKeySequence(key));
  connect(action, &QAction::triggered, this, std::move(triggered));
  addAction(action);  // a window shortcut while the panel is shown
}

QList<QAction*> EditPanel::actions() const {
  return {paint_, interpolate_, undo_, redo_};
}

bool EditPanel::painting() const {
  return paint_->isChecked();
}

void EditPanel::setPainting(bool on) {
  on = on && session_.hasCase();
  if (paint_->isChecked() != on) paint_->setChecked(on);  // comes back here through toggled
  if (on == views_.painting()) return;
  if (on) {
    views_.setPainting([this](SliceOrientation view, const std::array<double, 3>& world,
                              bool strokeEnds) { paintAt(view, world, strokeEnds); });
    showBrush();
  } else {
    session_.endStroke();
    views_.setPainting({});
  }
}

uint8_t EditPanel::label() const {
  return static_cast<uint8_t>(labels_->checkedId());
}

void EditPanel::setLabel(uint8_t label) {
  if (QAbstractButton* button = labels_->button(label)) button->setChecked(true);
  showBrush();
}

double EditPanel::radiusMm() const {
  return radius_->value();
}

void EditPanel::setRadiusMm(double radius) {
  radius_->setValue(std::clamp(radius, kMinRadiusMm, kMaxRadiusMm));
}

BrushShape EditPanel::shape() const {
  return shape_->currentIndex() == 1 ? BrushShape::Sphere : BrushShape::Disc;
}

void EditPanel::setShape(BrushShape shape) {
  shape_->setCurrentIndex(shape == BrushShape::Sphere ? 1 : 0);
}

void EditPanel::setGrowRange(double lower, double upper) {
  growLower_->setValue(lower);
  growUpper_->setValue(upper);
}

void EditPanel::setGrowRangeAroundCursor() {
  if (!views_.hasImage()) return;
  const double value = views_.intensityAtCursor();
  const double half = 0.15 * views_.window().width();
  setGrowRange(value - half, value + half);
}

int64_t EditPanel::fillHoles() {
  const std::shared_ptr<const LabelVolume> labels = session_.segmentation();
  if (!labels || label() == 0 || !views_.hasImage()) return 0;
  const int axis = views_.sliceScene(lastView_).normalAxis();
  const std::vector<int64_t> holes =
      holesInSlice(*labels, label(), axis, views_.cursorVoxel()[axis]);
  return session_.applyEdit(holes, std::vector<uint8_t>(holes.size(), label()));
}

int64_t EditPanel::growRegionFromCursor() {
  const std::shared_ptr<const Volume> volume = session_.volume();
  if (!volume || !views_.hasImage()) return 0;
  const std::vector<int64_t> grown =
      growRegion(*volume, views_.channel(), views_.cursorVoxel(),
                 static_cast<float>(growLower_->value()), static_cast<float>(growUpper_->value()));
  return session_.applyEdit(grown, std::vector<uint8_t>(grown.size(), label()));
}

int64_t EditPanel::interpolateSlices() {
  const std::shared_ptr<const LabelVolume> labels = session_.segmentation();
  if (!labels || label() == 0 || !views_.hasImage()) return 0;
  const int axis = views_.sliceScene(lastView_).normalAxis();
  const std::vector<int64_t> filled = seqseg::interpolateSlices(*labels, label(), axis);
  return session_.applyEdit(filled, std::vector<uint8_t>(filled.size(), label()));
}

void EditPanel::updateState() {
  const bool hasCase = session_.hasCase();
  paint_->setEnabled(hasCase);
  interpolate_->setEnabled(hasCase);
  if (!hasCase) setPainting(false);
  undo_->setEnabled(session_.canUndo());
  redo_->setEnabled(session_.canRedo());
}

// The outline in the colour it paints (white for erasing).
void EditPanel::showBrush() {
  const LabelClass* known = colours_.find(label());
  std::array<double, 3> colour{1, 1, 1};
  if (known && label() != 0)
    for (int c = 0; c < 3; ++c) colour[c] = known->colour[c] / 255.0;
  views_.setBrush(radiusMm(), colour);
}

void EditPanel::paintAt(SliceOrientation view, const std::array<double, 3>& world,
                        bool strokeEnds) {
  if (strokeEnds) {
    session_.endStroke();
    return;
  }
  const std::shared_ptr<const Volume> volume = session_.volume();
  if (!volume) return;
  lastView_ = view;
  const bool continuing = session_.strokeActive();  // from lastPoint_, painted by this stroke
  if (!continuing) session_.beginStroke();
  BrushStamp stamp;
  stamp.radiusMm = radiusMm();
  stamp.shape = shape();
  stamp.planeNormal = {0, 0, 0};
  stamp.planeNormal[normalWorldAxis(view)] = 1.0;
  stamp.centre = world;
  const std::array<int64_t, 3> grid{volume->shape[1], volume->shape[2], volume->shape[3]};
  const std::vector<int64_t> voxels =
      continuing ? brushPathVoxels(grid, volume->geometry, stamp, lastPoint_)
                 : brushVoxels(grid, volume->geometry, stamp);
  lastPoint_ = world;
  session_.paint(voxels, label());
}

}  // namespace seqseg
