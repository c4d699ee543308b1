#include "viz/view_layout.h"

#include <QEvent>
#include <QGridLayout>

#include "viz/vtk_view_widget.h"

namespace seqseg {

ViewLayout::ViewLayout(QWidget* axial, QWidget* sagittal, QWidget* coronal, QWidget* overview,
                       QWidget* parent)
    : QWidget(parent), cells_{axial, sagittal, coronal, overview} {
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(4, 4, 4, 4);
  grid->setSpacing(4);
  for (int n = 0; n < 4; ++n) {
    grid->addWidget(cells_[n], n / 2, n % 2);
    // The view widgets take the double-click before their parents could see it.
    QList<VtkViewWidget*> views = cells_[n]->findChildren<VtkViewWidget*>();
    if (auto* view = qobject_cast<VtkViewWidget*>(cells_[n])) views.append(view);
    for (VtkViewWidget* view : views) view->installEventFilter(this);
  }
}

void ViewLayout::maximise(Cell cell) {
  for (int n = 0; n < 4; ++n) cells_[n]->setVisible(n == cell);
  maximised_ = cell;
  emit layoutChanged(maximised_);
}

void ViewLayout::restore() {
  for (QWidget* cell : cells_) cell->setVisible(true);
  maximised_ = -1;
  emit layoutChanged(maximised_);
}

void ViewLayout::toggleMaximised(Cell cell) {
  if (maximised_ == cell)
    restore();
  else
    maximise(cell);
}

bool ViewLayout::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::MouseButtonDblClick) {
    for (int n = 0; n < 4; ++n)
      if (watched == cells_[n] || cells_[n]->isAncestorOf(qobject_cast<QWidget*>(watched))) {
        toggleMaximised(static_cast<Cell>(n));
        return true;
      }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace seqseg
