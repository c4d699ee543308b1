#include "ui/legend_panel.h"

#include <QColor>
#include <QFontMetrics>
#include <QHeaderView>
#include <QPixmap>
#include <QScrollBar>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace seqseg {
namespace {

constexpr int kNameColumn = 0;
constexpr int kVolumeColumn = 1;
constexpr int kDiameterColumn = 2;  // regions: the largest 3D diameter
constexpr int kAxialColumn = 3;     // regions: the axial diameters, "longest x perpendicular"
constexpr int kColumns = 4;
constexpr int kVolumeRole = Qt::UserRole;  // the unrounded volume, a double

const char* const kRegionNames[] = {"Whole tumour (WT)", "Tumour core (TC)",
                                    "Enhancing tumour region (ET)"};

// A swatch of the colour the views draw a label with.
QPixmap swatch(const LabelClass& label) {
  QPixmap pixmap(14, 14);
  pixmap.fill(QColor(label.colour[0], label.colour[1], label.colour[2]));
  return pixmap;
}

}  // namespace

LegendPanel::LegendPanel(SessionModel& session, const LabelColourTable& colours, QWidget* parent)
    : QWidget(parent), session_(session) {
  table_ = new QTableWidget(kLabelRows + kRegionRows, kColumns);
  table_->setObjectName(QStringLiteral("legendTable"));
  table_->setHorizontalHeaderLabels(
      {tr("Label"), tr("Volume (mL)"), tr("Largest Ø (mm)"), tr("Axial Ø (mm)")});
  table_->horizontalHeaderItem(kDiameterColumn)
      ->setToolTip(tr("The longest distance between two points of the region, in 3D"));
  table_->horizontalHeaderItem(kAxialColumn)
      ->setToolTip(tr("On the axial plane where the region is largest: its longest diameter × "
                      "the longest perpendicular to it (RANO's bidimensional measure for ET)"));
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(kNameColumn, QHeaderView::Stretch);
  for (int column = kVolumeColumn; column < kColumns; ++column)
    table_->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  for (int row = 0; row < kLabelRows + kRegionRows; ++row) {
    auto* name = new QTableWidgetItem;
    if (row < kLabelRows) {
      const LabelClass* label = colours.find(static_cast<uint8_t>(row + 1));
      const LabelClass shown = label ? *label : LabelClass{};
      name->setText(label
                        ? QStringLiteral("%1 (%2)").arg(QString::fromStdString(shown.name),
                                                        QString::fromStdString(shown.abbreviation))
                        : tr("Label %1").arg(row + 1));
      name->setIcon(swatch(shown));
      name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      name->setCheckState(Qt::Checked);
      name->setToolTip(tr("Show or hide this label in the views"));
    } else {
      name->setText(tr(kRegionNames[row - kLabelRows]));
      name->setFlags(Qt::ItemIsEnabled);
    }
    table_->setItem(row, kNameColumn, name);
    for (int column = kVolumeColumn; column < kColumns; ++column) {
      auto* value = new QTableWidgetItem;
      value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      value->setFlags(Qt::ItemIsEnabled);
      table_->setItem(row, column, value);
    }
  }
  connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
    const int region = row - kLabelRows;
    if (region >= 0 && measured_ && measured_->axial[region].present) emit regionChosen(region);
  });
  connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() == kNameColumn && item->row() < kLabelRows)
      emit labelVisibilityChanged(item->row() + 1, item->checkState() == Qt::Checked);
  });
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(table_);
  session_.addListener(this);
  updateVolumes();
}

LegendPanel::~LegendPanel() {
  session_.removeListener(this);
  if (measuring_) {
    measuring_->wait();
    delete measuring_;
  }
}

QSize LegendPanel::sizeHint() const {
  const QFontMetrics metrics(table_->font());
  // The widest numbers each column shows (the cells' padding is about a character each side).
  const int padding = 2 * metrics.horizontalAdvance(QLatin1Char('0'));
  const int widest[kColumns] = {0, metrics.horizontalAdvance(QStringLiteral("0000.00")),
                                metrics.horizontalAdvance(QStringLiteral("000.0")),
                                metrics.horizontalAdvance(QStringLiteral("000.0 × 000.0"))};
  int names = 0;  // and a check box and a swatch before the names
  for (int row = 0; row < table_->rowCount(); ++row)
    names = std::max(names, metrics.horizontalAdvance(table_->item(row, kNameColumn)->text()) +
                                4 * table_->iconSize().width());
  int width = 2 * table_->frameWidth() + table_->verticalScrollBar()->sizeHint().width();
  for (int column = 0; column < kColumns; ++column)
    width +=
        std::max({column == kNameColumn ? names : 0,
                  table_->horizontalHeader()->sectionSizeHint(column), widest[column] + padding});
  return {width, QWidget::sizeHint().height()};
}

