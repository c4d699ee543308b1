// Cluster profiles in the desktop application, under Xvfb, through a real sshd
// (tests/support/sshd_server.h): the Segment panel's and the training wizard's "Run on", the
// job list (Jobs -> Remote jobs) attaching to and cancelling a job the window left running, and
// Settings -> Clusters.
#include <gtest/gtest.h>
#include <signal.h>

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/gui/gui_test_support.h"
#include "tests/support/sshd_server.h"
#include "tests/support/test_support.h"
#include "ui/cluster_settings_dialog.h"
#include "ui/main_window.h"
#include "ui/remote_jobs_dialog.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"
#include "ui/train_menu.h"
#include "ui/train_wizard.h"
#include "ui/training_run.h"

namespace seqseg {
namespace {

constexpr int kTimeoutMs = 180000;

// A cluster profile "lab" through a real sshd (a second local account, ranks on its host), the
// config folder of this process pointed at it, and one synthetic case with the volumes a local
// `seqseg --batch` reports for it.
class RemoteGui : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = test::SshdServer::unavailableReason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    test::ensureApplication();
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       QString::fromStdString(settings_.path()));
    server_ = std::make_unique<test::SshdServer>();
    const nlohmann::json profile = server_->clusterProfile(
        "lab", {{"type", "mpirun"}, {"hosts", nlohmann::json::array()}}, workDir_);
    test::writeFile(config_ / "clusters.json", nlohmann::json{{"clusters", {profile}}}.dump());
    setenv("SEQSEG_CONFIG_DIR", config_.path().c_str(), 1);
  }

  void TearDown() override {
    unsetenv("SEQSEG_CONFIG_DIR");
    // The remote work folder goes with the test, also when it fails half-way.
    if (server_) test::runCommand(sshCommand("rm -rf ~/" + workDir_));
  }

  std::vector<std::string> sshCommand(const std::string& command) const {
    std::vector<std::string> argv = server_->sshCommand();
    argv.push_back(command);
    return argv;
  }
  std::string remoteWorkFolderListing() const {
    return test::runCommand(sshCommand("ls -A ~/" + workDir_)).out;
  }

  // The case (made once per test) and its volumes from a local one-rank batch.
  std::string makeCase(int size) {
    const test::CommandResult synth =
        test::runSeqseg({"synth", "--out", data_ / "cases", "--cases", "1", "--size",
                         std::to_string(size), "--seed", "3"});
    EXPECT_EQ(synth.exitCode, 0) << synth.err;
    const std::string caseFolder = data_ / "cases/BraTS2021_00000";
    const test::CommandResult local =
        test::runSeqseg({"--batch", "-i", caseFolder, "-o", data_ / "local"});
    EXPECT_EQ(local.exitCode, 0) << local.err;
    localVolumes_ =
        nlohmann::json::parse(test::readFile(data_ / "local/report.json"))["cases"][0]["volume_ml"];
    EXPECT_GT(localVolumes_.at("WT").get<double>(), 0.0);
    return caseFolder;
  }

  void expectLocalVolumes(MainWindow& window) const {
    const char* regions[] = {"WT", "TC", "ET"};
    for (int r = 0; r < 3; ++r)
      EXPECT_NEAR(window.session().volumes().perRegion[r],
                  localVolumes_.at(regions[r]).get<double>(), 1e-6)
          << regions[r];
  }

  std::vector<nlohmann::json> jobRecords() const {
    std::vector<nlohmann::json> records;
    for (const auto& entry : std::filesystem::directory_iterator(config_ / "jobs"))
      if (entry.path().extension() == ".json")
        records.push_back(nlohmann::json::parse(test::readFile(entry.path().string())));
    return records;
  }

  static void useSeqseg(MainWindow& window) {
    window.segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
  }
  static void openAndWait(MainWindow& window, const std::string& caseFolder) {
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(QString::fromStdString(caseFolder));
    ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() > 0; }, kTimeoutMs));
  }
  static void chooseLab(MainWindow& window) {
    auto* runOn = window.segmentPanel()->findChild<QComboBox*>("runOnChoice");
    ASSERT_NE(runOn, nullptr);
    ASSERT_EQ(runOn->count(), 2);
    EXPECT_EQ(runOn->itemText(0), "This computer");
    EXPECT_EQ(runOn->itemText(1), "lab");
    runOn->setCurrentIndex(1);
    EXPECT_EQ(window.segmentPanel()->settings().cluster, "lab");
  }
  // Starts the case's segmentation on "lab" and waits until the job is submitted there.
  static std::string startRemoteSegment(MainWindow& window) {
    window.segmentPanel()->segment();
    EXPECT_TRUE(QTest::qWaitFor(
        [&] {
          return !window.session().job().remoteJobId.empty() || !window.session().jobActive();
        },
        kTimeoutMs));
    return window.session().job().remoteJobId;
  }
  // A window that starts the case's segmentation on "lab" and is closed once the job is there;
  // the job's id.
  static std::string leaveRemoteJobRunning(const std::string& caseFolder) {
    MainWindow window;
    useSeqseg(window);
    EXPECT_TRUE(test::showAndWait(window));
    openAndWait(window, caseFolder);
    chooseLab(window);
    const std::string id = startRemoteSegment(window);
    EXPECT_FALSE(id.empty()) << window.session().job().message;
    EXPECT_NE(window.segmentPanel()
                  ->findChild<QLabel*>("segmentMessage")
                  ->text()
                  .toStdString()
                  .find("Jobs → Remote jobs"),
              std::string::npos);
    return id;
  }
  // Jobs -> Remote jobs, with `id` selected.
  static RemoteJobsDialog* showJobList(MainWindow& window, const std::string& id) {
    window.findChild<QAction*>("remoteJobsAction")->trigger();
    auto* dialog = window.findChild<RemoteJobsDialog*>("remoteJobsDialog");
    if (dialog) dialog->selectJob(QString::fromStdString(id));
    return dialog;
  }

  test::TempDir config_, data_, settings_;
  std::unique_ptr<test::SshdServer> server_;
  const std::string workDir_ = "seqseg-gui-jobs-" + std::to_string(::getpid()) + "-" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name();
  nlohmann::json localVolumes_;
};

