#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "engine/metrics.h"
#include "engine/reliability.h"
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
#include "io/nifti_geometry.h"
#include "jobs/job_options.h"
#include "types/atomic_file.h"
#include "types/input_error.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

struct Reference {
  std::string path;
  Layout layout;
};

std::string stemOf(const fs::path& file) {
  std::string name = file.filename().string();
  for (const char* extension : {".nii.gz", ".nii"})
    if (name.size() > std::strlen(extension) &&
        name.compare(name.size() - std::strlen(extension), std::string::npos, extension) == 0)
      return name.substr(0, name.size() - std::strlen(extension));
  return "";
}

// CASE -> mask path for a folder of CASE.nii.gz files.
std::map<std::string, std::string> maskFolder(const std::string& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) throw InputError(folder, "folder not found");
  std::map<std::string, std::string> masks;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string stem = stemOf(entry.path());
    if (!stem.empty() && entry.is_regular_file()) masks[stem] = entry.path().string();
  }
  return masks;
}

// References from a dataset folder of any layout, or from a folder of CASE.nii.gz masks.
std::map<std::string, Reference> findReferences(const std::string& folder, Layout plainLayout) {
  std::map<std::string, Reference> references;
  try {
    const Dataset dataset = findCases(folder);
    for (const CaseFiles& c : dataset.cases)
      if (!c.reference.empty()) references[c.id] = {c.reference, dataset.layout};
    if (references.empty()) throw InputError(folder, "its cases have no reference label maps");
    return references;
  } catch (const InputError&) {
    for (const auto& [id, path] : maskFolder(folder)) references[id] = {path, plainLayout};
  }
  if (references.empty())
    throw InputError(folder, "holds neither a dataset with label maps nor CASE.nii.gz masks");
  return references;
}

