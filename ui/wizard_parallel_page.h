#pragma once
// The training wizard's Parallel page: where training runs (this computer, or a cluster profile
// that decides the ranks and the launcher), the ranks and how they share every crop (split,
// attention, decoder), and why `seqseg train` would refuse these settings for the model.
#include <QWizardPage>

#include "ui/train_wizard_model.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace seqseg {

class WizardParallelPage : public QWizardPage {
  Q_OBJECT

 public:
  explicit WizardParallelPage(TrainWizardModel& model, QWidget* parent = nullptr);

  bool isComplete() const override;
  void initializePage() override;

 public slots:
  void showProblem();  // the settings, or the model they are for, changed

 private:
  void chooseRunOn();  // a cluster profile decides the ranks and the launcher
  void readFields();

  TrainWizardModel& model_;
  QComboBox* runOn_ = nullptr;  // This computer, then the cluster profiles (data: their ranks)
  QSpinBox* ranks_ = nullptr;
  QComboBox* launcher_ = nullptr;
  QComboBox* split_ = nullptr;
  QComboBox* attention_ = nullptr;
  QComboBox* decoder_ = nullptr;
  QCheckBox* sharded_ = nullptr;
  QLabel* problem_ = nullptr;
};

}  // namespace seqseg