TEST_F(RemoteGui, RunOnAClusterProfileShowsTheVolumesOfALocalBatch) {
  const std::string caseFolder = makeCase(32);
  {
    MainWindow window;
    useSeqseg(window);
    ASSERT_TRUE(test::showAndWait(window));
    openAndWait(window, caseFolder);
    chooseLab(window);
    QSignalSpy finished(&window, &MainWindow::segmentationJobFinished);
    window.segmentPanel()->segment();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kTimeoutMs));
    ASSERT_EQ(window.session().job().state, JobState::Done) << window.session().job().message;
    expectLocalVolumes(window);
  }
  // It ran there: a job record of the profile, done, and no job folder left, here or there.
  const std::vector<nlohmann::json> records = jobRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["cluster"], "lab");
  EXPECT_EQ(records[0]["state"], "done");
  EXPECT_EQ(remoteWorkFolderListing(), "");
  EXPECT_TRUE(std::filesystem::is_empty(config_ / "jobs/segment"));
}

// Closing the window leaves a remote job running; a new window's job list attaches to it: the
// case opens again, and the result is the one a local batch gives.
TEST_F(RemoteGui, ClosingTheWindowLeavesTheJobRunningAndTheJobListAttachesToIt) {
  const std::string id = leaveRemoteJobRunning(makeCase(48));
  ASSERT_FALSE(id.empty());
  std::vector<nlohmann::json> records = jobRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["id"], id);
  EXPECT_EQ(records[0]["state"], "running") << "the job goes on there";

  MainWindow window;
  useSeqseg(window);
  ASSERT_TRUE(test::showAndWait(window));
  RemoteJobsDialog* dialog = showJobList(window, id);
  ASSERT_NE(dialog, nullptr);
  auto* table = dialog->findChild<QTableWidget*>("remoteJobsTable");
  ASSERT_EQ(table->rowCount(), 1);
  EXPECT_EQ(table->item(0, 0)->text().toStdString(), id);
  EXPECT_EQ(table->item(0, 1)->text(), "lab");
  EXPECT_EQ(table->item(0, 3)->text(), "running");
  test::saveSnapshot(dialog->grab().toImage(), "remote_jobs_dialog");
  QSignalSpy finished(&window, &MainWindow::segmentationJobFinished);
  auto* attach = dialog->findChild<QPushButton*>("attachJobButton");
  ASSERT_TRUE(attach->isEnabled());
  attach->click();
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kTimeoutMs));
  ASSERT_EQ(window.session().job().state, JobState::Done) << window.session().job().message;
  test::saveSnapshot(window.grabView("window"), "remote_job_attached");
  EXPECT_EQ(window.session().caseFiles().id, "BraTS2021_00000");
  expectLocalVolumes(window);
  EXPECT_EQ(jobRecords()[0]["state"], "done");
  EXPECT_EQ(remoteWorkFolderListing(), "");
  EXPECT_TRUE(std::filesystem::is_empty(config_ / "jobs/segment"));
}

