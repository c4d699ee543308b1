// The Segment panel's "Run on" with a cluster profile, under Xvfb: the same Segment button runs
// the open case as a remote job through a real sshd (tests/support/sshd_server.h), and the
// window shows the volumes a local `seqseg --batch` reports.
#include <gtest/gtest.h>

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/gui/gui_test_support.h"
#include "tests/support/sshd_server.h"
#include "tests/support/test_support.h"
#include "ui/cluster_settings_dialog.h"
#include "ui/main_window.h"
#include "ui/segment_panel.h"
#include "ui/segmentation_job.h"

namespace seqseg {
namespace {

constexpr int kTimeoutMs = 180000;

TEST(UiRemoteSegment, RunOnAClusterProfileShowsTheVolumesOfALocalBatch) {
  const std::string reason = test::SshdServer::unavailableReason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  test::ensureApplication();
  test::TempDir config, data, settings;
  QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                     QString::fromStdString(settings.path()));
  test::SshdServer server;
  const std::string workDir = "seqseg-gui-jobs-" + std::to_string(::getpid());
  // The remote work folder goes with the test, also when it fails half-way.
  struct RemoveWorkDir {
    const test::SshdServer& server;
    std::string folder;
    ~RemoveWorkDir() {
      std::vector<std::string> remove = server.sshCommand();
      remove.push_back("rm -rf ~/" + folder);
      test::runCommand(remove);
    }
  } removeWorkDir{server, workDir};
  const nlohmann::json profile{
      {"name", "lab"},
      {"ssh",
       {{"user", server.account()},
        {"host", server.host()},
        {"port", server.port()},
        {"identity_file", server.identityFile()},
        {"known_hosts", server.knownHostsFile()}}},
      {"seqseg", test::seqsegExecutable()},
      {"scheduler", {{"type", "mpirun"}, {"hosts", nlohmann::json::array()}}},
      {"work_dir", "~/" + workDir}};
  test::writeFile(config / "clusters.json", nlohmann::json{{"clusters", {profile}}}.dump());
  setenv("SEQSEG_CONFIG_DIR", config.path().c_str(), 1);

  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", data / "cases", "--cases", "1", "--size", "32", "--seed", "3"})
                .exitCode,
            0);
  const std::string caseFolder = data / "cases/BraTS2021_00000";
  const test::CommandResult local =
      test::runSeqseg({"--batch", "-i", caseFolder, "-o", data / "local"});
  ASSERT_EQ(local.exitCode, 0) << local.err;
  const nlohmann::json volumes =
      nlohmann::json::parse(test::readFile(data / "local/report.json"))["cases"][0]["volume_ml"];

  {
    MainWindow window;
    window.segmentationJob().setExecutable(QString::fromStdString(test::seqsegExecutable()));
    ASSERT_TRUE(test::showAndWait(window));
    QSignalSpy loaded(&window, &MainWindow::caseLoaded);
    window.openCase(QString::fromStdString(caseFolder));
    ASSERT_TRUE(QTest::qWaitFor([&] { return loaded.count() > 0; }, kTimeoutMs));

    auto* runOn = window.segmentPanel()->findChild<QComboBox*>("runOnChoice");
    ASSERT_NE(runOn, nullptr);
    ASSERT_EQ(runOn->count(), 2);
    EXPECT_EQ(runOn->itemText(0), "This computer");
    EXPECT_EQ(runOn->itemText(1), "lab");
    runOn->setCurrentIndex(1);
    EXPECT_EQ(window.segmentPanel()->settings().cluster, "lab");

    QSignalSpy finished(&window, &MainWindow::segmentationJobFinished);
    window.segmentPanel()->segment();
    ASSERT_TRUE(QTest::qWaitFor([&] { return finished.count() > 0; }, kTimeoutMs));
    ASSERT_EQ(window.session().job().state, JobState::Done) << window.session().job().message;
    const char* regions[] = {"WT", "TC", "ET"};
    for (int r = 0; r < 3; ++r)
      EXPECT_NEAR(window.session().volumes().perRegion[r], volumes.at(regions[r]).get<double>(),
                  1e-6)
          << regions[r];
    EXPECT_GT(volumes.at("WT").get<double>(), 0.0);
  }
  // It ran there: a job record of the profile, done, and no job folder left.
  int records = 0;
  for (const auto& entry : std::filesystem::directory_iterator(config / "jobs")) {
    const auto record = nlohmann::json::parse(test::readFile(entry.path().string()));
    EXPECT_EQ(record["cluster"], "lab");
    EXPECT_EQ(record["state"], "done");
    ++records;
  }
  EXPECT_EQ(records, 1);
  std::vector<std::string> list = server.sshCommand();
  list.push_back("ls -A ~/" + workDir);
  EXPECT_EQ(test::runCommand(list).out, "");
  unsetenv("SEQSEG_CONFIG_DIR");
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
  dialog.findChild<QPushButton*>("testCluster")->click();
  EXPECT_EQ(results(),
            "ssh reachable: passed\nhost key known: passed\nseqseg version: passed\n"
            "scheduler found: passed\npartition exists: passed\n");
  // A known_hosts without the server's key: that check fails, with the fingerprint shown.
  test::writeFile(config / "empty_known_hosts", "");
  edit("sshKnownHosts", config / "empty_known_hosts");
  dialog.findChild<QPushButton*>("testCluster")->click();
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

}  // namespace
}  // namespace seqseg
