// The Segment panel's "Run on" with a cluster profile, under Xvfb: the same Segment button runs
// the open case as a remote job through a real sshd (tests/support/sshd_server.h), and the
// window shows the volumes a local `seqseg --batch` reports.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/gui/gui_test_support.h"
#include "tests/support/sshd_server.h"
#include "tests/support/test_support.h"
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
  list.push_back("ls -A ~/" + workDir + "; rm -rf ~/" + workDir);
  EXPECT_EQ(test::runCommand(list).out, "");
  unsetenv("SEQSEG_CONFIG_DIR");
}

}  // namespace
}  // namespace seqseg