// The job list cancels a job left running: ended there, its folders gone here and there.
TEST_F(RemoteGui, TheJobListCancelsAJobLeftRunning) {
  const std::string id = leaveRemoteJobRunning(makeCase(48));
  ASSERT_FALSE(id.empty());
  MainWindow window;
  useSeqseg(window);
  RemoteJobsDialog* dialog = showJobList(window, id);
  ASSERT_NE(dialog, nullptr);
  QSignalSpy cancelled(dialog, &RemoteJobsDialog::jobCancelled);
  auto* cancel = dialog->findChild<QPushButton*>("cancelJobButton");
  ASSERT_TRUE(cancel->isEnabled());
  cancel->click();
  ASSERT_TRUE(QTest::qWaitFor([&] { return cancelled.count() > 0; }, kTimeoutMs))
      << dialog->findChild<QLabel*>("remoteJobsMessage")->text().toStdString();
  EXPECT_EQ(dialog->findChild<QTableWidget*>("remoteJobsTable")->item(0, 3)->text(), "cancelled");
  EXPECT_FALSE(cancel->isEnabled());
  EXPECT_EQ(jobRecords()[0]["state"], "cancelled");
  EXPECT_EQ(remoteWorkFolderListing(), "");
  EXPECT_TRUE(std::filesystem::is_empty(config_ / "jobs/segment"));
  EXPECT_TRUE(test::waitFor([&] { return server_->sessionProcesses().empty(); }, 10))
      << server_->sessionProcesses().size() << " remote processes left";
}

