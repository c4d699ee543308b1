#include "ui/cluster_settings_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include <filesystem>
#include <utility>

#include "remote/cluster_profile.h"
#include "remote/profile_check.h"
#include "types/atomic_file.h"

namespace seqseg {
namespace {

QLineEdit* field(const char* objectName, const QString& placeholder = QString()) {
  auto* edit = new QLineEdit;
  edit->setObjectName(QString::fromLatin1(objectName));
  edit->setPlaceholderText(placeholder);
  return edit;
}

QSpinBox* number(const char* objectName, int low, int high) {
  auto* box = new QSpinBox;
  box->setObjectName(QString::fromLatin1(objectName));
  box->setRange(low, high);
  return box;
}

std::string text(const QLineEdit* edit) {
  return edit->text().trimmed().toStdString();
}

// The checks of one profile, run on a thread of their own: ssh may take seconds (a host that
// does not answer, 15). Each check is reported as it ends. A dialog that closes meanwhile does
// not wait for it; the thread then reports to nobody and deletes itself when ssh is done.
class ProfileTest : public QThread {
  Q_OBJECT

 public:
  explicit ProfileTest(ClusterProfile profile) : profile_(std::move(profile)) {
    connect(this, &QThread::finished, this, &QObject::deleteLater);
  }

 signals:
  void checked(const seqseg::ProfileCheck& check);

 protected:
  void run() override {
    checkClusterProfile(profile_, [this](const ProfileCheck& check) { emit checked(check); });
  }

