#pragma once
// The training wizard's Training page: epochs, steps, batch, learning rate, spacing,
// augmentation, balanced crops, region Dice, seed and threads; the run folder (empty, or a run to
// resume) and the model's name. Its Next starts the run: a commit page, refused while the folder or
// the name is not fit.
#include <QWizardPage>

#include "ui/train_wizard_model.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace seqseg {

class WizardTrainingPage : public QWizardPage {
  Q_OBJECT

 public:
  explicit WizardTrainingPage(TrainWizardModel& model, QWidget* parent = nullptr);

  void setModelName(const QString& name);

  bool isComplete() const override;
  void initializePage() override;
  bool validatePage() override;  // asks the run folder again: it may have changed meanwhile

 private:
  void readFields();
  void showProblem();

  TrainWizardModel& model_;
  QSpinBox* epochs_ = nullptr;
  QSpinBox* stepsPerEpoch_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QDoubleSpinBox* learningRate_ = nullptr;
  QDoubleSpinBox* timeLimit_ = nullptr;
  QCheckBox* medianSpacing_ = nullptr;
  QDoubleSpinBox* spacing_[3] = {};
  QLabel* spacingReason_ = nullptr;  // why the proposed spacing
  bool showingProposal_ = false;     // spacing set by the page, not edited by the person
  QCheckBox* augment_ = nullptr;
  QCheckBox* balanceCropClasses_ = nullptr;
  QCheckBox* regionDice_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QSpinBox* threads_ = nullptr;
  QLineEdit* outputFolder_ = nullptr;
  QCheckBox* resume_ = nullptr;
  QLineEdit* modelName_ = nullptr;
  QLabel* problem_ = nullptr;
};

}  // namespace seqseg