// The training wizard's Run on: the profile's ranks, a run there followed here (Pause is not
// offered for it); when the process following it dies, the job list attaches the wizard to it
// again, and the run folder is brought back at the end.
TEST_F(RemoteGui, TheTrainingWizardTrainsOnAClusterProfileAndTheJobListReattachesIt) {
  test::writeFile(data_ / "small.json", R"({"in_channels": 4, "num_classes": 4,
      "roi": [32, 32, 32], "patch": [8, 8, 8], "embed_dim": 32, "depth": 1, "num_heads": 2,
      "mlp_ratio": 2.0, "qkv_bias": true, "decoder_channels": [16, 8, 8, 8]})");
  const test::CommandResult synth = test::runSeqseg(
      {"synth", "--out", data_ / "train", "--cases", "3", "--size", "40", "--seed", "2"});
  ASSERT_EQ(synth.exitCode, 0) << synth.err;
  MainWindow window;
  TrainMenu* menu = window.trainMenu();
  menu->setExecutable(QString::fromStdString(test::seqsegExecutable()));
  TrainWizard* wizard = menu->newModel();
  wizard->setCloseChoice(TrainWizard::CloseChoice::CancelRun);
  auto* runOn = wizard->findChild<QComboBox*>("trainRunOn");
  ASSERT_NE(runOn, nullptr);
  ASSERT_EQ(runOn->count(), 2);
  EXPECT_EQ(runOn->itemText(1), "lab");
  runOn->setCurrentIndex(1);
  EXPECT_FALSE(wizard->findChild<QSpinBox*>("trainRanks")->isEnabled());
  EXPECT_FALSE(wizard->findChild<QComboBox*>("trainLauncher")->isEnabled());
  EXPECT_EQ(wizard->plan().cluster, "lab");
  test::saveSnapshot(wizard->page(TrainWizard::ParallelPageId)->grab().toImage(),
                     "train_wizard_run_on");

  TrainPlan plan = wizard->plan();
  plan.data = data_ / "train";
  plan.runDir = data_ / "run";
  plan.config = data_ / "small.json";
  plan.epochs = 1;
  plan.stepsPerEpoch = 2;
  plan.batch = 1;
  plan.threads = 1;
  plan.validationFraction = 0.34;
  plan.stepsPerEpoch = 8;
  ASSERT_TRUE(wizard->startRun(plan));
  ASSERT_TRUE(wizard->run().running());
  EXPECT_FALSE(wizard->findChild<QPushButton*>("pauseButton")->isEnabled());
  EXPECT_TRUE(wizard->findChild<QPushButton*>("cancelRunButton")->isEnabled());

  // The process following the job here dies (as in a crash) once the job is there: the job goes
  // on, and the job list attaches the wizard to it again.
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return std::filesystem::exists(config_ / "jobs") && !jobRecords().empty(); },
      kTimeoutMs));
  ::kill(static_cast<pid_t>(wizard->run().processId()), SIGKILL);
  ASSERT_TRUE(QTest::qWaitFor([&] { return !wizard->run().running(); }, kTimeoutMs));
  const std::vector<nlohmann::json> running = jobRecords();
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0]["kind"], "train");
  ASSERT_EQ(running[0]["state"], "running") << "the job goes on there";
  wizard->close();
  RemoteJobsDialog* dialog = showJobList(window, running[0]["id"]);
  ASSERT_NE(dialog, nullptr);
  dialog->findChild<QPushButton*>("attachJobButton")->click();
  wizard = menu->wizard();
  ASSERT_NE(wizard, nullptr);
  EXPECT_EQ(wizard->currentId(), TrainWizard::RunPageId);
  ASSERT_TRUE(wizard->run().running()) << wizard->run().errorString().toStdString();

  // Until the wizard has read the end (its next look at the events after the process ended).
  ASSERT_TRUE(QTest::qWaitFor(
      [&] { return !wizard->run().running() && wizard->run().curves().doneStatus.has_value(); },
      kTimeoutMs));
  ASSERT_EQ(wizard->run().curves().doneStatus, JobState::Done)
      << test::readFile(data_ / "run/stderr.log");
  ASSERT_FALSE(wizard->run().curves().steps.empty());
  EXPECT_EQ(wizard->run().curves().steps.back().step, 8);
  EXPECT_TRUE(std::filesystem::exists(data_ / "run/best.pt"));
  EXPECT_TRUE(std::filesystem::exists(data_ / "run/metrics.jsonl"));
  const std::vector<nlohmann::json> records = jobRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["state"], "done");
  EXPECT_EQ(remoteWorkFolderListing(), "");
}

