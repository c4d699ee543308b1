#pragma once
// The 2x2 grid of the four case views (axial, sagittal / coronal, 3D), any one of which can
// fill the whole grid: double-click a view, or call maximise(); restore() (or another
// double-click) brings the grid back, as in ITK-SNAP and Slicer.
#include <QWidget>

#include <array>

class QGridLayout;

namespace seqseg {

class ViewLayout : public QWidget {
  Q_OBJECT

 public:
  // The cells, typically a VtkViewWidget or a frame holding one with its caption; they
  // become children of this widget. A double-click on any VtkViewWidget inside a cell
  // toggles that cell.
  ViewLayout(QWidget* axial, QWidget* sagittal, QWidget* coronal, QWidget* overview,
             QWidget* parent = nullptr);

  enum Cell { Axial = 0, Sagittal = 1, Coronal = 2, Overview = 3 };

  void maximise(Cell cell);
  void restore();
  void toggleMaximised(Cell cell);
  // The cell filling the grid, or -1 when all four show.
  int maximised() const { return maximised_; }
  QWidget* cell(Cell which) const { return cells_[which]; }

 signals:
  void layoutChanged(int maximised);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  std::array<QWidget*, 4> cells_;
  int maximised_ = -1;
};

}  // namespace seqseg
