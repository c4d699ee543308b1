#include "ui/probability_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include "ui/probability_maps.h"
#include "viz/case_views.h"

namespace seqseg {

namespace {

constexpr int kSliderSteps = 100;  // the sliders' 0..1 in hundredths

// The colour bar's title, on two short lines: a slice view may be narrow.
std::string colourBarTitle(ProbabilityMap map) {
  switch (map) {
    case ProbabilityMap::WholeTumour:
      return "WT\nprobability";
    case ProbabilityMap::TumourCore:
      return "TC\nprobability";
    case ProbabilityMap::EnhancingTumour:
      return "ET\nprobability";
    case ProbabilityMap::Uncertainty:
      break;
  }
  return "Uncertainty\n(entropy)";
}

}  // namespace

ProbabilityPanel::ProbabilityPanel(SessionModel& session, CaseViews& views, QWidget* parent)
    : QWidget(parent), session_(session), views_(views) {
  setObjectName(QStringLiteral("probabilityPanel"));
  status_ = new QLabel;
  status_->setObjectName(QStringLiteral("probabilityStatus"));
  status_->setWordWrap(true);

  map_ = new QComboBox;
  map_->setObjectName(QStringLiteral("probabilityMapBox"));
  map_->addItem(tr("None"), -1);
  for (int map = 0; map < kProbabilityMapCount; ++map)
    map_->addItem(tr(probabilityMapTitle(static_cast<ProbabilityMap>(map))), map);
  map_->setToolTip(
      tr("A region's probability (the sum of its classes') or the voxel "
         "uncertainty (entropy / ln 4: 0 certain, 1 undecided), as a heat map"));

  colours_ = new QComboBox;
  colours_->setObjectName(QStringLiteral("probabilityColoursBox"));
  colours_->addItem(tr("Inferno"), static_cast<int>(HeatColourMap::Inferno));
  colours_->addItem(tr("Viridis"), static_cast<int>(HeatColourMap::Viridis));

  const HeatMapDisplay defaults;
  opacity_ = new QSlider(Qt::Horizontal);
  opacity_->setObjectName(QStringLiteral("probabilityOpacitySlider"));
  opacity_->setRange(0, kSliderSteps);
  opacity_->setValue(static_cast<int>(defaults.opacity * kSliderSteps));

  threshold_ = new QSlider(Qt::Horizontal);
  threshold_->setObjectName(QStringLiteral("probabilityThresholdSlider"));
  threshold_->setRange(0, kSliderSteps);
  threshold_->setValue(static_cast<int>(defaults.threshold * kSliderSteps));
  threshold_->setToolTip(tr("Voxels below this value are not drawn"));
  thresholdValue_ = new QLabel;
  thresholdValue_->setMinimumWidth(thresholdValue_->fontMetrics().horizontalAdvance("0.00"));
  auto* thresholdRow = new QHBoxLayout;
  thresholdRow->addWidget(threshold_, 1);
  thresholdRow->addWidget(thresholdValue_);

  surface_ = new QCheckBox(tr("3D surface at"));
  surface_->setObjectName(QStringLiteral("levelSurfaceCheck"));
  surface_->setToolTip(tr("In the 3D view, the surface where the map shown crosses this value"));
  level_ = new QDoubleSpinBox;
  level_->setObjectName(QStringLiteral("levelSurfaceBox"));
  level_->setRange(0.05, 0.95);
  level_->setSingleStep(0.05);
  level_->setDecimals(2);
  level_->setValue(0.5);
  auto* surfaceRow = new QHBoxLayout;
  surfaceRow->addWidget(surface_);
  surfaceRow->addWidget(level_, 1);

  auto* form = new QFormLayout;
  form->addRow(tr("Show"), map_);
  form->addRow(tr("Colours"), colours_);
  form->addRow(tr("Opacity"), opacity_);
  form->addRow(tr("Threshold"), thresholdRow);
  form->addRow(surfaceRow);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(status_);
  layout->addLayout(form);
  layout->addStretch(1);

  thresholdValue_->setText(QString::number(defaults.threshold, 'f', 2));
  connect(map_, &QComboBox::currentIndexChanged, this, [this] { showMap(); });
  connect(colours_, &QComboBox::currentIndexChanged, this, [this] { showDisplay(); });
  connect(opacity_, &QSlider::valueChanged, this, [this] { showDisplay(); });
  connect(threshold_, &QSlider::valueChanged, this, [this] { showDisplay(); });
  connect(surface_, &QCheckBox::toggled, this, [this] { showLevelSurface(); });
  connect(level_, &QDoubleSpinBox::valueChanged, this, [this] { showLevelSurface(); });
  session_.addListener(this);
  showAvailability();
}

ProbabilityPanel::~ProbabilityPanel() {
  session_.removeListener(this);
}

int ProbabilityPanel::shownMap() const {
  return views_.hasHeatMap() ? map_->currentData().toInt() : -1;
}

QString ProbabilityPanel::statusText() const {
  return status_->text();
}

void ProbabilityPanel::showAvailability() {
  const bool available = session_.probabilities() != nullptr;
  QString text;
  if (available)
    text = tr("The model's probabilities of this segmentation.");
  else if (!session_.hasCase())
    text = tr("Open a case and segment it to see its probabilities.");
  else if (session_.probabilitiesDroppedByEdit())
    text =
        tr("The segmentation was edited: it has no probabilities (they were the model's). "
           "Segment again to see them.");
  else if (session_.segmentation() && session_.segmentationOrigin().kind == "file")
    text =
        tr("A segmentation opened from a file has no probabilities. Segment the case to "
           "see them.");
  else if (session_.segmentation())
    text = tr("This segmentation has no probabilities. Segment the case to see them.");
  else
    text = tr("Segment the case to see its probabilities.");
  status_->setText(text);
  for (QWidget* control :
       std::initializer_list<QWidget*>{map_, colours_, opacity_, threshold_, surface_, level_})
    control->setEnabled(available);
  showMap();
}

void ProbabilityPanel::showMap() {
  const std::shared_ptr<const Volume> maps = session_.probabilities();
  const int map = map_->currentData().toInt();
  if (!maps || map < 0) {
    views_.clearHeatMap();
    return;
  }
  views_.showHeatMap(*maps, map, chosenDisplay());
  showLevelSurface();
}

HeatMapDisplay ProbabilityPanel::chosenDisplay() const {
  HeatMapDisplay display;
  display.colours = static_cast<HeatColourMap>(colours_->currentData().toInt());
  display.opacity = opacity_->value() / static_cast<double>(kSliderSteps);
  display.threshold = threshold_->value() / static_cast<double>(kSliderSteps);
  const int map = map_->currentData().toInt();
  if (map >= 0) display.title = colourBarTitle(static_cast<ProbabilityMap>(map));
  return display;
}

void ProbabilityPanel::showDisplay() {
  thresholdValue_->setText(QString::number(threshold_->value() / double(kSliderSteps), 'f', 2));
  views_.setHeatMapDisplay(chosenDisplay());
}

void ProbabilityPanel::showLevelSurface() {
  if (surface_->isChecked() && surface_->isEnabled())
    views_.showLevelSurface(level_->value());
  else
    views_.clearLevelSurface();
}

}  // namespace seqseg
