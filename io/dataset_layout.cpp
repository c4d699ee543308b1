#include "io/dataset_layout.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "io/dicom_series.h"
#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/label_mapping.h"
#include "io/nifti_geometry.h"
#include "io/nifti_header.h"
#include "types/atomic_file.h"
#include "types/input_error.h"
#include "types/name_affixes.h"

namespace fs = std::filesystem;

namespace seqseg {

namespace {

// BraTS file name parts per internal channel, and the separator between case id and part.
struct BratsNaming {
  char separator;
  std::array<const char*, kModalityCount> parts;
};
const BratsNaming kBrats2021{'_', {"t1", "t1ce", "t2", "flair"}};
const BratsNaming kBrats2023{'-', {"t1n", "t1c", "t2w", "t2f"}};

// MSD Task01 and nnU-Net's BraTS conversion store channels as FLAIR, T1w, T1gd, T2w.
const std::array<int, kModalityCount> kMsdChannelOfModality{1, 2, 3, 0};

// "CASE.nii.gz" -> "CASE"; "" when not a NIfTI name.
std::string niftiStem(const std::string& name) {
  for (const char* extension : {".nii.gz", ".nii"})
    if (endsWith(name, extension)) return name.substr(0, name.size() - std::strlen(extension));
  return "";
}

// dir/stem.nii.gz, or dir/stem.nii when only that exists.
std::string imagePath(const fs::path& dir, const std::string& stem) {
  const fs::path plain = dir / (stem + ".nii");
  if (!fs::exists(dir / (stem + ".nii.gz")) && fs::exists(plain)) return plain.string();
  return (dir / (stem + ".nii.gz")).string();
}

bool isFile(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

const BratsNaming& bratsNaming(Layout layout) {
  return layout == Layout::Brats2023 ? kBrats2023 : kBrats2021;
}

std::vector<fs::path> sortedEntries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

// A BraTS case folder holds at least one of its modality files.
bool isBratsCase(const fs::path& dir, Layout layout) {
  const CaseFiles files = caseFilesFor(dir.parent_path().string(), layout, dir.filename().string());
  return std::any_of(files.images.begin(), files.images.end(), isFile);
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Internal channel of a modality name as dataset.json files spell it; -1 when unknown.
int modalityIndex(const std::string& name) {
  static const std::map<std::string, int> known = {
      {"t1", 0},    {"t1w", 0}, {"t1n", 0}, {"native", 0}, {"t1ce", 1}, {"t1gd", 1},    {"t1c", 1},
      {"t1-gd", 1}, {"t2", 2},  {"t2w", 2}, {"flair", 3},  {"t2f", 3},  {"t2-flair", 3}};
  const auto found = known.find(lowercase(name));
  return found == known.end() ? -1 : found->second;
}

// The file channel of each internal modality, from dataset.json's "channel_names" (nnU-Net v2)
// or "modality" (MSD, nnU-Net v1); the MSD order when the file is absent.
std::array<int, kModalityCount> channelOrder(const fs::path& root) {
  const fs::path description = root / "dataset.json";
  if (!fs::exists(description)) return kMsdChannelOfModality;
  nlohmann::json json;
  try {
    std::ifstream in(description);
    json = nlohmann::json::parse(in);
  } catch (const std::exception& error) {
    throw InputError(description.string(), std::string("is not valid JSON: ") + error.what());
  }
  const char* key = json.contains("channel_names") ? "channel_names" : "modality";
  if (!json.contains(key)) return kMsdChannelOfModality;
  std::array<int, kModalityCount> order{-1, -1, -1, -1};
  for (const auto& [channel, name] : json[key].items()) {
    const int modality = name.is_string() ? modalityIndex(name.get<std::string>()) : -1;
    // A channel is a number 0..3 (atoi would read ";" or "1x" as a channel too).
    const bool number = channel.size() == 1 && channel[0] >= '0' && channel[0] <= '3';
    const int fileChannel = number ? channel[0] - '0' : -1;
    if (fileChannel < 0)
      throw InputError(description.string(),
                       "channel \"" + channel + "\" is not a channel number 0-3");
    if (modality < 0)
      throw InputError(description.string(), "channel " + channel + " (" + name.dump() +
                                                 ") is not one of T1, T1ce/T1gd, T2, FLAIR");
    // Four different channels, one per modality: every channel file is one of a case's images.
    if (std::find(order.begin(), order.end(), fileChannel) != order.end() || order[modality] >= 0)
      throw InputError(description.string(), "channel " + channel + " (" + name.dump() +
                                                 ") repeats a channel or a modality");
    order[modality] = fileChannel;
  }
  for (int m = 0; m < kModalityCount; ++m)
    if (order[m] < 0)
      throw InputError(description.string(),
                       std::string("names no channel for ") + kModalityNames[m]);
  return order;
}

// The four-digit channel suffix of nnU-Net file names: "CASE_0003" -> 3, else -1.
int channelSuffix(const std::string& stem) {
  if (stem.size() < 6 || stem[stem.size() - 5] != '_') return -1;
  for (size_t i = stem.size() - 4; i < stem.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(stem[i]))) return -1;
  return std::atoi(stem.c_str() + stem.size() - 4);
}

void addFlatCases(const fs::path& root, const fs::path& imagesDir, Layout layout,
                  std::vector<CaseFiles>& cases) {
  const fs::path labelsDir = root / "labelsTr";
  std::map<std::string, CaseFiles> found;
  for (const fs::path& entry : sortedEntries(imagesDir)) {
    const std::string stem = niftiStem(entry.filename().string());
    if (stem.empty() || !fs::is_regular_file(entry)) continue;
    const int channel = channelSuffix(stem);
    if ((layout == Layout::NnUnet) != (channel >= 0)) continue;
    // CASE_0006 is none of the four modalities: alone it is no case (none of its files exist).
    if (channel >= kModalityCount) continue;
    const std::string id = layout == Layout::NnUnet ? stem.substr(0, stem.size() - 5) : stem;
    if (found.count(id)) continue;
    CaseFiles files = caseFilesFor(root.string(), layout, id);
    // The layout's canonical paths name imagesTr; point them at the folder actually found.
    for (std::string& image : files.images)
      image = (imagesDir / fs::path(image).filename()).string();
    files.channelInFile = channelOrder(root);
    if (layout == Layout::NnUnet) {
      std::array<std::string, kModalityCount> ordered;
      for (int m = 0; m < kModalityCount; ++m) {
        char suffix[8];
        std::snprintf(suffix, sizeof suffix, "_%04d", files.channelInFile[m]);
        ordered[m] = imagePath(imagesDir, id + suffix);
      }
      files.images.assign(ordered.begin(), ordered.end());
      files.channelInFile = {0, 1, 2, 3};
    }
    const std::string label = imagePath(labelsDir, id);
    files.reference = isFile(label) ? label : "";
    found.emplace(id, std::move(files));
  }
  for (auto& [id, files] : found) cases.push_back(std::move(files));
}

}  // namespace

CaseFiles caseFilesFor(const std::string& root, Layout layout, const std::string& id) {
  CaseFiles files;
  files.id = id;
  files.layout = layout;
  const fs::path base(root);
  switch (layout) {
    case Layout::Brats2021:
    case Layout::Brats2023: {
      const BratsNaming& naming = bratsNaming(layout);
      const fs::path dir = base / id;
      for (const char* part : naming.parts)
        files.images.push_back(imagePath(dir, id + naming.separator + part));
      files.reference = imagePath(dir, id + naming.separator + "seg");
      break;
    }
    case Layout::Msd:
      files.images.push_back(imagePath(base / "imagesTr", id));
      files.channelInFile = kMsdChannelOfModality;
      files.reference = imagePath(base / "labelsTr", id);
      break;
    case Layout::NnUnet:
      for (int m = 0; m < kModalityCount; ++m)
        files.images.push_back(
            imagePath(base / "imagesTr", id + "_000" + std::to_string(kMsdChannelOfModality[m])));
      files.reference = imagePath(base / "labelsTr", id);
      break;
    case Layout::Explicit:
      throw std::invalid_argument("an explicit case has no folder layout");
  }
  return files;
}

Dataset findCases(const std::string& folder) {
  std::error_code error;
  if (!fs::exists(folder, error)) throw InputError(folder, "folder not found");
  if (!fs::is_directory(folder, error))
    throw InputError(folder, "is a file; expected a folder of cases (or give four files)");
  const fs::path root = fs::absolute(folder).lexically_normal();

  Dataset dataset;
  dataset.root = root.string();
  for (Layout layout : {Layout::Brats2021, Layout::Brats2023}) {
    dataset.layout = layout;
    if (isBratsCase(root, layout)) {  // the folder is one case
      CaseFiles files = caseFilesFor(root.parent_path().string(), layout, root.filename().string());
      if (!isFile(files.reference)) files.reference.clear();
      dataset.cases.push_back(std::move(files));
      return dataset;
    }
    for (const fs::path& entry : sortedEntries(root)) {
      if (!fs::is_directory(entry) || !isBratsCase(entry, layout)) continue;
      CaseFiles files = caseFilesFor(root.string(), layout, entry.filename().string());
      if (!isFile(files.reference)) files.reference.clear();
      dataset.cases.push_back(std::move(files));
    }
    if (!dataset.cases.empty()) return dataset;
  }
  for (Layout layout : {Layout::Msd, Layout::NnUnet}) {
    dataset.layout = layout;
    for (const char* images : {"imagesTr", "imagesTs"})
      if (fs::is_directory(root / images)) addFlatCases(root, root / images, layout, dataset.cases);
    // nnU-Net users often point straight at an imagesTs folder.
    if (dataset.cases.empty() && layout == Layout::NnUnet)
      addFlatCases(root.parent_path(), root, layout, dataset.cases);
    if (!dataset.cases.empty()) return dataset;
  }
  throw InputError(folder,
                   "no case found; tried BraTS 2021 (CASE/CASE_t1.nii.gz ...), BraTS 2023 "
                   "(CASE/CASE-t1n.nii.gz ...), MSD Task01 (imagesTr/CASE.nii.gz, 4D) and nnU-Net "
                   "raw (imagesTr/CASE_0000.nii.gz ...)");
}

CaseFiles explicitCase(const std::string& t1, const std::string& t1ce, const std::string& t2,
                       const std::string& flair, const std::string& reference) {
  CaseFiles files;
  files.layout = Layout::Explicit;
  files.images = {t1, t1ce, t2, flair};
  files.reference = reference;
  std::error_code error;
  if (fs::is_directory(t1, error)) {
    // A DICOM series folder: the case is the study folder around it.
    fs::path series = fs::absolute(t1).lexically_normal();
    if (series.filename().empty()) series = series.parent_path();
    const std::string study = series.parent_path().filename().string();
    files.id = study.empty() ? "case" : study;
    return files;
  }
  std::string stem = niftiStem(fs::path(t1).filename().string());
  // "CASE_t1" -> "CASE": name the output after the case, not the modality.
  for (const char* suffix : {"_t1", "-t1n", "_0000", "_T1"})
    if (endsWith(stem, suffix)) stem.resize(stem.size() - std::strlen(suffix));
  files.id = stem.empty() ? "case" : stem;
  return files;
}

int64_t caseOpeningBytes(const CaseFiles& files) {
  int64_t voxels = 0;
  std::error_code error;
  for (const std::string& path : files.images) {
    if (fs::is_directory(path, error)) continue;
    try {
      voxels += readNiftiHeader(path).voxelCount();
    } catch (const InputError&) {
      // Reading the case reports it, with the same message as everywhere else.
    }
  }
  const int64_t floatBytes = voxels * static_cast<int64_t>(sizeof(float));
  return floatBytes + floatBytes / 2;
}

void checkCaseFitsMemory(const CaseFiles& files, int64_t availableBytes) {
  if (files.images.empty()) return;
  const int64_t needed = caseOpeningBytes(files);
  if (needed <= availableBytes) return;
  auto gigabytes = [](int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
    return std::string(text);
  };
  throw InputError(files.images[0], "opening this case takes about " + gigabytes(needed) +
                                        " of memory, but only " + gigabytes(availableBytes) +
                                        " is available");
}

namespace {

// Refuses modality m when its placement differs from T1's.
void checkGeometryMatchesT1(const CaseFiles& files, int m, const Geometry& t1,
                            const Geometry& geometry) {
  std::string difference;
  if (sameGeometry(t1, geometry, &difference)) return;
  throw InputError(files.images[m], std::string(kModalityNames[m]) + " geometry differs from T1 (" +
                                        files.images[0] + "): " + difference);
}

// The common case of four 3D NIfTI files on one grid: each file is decoded straight into its
// channel of `stacked`, concurrently, with no copy. False (nothing read) when the files are
// anything else (a DICOM folder, a header problem, other dimensions): readCase's general path
// then names the problem as it always has.
bool readSameGridFilesInto(const CaseFiles& files, Volume& stacked) {
  std::array<NiftiHeaderInfo, kModalityCount> headers;
  try {
    for (int m = 0; m < kModalityCount; ++m) {
      if (fs::is_directory(files.images[m])) return false;
      headers[m] = readNiftiHeader(files.images[m]);
      if (headers[m].rank != 3 || headers[m].dims != headers[0].dims) return false;
    }
  } catch (const InputError&) {
    return false;
  }
  const auto& dims = headers[0].dims;
  stacked.shape = {kModalityCount, dims[2], dims[1], dims[0]};
  stacked.voxels.resize(static_cast<size_t>(kModalityCount * headers[0].voxelCount()));
  // Declared after `stacked`: leaving early by an exception waits for every read (a future of
  // std::async blocks in its destructor) before the voxels they write into are freed.
  std::vector<std::future<Volume>> reads;
  for (int m = 0; m < kModalityCount; ++m)
    reads.push_back(std::async(std::launch::async, [&, m] {
      return readImageInto(files.images[m], headers[m], ExpectedRank::Volume3D, stacked.channel(m));
    }));
  for (int m = 0; m < kModalityCount; ++m) {
    const Volume modality = reads[m].get();
    if (m == 0)
      stacked.geometry = modality.geometry;
    else
      checkGeometryMatchesT1(files, m, stacked.geometry, modality.geometry);
  }
  return true;
}

}  // namespace

Volume readCase(const CaseFiles& files, std::vector<std::string>* notes) {
  if (files.images.size() == 1) {
    Volume multi = readImage(files.images[0], ExpectedRank::MultiChannel4D);
    if (multi.channels() != kModalityCount)
      throw InputError(files.images[0],
                       "has " + std::to_string(multi.channels()) +
                           " volumes; 4 modalities (T1, T1ce, T2, FLAIR) expected");
    Volume ordered = multi;
    for (int m = 0; m < kModalityCount; ++m)
      std::copy_n(multi.channel(files.channelInFile[m]), multi.voxelsPerChannel(),
                  ordered.channel(m));
    return ordered;
  }
  if (files.images.size() != kModalityCount)
    throw std::invalid_argument("a case needs four modality files or one 4D file");

  // The four files are independent and decompressing them dominates: read NIfTI files
  // concurrently. DICOM series folders are read one after another (GDCM keeps global state).
  // Errors are reported in modality order, as a sequential read would.
  if (Volume stacked; readSameGridFilesInto(files, stacked)) return stacked;

  bool anySeries = false;
  for (const std::string& path : files.images) anySeries = anySeries || fs::is_directory(path);
  const auto policy = anySeries ? std::launch::deferred : std::launch::async;
  std::vector<std::future<Volume>> reads;
  std::vector<std::string> seriesNotes(files.images.size());
  for (size_t m = 0; m < files.images.size(); ++m)
    reads.push_back(std::async(policy, [&path = files.images[m], &note = seriesNotes[m]] {
      return readImageOrSeries(path, &note);
    }));

  Volume stacked;
  for (int m = 0; m < kModalityCount; ++m) {
    const std::string& path = files.images[m];
    Volume modality = reads[m].get();  // a NIfTI file or a DICOM series folder
    if (m == 0) {
      stacked.shape = {kModalityCount, modality.shape[1], modality.shape[2], modality.shape[3]};
      stacked.geometry = modality.geometry;
      stacked.voxels.resize(kModalityCount * modality.voxelsPerChannel());
    } else {
      auto dims = [](const std::array<int64_t, 4>& s) {
        return std::to_string(s[3]) + "x" + std::to_string(s[2]) + "x" + std::to_string(s[1]);
      };
      if (modality.shape[1] != stacked.shape[1] || modality.shape[2] != stacked.shape[2] ||
          modality.shape[3] != stacked.shape[3])
        throw InputError(path, std::string(kModalityNames[m]) + " has dimensions " +
                                   dims(modality.shape) + " but T1 (" + files.images[0] + ") has " +
                                   dims(stacked.shape));
      checkGeometryMatchesT1(files, m, stacked.geometry, modality.geometry);
    }
    std::copy(modality.voxels.begin(), modality.voxels.end(), stacked.channel(m));
    if (notes && !seriesNotes[m].empty()) notes->push_back(path + ": " + seriesNotes[m]);
  }
  return stacked;
}

void writeCase(const std::string& root, Layout layout, const std::string& id, const Volume& image,
               const LabelVolume* labels) {
  const CaseFiles files = caseFilesFor(root, layout, id);
  fs::create_directories(fs::path(files.images[0]).parent_path());
  if (files.images.size() == 1) {  // one 4D file in the layout's channel order
    Volume multi = image;
    for (int m = 0; m < kModalityCount; ++m)
      std::copy_n(image.channel(m), image.voxelsPerChannel(),
                  multi.channel(files.channelInFile[m]));
    writeImage(files.images[0], multi);
  } else {
    for (int m = 0; m < kModalityCount; ++m) {
      Volume modality;
      modality.shape = {1, image.shape[1], image.shape[2], image.shape[3]};
      modality.geometry = image.geometry;
      modality.voxels.assign(image.channel(m), image.channel(m) + image.voxelsPerChannel());
      writeImage(files.images[m], modality);
    }
  }
  if (labels) {
    fs::create_directories(fs::path(files.reference).parent_path());
    writeLabelMap(files.reference, toNativeLabels(*labels, layout));
  }
}

void writeDatasetDescription(const std::string& root, Layout layout,
                             const std::vector<std::string>& caseIds) {
  if (layout != Layout::Msd && layout != Layout::NnUnet) return;
  nlohmann::json json;
  json["name"] = "BRATS";
  json["description"] = "Synthetic brain tumour cases written by seqseg synth";
  const nlohmann::json channels = {{"0", "FLAIR"}, {"1", "T1w"}, {"2", "t1gd"}, {"3", "T2w"}};
  if (layout == Layout::Msd) {
    json["tensorImageSize"] = "4D";
    json["modality"] = channels;
    json["labels"] = {{"0", "background"},
                      {"1", "edema"},
                      {"2", "non-enhancing tumor"},
                      {"3", "enhancing tumour"}};
    json["numTraining"] = caseIds.size();
    json["numTest"] = 0;
    nlohmann::json training = nlohmann::json::array();
    for (const std::string& id : caseIds)
      training.push_back(
          {{"image", "./imagesTr/" + id + ".nii.gz"}, {"label", "./labelsTr/" + id + ".nii.gz"}});
    json["training"] = training;
    json["test"] = nlohmann::json::array();
  } else {
    json["channel_names"] = channels;
    json["labels"] = {{"background", 0}, {"edema", 1}, {"non_enhancing", 2}, {"enhancing", 3}};
    json["numTraining"] = caseIds.size();
    json["file_ending"] = ".nii.gz";
  }
  const std::string path = (fs::path(root) / "dataset.json").string();
  writeFileAtomically(path, json.dump(2) + "\n");
}

}  // namespace seqseg
