// Robustness features on the command line: `synth --randomise` (and its held-out profile),
// training on cases made on the fly (resumable, with the post-processing it chose stored in the
// checkpoint), and `--batch --tta` / `--no-postprocess` changing what they should and only that.
#include <gtest/gtest.h>
#include <signal.h>

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

constexpr const char* kSmallConfig = R"({"in_channels": 4, "num_classes": 4, "roi": [32, 32, 32],
  "patch": [8, 8, 8], "embed_dim": 32, "depth": 1, "num_heads": 2, "mlp_ratio": 2.0,
  "qkv_bias": true, "decoder_channels": [16, 8, 8, 8]})";

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
    EXPECT_EQ(test::readFile(dir / "a" / file), test::readFile(dir / "b" / file)) << file;
    EXPECT_NE(test::readFile(dir / "a" / file), test::readFile(dir / "h" / file)) << file;
  }
  const CommandResult alone =
      test::runSeqseg({"synth", "--heldout", "--out", dir / "x", "--cases", "1"});
  EXPECT_EQ(alone.exitCode, 2);
  EXPECT_NE(alone.err.find("--heldout"), std::string::npos) << alone.err;
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

std::vector<double> stepLosses(const std::string& metricsPath) {
  std::vector<double> losses;
  std::istringstream lines(test::readFile(metricsPath));
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line);
    if (entry.contains("loss")) losses.push_back(entry["loss"].get<double>());
  }
  return losses;
}

TEST(RandomisedTraining, MakesCasesOnTheFlyResumesAndRecordsPostprocessing) {
  TempDir dir;
  test::writeFile(dir / "small.json", kSmallConfig);
  ASSERT_EQ(test::runSeqseg(
                {"synth", "--out", dir / "val", "--cases", "2", "--size", "32", "--seed", "3"})
                .exitCode,
            0);
  const CommandResult whole =
      test::runCommand(randomisedTraining(dir / "whole", dir / "small.json", dir / "val"));
  ASSERT_EQ(whole.exitCode, 0) << whole.err;
  EXPECT_NE(whole.out.find("cases made on the fly"), std::string::npos);
  const std::vector<double> expected = stepLosses(dir / "whole/metrics.jsonl");
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
  while (
      std::chrono::steady_clock::now() < deadline &&
      !(fs::exists(dir / "killed/last.pt") && stepLosses(dir / "killed/metrics.jsonl").size() >= 5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  ASSERT_EQ(test::waitCommand(pid), 128 + SIGKILL) << "the run ended before it could be killed";
  std::vector<std::string> resume =
      randomisedTraining(dir / "killed", dir / "small.json", dir / "val");
  resume.push_back("--resume");
  const CommandResult resumed = test::runCommand(resume);
  ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
  const std::vector<double> actual = stepLosses(dir / "killed/metrics.jsonl");
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

// Voxels of the whole tumour that are 26-connected to its largest component.
std::vector<uint8_t> largestWholeTumour(const LabelVolume& mask) {
  const auto& s = mask.shape;
  std::vector<int> component(mask.labels.size(), 0);
  std::vector<int64_t> sizes{0};
  for (int64_t seed = 0; seed < mask.size(); ++seed) {
    if (!mask.labels[seed] || component[seed]) continue;
    const int id = static_cast<int>(sizes.size());
    sizes.push_back(0);
    std::vector<int64_t> stack{seed};
    component[seed] = id;
    while (!stack.empty()) {
      const int64_t v = stack.back();
      stack.pop_back();
      ++sizes[id];
      const int64_t a = v / (s[1] * s[2]), b = (v / s[2]) % s[1], c = v % s[2];
      for (int64_t da = -1; da <= 1; ++da)
        for (int64_t db = -1; db <= 1; ++db)
          for (int64_t dc = -1; dc <= 1; ++dc) {
            const int64_t x = a + da, y = b + db, z = c + dc;
            if (x < 0 || y < 0 || z < 0 || x >= s[0] || y >= s[1] || z >= s[2]) continue;
            const int64_t w = (x * s[1] + y) * s[2] + z;
            if (mask.labels[w] && !component[w]) {
              component[w] = id;
              stack.push_back(w);
            }
          }
    }
  }
  const int largest =
      static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  std::vector<uint8_t> kept(mask.labels.size(), 0);
  for (size_t v = 0; v < kept.size(); ++v) kept[v] = largest && component[v] == largest;
  return kept;
}

class BatchOptionsOnAShiftedCase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // A held-out case on a small field of view with two tumour foci (a 3.7 mL satellite): any
    // model that finds both, or leaves islands, has components to remove.
    ASSERT_EQ(test::runSeqseg({"synth", "--randomise", "--heldout", "--out", *dir_ / "in",
                               "--cases", "1", "--size", "96x96x64", "--seed", "1"})
                  .exitCode,
              0);
    // The bundled model as an old checkpoint (no post-processing), and with "WT: largest
    // component only".
    const std::string script =
        "import json, sys, torch\n"
        "d = torch.load(sys.argv[1])\n"
        "meta = json.loads(d['meta'])\n"
        "meta.pop('postprocess', None)\n"
        "d['meta'] = json.dumps(meta)\n"
        "torch.save(d, sys.argv[2])\n"
        "meta['postprocess'] = {'WT': {'min_fraction': 1.0, 'max_gap_mm': -1.0}, 'TC': None,"
        " 'ET': None}\n"
        "d['meta'] = json.dumps(meta)\n"
        "torch.save(d, sys.argv[3])\n";
    const CommandResult python =
        test::runCommand({test::systemPython(), "-c", script, bundledModel(), *dir_ / "raw.pt",
                          *dir_ / "postprocessed.pt"});
    ASSERT_EQ(python.exitCode, 0) << python.err;
    ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "plain",
                                                   {"--model", *dir_ / "raw.pt"}))
                  .exitCode,
              0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string bundledModel() {
    return std::string(SEQSEG_SOURCE_DIR) + "/resources/models/tiny.pt";
  }
  static std::string mask(const std::string& run) { return *dir_ / run / "BraTS2021_00000.nii.gz"; }
  static TempDir* dir_;
};
TempDir* BatchOptionsOnAShiftedCase::dir_ = nullptr;