const RegionMeasurement& LegendPanel::measurement(int region) const {
  if (!measured_) throw std::logic_error("the segmentation is not measured yet");
  return measured_->regions.at(region);
}

const BidimensionalMeasurement& LegendPanel::axialMeasurement(int region) const {
  if (!measured_) throw std::logic_error("the segmentation is not measured yet");
  return measured_->axial.at(region);
}

double LegendPanel::volumeMl(int row) const {
  const QVariant value = table_->item(row, kVolumeColumn)->data(kVolumeRole);
  return value.isValid() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

bool LegendPanel::labelVisible(int label) const {
  return table_->item(label - 1, kNameColumn)->checkState() == Qt::Checked;
}

void LegendPanel::showVolumes() {
  const bool shown = session_.segmentation() != nullptr;
  const SegmentationVolumes& volumes = session_.volumes();
  for (int row = 0; row < kLabelRows + kRegionRows; ++row) {
    QTableWidgetItem* item = table_->item(row, kVolumeColumn);
    const double value =
        row < kLabelRows ? volumes.perLabel[row + 1] : volumes.perRegion[row - kLabelRows];
    item->setData(kVolumeRole, shown ? QVariant(value) : QVariant());
    item->setText(shown ? QString::number(value, 'f', 2) : QStringLiteral("–"));
  }
}

void LegendPanel::updateVolumes() {
  showVolumes();
  measured_ = nullptr;
  showMeasurements();
  measure();
}

// Off the UI thread: a BraTS-size segmentation takes a fraction of a second, which would stall
// the views. A result for a segmentation replaced meanwhile is dropped and measured again.
void LegendPanel::measure() {
  const std::shared_ptr<const LabelVolume> labels = session_.segmentation();
  if (!labels) return;
  if (measuring_) {
    measureAgain_ = true;
    return;
  }
  auto result = std::make_shared<CaseMeasurements>();
  QThread* thread = measuring_ =
      QThread::create([labels, result] { *result = measureRegions(*labels); });
  connect(thread, &QThread::finished, this, [this, thread, labels, result] {
    thread->deleteLater();
    measuring_ = nullptr;
    if (measureAgain_) {
      measureAgain_ = false;
      measure();
      return;
    }
    if (session_.segmentation() != labels) return;
    measured_ = result;
    showMeasurements();
    emit measurementsUpdated();
  });
  thread->start();
}

void LegendPanel::showMeasurements() {
  for (int region = 0; region < kRegionRows; ++region) {
    const int row = kLabelRows + region;
    QTableWidgetItem* diameter = table_->item(row, kDiameterColumn);
    QTableWidgetItem* axial = table_->item(row, kAxialColumn);
    QTableWidgetItem* name = table_->item(row, kNameColumn);
    if (!measured_ || measured_->regions[region].voxels == 0) {
      const QString empty =
          measured_ || !session_.segmentation() ? QStringLiteral("–") : QStringLiteral("…");
      diameter->setText(empty);
      axial->setText(empty);
      name->setToolTip(QString());
      continue;
    }
    const RegionMeasurement& measuredRegion = measured_->regions[region];
    const BidimensionalMeasurement& plane = measured_->axial[region];
    diameter->setText(QString::number(measuredRegion.largestDiameter.lengthMm(), 'f', 1));
    axial->setText(QStringLiteral("%1 × %2")
                       .arg(plane.longest.lengthMm(), 0, 'f', 1)
                       .arg(plane.perpendicular.lengthMm(), 0, 'f', 1));
    const Point3& centroid = measuredRegion.centroidRas;
    name->setToolTip(tr("Centroid R %1, A %2, S %3 mm\n"
                        "Axial diameters %4 × %5 mm = %6 mm² on the plane S %7 mm\n"
                        "Click to show them on that axial slice")
                         .arg(centroid[0], 0, 'f', 1)
                         .arg(centroid[1], 0, 'f', 1)
                         .arg(centroid[2], 0, 'f', 1)
                         .arg(plane.longest.lengthMm(), 0, 'f', 1)
                         .arg(plane.perpendicular.lengthMm(), 0, 'f', 1)
                         .arg(plane.productMm2(), 0, 'f', 0)
                         .arg(plane.planeSuperiorMm, 0, 'f', 1));
  }
}

}  // namespace seqseg
