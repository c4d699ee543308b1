// The job side of the session model: protocol lines from `seqseg --batch --progress json`
// drive its state, progress and messages; the batch command line it runs; the modality order
// of four files.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ui/batch_arguments.h"
#include "ui/modality_order.h"
#include "ui/session_model.h"

namespace seqseg {
namespace {

TEST(SessionJob, ProgressResultAndDoneMakeASuccessfulJob) {
  SessionModel session;
  int heard = 0;
  struct Counter : SessionListener {
    int* count;
    explicit Counter(int* c) : count(c) {}
    void jobChanged() override { ++*count; }
  } counter(&heard);
  session.addListener(&counter);
  session.startJob("Starting");
  EXPECT_EQ(session.job().state, JobState::Running);
  EXPECT_THROW(session.startJob("again"), std::logic_error);
  session.applyJobLine(R"({"event":"start","job":"batch","total":1})");
  session.applyJobLine(R"({"event":"progress","label":"batch","done":0,"total":1,"windows_done":3,)"
                       R"j("windows_total":4,"detail":"c1 (3/4 windows)"})j");
  EXPECT_DOUBLE_EQ(session.job().fraction, 0.75);
  EXPECT_EQ(session.job().message, "c1 (3/4 windows)");
  session.applyJobLine("not json: a stray line");
  session.applyJobLine(R"({"event":"result","case":"c1","mask":"/tmp/o/c1.nii.gz",)"
                       R"("message":"c1: WT 1.0 mL"})");
  session.applyJobLine(R"({"event":"done","status":"ok","failed":0})");
  EXPECT_EQ(session.job().state, JobState::Running) << "the process has not ended yet";
  session.finishJob(0, false, "");
  EXPECT_EQ(session.job().state, JobState::Done);
  EXPECT_EQ(session.job().maskPath, "/tmp/o/c1.nii.gz");
  EXPECT_DOUBLE_EQ(session.job().fraction, 1.0);
  EXPECT_EQ(heard, 6) << "start, 4 events, end (the stray line is not one)";
}

TEST(SessionJob, TheMaskIsTheOpenCasesResult) {
  SessionModel session;
  auto volume = std::make_shared<Volume>();
  volume->shape = {4, 1, 1, 1};
  volume->voxels.assign(4, 0.0f);
  CaseFiles files;
  files.id = "c2";
  session.setCase(volume, files, "/d");
  session.startJob("");
  EXPECT_EQ(session.job().caseId, "c2");
  // A dataset folder segmented whole reports every case; only c2's mask is the one wanted.
  session.applyJobLine(R"({"event":"result","case":"c1","mask":"/o/c1.nii.gz"})");
  session.applyJobLine(R"({"event":"result","case":"c2","mask":"/o/c2.nii.gz"})");
  session.applyJobLine(R"({"event":"result","case":"c3","mask":"/o/c3.nii.gz"})");
  EXPECT_EQ(session.job().maskPath, "/o/c2.nii.gz");
}

TEST(SessionJob, FailureCarriesTheErrorEventOrTheLastStderrLine) {
  SessionModel session;
  session.startJob("");
  session.applyJobLine(R"({"event":"error","case":"c1","message":"c1: t2.nii.gz: truncated"})");
  session.applyJobLine(R"({"event":"done","status":"failed","failed":1})");
  session.finishJob(1, false, "ignored");
  EXPECT_EQ(session.job().state, JobState::Failed);
  EXPECT_EQ(session.job().message, "c1: t2.nii.gz: truncated");

  session.startJob("");
  EXPECT_EQ(session.job().errorMessage, "") << "a new job starts clean";
  session.finishJob(2, false, "seqseg: error: model.pt: not a checkpoint");
  EXPECT_EQ(session.job().state, JobState::Failed);
  EXPECT_EQ(session.job().message, "seqseg: error: model.pt: not a checkpoint");

  session.startJob("");
  session.applyJobLine(R"({"event":"done","status":"ok"})");
  session.finishJob(0, true, "");
  EXPECT_EQ(session.job().state, JobState::Failed) << "a crash is a failure whatever was said";
}

TEST(SessionJob, CancelReturnsToIdle) {
  SessionModel session;
  session.requestCancel();
  EXPECT_EQ(session.job().state, JobState::Idle) << "nothing to cancel";
  session.startJob("");
  session.applyJobLine(R"({"event":"progress","done":0,"total":2})");
  session.requestCancel();
  EXPECT_EQ(session.job().state, JobState::Cancelling);
  EXPECT_TRUE(session.jobActive());
  session.finishJob(143, true, "");
  EXPECT_EQ(session.job().state, JobState::Idle);
  EXPECT_EQ(session.job().fraction, 0.0);
  EXPECT_FALSE(session.jobActive());
}

TEST(SessionJob, BatchArgumentsSegmentOnlyTheOpenCase) {
  CaseFiles brats;
  brats.id = "B_1";
  brats.layout = Layout::Brats2021;
  brats.images = {"/d/B_1/B_1_t1.nii.gz", "/d/B_1/B_1_t1ce.nii.gz", "/d/B_1/B_1_t2.nii.gz",
                  "/d/B_1/B_1_flair.nii.gz"};
  EXPECT_EQ(batchArguments(brats, "/d", SegmentSettings{}, "/tmp/out"),
            (std::vector<std::string>{"--batch", "--progress", "json", "--labels", "internal", "-i",
                                      "/d/B_1", "-o", "/tmp/out", "--save-probabilities"}));

  SegmentSettings remote;
  remote.cluster = "lab";
  EXPECT_EQ(batchArguments(brats, "/d", remote, "/tmp/out"),
            (std::vector<std::string>{"--batch", "--progress", "json", "--labels", "internal", "-i",
                                      "/d/B_1", "-o", "/tmp/out", "--save-probabilities",
                                      "--cluster", "lab"}));

  CaseFiles four = brats;
  four.layout = Layout::Explicit;
  SegmentSettings settings;
  settings.model = "/m.pt";
  settings.ranks = 2;
  settings.split = "blocks";
  settings.attention = "ring";
  settings.decoder = "gather";
  EXPECT_EQ(batchArguments(four, "", settings, "/o"),
            (std::vector<std::string>{"--batch",
                                      "--progress",
                                      "json",
                                      "--labels",
                                      "internal",
                                      "--t1",
                                      "/d/B_1/B_1_t1.nii.gz",
                                      "--t1ce",
                                      "/d/B_1/B_1_t1ce.nii.gz",
                                      "--t2",
                                      "/d/B_1/B_1_t2.nii.gz",
                                      "--flair",
                                      "/d/B_1/B_1_flair.nii.gz",
                                      "-o",
                                      "/o",
                                      "--model",
                                      "/m.pt",
                                      "--save-probabilities",
                                      "--ranks",
                                      "2",
                                      "--split",
                                      "blocks",
                                      "--attention",
                                      "ring",
                                      "--decoder",
                                      "gather"}));

  CaseFiles msd;
  msd.layout = Layout::Msd;
  msd.id = "BRATS_003";
  msd.images = {"/t/imagesTr/BRATS_003.nii.gz"};
  EXPECT_EQ(
      batchArguments(msd, "/t", SegmentSettings{}, "/o"),
      (std::vector<std::string>{"--batch", "--progress", "json", "--labels", "internal", "-i", "/t",
                                "--case", "BRATS_003", "-o", "/o", "--save-probabilities"}));
}

TEST(SessionJob, FourFilesAreOrderedByTheirModalityNames) {
  const std::vector<std::string> brats2021{"/x/c_flair.nii.gz", "/x/c_t2.nii.gz",
                                           "/x/c_t1ce.nii.gz", "/x/c_t1.nii.gz"};
  EXPECT_EQ(orderModalities(brats2021),
            (std::vector<std::string>{"/x/c_t1.nii.gz", "/x/c_t1ce.nii.gz", "/x/c_t2.nii.gz",
                                      "/x/c_flair.nii.gz"}));
  const std::vector<std::string> brats2023{"c-t2f.nii.gz", "c-t1c.nii.gz", "c-t2w.nii",
                                           "c-t1n.nii.gz"};
  EXPECT_EQ(orderModalities(brats2023), (std::vector<std::string>{"c-t1n.nii.gz", "c-t1c.nii.gz",
                                                                  "c-t2w.nii", "c-t2f.nii.gz"}));
  const std::vector<std::string> unknown{"a.nii", "b.nii", "c.nii", "d.nii"};
  EXPECT_EQ(orderModalities(unknown), unknown);
  const std::vector<std::string> twice{"c_t1.nii", "d_t1.nii", "c_t2.nii", "c_flair.nii"};
  EXPECT_EQ(orderModalities(twice), twice);
}

}  // namespace
}  // namespace seqseg