// Settings -> Clusters: a profile typed into the form is saved to clusters.json, and Test shows
// each check with its result, failing the one that fails.
TEST(UiClusterSettings, SavesAProfileAndTestShowsEachCheckWithItsResult) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  test::ensureApplication();
  test::TempDir config;
  test::SshdServer server;
  {
    MainWindow window;
    EXPECT_NE(window.findChild<QAction*>("clustersAction"), nullptr);
  }
  ClusterSettingsDialog dialog(QString::fromStdString(config / "clusters.json"));
  dialog.show();
  auto edit = [&](const char* name, const std::string& value) {
    auto* line = dialog.findChild<QLineEdit*>(name);
    ASSERT_NE(line, nullptr) << name;
    line->setText(QString::fromStdString(value));
  };
  edit("clusterName", "lab");
  edit("sshUser", server.account());
  edit("sshHost", server.host());
  dialog.findChild<QSpinBox*>("sshPort")->setValue(server.port());
  edit("sshIdentity", server.identityFile());
  edit("sshKnownHosts", server.knownHostsFile());
  edit("remoteSeqseg", test::seqsegExecutable());
  dialog.findChild<QComboBox*>("schedulerType")->setCurrentText("mpirun");
  edit("mpirunHosts", "localhost:2");
  edit("workDir", "~/seqseg-jobs");
  dialog.findChild<QPushButton*>("saveCluster")->click();
  const auto saved = nlohmann::json::parse(test::readFile(config / "clusters.json"));
  ASSERT_EQ(saved["clusters"].size(), 1u);
  EXPECT_EQ(saved["clusters"][0]["ssh"]["port"], server.port());
  EXPECT_EQ(saved["clusters"][0]["scheduler"]["hosts"], nlohmann::json({"localhost:2"}));
  EXPECT_EQ(std::filesystem::status(config / "clusters.json").permissions() &
                std::filesystem::perms::others_all,
            std::filesystem::perms::none);

  auto* checks = dialog.findChild<QTableWidget*>("clusterChecks");
  auto results = [&] {
    std::string text;
    for (int row = 0; row < checks->rowCount(); ++row)
      text += checks->item(row, 0)->text().toStdString() + ": " +
              checks->item(row, 1)->text().toStdString() + "\n";
    return text;
  };
  auto test = [&] {
    QSignalSpy finished(&dialog, &ClusterSettingsDialog::testFinished);
    dialog.findChild<QPushButton*>("testCluster")->click();
    return QTest::qWaitFor([&] { return finished.count() > 0; }, kTimeoutMs);
  };
  ASSERT_TRUE(test());
  EXPECT_EQ(results(),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: passed\n"
            "scheduler found: passed\npartition exists: passed\n");
  // A known_hosts without the server's key: that check fails, with the fingerprint shown.
  test::writeFile(config / "empty_known_hosts", "");
  edit("sshKnownHosts", config / "empty_known_hosts");
  ASSERT_TRUE(test());
  EXPECT_EQ(checks->item(1, 1)->text(), "failed");
  EXPECT_NE(checks->item(1, 2)->text().toStdString().find(server.hostKeyFingerprint()),
            std::string::npos);
  // A form that breaks the file's rules is refused with the same one-line message.
  dialog.findChild<QSpinBox*>("sshPort")->setValue(22);
  edit("sshHost", "-oProxyCommand=x");
  dialog.findChild<QPushButton*>("saveCluster")->click();
  EXPECT_EQ(nlohmann::json::parse(test::readFile(config / "clusters.json")), saved);
  EXPECT_NE(dialog.findChild<QLabel*>("clusterStatus")
                ->text()
                .toStdString()
                .find("is not a host or user name"),
            std::string::npos);
}

// The threads of this process, as the kernel counts them.
int threadCount() {
  int count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    ++count;
  return count;
}

