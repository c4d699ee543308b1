// Robustness features on the command line: `synth --randomise` (and its held-out profiles),
// training on cases made on the fly (resumable, with the post-processing it chose stored in the
// checkpoint), and `--batch --tta` / `--no-postprocess` changing what they should and only that.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "io/image_reader.h"
#include "tests/support/test_support.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;
using test::CommandResult;
using test::TempDir;

TEST(SynthRandomise, SameSeedSameBytesHeldoutProfileDiffers) {
  TempDir dir;
  for (const char* name : {"a", "b"})
    ASSERT_EQ(test::runSeqseg({"synth", "--randomise", "--out", dir / name, "--cases", "2",
                               "--size", "32x32x24", "--seed", "4"})
                  .exitCode,
              0);
  const CommandResult heldout =
      test::runSeqseg({"synth", "--randomise", "--heldout", "--out", dir / "h", "--cases", "2",
                       "--size", "32x32x24", "--seed", "4"});
  ASSERT_EQ(heldout.exitCode, 0) << heldout.err;
  EXPECT_NE(heldout.out.find("randomised (heldout)"), std::string::npos) << heldout.out;
  for (const char* file : {"BraTS2021_00001/BraTS2021_00001_flair.nii.gz",
                           "BraTS2021_00001/BraTS2021_00001_seg.nii.gz"}) {
    const std::string path = std::string("/") + file;
    EXPECT_EQ(test::readFile(dir / "a" + path), test::readFile(dir / "b" + path)) << file;
    EXPECT_NE(test::readFile(dir / "a" + path), test::readFile(dir / "h" + path)) << file;
  }
  const CommandResult alone =
      test::runSeqseg({"synth", "--heldout", "--out", dir / "x", "--cases", "1"});
  EXPECT_EQ(alone.exitCode, 2);
  EXPECT_NE(alone.err.find("--heldout"), std::string::npos) << alone.err;
}

// A randomised profile's flag: `synth --randomise FLAG` says which profile made the case.
void expectProfileMade(const std::string& flag, const std::string& profileName) {
  TempDir dir;
  const CommandResult made = test::runSeqseg({"synth", "--randomise", flag, "--out", dir / "made",
                                              "--cases", "1", "--size", "32x32x24", "--seed", "4"});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_NE(made.out.find("randomised (" + profileName + ")"), std::string::npos) << made.out;
  EXPECT_TRUE(fs::exists(dir / "made/BraTS2021_00000/BraTS2021_00000_seg.nii.gz"));
}

// Each command is refused in one line naming `flag`, exit 2, and makes nothing (its --out).
void expectRefusedNaming(const std::string& flag,
                         const std::vector<std::vector<std::string>>& commands) {
  TempDir dir;
  for (size_t n = 0; n < commands.size(); ++n) {
    const std::string out = dir / ("out" + std::to_string(n));
    std::vector<std::string> command = commands[n];
    command.insert(command.end(), {"--out", out});
    const CommandResult refused = test::runSeqseg(command);
    EXPECT_EQ(refused.exitCode, 2) << refused.err;
    EXPECT_NE(refused.err.find(flag), std::string::npos) << refused.err;
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
    EXPECT_FALSE(fs::exists(out)) << refused.err;
  }
}

// --first makes case FIRST of the seed's set alone: the same bytes and name as in a larger set.
TEST(SynthRandomise, FirstMakesTheSameCaseAsALargerSet) {
  TempDir dir;
  const std::vector<std::string> common{
      "synth", "--randomise", "--heldout-hard", "--size", "32x32x24", "--seed", "4"};
  std::vector<std::string> whole = common, alone = common;
  whole.insert(whole.end(), {"--out", dir / "whole", "--cases", "3"});
  alone.insert(alone.end(), {"--out", dir / "alone", "--cases", "1", "--first", "2"});
  ASSERT_EQ(test::runSeqseg(whole).exitCode, 0);
  const CommandResult made = test::runSeqseg(alone);
  ASSERT_EQ(made.exitCode, 0) << made.err;
  EXPECT_NE(made.out.find("BraTS2021_00002 (1/1)"), std::string::npos) << made.out;
  EXPECT_FALSE(fs::exists(dir / "alone/BraTS2021_00000"));
  for (const char* file : {"BraTS2021_00002/BraTS2021_00002_t1ce.nii.gz",
                           "BraTS2021_00002/BraTS2021_00002_seg.nii.gz"})
    EXPECT_EQ(test::readFile(dir / "alone/" + file), test::readFile(dir / "whole/" + file)) << file;
  std::vector<std::string> negative = common;
  negative.insert(negative.end(), {"--out", dir / "negative", "--first", "-1"});
  const CommandResult refused = test::runSeqseg(negative);
  EXPECT_EQ(refused.exitCode, 2);
  EXPECT_NE(refused.err.find("--first"), std::string::npos) << refused.err;
}

