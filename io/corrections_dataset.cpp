#include "io/corrections_dataset.h"

#include <unistd.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/dataset_layout.h"
#include "io/image_writer.h"
#include "io/label_mapping.h"
#include "types/atomic_file.h"
#include "types/input_error.h"
#include "types/regions.h"

namespace seqseg {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 4> kClassNames{"background", "NCR", "ED", "ET"};

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// ".nii.gz" or ".nii" for a NIfTI file that can be copied as it is; empty otherwise.
std::string niftiExtension(const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return {};
  if (endsWith(path, ".nii.gz")) return ".nii.gz";
  if (endsWith(path, ".nii")) return ".nii";
  return {};
}

nlohmann::json regionVolumes(const LabelVolume* labels, const Geometry& geometry) {
  nlohmann::json volumes;
  const auto histogram = labels ? labelHistogram(*labels) : std::array<int64_t, 256>{};
  for (Region region : kRegions)
    volumes[regionName(region)] = regionVolumeMl(histogram, geometry, region);
  return volumes;
}

std::string utcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json provenance(const CorrectionCase& correction, const std::string& id) {
  const Geometry& geometry = correction.image->geometry;
  nlohmann::json sources = nlohmann::json::array();
  for (const std::string& image : correction.source.images)
    sources.push_back(fs::absolute(image).lexically_normal().string());
  nlohmann::json started{{"from", correction.startedFrom}};
  if (!correction.startedPath.empty())
    started["path"] = fs::absolute(correction.startedPath).lexically_normal().string();
  if (!correction.modelSha256.empty()) started["sha256"] = correction.modelSha256;
  const LabelChanges changes = countLabelChanges(correction.started, *correction.corrected);
  nlohmann::json changed{{"total", changes.changed}};
  for (size_t label = 0; label < kClassNames.size(); ++label)
    changed[kClassNames[label]] = {{"gained", changes.gained[label]},
                                   {"lost", changes.lost[label]}};
  return {{"format", "seqseg-correction-1"},
          {"case", id},
          {"source",
           {{"id", correction.source.id},
            {"layout", layoutName(correction.source.layout)},
            {"images", sources}}},
          {"segmentation_before", started},
          {"volume_ml_before", regionVolumes(correction.started, geometry)},
          {"volume_ml_after", regionVolumes(correction.corrected, geometry)},
          {"voxels_changed", changed},
          {"kept_at", utcNow()}};
}

void writeChannel(const Volume& image, int channel, const std::string& path) {
  Volume modality;
  modality.shape = {1, image.shape[1], image.shape[2], image.shape[3]};
  modality.geometry = image.geometry;
  modality.voxels.assign(image.channel(channel), image.channel(channel) + image.voxelsPerChannel());
  writeImage(path, modality);
}

// Writes the whole case into `dir` (which exists and is empty).
void writeCorrectionFiles(const fs::path& dir, const std::string& id,
                          const CorrectionCase& correction) {
  // The layout's own names (CASE_t1 ...), so that findCases reads the folder back.
  const CaseFiles names = caseFilesFor(dir.string(), Layout::Brats2021, id);
  const bool separateFiles = correction.source.images.size() == kModalityCount;
  for (int m = 0; m < kModalityCount; ++m) {
    const std::string name = fs::path(names.images[m]).filename().string();
    const std::string base = name.substr(0, name.find(".nii"));
    const std::string extension = separateFiles ? niftiExtension(correction.source.images[m]) : "";
    if (!extension.empty()) {
      const fs::path copy = dir / (base + extension);
      std::error_code error;
      fs::copy_file(correction.source.images[m], copy, error);
      if (error)
        throw InputError(copy.string(),
                         "cannot copy " + correction.source.images[m] + ": " + error.message());
    } else {
      writeChannel(*correction.image, m, (dir / (base + ".nii.gz")).string());
    }
  }
  LabelVolume native = toNativeLabels(*correction.corrected, Layout::Brats2021);
  native.geometry = correction.image->geometry;
  const std::string seg = fs::path(names.reference).filename().string();
  writeLabelMap((dir / (seg.substr(0, seg.find(".nii")) + ".nii.gz")).string(), native);
  writeFileAtomically((dir / "provenance.json").string(),
                      provenance(correction, id).dump(2) + "\n");
}

}  // namespace

LabelChanges countLabelChanges(const LabelVolume* before, const LabelVolume& after) {
  if (before && (before->shape != after.shape || before->labels.size() != after.labels.size()))
    throw std::invalid_argument("the masks before and after the edits differ in grid");
  LabelChanges changes;
  for (size_t n = 0; n < after.labels.size(); ++n) {
    const uint8_t was = before ? before->labels[n] : 0;
    const uint8_t is = after.labels[n];
    if (was == is) continue;
    ++changes.changed;
    if (is < changes.gained.size()) ++changes.gained[is];
    if (was < changes.lost.size()) ++changes.lost[was];
  }
  return changes;
}

std::string correctionCaseId(const std::string& id) {
  std::string safe;
  for (char c : id)
    safe +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (safe.empty() || safe.front() == '.') safe.insert(safe.begin(), 'c');
  return safe;
}

std::string keepCorrectionCase(const std::string& root, const CorrectionCase& correction) {
  if (!correction.image || !correction.corrected)
    throw std::invalid_argument("a correction needs the case's image and its corrected mask");
  const std::array<int64_t, 3> grid{correction.image->shape[1], correction.image->shape[2],
                                    correction.image->shape[3]};
  if (correction.corrected->shape != grid ||
      (correction.started && correction.started->shape != grid))
    throw std::invalid_argument("the corrected mask's grid is not the case's");
  const std::string id = correctionCaseId(correction.source.id);
  std::error_code error;
  fs::create_directories(root, error);
  if (error) throw InputError(root, "cannot create the corrections folder: " + error.message());
  const fs::path finalDir = fs::path(root) / id;
  const std::string tag = "." + id + "." + std::to_string(::getpid());
  const fs::path partial = fs::path(root) / (tag + ".partial");
  const fs::path previous = fs::path(root) / (tag + ".previous");
  fs::remove_all(partial, error);
  fs::create_directory(partial, error);
  if (error) throw InputError(partial.string(), "cannot create: " + error.message());
  try {
    writeCorrectionFiles(partial, id, correction);
  } catch (...) {
    fs::remove_all(partial, error);
    throw;
  }
  // Keeping again replaces: the old case steps aside, the new one takes its name, the old goes.
  const bool replacing = fs::exists(finalDir, error);
  if (replacing) {
    fs::rename(finalDir, previous, error);
    if (error) {
      fs::remove_all(partial, error);
      throw InputError(finalDir.string(),
                       "cannot replace the case kept before: " + error.message());
    }
  }
  fs::rename(partial, finalDir, error);
  if (error) {
    const std::string problem = error.message();
    if (replacing) fs::rename(previous, finalDir, error);
    fs::remove_all(partial, error);
    throw InputError(finalDir.string(), "cannot write the case: " + problem);
  }
  if (replacing) fs::remove_all(previous, error);
  return finalDir.string();
}

}  // namespace seqseg
