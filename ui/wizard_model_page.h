#pragma once
// The training wizard's Model page: what to start from (random weights, or a model of the list:
// fine-tuning, its shape and spacing read with `seqseg info --json`, the encoder optionally
// frozen), a preset or a custom ViT segmenter's shape (ROI, patch, embedding, depth, heads,
// decoder channels) with what it means in tokens, and an estimate of its memory and step time
// measured by a short seqseg-bench run on this machine.
#include <QByteArray>
#include <QPair>
#include <QVector>
#include <QWizardPage>

#include "ui/train_wizard_model.h"

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace seqseg {

class JobProcess;

class WizardModelPage : public QWizardPage {
  Q_OBJECT

 public:
  explicit WizardModelPage(TrainWizardModel& model, QWidget* parent = nullptr);

  // The seqseg executable beside which seqseg-bench is looked for; by default this
  // application's own.
  void setExecutable(const QString& path) { executable_ = path; }

  // The models "Start from" offers after random weights: (name, checkpoint).
  void setKnownModels(const QVector<QPair<QString, QString>>& models);
  // Chooses the start model with this checkpoint (adding it to the list when it is not there);
  // empty: random weights.
  void startFrom(const QString& checkpoint, const QString& name);

  bool isComplete() const override;
  // Writes a custom model's config file where the model's configArgument() names it (a preset
  // needs none). False, with `error`, when it cannot.
  bool writeCustomConfig(QString& error) const;

 public slots:
  void runProbe();  // the estimate: a few training steps of seqseg-bench

 signals:
  void shapeChanged();

 private:
  void readFields();      // into the model, then what follows from them
  void readStartModel();  // `seqseg info --json` of the chosen start model, in the background
  void showFacts();
  QString benchExecutable() const;

  TrainWizardModel& model_;
  QString executable_;
  QComboBox* startFrom_ = nullptr;
  QCheckBox* freezeEncoder_ = nullptr;
  JobProcess* startReader_ = nullptr;
  QByteArray startInfo_;
  QComboBox* preset_ = nullptr;
  QGroupBox* custom_ = nullptr;
  QSpinBox* roi_ = nullptr;
  QSpinBox* patch_ = nullptr;
  QSpinBox* embed_ = nullptr;
  QSpinBox* depth_ = nullptr;
  QSpinBox* heads_ = nullptr;
  QLineEdit* decoderChannels_ = nullptr;
  QLabel* facts_ = nullptr;
  QLabel* probeResult_ = nullptr;
  QPushButton* probeButton_ = nullptr;
  JobProcess* probe_ = nullptr;  // while seqseg-bench runs; ended with the page
  QByteArray probeOutput_;       // its JSON result
};

}  // namespace seqseg