 private:
  const ClusterProfile profile_;
};

}  // namespace

ClusterSettingsDialog::ClusterSettingsDialog(QString clustersFile, QWidget* parent)
    : QDialog(parent),
      file_(clustersFile.isEmpty() ? QString::fromStdString(clustersFilePath()) : clustersFile) {
  setWindowTitle(tr("Clusters"));
  list_ = new QListWidget;
  list_->setObjectName(QStringLiteral("clusterList"));
  connect(list_, &QListWidget::currentRowChanged, this, &ClusterSettingsDialog::showProfile);

  name_ = field("clusterName");
  user_ = field("sshUser", tr("your local user name"));
  host_ = field("sshHost", tr("login.example.org"));
  port_ = number("sshPort", 1, 65535);
  jump_ = field("sshJump", tr("optional: user@bastion:22"));
  identity_ = field("sshIdentity", tr("optional: ~/.ssh/id_ed25519 (or your agent)"));
  knownHosts_ = field("sshKnownHosts", tr("optional: ~/.ssh/known_hosts"));
  seqseg_ = field("remoteSeqseg", tr("seqseg, a path, or: module load seqseg && seqseg"));
  scheduler_ = new QComboBox;
  scheduler_->setObjectName(QStringLiteral("schedulerType"));
  scheduler_->addItems({QStringLiteral("slurm"), QStringLiteral("mpirun")});
  partition_ = field("slurmPartition");
  account_ = field("slurmAccount");
  time_ = field("slurmTime", tr("01:00:00"));
  nodes_ = number("slurmNodes", 1, 4096);
  tasks_ = number("slurmTasksPerNode", 1, 1024);
  gpus_ = number("slurmGpusPerNode", 0, 64);
  hosts_ = field("mpirunHosts", tr("node1:2 node2:2 (empty: the login host)"));
  workDir_ = field("workDir");
  keep_ = new QCheckBox(tr("Keep the job folder after the outputs are fetched"));
  keep_->setObjectName(QStringLiteral("keepJobFolder"));

  auto* form = new QFormLayout;
  form->addRow(tr("Name"), name_);
  form->addRow(tr("User"), user_);
  form->addRow(tr("Host"), host_);
  form->addRow(tr("Port"), port_);
  form->addRow(tr("Jump host"), jump_);
  form->addRow(tr("Key file"), identity_);
  form->addRow(tr("Known hosts"), knownHosts_);
  form->addRow(tr("Remote seqseg"), seqseg_);
  form->addRow(tr("Scheduler"), scheduler_);
  form->addRow(tr("Partition"), partition_);
  form->addRow(tr("Account"), account_);
  form->addRow(tr("Time limit"), time_);
  form->addRow(tr("Nodes"), nodes_);
  form->addRow(tr("Tasks per node"), tasks_);
  form->addRow(tr("GPUs per node"), gpus_);
  form->addRow(tr("mpirun hosts"), hosts_);
  form->addRow(tr("Work folder"), workDir_);
  form->addRow(QString(), keep_);

  auto* add = new QPushButton(tr("Add"));
  auto* save = new QPushButton(tr("Save"));
  auto* remove = new QPushButton(tr("Remove"));
  auto* test = new QPushButton(tr("Test"));
  add->setObjectName(QStringLiteral("addCluster"));
  save->setObjectName(QStringLiteral("saveCluster"));
  remove->setObjectName(QStringLiteral("removeCluster"));
  test->setObjectName(QStringLiteral("testCluster"));
  connect(add, &QPushButton::clicked, this, &ClusterSettingsDialog::addProfile);
  connect(save, &QPushButton::clicked, this, &ClusterSettingsDialog::saveProfile);
  connect(remove, &QPushButton::clicked, this, &ClusterSettingsDialog::removeProfile);
  connect(test, &QPushButton::clicked, this, &ClusterSettingsDialog::testProfile);

  checks_ = new QTableWidget(0, 3);
  checks_->setObjectName(QStringLiteral("clusterChecks"));
  checks_->setHorizontalHeaderLabels({tr("Check"), tr("Result"), tr("Details")});
  checks_->horizontalHeader()->setStretchLastSection(true);
  checks_->verticalHeader()->hide();
  checks_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  status_ = new QLabel;
  status_->setObjectName(QStringLiteral("clusterStatus"));
  status_->setWordWrap(true);

  auto* buttons = new QHBoxLayout;
  for (QPushButton* button : {add, save, remove, test}) buttons->addWidget(button);
  auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* editor = new QVBoxLayout;
  editor->addLayout(form);
  editor->addLayout(buttons);
  auto* top = new QHBoxLayout;
  top->addWidget(list_, 1);
  top->addLayout(editor, 3);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(checks_);
  layout->addWidget(status_);
  layout->addWidget(close);
  reload(QString());
  if (list_->count() == 0) addProfile();
}

void ClusterSettingsDialog::reload(const QString& select) {
  list_->blockSignals(true);
  list_->clear();
  try {
    for (const ClusterProfile& profile : loadClusterProfiles(file_.toStdString()))
      list_->addItem(QString::fromStdString(profile.name));
  } catch (const std::exception& error) {
    status_->setText(QString::fromStdString(error.what()));
  }
  list_->blockSignals(false);
  const auto found = list_->findItems(select, Qt::MatchExactly);
  list_->setCurrentRow(found.isEmpty() ? (list_->count() ? 0 : -1) : list_->row(found.first()));
}

void ClusterSettingsDialog::showProfile(int row) {
  ClusterProfile profile;
  if (row >= 0) {
    for (const ClusterProfile& stored : loadClusterProfiles(file_.toStdString()))
      if (QString::fromStdString(stored.name) == list_->item(row)->text()) profile = stored;
  }
  name_->setText(QString::fromStdString(profile.name));
  user_->setText(QString::fromStdString(profile.ssh.user));
  host_->setText(QString::fromStdString(profile.ssh.host));
  port_->setValue(profile.ssh.port);
  jump_->setText(QString::fromStdString(profile.ssh.jump));
  identity_->setText(QString::fromStdString(profile.ssh.identityFile));
  knownHosts_->setText(QString::fromStdString(profile.ssh.knownHosts));
  seqseg_->setText(QString::fromStdString(profile.seqseg));
  const SchedulerSettings& s = profile.scheduler;
  scheduler_->setCurrentText(QString::fromStdString(s.type));
  partition_->setText(QString::fromStdString(s.partition));
  account_->setText(QString::fromStdString(s.account));
  time_->setText(QString::fromStdString(s.time));
  nodes_->setValue(s.nodes);
  tasks_->setValue(s.tasksPerNode);
  gpus_->setValue(s.gpusPerNode);
  QStringList hosts;
  for (const std::string& host : s.hosts) hosts << QString::fromStdString(host);
  hosts_->setText(hosts.join(QLatin1Char(' ')));
  workDir_->setText(QString::fromStdString(profile.workDir));
  keep_->setChecked(profile.keepJobFolder);
  dropRunningTest();
  checks_->setRowCount(0);
}

ClusterProfile ClusterSettingsDialog::formProfile() const {
  nlohmann::json hosts = nlohmann::json::array();
  for (const QString& host : hosts_->text().split(QLatin1Char(' '), Qt::SkipEmptyParts))
    hosts.push_back(host.toStdString());
  nlohmann::json ssh{{"host", text(host_)}, {"port", port_->value()}};
  if (!text(user_).empty()) ssh["user"] = text(user_);
  if (!text(jump_).empty()) ssh["jump"] = text(jump_);
  if (!text(identity_).empty()) ssh["identity_file"] = text(identity_);
  if (!text(knownHosts_).empty()) ssh["known_hosts"] = text(knownHosts_);
  const nlohmann::json entry{{"name", text(name_)},
                             {"ssh", ssh},
                             {"seqseg", text(seqseg_)},
                             {"scheduler",
                              {{"type", scheduler_->currentText().toStdString()},
                               {"partition", text(partition_)},
                               {"account", text(account_)},
                               {"time", text(time_)},
                               {"nodes", nodes_->value()},
                               {"tasks_per_node", tasks_->value()},
                               {"gpus_per_node", gpus_->value()},
                               {"hosts", hosts}}},
                             {"work_dir", text(workDir_)},
                             {"keep_job_folder", keep_->isChecked()}};
  // The same rules as the file's: one clear message per mistake (InputError).
  return profileFromJson(entry, file_.toStdString());
}

void ClusterSettingsDialog::addProfile() {
  list_->setCurrentRow(-1);
  showProfile(-1);
  name_->setText(tr("new cluster"));
  name_->setFocus();
  name_->selectAll();
}

bool ClusterSettingsDialog::saveProfile() {
  try {
    const ClusterProfile profile = formProfile();
    saveClusterProfile(file_.toStdString(), profile);
    status_->setText(tr("Saved '%1'.").arg(QString::fromStdString(profile.name)));
    reload(QString::fromStdString(profile.name));
    emit profilesChanged();
    return true;
  } catch (const std::exception& error) {
    status_->setText(QString::fromStdString(error.what()));
    return false;
  }
}

void ClusterSettingsDialog::removeProfile() {
  if (!list_->currentItem()) return;
  const std::string name = list_->currentItem()->text().toStdString();
  nlohmann::json root{{"clusters", nlohmann::json::array()}};
  for (const ClusterProfile& profile : loadClusterProfiles(file_.toStdString()))
    if (profile.name != name) root["clusters"].push_back(profileToJson(profile));
  writeFileAtomically(file_.toStdString(), root.dump(2) + "\n");
  reload(QString());
  emit profilesChanged();
}

void ClusterSettingsDialog::testProfile() {
  ClusterProfile profile;
  try {
    profile = formProfile();
  } catch (const std::exception& error) {
    status_->setText(QString::fromStdString(error.what()));
    return;
  }
  // A running Test's reports, some perhaps already queued, are ignored from here on.
  const int number = ++shownTest_;
  testing_ = true;
  checks_->setRowCount(0);
  passed_ = 0;
  status_->setText(tr("Testing '%1'…").arg(QString::fromStdString(profile.name)));
  setCursor(Qt::BusyCursor);
  auto* test = new ProfileTest(profile);
  connect(test, &ProfileTest::checked, this, [this, number](const ProfileCheck& check) {
    if (number == shownTest_) showCheck(check);
  });
  connect(test, &QThread::finished, this, [this, number] {
    if (number == shownTest_) finishTest();
  });
  test->start();
}

void ClusterSettingsDialog::showCheck(const ProfileCheck& check) {
  const int row = checks_->rowCount();
  checks_->insertRow(row);
  passed_ += check.passed;
  checks_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(check.what)));
  auto* result = new QTableWidgetItem(check.passed ? tr("passed") : tr("failed"));
  result->setForeground(check.passed ? QColor(0, 128, 0) : QColor(192, 0, 0));
  checks_->setItem(row, 1, result);
  checks_->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(check.detail)));
  checks_->resizeColumnsToContents();
}

void ClusterSettingsDialog::finishTest() {
  testing_ = false;
  unsetCursor();
  status_->setText(tr("%1 of %2 checks passed.").arg(passed_).arg(checks_->rowCount()));
  emit testFinished();
}

void ClusterSettingsDialog::dropRunningTest() {
  if (!testing_) return;
  ++shownTest_;
  testing_ = false;
  unsetCursor();
  status_->clear();
}

}  // namespace seqseg

#include "cluster_settings_dialog.moc"
