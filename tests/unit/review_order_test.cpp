// The review order of a folder's segmentations: most uncertain first, cases without tumour last,
// kept cases marked, and reports that cannot give an order refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "tests/support/test_support.h"
#include "types/input_error.h"
#include "ui/review_order.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ReviewOrder, MostUncertainFirstThenThoseWithoutTumourAndKeptOnesMarked) {
  test::TempDir dir;
  write(dir / "report.json", R"({"cases": [
    {"case": "a", "status": "ok", "mask": "/o/a.nii.gz", "volume_ml": {"WT": 10.5}, "uncertainty_score": 0.10},
    {"case": "b", "status": "ok", "mask": "/o/b.nii.gz", "volume_ml": {"WT": 0}, "uncertainty_score": null},
    {"case": "c", "status": "error", "message": "c: unreadable"},
    {"case": "d", "status": "ok", "mask": "/o/d.nii.gz", "volume_ml": {"WT": 52}, "uncertainty_score": 0.31},
    {"case": "e", "status": "ok", "mask": "/o/e.nii.gz", "volume_ml": {"WT": 3}, "uncertainty_score": 0.10}]})");
  fs::create_directories(dir / "corrections/e");
  write(dir / "corrections/e/provenance.json", "{}");
  fs::create_directories(dir / "corrections/a");  // no provenance: not (yet) kept
  const std::vector<ReviewEntry> order = readReviewOrder(dir / "report.json", dir / "corrections");
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0].id, "d");
  EXPECT_EQ(order[1].id, "a");  // ties by id
  EXPECT_EQ(order[2].id, "e");
  EXPECT_EQ(order[3].id, "b");
  EXPECT_TRUE(std::isnan(order[3].uncertainty));
  EXPECT_DOUBLE_EQ(order[0].wholeTumourMl, 52);
  EXPECT_EQ(order[0].mask, "/o/d.nii.gz");
  EXPECT_FALSE(order[1].kept);
  EXPECT_TRUE(order[2].kept);
}

TEST(ReviewOrder, AReportWithoutScoresOrNoReportIsAnInputErrorNamingIt) {
  test::TempDir dir;
  write(
      dir / "report.json",
      R"({"cases": [{"case": "a", "status": "ok", "mask": "a.nii.gz", "volume_ml": {"WT": 1}}]})");
  for (const std::string& path : {dir / "report.json", dir / "missing.json"}) {
    try {
      readReviewOrder(path, "");
      FAIL() << path << " gave an order";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    }
  }
  write(dir / "garbage.json", "{not json");
  EXPECT_THROW(readReviewOrder(dir / "garbage.json", ""), InputError);
}

}  // namespace
}  // namespace seqseg
