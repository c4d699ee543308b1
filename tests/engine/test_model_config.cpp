#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine_test_env.h"
#include "types/model_config.h"

namespace seqseg {
namespace {

// Expects validate() to throw std::invalid_argument whose message contains `needle`.
template <typename Mutate>
void expectInvalid(Mutate mutate, const std::string& needle) {
  ModelConfig c;
  mutate(c);
  try {
    c.validate();
    FAIL() << "no error, expected one mentioning '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(needle), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "message must be one line: " << what;
  }
}

TEST(ModelConfig, DefaultIsValid) {
  EXPECT_NO_THROW(ModelConfig().validate());
}

TEST(ModelConfig, ValidationErrorsNameTheProblem) {
  expectInvalid([](ModelConfig& c) { c.roi[1] = 60; }, "roi[1] = 60 is not divisible by patch[1]");
  expectInvalid(
      [](ModelConfig& c) {
        c.patch = {6, 6, 6};
        c.roi = {36, 36, 36};
      },
      "patch[0] = 6 is not a power of two");
  expectInvalid([](ModelConfig& c) { c.num_heads = 5; }, "not divisible by num_heads = 5");
  expectInvalid(
      [](ModelConfig& c) {
        c.decoder_channels = {64, 32};
      },
      "decoder_channels has 2 entries, needs 4");
  expectInvalid([](ModelConfig& c) { c.depth = 0; }, "depth = 0 must be positive");
  expectInvalid([](ModelConfig& c) { c.in_channels = -1; }, "in_channels");
  expectInvalid([](ModelConfig& c) { c.roi[2] = 0; }, "roi[2] = 0 must be positive");
  expectInvalid([](ModelConfig& c) { c.mlp_ratio = 0.0; }, "mlp_ratio");
  expectInvalid([](ModelConfig& c) { c.decoder_channels[3] = 0; }, "decoder_channels[3]");
}

TEST(ModelConfig, AnisotropicPatchUsesLargestSideForStages) {
  ModelConfig c;
  c.patch = {4, 8, 8};
  c.decoder_channels = {32, 16, 16, 8};
  EXPECT_EQ(c.upsampleStages(), 3);
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.grid(), (std::array<int64_t, 3>{16, 8, 8}));
}

TEST(ModelConfig, JsonRoundTrip) {
  ModelConfig c;
  c.embed_dim = 120;
  c.num_heads = 6;
  c.qkv_bias = false;
  c.mlp_ratio = 2.5;
  const ModelConfig back = ModelConfig::fromJson(c.toJson());
  EXPECT_EQ(back, c);
}

TEST(ModelConfig, FirstDifferenceNamesTheFieldAndBothValues) {
  ModelConfig a, b;
  EXPECT_EQ(firstDifference(a, b).field, "");
  b.depth = 6;
  b.roi = {64, 64, 32};
  b.decoder_channels = {64, 32, 16, 8};
  const ConfigDifference difference = firstDifference(a, b);
  EXPECT_EQ(difference.field, "roi") << "the first in a config file's order";
  EXPECT_EQ(difference.first, "[64,64,64]");
  EXPECT_EQ(difference.second, "[64,64,32]");
  b.roi = a.roi;
  EXPECT_EQ(firstDifference(a, b).field, "depth");
  EXPECT_EQ(firstDifference(b, a).first, "6");
  b.depth = a.depth;
  EXPECT_EQ(firstDifference(a, b).field, "decoder_channels");
  b.decoder_channels = a.decoder_channels;
  b.mlp_ratio = 2.5;
  EXPECT_EQ(firstDifference(a, b).second, "2.5");
  EXPECT_EQ(a == b, firstDifference(a, b).field.empty());
}

TEST(ModelConfig, AVoxelSkipIsOptionalInJsonAndMayOnlyBeAdded) {
  const ModelConfig plain;
  EXPECT_FALSE(plain.toJson().contains("voxel_skip_channels")) << "older configs read the same";
  EXPECT_EQ(ModelConfig::fromJson(plain.toJson()).voxel_skip_channels, 0);
  ModelConfig skip = plain;
  skip.voxel_skip_channels = 16;
  EXPECT_EQ(ModelConfig::fromJson(skip.toJson()), skip);
  EXPECT_NE(skip, plain);
  EXPECT_EQ(firstDifference(plain, skip).field, "voxel_skip_channels");
  EXPECT_EQ(firstDifference(plain, skip).second, "16");

  EXPECT_TRUE(addsOnlyVoxelSkip(plain, skip));
  EXPECT_FALSE(addsOnlyVoxelSkip(skip, plain)) << "a skip is not dropped";
  EXPECT_FALSE(addsOnlyVoxelSkip(plain, plain));
  ModelConfig otherSkip = skip;
  otherSkip.voxel_skip_channels = 8;
  EXPECT_FALSE(addsOnlyVoxelSkip(skip, otherSkip));
  ModelConfig deeper = skip;
  deeper.depth = 6;
  EXPECT_FALSE(addsOnlyVoxelSkip(plain, deeper));
  expectInvalid([](ModelConfig& c) { c.voxel_skip_channels = -1; },
                "voxel_skip_channels = -1 must be 0 or more");
}

TEST(ModelConfig, JsonErrorsNameTheKey) {
  nlohmann::json j = ModelConfig().toJson();
  j.erase("depth");
  EXPECT_THROW(
      {
        try {
          ModelConfig::fromJson(j);
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(), "model config: missing key 'depth'");
          throw;
        }
      },
      std::invalid_argument);

