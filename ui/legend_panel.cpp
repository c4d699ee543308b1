#include "ui/legend_panel.h"

#include <QColor>
#include <QHeaderView>
#include <QPixmap>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace seqseg {
namespace {

constexpr int kNameColumn = 0;
constexpr int kVolumeColumn = 1;
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
  table_ = new QTableWidget(kLabelRows + kRegionRows, 2);
  table_->setObjectName(QStringLiteral("legendTable"));
  table_->setHorizontalHeaderLabels({tr("Label"), tr("Volume (mL)")});
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(kNameColumn, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(kVolumeColumn, QHeaderView::ResizeToContents);
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
