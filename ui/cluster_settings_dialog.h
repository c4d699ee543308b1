#pragma once
// Settings -> Clusters: the cluster profiles of clusters.json, to add, edit, remove and Test
// (each check of remote/profile_check.h shown with its result as soon as it is known; ssh runs
// on a worker thread, so the dialog stays responsive). Passwords have no field: ssh uses keys
// and agents only.
#include <QDialog>
#include <QString>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTableWidget;
class QLabel;

namespace seqseg {

struct ClusterProfile;
struct ProfileCheck;

class ClusterSettingsDialog : public QDialog {
  Q_OBJECT

 public:
  // Edits the profiles of `clustersFile` (clustersFilePath() by default).
  explicit ClusterSettingsDialog(QString clustersFile = QString(), QWidget* parent = nullptr);

 public slots:
  void addProfile();   // a new profile with defaults, to fill in
  bool saveProfile();  // the form into the file (atomically); false with a message when invalid
  void removeProfile();
  // Runs the checks on the form's profile in the background and shows each result as it comes;
  // ends in testFinished. A new Test, or showing another profile, drops a running one's results.
  void testProfile();

 signals:
  void profilesChanged();
  void testFinished();  // every check of the last Test is shown

 private:
  void reload(const QString& select);
  void showProfile(int row);
  ClusterProfile formProfile() const;
  void showCheck(const ProfileCheck& check);
  void finishTest();
  void dropRunningTest();  // its results are no longer shown

  QString file_;
  QListWidget* list_ = nullptr;
  QLineEdit *name_, *user_, *host_, *jump_, *identity_, *knownHosts_, *seqseg_, *workDir_;
  QSpinBox *port_, *nodes_, *tasks_, *gpus_;
  QComboBox* scheduler_;
  QLineEdit *partition_, *account_, *time_, *hosts_;
  QCheckBox* keep_;
  QTableWidget* checks_ = nullptr;
  QLabel* status_ = nullptr;
  int shownTest_ = 0;  // the number of the Test whose results are shown
  bool testing_ = false;
  int passed_ = 0;  // checks of the shown Test passed so far
};

}  // namespace seqseg