TEST_F(BatchOptionsOnAShiftedCase, NoPostprocessIsTheRawPredictionAndPostprocessOnlyRemoves) {
  // An old checkpoint has no post-processing: --no-postprocess changes nothing.
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "plain-off",
                                                 {"--model", *dir_ / "raw.pt", "--no-postprocess"}))
                .exitCode,
            0);
  EXPECT_EQ(test::readFile(mask("plain-off")), test::readFile(mask("plain")));

  const std::string model = *dir_ / "postprocessed.pt";
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "off",
                                                 {"--model", model, "--no-postprocess"}))
                .exitCode,
            0);
  EXPECT_EQ(test::readFile(mask("off")), test::readFile(mask("plain")));
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "on", {"--model", model}))
                .exitCode,
            0);
  const nlohmann::json report = nlohmann::json::parse(test::readFile(*dir_ / "on/report.json"));
  EXPECT_NE(report["postprocess"].get<std::string>().find("WT: largest component only"),
            std::string::npos);

  const LabelVolume raw = readLabelMap(mask("off")), cleaned = readLabelMap(mask("on"));
  const std::vector<uint8_t> kept = largestWholeTumour(raw);
  int64_t removed = 0;
  for (size_t v = 0; v < raw.labels.size(); ++v) {
    ASSERT_EQ(cleaned.labels[v], kept[v] ? raw.labels[v] : 0) << "voxel " << v;
    removed += raw.labels[v] && !kept[v];
  }
  EXPECT_GT(removed, 0) << "this case's raw prediction should have islands to remove";
  EXPECT_EQ(test::niftiFacts(mask("on"))["sform"], test::niftiFacts(mask("off"))["sform"]);
}

TEST_F(BatchOptionsOnAShiftedCase, TtaAveragesFlipsIntoASimilarButDifferentMask) {
  ASSERT_EQ(test::runSeqseg(test::batchArguments(*dir_ / "in", *dir_ / "tta",
                                                 {"--model", *dir_ / "raw.pt", "--tta"}))
                .exitCode,
            0);
  const nlohmann::json report = nlohmann::json::parse(test::readFile(*dir_ / "tta/report.json"));
  EXPECT_TRUE(report["tta"].get<bool>());
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
