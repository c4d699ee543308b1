#pragma once
// The Segment panel: which model and how to run it (ranks, device, split, attention,
// decoder), the Segment and Cancel buttons, and the running job's progress and message.
#include <QPair>
#include <QVector>
#include <QWidget>

#include "ui/batch_arguments.h"
#include "ui/session_model.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace seqseg {

class SegmentationJob;

class SegmentPanel : public QWidget, private SessionListener {
  Q_OBJECT

 public:
  SegmentPanel(SessionModel& session, SegmentationJob& job, QWidget* parent = nullptr);
  ~SegmentPanel() override;

  SegmentSettings settings() const;
  // A checkpoint to use instead of the bundled model; empty: the bundled model.
  void setModelPath(const QString& path);
  // The named models (name, checkpoint) listed after the bundled one: trained and imported
  // models of the Train menu's registry. The chosen model stays chosen if still listed.
  void setKnownModels(const QVector<QPair<QString, QString>>& models);
  // Lists "This computer" and the cluster profiles of clusters.json again; the chosen one
  // stays chosen if still listed.
  void refreshClusters();

 public slots:
  void segment();  // what the Segment button does
  void cancel();

 private:
  void chooseModel(int index);
  void caseChanged() override { updateControls(); }
  void jobChanged() override { updateControls(); }
  void updateControls();

  SessionModel& session_;
  SegmentationJob& job_;
  QComboBox* model_ = nullptr;
  QComboBox* runOn_ = nullptr;
  QSpinBox* ranks_ = nullptr;
  QComboBox* device_ = nullptr;
  QComboBox* split_ = nullptr;
  QComboBox* attention_ = nullptr;
  QComboBox* decoder_ = nullptr;
  QPushButton* segment_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* message_ = nullptr;
};

}  // namespace seqseg