std::string fixed(double value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

// A problem with a case's probabilities file: unlike a missing or unreadable mask (that case
// fails, the others are scored) it ends the evaluation, exit code 2, since the calibration asked
// for would leave the case out silently.
class ProbabilitiesError : public InputError {
 public:
  using InputError::InputError;
};

// Which voxels the calibration counts: those where the probabilities give a tumour class any
// probability at all, i.e. the brain's box that the segmenter cropped the case to. Outside it
// the file says background with certainty where the model never looked; that air would fill the
// lowest bin and hide how the model's own probabilities are calibrated.
constexpr const char* kCalibrationVoxels =
    "voxels where a tumour class has a non-zero probability (the brain's box the segmenter "
    "cropped to)";

// The case's reliability per region (kRegions' order): the region's probability (the sum of its
// classes' probabilities, in double) against the reference region.
std::array<ReliabilityTable, 3> caseReliability(const std::string& path,
                                                const LabelVolume& reference,
                                                const std::string& referencePath) {
  std::error_code missing;
  if (!fs::is_regular_file(path, missing))
    throw ProbabilitiesError(path,
                             "no probabilities for this case (--batch --save-probabilities "
                             "writes them)");
  Volume probabilities;
  try {
    probabilities = readImage(path);
  } catch (const InputError& error) {
    throw ProbabilitiesError(error.file(), error.problem());
  }
  if (probabilities.channels() != 4)
    throw ProbabilitiesError(path, "has " + std::to_string(probabilities.channels()) +
                                       " channels; 4 expected (background, NCR, ED, ET)");
  const std::array<int64_t, 3> grid{probabilities.shape[1], probabilities.shape[2],
                                    probabilities.shape[3]};
  std::string difference;
  if (grid != reference.shape)
    throw ProbabilitiesError(path, "its grid differs from the reference " + referencePath);
  if (!sameGeometry(probabilities.geometry, reference.geometry, &difference))
    throw ProbabilitiesError(
        path, "its grid differs from the reference " + referencePath + " (" + difference + ")");
  const float* ncr = probabilities.channel(1);
  const float* ed = probabilities.channel(2);
  const float* et = probabilities.channel(3);
  std::array<ReliabilityTable, 3> tables;
  for (int64_t v = 0; v < reference.size(); ++v) {
    if (ncr[v] == 0 && ed[v] == 0 && et[v] == 0) continue;
    const uint8_t label = reference.labels[v];
    const double ncrP = ncr[v], edP = ed[v], etP = et[v];
    tables[0].add(ncrP + edP + etP, inRegion(Region::WholeTumour, label));
    tables[1].add(ncrP + etP, inRegion(Region::TumourCore, label));
    tables[2].add(etP, inRegion(Region::EnhancingTumour, label));
  }
  return tables;
}

// The reliability table of a region, for people.
void printReliability(const char* region, const ReliabilityTable& table) {
  std::cout << region << " reliability: ECE " << fixed(table.expectedCalibrationError(), 4)
            << " over " << table.voxels() << " voxels\n"
            << "  probability    voxels  confidence  accuracy\n";
  const nlohmann::json json = table.toJson();
  for (const nlohmann::json& bin : json["bins"]) {
    std::string line =
        "  " + fixed(bin["lower"].get<double>(), 3) + "-" + fixed(bin["upper"].get<double>(), 3);
    std::string count = std::to_string(bin["voxels"].get<int64_t>());
    line += std::string(count.size() < 12 ? 12 - count.size() : 1, ' ') + count;
    if (bin["voxels"].get<int64_t>() > 0)
      line += "      " + fixed(bin["confidence"].get<double>(), 4) + "    " +
              fixed(bin["accuracy"].get<double>(), 4);
    std::cout << line << "\n";
  }
}

// Mean Dice and HD95 per region over the cases added.
struct MeanScores {
  std::array<double, 3> dice{}, hd95{};
  int cases = 0;
  void add(const std::array<RegionScore, 3>& scores) {
    for (size_t r = 0; r < scores.size(); ++r) {
      dice[r] += scores[r].dice;
      hd95[r] += scores[r].hd95;
    }
    ++cases;
  }
  nlohmann::json json() const {
    nlohmann::json out;
    for (size_t r = 0; r < kRegions.size(); ++r)
      out[regionName(kRegions[r])] = {{"dice", dice[r] / cases}, {"hd95_mm", hd95[r] / cases}};
    return out;
  }
  // "name    0.9000   0.8000 ...": a line of the table, Dice then HD95 columns.
  std::string line(std::string name) const {
    name.resize(std::max<size_t>(name.size(), 28), ' ');
    std::string hdColumns;
    for (size_t r = 0; r < kRegions.size(); ++r) {
      name += "  " + fixed(dice[r] / cases, 4) + " ";
      hdColumns += "  " + fixed(hd95[r] / cases, 2);
    }
    return name + hdColumns;
  }
};

// Lesion-size bins by the reference's whole-tumour volume: small lesions are where a model's
// core and enhancing rim fail first, and a mean over all sizes hides them.
struct LesionSizeBin {
  const char* name;
  double lowerMl, upperMl;  // lower <= volume < upper
};
constexpr std::array<LesionSizeBin, 3> kLesionSizeBins{{
    {"WT < 15 mL", 0.0, 15.0},
    {"WT 15-60 mL", 15.0, 60.0},
    {"WT > 60 mL", 60.0, INFINITY},
}};

size_t lesionSizeBin(double wholeTumourMl) {
  size_t bin = 0;
  while (bin + 1 < kLesionSizeBins.size() && wholeTumourMl >= kLesionSizeBins[bin].upperMl) ++bin;
  return bin;
}

int runEval(const EvalRequest& options) {
  const Layout plainLayout = parseLayout(options.labels);
  const Hd95Definition hd95 = parseHd95Definition(options.hd95);
  const auto references = findReferences(options.ref, plainLayout);
  const auto predictions = maskFolder(options.pred);

  nlohmann::json report;
  report["hd95"] = hd95DefinitionName(hd95);
  report["cases"] = nlohmann::json::array();
  MeanScores all;
  std::array<MeanScores, kLesionSizeBins.size()> bySize;
  int withoutNecrosis = 0, withoutEnhancing = 0;  // references, among the scored cases
  std::array<ReliabilityTable, 3> reliability;    // over every scored case
  const bool calibration = !options.probabilities.empty();
  int scored = 0, failed = 0;
  std::cout
      << "case                          WT dice  TC dice  ET dice   WT hd95  TC hd95  ET hd95\n";
  for (const auto& [id, reference] : references) {
    nlohmann::json entry{{"case", id}};
    const auto found = predictions.find(id);
    try {
      if (found == predictions.end())
        throw InputError(fs::path(options.pred) / (id + ".nii.gz"), "no prediction for this case");
      const LabelVolume ref =
          toInternalLabels(readLabelMap(reference.path), reference.layout, reference.path);
      const LabelVolume pred =
          toInternalLabels(readLabelMap(found->second), reference.layout, found->second);
      if (pred.shape != ref.shape)
        throw InputError(found->second, "dimensions differ from the reference " + reference.path);
      const std::array<double, 3> spacing = ref.geometry.spacing;
      const auto scores = scoreRegions(pred.labels, ref.labels, ref.shape, spacing, hd95);
      for (size_t r = 0; r < kRegions.size(); ++r) {
        const RegionScore& score = scores[r];
        entry[regionName(kRegions[r])] = {{"dice", score.dice},
                                          {"hd95_mm", score.hd95},
                                          {"predicted_voxels", score.predictedVoxels},
                                          {"reference_voxels", score.referenceVoxels}};
      }
      const auto histogram = labelHistogram(ref);
      const double wholeTumourMl = regionVolumeMl(histogram, ref.geometry, Region::WholeTumour);
      entry["reference_volume_ml"] = {
          {"WT", wholeTumourMl},
          {"TC", regionVolumeMl(histogram, ref.geometry, Region::TumourCore)},
          {"ET", regionVolumeMl(histogram, ref.geometry, Region::EnhancingTumour)}};
      entry["lesion_size_bin"] = kLesionSizeBins[lesionSizeBin(wholeTumourMl)].name;
      if (calibration) {
        const std::string path =
            (fs::path(options.probabilities) / (id + "_probabilities.nii.gz")).string();
        const auto tables = caseReliability(path, ref, reference.path);
        for (size_t r = 0; r < kRegions.size(); ++r) {
          entry[regionName(kRegions[r])]["ece"] = tables[r].expectedCalibrationError();
          entry[regionName(kRegions[r])]["calibration_voxels"] = tables[r].voxels();
          reliability[r].merge(tables[r]);
        }
      }
      MeanScores alone;  // the mean of one case: its own scores, in the table's columns
      alone.add(scores);
      std::cout << alone.line(id) << "\n";
      entry["status"] = "ok";
      ++scored;
      all.add(scores);
      bySize[lesionSizeBin(wholeTumourMl)].add(scores);
      withoutNecrosis += histogram[1] == 0;  // internal classes: 1 NCR, 3 ET
      withoutEnhancing += histogram[3] == 0;
    } catch (const ProbabilitiesError&) {
      throw;
    } catch (const InputError& error) {
      std::cerr << "seqseg: error: " << error.what() << "\n";
      entry["status"] = "failed";
      entry["error"] = error.what();
      ++failed;
    }
    report["cases"].push_back(entry);
  }
  if (scored > 0) {
    report["mean"] = all.json();
    std::cout << all.line("mean") << "\n";
    std::cout << "\nmean by the reference's whole-tumour volume\n";
    for (size_t bin = 0; bin < kLesionSizeBins.size(); ++bin) {
      const MeanScores& scores = bySize[bin];
      nlohmann::json entry{{"bin", kLesionSizeBins[bin].name},
                           {"lower_ml", kLesionSizeBins[bin].lowerMl},
                           {"cases", scores.cases}};
      if (std::isfinite(kLesionSizeBins[bin].upperMl))
        entry["upper_ml"] = kLesionSizeBins[bin].upperMl;
      const std::string name =
          std::string(kLesionSizeBins[bin].name) + " (" + std::to_string(scores.cases) + ")";
      if (scores.cases > 0) {
        entry["mean"] = scores.json();
        std::cout << scores.line(name) << "\n";
      } else {
        std::cout << name << "  no cases\n";
      }
      report["by_lesion_size"].push_back(entry);
    }
    report["references_without"] = {{"NCR", withoutNecrosis}, {"ET", withoutEnhancing}};
    std::cout << "references without NCR: " << withoutNecrosis << " of " << scored
              << "; without ET: " << withoutEnhancing << " of " << scored << "\n";
  }
  if (calibration && scored > 0) {
    report["calibration"]["bins"] = ReliabilityTable::kBins;
    report["calibration"]["voxels_counted"] = kCalibrationVoxels;
    std::cout << "\ncalibration of the region probabilities over the scored cases, "
              << ReliabilityTable::kBins << " bins; counted: " << kCalibrationVoxels << "\n";
    for (size_t r = 0; r < kRegions.size(); ++r) {
      report["calibration"][regionName(kRegions[r])] = reliability[r].toJson();
      printReliability(regionName(kRegions[r]), reliability[r]);
    }
  }
  report["scored"] = scored;
  report["failed"] = failed;
  if (!options.report.empty()) {
    writeFileAtomically(options.report, report.dump(2) + "\n");
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace

void addEvalCommand(CLI::App& app, int& exitCode) {
  auto request = std::make_shared<EvalRequest>();
  CLI::App* eval = app.add_subcommand(
      "eval",
      "Dice and HD95 (mm) of predicted masks against references, per case, mean, and mean per "
      "lesion size (the reference's WT volume < 15, 15-60, > 60 mL), for the regions WT (labels "
      "NCR+ED+ET), TC (NCR+ET) and ET.\n"
      "Empty regions: both empty gives Dice 1 and HD95 0; only one empty gives Dice 0 and HD95 = "
      "the image's diagonal in mm (373.13 for BraTS's 240x240x155 mm).");
  addEvalOptions(*eval, *request);
  eval->callback([request, &exitCode] { exitCode = runEval(*request); });
}

}  // namespace seqseg
