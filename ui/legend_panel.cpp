#include "ui/legend_panel.h"

#include <QColor>
#include <QHeaderView>
#include <QPixmap>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include <vtkLookupTable.h>

#include "viz/label_overlay.h"

namespace seqseg {
namespace {

constexpr int kNameColumn = 0;
constexpr int kVolumeColumn = 1;
constexpr int kVolumeRole = Qt::UserRole;  // the unrounded volume, a double

const char* const kRowNames[] = {"Necrotic core (NCR)", "Oedema (ED)",      "Enhancing tumour (ET)",
                                 "Whole tumour (WT)",   "Tumour core (TC)", "Enhancing (ET)"};

// A swatch of the overlay's colour for `label`, as viz draws it.
QPixmap swatch(int label) {
  double rgba[4];
  labelLookupTable()->GetTableValue(label, rgba);
  QPixmap pixmap(14, 14);
  pixmap.fill(QColor::fromRgbF(static_cast<float>(rgba[0]), static_cast<float>(rgba[1]),
                               static_cast<float>(rgba[2])));
  return pixmap;
}

}  // namespace

LegendPanel::LegendPanel(SessionModel& session, QWidget* parent)
    : QWidget(parent), session_(session) {
  table_ = new QTableWidget(kLabelRows + kRegionRows, 2);
  table_->setObjectName(QStringLiteral("legendTable"));
  table_->setHorizontalHeaderLabels({tr("Label"), tr("Volume (mL)")});
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(kNameColumn, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(kVolumeColumn, QHeaderView::ResizeToContents);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::NoSelection);
  for (int row = 0; row < kLabelRows + kRegionRows; ++row) {
    auto* name = new QTableWidgetItem(tr(kRowNames[row]));
    if (row < kLabelRows) {
      name->setIcon(swatch(row + 1));
      name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
      name->setCheckState(Qt::Checked);
      name->setToolTip(tr("Show or hide this label in the views"));
    } else {
      name->setFlags(Qt::ItemIsEnabled);
    }
    table_->setItem(row, kNameColumn, name);
    auto* volume = new QTableWidgetItem;
    volume->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    table_->setItem(row, kVolumeColumn, volume);
  }
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
}

double LegendPanel::volumeMl(int row) const {
  const QVariant value = table_->item(row, kVolumeColumn)->data(kVolumeRole);
  return value.isValid() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

bool LegendPanel::labelVisible(int label) const {
  return table_->item(label - 1, kNameColumn)->checkState() == Qt::Checked;
}

void LegendPanel::updateVolumes() {
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

}  // namespace seqseg