TEST(SynthRandomise, HeldoutHardProfileOnlyWithRandomiseAndAlone) {
  expectProfileMade("--heldout-hard", "heldout-hard");
  // Without --randomise, and with the other held-out profile.
  expectRefusedNaming("--heldout-hard", {{"synth", "--heldout-hard", "--cases", "1"},
                                         {"synth", "--randomise", "--heldout", "--heldout-hard"}});
}

// A training profile's flag: made by synth (for validation cases) and drawn by train; refused
// without --randomise and beside a held-out profile.
void expectTrainingProfileFlag(const std::string& flag, const std::string& profileName,
                               const std::string& heldoutFlag) {
  expectProfileMade(flag, profileName);
  expectRefusedNaming(flag, {{"synth", flag, "--cases", "1"},
                             {"synth", "--randomise", heldoutFlag, flag},
                             {"train", "--data", "/nonexistent", flag, "--epochs", "1"}});
}

// The training profile with lesions of every size, and with contrasts drawn widely too.
TEST(SynthRandomise, WideLesionsForTrainingOnlyWithRandomiseAndWithoutAHeldoutProfile) {
  expectTrainingProfileFlag("--wide-lesions", "training-wide", "--heldout-hard");
}

TEST(SynthRandomise, WideContrastsForTrainingOnlyWithRandomiseAndWithoutAHeldoutProfile) {
  expectTrainingProfileFlag("--wide-contrasts", "training-wide-contrasts", "--heldout");
}

std::vector<std::string> randomisedTraining(const std::string& run, const std::string& config,
                                            const std::string& validation) {
  return {test::seqsegExecutable(),
          "train",
          "--randomise",
          "--out",
          run,
          "--config",
          config,
          "--val-data",
          validation,
          "--spacing",
          "7.5",
          "7.5",
          "7.5",
          "--epochs",
          "3",
          "--steps-per-epoch",
          "4",
          "--batch-size",
          "2",
          "--validate-every",
          "1",
          "--threads",
          "1",
          "--seed",
          "9",
          "--progress",
          "json"};
}

TEST(RandomisedTraining, MakesCasesOnTheFlyResumesAndRecordsPostprocessing) {
  TempDir dir;
  test::writeFile(dir / "small.json", test::kSmallModelConfig);
  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", dir / "val", "--cases", "2", "--size", "32", "--seed", "3"})
                .exitCode,
            0);
  const CommandResult whole =
      test::runCommand(randomisedTraining(dir / "whole", dir / "small.json", dir / "val"));
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  EXPECT_NE(whole.out.find("cases made on the fly"), std::string::npos);
  const std::vector<double> expected = test::stepLosses(dir / "whole/metrics.jsonl");
  ASSERT_EQ(expected.size(), 12u);
  // Every validation records the post-processing it favours.
  std::istringstream lines(test::readFile(dir / "whole/metrics.jsonl"));
  int validations = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (!entry.contains("val_dice_mean")) continue;
    ++validations;
    EXPECT_NE(entry.value("postprocess", "").find("WT: "), std::string::npos) << line;
  }
  EXPECT_EQ(validations, 3);
  const std::string script =
      "import json, sys, torch\n"
      "meta = json.loads(torch.load(sys.argv[1])['meta'])\n"
      "print(json.dumps(sorted(meta['postprocess'].keys())))\n";
  const CommandResult python =
      test::runCommand({test::systemPython(), "-c", script, dir / "whole/best.pt"});
  ASSERT_EQ(python.exitCode, 0) << python.err;
  EXPECT_EQ(nlohmann::json::parse(python.out), nlohmann::json::parse(R"(["ET","TC","WT"])"));

  // Killed after its first epoch and resumed: the same cases, the same loss curve.
  const int pid = test::startCommand(
      randomisedTraining(dir / "killed", dir / "small.json", dir / "val"), dir / "killed.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (std::chrono::steady_clock::now() < deadline &&
         !(fs::exists(dir / "killed/last.pt") &&
           test::stepLosses(dir / "killed/metrics.jsonl").size() >= 5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  ASSERT_EQ(test::waitCommand(pid), 128 + SIGKILL) << "the run ended before it could be killed";
  std::vector<std::string> resume =
      randomisedTraining(dir / "killed", dir / "small.json", dir / "val");
  resume.push_back("--resume");
  const CommandResult resumed = test::runCommand(resume);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
  const std::vector<double> actual = test::stepLosses(dir / "killed/metrics.jsonl");
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t step = 0; step < expected.size(); ++step)
    EXPECT_NEAR(actual[step], expected[step], 1e-6 * std::max(1.0, std::abs(expected[step])))
        << "step " << step + 1;
}

