#pragma once
// The training wizard's Finish page: the model the run made (its best checkpoint, under the
// name given on the Training page, with its card), which Finish adds to the Segment panel.
#include <QWizardPage>

#include "ui/model_registry.h"

class QLabel;

namespace seqseg {

class TrainingRun;
class TrainWizardModel;

class WizardFinishPage : public QWizardPage {
  Q_OBJECT

 public:
  WizardFinishPage(const TrainingRun& run, const TrainWizardModel& model,
                   QWidget* parent = nullptr);

  ModelEntry trainedModel() const;

  void initializePage() override;

 private:
  const TrainingRun& run_;
  const TrainWizardModel& model_;
  QLabel* summary_ = nullptr;
};

}  // namespace seqseg