// Test runs ssh on a worker thread: each check shows as it ends while the others still run, the
// UI thread keeps turning (a 10 ms timer never waits long, though the remote seqseg takes 3 s to
// answer), and closing the dialog meanwhile neither waits for ssh nor crashes when the late
// results come.
TEST(UiClusterSettings, TestShowsEachCheckAsItEndsWhileTheDialogStaysResponsive) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  test::ensureApplication();
  test::TempDir config;
  test::SshdServer server;
  auto dialog =
      std::make_unique<ClusterSettingsDialog>(QString::fromStdString(config / "clusters.json"));
  ASSERT_TRUE(test::showAndWait(*dialog));
  auto edit = [&](const char* name, const std::string& value) {
    dialog->findChild<QLineEdit*>(name)->setText(QString::fromStdString(value));
  };
  edit("clusterName", "lab");
  edit("sshUser", server.account());
  edit("sshHost", server.host());
  dialog->findChild<QSpinBox*>("sshPort")->setValue(server.port());
  edit("sshIdentity", server.identityFile());
  edit("sshKnownHosts", server.knownHostsFile());
  edit("remoteSeqseg", "sleep 3; " + test::seqsegExecutable());
  dialog->findChild<QComboBox*>("schedulerType")->setCurrentText("mpirun");
  edit("mpirunHosts", "localhost:2");
  auto* checks = dialog->findChild<QTableWidget*>("clusterChecks");
  auto* status = dialog->findChild<QLabel*>("clusterStatus");
  auto* testButton = dialog->findChild<QPushButton*>("testCluster");

  // Every 10 ms: how long since the last tick, and how many results are shown.
  QElapsedTimer clock;
  qint64 lastTick = 0, longestGapMs = 0;
  int ticks = 0;
  std::vector<int> rowCountsSeen;
  QTimer heartbeat;
  heartbeat.setInterval(10);
  QObject::connect(&heartbeat, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    longestGapMs = std::max(longestGapMs, now - lastTick);
    lastTick = now;
    ++ticks;
    if (rowCountsSeen.empty() || rowCountsSeen.back() != checks->rowCount())
      rowCountsSeen.push_back(checks->rowCount());
  });
  QSignalSpy finished(dialog.get(), &ClusterSettingsDialog::testFinished);
  const int threadsBefore = threadCount();
  clock.start();
  heartbeat.start();
  testButton->click();
  EXPECT_EQ(checks->rowCount(), 0) << "the checks run in the background";
  EXPECT_EQ(status->text().toStdString(), "Testing 'lab'…");
  // The connection's two checks, while the remote seqseg has not answered yet.
  ASSERT_TRUE(QTest::qWaitFor([&] { return checks->rowCount() >= 2; }, kTimeoutMs));
  EXPECT_EQ(checks->rowCount(), 2);
  EXPECT_EQ(checks->item(0, 0)->text().toStdString(), "ssh reachable");
  EXPECT_EQ(checks->item(1, 1)->text().toStdString(), "passed");
  EXPECT_EQ(finished.count(), 0);
  EXPECT_EQ(status->text().toStdString(), "Testing 'lab'…");
  test::saveSnapshot(dialog->grab().toImage(), "cluster_test_running");
  ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kTimeoutMs));
  heartbeat.stop();
  longestGapMs = std::max(longestGapMs, clock.elapsed() - lastTick);
  test::saveSnapshot(dialog->grab().toImage(), "cluster_test_done");
  EXPECT_EQ(checks->rowCount(), 5);
  for (int row = 0; row < checks->rowCount(); ++row)
    EXPECT_EQ(checks->item(row, 1)->text().toStdString(), "passed")
        << checks->item(row, 2)->text().toStdString();
  EXPECT_EQ(status->text().toStdString(), "5 of 5 checks passed.");
  ASSERT_GE(rowCountsSeen.size(), 2u);
  EXPECT_NE(std::find(rowCountsSeen.begin(), rowCountsSeen.end(), 2), rowCountsSeen.end());
  EXPECT_EQ(rowCountsSeen.back(), 5);
  EXPECT_TRUE(std::is_sorted(rowCountsSeen.begin(), rowCountsSeen.end()));
  // Sequential checks would hold the UI thread for the remote seqseg's 3 s at least.
  EXPECT_LT(longestGapMs, 1500) << ticks << " ticks";
  EXPECT_GT(ticks, 100);

  // Its worker thread is gone.
  EXPECT_TRUE(QTest::qWaitFor([&] { return threadCount() <= threadsBefore; }, kTimeoutMs));

  // Closed while a Test runs: at once, and the late results go nowhere. The threads are counted
  // again now: one of Qt's own that was starting or ending at the first count would otherwise
  // hide the worker (seen on a loaded machine: 4 threads before and during).
  QTest::qWait(100);
  const int threadsIdle = threadCount();
  testButton->click();
  ASSERT_TRUE(QTest::qWaitFor([&] { return checks->rowCount() >= 2; }, kTimeoutMs));
  EXPECT_GT(threadCount(), threadsIdle);
  QElapsedTimer closing;
  closing.start();
  dialog->close();
  dialog.reset();
  EXPECT_LT(closing.elapsed(), 500);
  // The worker thread ends once ssh is done, after its last report.
  EXPECT_TRUE(QTest::qWaitFor([&] { return threadCount() <= threadsIdle; }, kTimeoutMs));
  QTest::qWait(100);  // the thread object's deferred delete
}

}  // namespace
}  // namespace seqseg