TEST(RandomisedTraining, NeedsDataOrRandomise) {
  TempDir dir;
  const CommandResult result = test::runSeqseg({"train", "--out", dir / "run"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--randomise"), std::string::npos) << result.err;
}

class BatchOptionsOnAShiftedCase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // A held-out case on a small field of view with two tumour foci (a 3.7 mL satellite).
    ASSERT_EQ(test::runSeqseg({"synth", "--randomise", "--heldout", "--out", *dir_ / "in",
                               "--cases", "1", "--size", "96x96x64", "--seed", "1"})
                  .exitCode,
              0);
    ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "plain")).exitCode, 0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string mask(const std::string& run) {
    return *dir_ / (run + "/BraTS2021_00000.nii.gz");
  }
  static TempDir* dir_;
};
TempDir* BatchOptionsOnAShiftedCase::dir_ = nullptr;

TEST_F(BatchOptionsOnAShiftedCase, NoPostprocessKeepsEverythingThePostprocessingRemoved) {
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "off",
                                                 {"--no-postprocess", "--hd95", "max"}))
                .exitCode,
            0);
  const nlohmann::json report = nlohmann::json::parse(test::readFile(*dir_ / "off/report.json"));
  EXPECT_EQ(report["postprocess"], "off");
  EXPECT_EQ(report["hd95"], "max");
  // Post-processing only removes components: where the masks differ, the default one is the
  // raw label cleared (WT), turned to oedema (TC) or to necrotic core (ET).
  const LabelVolume raw = readLabelMap(mask("off")), cleaned = readLabelMap(mask("plain"));
  ASSERT_EQ(raw.shape, cleaned.shape);
  for (size_t v = 0; v < raw.labels.size(); ++v) {
    if (raw.labels[v] == cleaned.labels[v]) continue;
    const int from = raw.labels[v], to = cleaned.labels[v];
    ASSERT_TRUE(to == 0 || (to == 2 && (from == 1 || from == 3)) || (to == 1 && from == 3))
        << "voxel " << v << ": " << from << " -> " << to;
  }
  EXPECT_EQ(test::niftiFacts(mask("off"))["sform"], test::niftiFacts(mask("plain"))["sform"]);
}

TEST_F(BatchOptionsOnAShiftedCase, TtaAveragesFlipsIntoASimilarButDifferentMask) {
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "tta", {"--tta"})).exitCode,
            0);
  const nlohmann::json report = nlohmann::json::parse(test::readFile(*dir_ / "tta/report.json"));
  EXPECT_TRUE(report["tta"].get<bool>());
  EXPECT_EQ(report["hd95"], "pooled");
  const LabelVolume plain = readLabelMap(mask("plain")), flipped = readLabelMap(mask("tta"));
  ASSERT_EQ(plain.shape, flipped.shape);
  int64_t differ = 0, tumourBoth = 0, tumourEither = 0;
  for (size_t v = 0; v < plain.labels.size(); ++v) {
    differ += plain.labels[v] != flipped.labels[v];
    tumourBoth += plain.labels[v] && flipped.labels[v];
    tumourEither += plain.labels[v] || flipped.labels[v];
  }
  EXPECT_GT(differ, 0) << "averaging over flips should change some voxels";
  ASSERT_GT(tumourEither, 0);
  EXPECT_GT(double(tumourBoth) / double(tumourEither), 0.5) << "but keep the same tumour";
  EXPECT_EQ(test::niftiFacts(mask("tta"))["sform"], test::niftiFacts(mask("plain"))["sform"]);
}

}  // namespace
}  // namespace seqseg