  j = ModelConfig().toJson();
  j["embed_dims"] = 64;
  EXPECT_THROW(ModelConfig::fromJson(j), std::invalid_argument);
  j = ModelConfig().toJson();
  j["roi"] = {64, 64};
  EXPECT_THROW(ModelConfig::fromJson(j), std::invalid_argument);
  j = ModelConfig().toJson();
  j["depth"] = 2.5;
  EXPECT_THROW(ModelConfig::fromJson(j), std::invalid_argument);
}

TEST(ModelConfig, ScalarRoiAndPatchMeanAllAxes) {
  nlohmann::json j = ModelConfig().toJson();
  j["roi"] = 32;
  j["patch"] = 4;
  j["decoder_channels"] = {16, 8, 8};
  const ModelConfig c = ModelConfig::fromJson(j);
  EXPECT_EQ(c.roi, (std::array<int64_t, 3>{32, 32, 32}));
  EXPECT_EQ(c.patch, (std::array<int64_t, 3>{4, 4, 4}));
}

TEST(ModelConfig, PresetsLoadAndValidate) {
  const std::string dir = test::presetsDir();
  const auto names = listPresets(dir);
  for (const char* expected : {"base", "long", "tiny"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;

  const ModelConfig tiny = loadModelConfig("tiny", dir);
  EXPECT_EQ(tiny.in_channels, 4);
  EXPECT_EQ(tiny.num_classes, 4);

  const ModelConfig base = loadModelConfig("base", dir);
  EXPECT_EQ(base.roi, (std::array<int64_t, 3>{128, 128, 128}));
  EXPECT_EQ(base.patch, (std::array<int64_t, 3>{16, 16, 16}));
  EXPECT_EQ(base.embed_dim, 768);
  EXPECT_EQ(base.depth, 12);
  EXPECT_EQ(base.num_heads, 12);
  EXPECT_EQ(base.decoder_channels.front(), 128);

  const ModelConfig longSeq = loadModelConfig("long", dir);
  EXPECT_EQ(longSeq.tokens(), 32768);
}

TEST(ModelConfig, UnknownPresetListsTheKnownOnes) {
  try {
    loadModelConfig("huge", test::presetsDir());
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unknown model preset 'huge'"), std::string::npos) << what;
    EXPECT_NE(what.find("tiny"), std::string::npos) << what;
  }
}

TEST(ModelConfig, FileSaveLoadAndErrorsNameTheFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("seqseg_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "model.json").string();
  ModelConfig c;
  c.depth = 2;
  saveModelConfigFile(c, path);
  EXPECT_EQ(loadModelConfig(path, "/nonexistent"), c);

  const std::string bad = (dir / "bad.json").string();
  std::ofstream(bad) << "{\"in_channels\": 4,";
  try {
    loadModelConfigFile(bad);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  nlohmann::json j = c.toJson();
  j["num_heads"] = 7;
  std::ofstream(bad) << j.dump();
  try {
    loadModelConfigFile(bad);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "model config " + bad + ": embed_dim = 96 is not divisible by num_heads = 7");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace seqseg
