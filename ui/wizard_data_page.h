#pragma once
// The training wizard's Data page: the dataset folder, surveyed off the UI thread (its layout,
// cases, label values, and the cases that cannot be read with their reason), or a small
// synthetic one written by `seqseg synth`; and where the validation cases come from.
#include <QDoubleSpinBox>
#include <QWizardPage>

#include "ui/train_wizard_model.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QRadioButton;

namespace seqseg {

class JobProcess;

class WizardDataPage : public QWizardPage {
  Q_OBJECT

 public:
  explicit WizardDataPage(TrainWizardModel& model, QWidget* parent = nullptr);

  // The seqseg executable that writes synthetic data; by default this application's own.
  void setExecutable(const QString& path) { executable_ = path; }

  // Surveys `folder` into the model (off the UI thread); surveyed() when done.
  void setValidationFraction(double fraction) { validationFraction_->setValue(fraction); }
  void surveyFolder(const QString& folder);
  // Writes `cases` synthetic cases into `folder`, then surveys it.
  void makeSyntheticDataset(const QString& folder, int cases = 6);

  bool isComplete() const override;

 signals:
  void surveyed();

 private:
  void showSurvey();

  TrainWizardModel& model_;
  QString executable_;
  QLineEdit* folder_ = nullptr;
  QLabel* summary_ = nullptr;
  QListWidget* unreadable_ = nullptr;
  QRadioButton* useFraction_ = nullptr;
  QDoubleSpinBox* validationFraction_ = nullptr;
  QRadioButton* useFolder_ = nullptr;
  QLineEdit* validationFolder_ = nullptr;
  JobProcess* synth_ = nullptr;  // while `seqseg synth` runs; ended with the page
};

}  // namespace seqseg
