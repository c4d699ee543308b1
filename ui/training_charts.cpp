#include "ui/training_charts.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

#include "ui/training_curves.h"

namespace seqseg {
namespace {

QChartView* chartView(QChart* chart, const QString& objectName) {
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart);
  view->setObjectName(objectName);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(320, 240);
  return view;
}

QValueAxis* axis(const QString& title, const QString& format) {
  auto* axis = new QValueAxis;
  axis->setTitleText(title);
  axis->setLabelFormat(format);
  return axis;
}

}  // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
  auto* lossChart = new QChart;
  lossChart->setTitle(tr("Training loss (Dice + cross-entropy) and learning rate"));
  loss_ = new QLineSeries;
  loss_->setName(tr("loss"));
  learningRate_ = new QLineSeries;
  learningRate_->setName(tr("learning rate"));
  lossChart->addSeries(loss_);
  lossChart->addSeries(learningRate_);
  lossX_ = axis(tr("step"), QStringLiteral("%d"));
  lossY_ = axis(tr("loss"), QStringLiteral("%.2f"));
  rateY_ = axis(tr("learning rate"), QStringLiteral("%.1e"));
  lossChart->addAxis(lossX_, Qt::AlignBottom);
  lossChart->addAxis(lossY_, Qt::AlignLeft);
  lossChart->addAxis(rateY_, Qt::AlignRight);
  loss_->attachAxis(lossX_);
  loss_->attachAxis(lossY_);
  learningRate_->attachAxis(lossX_);
  learningRate_->attachAxis(rateY_);

  auto* diceChart = new QChart;
  diceChart->setTitle(tr("Validation Dice"));
  diceX_ = axis(tr("step"), QStringLiteral("%d"));
  auto* diceY = axis(tr("Dice"), QStringLiteral("%.1f"));
  diceY->setRange(0, 1);
  diceChart->addAxis(diceX_, Qt::AlignBottom);
  diceChart->addAxis(diceY, Qt::AlignLeft);
  const char* names[3] = {"WT", "TC", "ET"};
  const QColor colors[3] = {QColor(40, 160, 60), QColor(220, 60, 60), QColor(240, 180, 20)};
  for (int region = 0; region < 3; ++region) {
    dice_[region] = new QLineSeries;
    dice_[region]->setName(QString::fromLatin1(names[region]));
    dice_[region]->setColor(colors[region]);
    dice_[region]->setPointsVisible(true);
    diceChart->addSeries(dice_[region]);
    dice_[region]->attachAxis(diceX_);
    dice_[region]->attachAxis(diceY);
  }

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(chartView(lossChart, QStringLiteral("lossChart")), 3);
  layout->addWidget(chartView(diceChart, QStringLiteral("diceChart")), 2);
  show(TrainingCurves());
}

void TrainingCharts::show(const TrainingCurves& curves) {
  QList<QPointF> loss, rate, dice[3];
  double maxLoss = 0, maxRate = 0;
  for (const StepPoint& p : curves.steps) {
    loss.append(QPointF(double(p.step), p.loss));
    rate.append(QPointF(double(p.step), p.learningRate));
    maxLoss = std::max(maxLoss, p.loss);
    maxRate = std::max(maxRate, p.learningRate);
  }
  for (const ValidationPoint& p : curves.validations) {
    dice[0].append(QPointF(double(p.step), p.wt));
    dice[1].append(QPointF(double(p.step), p.tc));
    dice[2].append(QPointF(double(p.step), p.et));
  }
  loss_->replace(loss);
  learningRate_->replace(rate);
  for (int region = 0; region < 3; ++region) dice_[region]->replace(dice[region]);
  const double lastStep =
      std::max<double>({1.0, double(curves.totalSteps),
                        curves.steps.empty() ? 1.0 : double(curves.steps.back().step)});
  lossX_->setRange(0, lastStep);
  diceX_->setRange(0, lastStep);
  lossY_->setRange(0, maxLoss > 0 ? maxLoss * 1.1 : 1.0);
  rateY_->setRange(0, maxRate > 0 ? maxRate * 1.1 : 1e-3);
}

}  // namespace seqseg
