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
#include "io/dataset_layout.h"
#include "io/image_reader.h"
#include "io/label_mapping.h"
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

int runEval(const EvalRequest& options) {
  const Layout plainLayout = parseLayout(options.labels);
  const Hd95Definition hd95 = parseHd95Definition(options.hd95);
  const auto references = findReferences(options.ref, plainLayout);
  const auto predictions = maskFolder(options.pred);

  nlohmann::json report;
  report["hd95"] = hd95DefinitionName(hd95);
  report["cases"] = nlohmann::json::array();
  std::array<double, 3> diceSum{}, hdSum{};
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
      std::string line = id;
      line.resize(std::max<size_t>(line.size(), 28), ' ');
      std::string hdColumns;
      const auto scores = scoreRegions(pred.labels, ref.labels, ref.shape, spacing, hd95);
      for (size_t r = 0; r < kRegions.size(); ++r) {
        const RegionScore& score = scores[r];
        entry[regionName(kRegions[r])] = {{"dice", score.dice},
                                          {"hd95_mm", score.hd95},
                                          {"predicted_voxels", score.predictedVoxels},
                                          {"reference_voxels", score.referenceVoxels}};
        diceSum[r] += score.dice;
        hdSum[r] += score.hd95;
        line += "  " + fixed(score.dice, 4) + " ";
        hdColumns += "  " + fixed(score.hd95, 2);
      }
      std::cout << line << hdColumns << "\n";
      entry["status"] = "ok";
      ++scored;
    } catch (const InputError& error) {
      std::cerr << "seqseg: error: " << error.what() << "\n";
      entry["status"] = "failed";
      entry["error"] = error.what();
      ++failed;
    }
    report["cases"].push_back(entry);
  }
  if (scored > 0) {
    std::string line = "mean";
    line.resize(28, ' ');
    std::string hdColumns;
    for (size_t r = 0; r < kRegions.size(); ++r) {
      const double dice = diceSum[r] / scored, hd = hdSum[r] / scored;
      report["mean"][regionName(kRegions[r])] = {{"dice", dice}, {"hd95_mm", hd}};
      line += "  " + fixed(dice, 4) + " ";
      hdColumns += "  " + fixed(hd, 2);
    }
    std::cout << line << hdColumns << "\n";
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
      "Dice and HD95 (mm) of predicted masks against references, per case and mean, for the "
      "regions WT (labels NCR+ED+ET), TC (NCR+ET) and ET.\n"
      "Empty regions: both empty gives Dice 1 and HD95 0; only one empty gives Dice 0 and HD95 = "
      "the image's diagonal in mm (373.13 for BraTS's 240x240x155 mm).");
  addEvalOptions(*eval, *request);
  eval->callback([request, &exitCode] { exitCode = runEval(*request); });
}

}  // namespace seqseg
