#include "ui/review_order.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/corrections_dataset.h"
#include "types/input_error.h"

namespace seqseg {

namespace fs = std::filesystem;

std::vector<ReviewEntry> readReviewOrder(const std::string& reportPath,
                                         const std::string& correctionsRoot) {
  std::ifstream file(reportPath);
  if (!file) throw InputError(reportPath, "cannot read the segmentation report");
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception&) {
    throw InputError(reportPath, "is not a JSON report of seqseg --batch");
  }
  if (!report.is_object() || !report.contains("cases") || !report["cases"].is_array())
    throw InputError(reportPath, "is not a report of seqseg --batch (no \"cases\")");
  std::vector<ReviewEntry> entries;
  for (const nlohmann::json& entry : report["cases"]) {
    if (!entry.is_object() || entry.value("status", "") != "ok") continue;
    if (!entry.contains("uncertainty_score"))
      throw InputError(reportPath, "has no uncertainty scores (segmented without --uncertainty)");
    ReviewEntry review;
    review.id = entry.value("case", "");
    review.mask = entry.value("mask", "");
    const nlohmann::json& score = entry["uncertainty_score"];
    review.uncertainty =
        score.is_number() ? score.get<double>() : std::numeric_limits<double>::quiet_NaN();
    if (entry.contains("volume_ml") && entry["volume_ml"].contains("WT"))
      review.wholeTumourMl = entry["volume_ml"]["WT"].get<double>();
    entries.push_back(std::move(review));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const ReviewEntry& a, const ReviewEntry& b) {
    const bool aScored = !std::isnan(a.uncertainty), bScored = !std::isnan(b.uncertainty);
    if (aScored != bScored) return aScored;
    if (aScored && a.uncertainty != b.uncertainty) return a.uncertainty > b.uncertainty;
    return a.id < b.id;
  });
  markKept(entries, correctionsRoot);
  return entries;
}

void markKept(std::vector<ReviewEntry>& entries, const std::string& correctionsRoot) {
  for (ReviewEntry& entry : entries) {
    std::error_code error;
    entry.kept =
        !correctionsRoot.empty() &&
        fs::is_regular_file(
            fs::path(correctionsRoot) / correctionCaseId(entry.id) / "provenance.json", error);
  }
}

}  // namespace seqseg
