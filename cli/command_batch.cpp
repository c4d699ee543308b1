// seqseg --batch: segments every case of a folder with one model, naming and skipping bad cases.
#include <ATen/Parallel.h>

#include <algorithm>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <memory>

#include "cli/batch_measurements.h"
#include "cli/case_tensors.h"
#include "cli/commands.h"
#include "cli/rank_launcher.h"
#include "engine/metrics.h"
#include "engine/runtime.h"
#include "engine/segmenter.h"
#include "engine/uncertainty.h"
#include "io/dataset_layout.h"
#include "io/dicom_seg.h"
#include "io/dicom_series.h"
#include "io/image_reader.h"
#include "io/image_writer.h"
#include "io/label_mapping.h"
#include "jobs/job_arguments.h"
#include "jobs/progress.h"
#include "remote/cluster_profile.h"
#include "remote/remote_job.h"
#include "types/atomic_file.h"
#include "types/input_error.h"
#include "types/regions.h"
#include "types/resource_paths.h"

namespace fs = std::filesystem;

namespace seqseg {
namespace {

constexpr int64_t kWindowBatch = 2;  // sliding windows run through the model at once

// A case's images and reference label map, read while something else runs (loading the model,
// segmenting the case before). The reference's own error, if any, waits until it is used, so
// that a bad reference still leaves the mask written.
struct CaseInput {
  std::future<Volume> image;
  std::shared_ptr<std::vector<std::string>> notes;  // what reading the images noted (skipped files)
  std::future<LabelVolume> reference;               // invalid when the case has none
};

CaseInput readAhead(const CaseFiles& files, Layout layout) {
  CaseInput input;
  input.notes = std::make_shared<std::vector<std::string>>();
  input.image = std::async(std::launch::async,
                           [files, notes = input.notes] { return readCase(files, notes.get()); });
  if (!files.reference.empty())
    input.reference = std::async(std::launch::async, [files, layout] {
      return toInternalLabels(readLabelMap(files.reference), layout, files.reference);
    });
  return input;
}

// Beside the mask OUT/CASE.nii.gz: OUT/CASE_<part>.nii.gz.
std::string besideMask(const std::string& maskPath, const std::string& part) {
  const std::string stem = maskPath.substr(0, maskPath.size() - std::string(".nii.gz").size());
  return stem + "_" + part + ".nii.gz";
}

// Beside the mask OUT/CASE.nii.gz: OUT/CASE_seg.dcm, its DICOM Segmentation object.
std::string dicomSegBeside(const std::string& maskPath) {
  return maskPath.substr(0, maskPath.size() - std::string(".nii.gz").size()) + "_seg.dcm";
}

// A DICOM SEG references the series the mask's grid is: the case's first (T1) image, which must
// be a DICOM series folder. Refused before any work, naming the case.
void checkDicomSegCases(const Dataset& dataset) {
  for (const CaseFiles& files : dataset.cases) {
    std::error_code error;
    if (files.images.size() != kModalityCount || !fs::is_directory(files.images.front(), error))
      throw InputError(files.id,
                       "--dicom-seg needs a case whose images are DICOM series "
                       "folders; its T1 is " +
                           files.images.front());
  }
}

// One case: segment, write the mask (and the probabilities when asked), measure. Returns the
// report entry. Every rank of a job runs it; only the writer writes and measures.
nlohmann::json segmentCase(const CaseFiles& files, CaseInput& input, const std::string& outPath,
                           Layout layout, bool internalLabels, Hd95Definition hd95,
                           bool saveProbabilities, bool scoreUncertainty,
                           const std::string& dicomSegModel, bool writer, Segmenter& segmenter,
                           ProgressSink& progress, int index, int total) {
  const bool withProbabilities = saveProbabilities || scoreUncertainty;
  const auto started = std::chrono::steady_clock::now();
  Volume image = input.image.get();
  for (const std::string& note : *input.notes)
    progress.emit({{"event", "log"}, {"case", files.id}, {"message", note}});
  const Geometry geometry = image.geometry;
  const auto onWindow = [&](int64_t done, int64_t windows) {
    progress.emit({{"event", "progress"},
                   {"label", "batch"},
                   {"done", index},
                   {"total", total},
                   {"case", files.id},
                   {"windows_done", done},
                   {"windows_total", windows},
                   {"detail", files.id + " (" + std::to_string(done) + "/" +
                                  std::to_string(windows) + " windows)"}});
  };
  const Segmenter::Result segmented =
      withProbabilities ? segmenter.segmentWithProbabilities(toTensor(std::move(image)),
                                                             engineSpacing(geometry), onWindow)
                        : Segmenter::Result{segmenter.segment(toTensor(std::move(image)),
                                                              engineSpacing(geometry), onWindow),
                                            {}};
  const LabelVolume internal = toLabelVolume(segmented.labels, geometry);
  // The probabilities and their entropy are computed row by row as they are written (143 MB and
  // 36 MB whole on a BraTS grid), while the mask is.
  const InputGridProbabilities& probabilities = segmented.probabilities;
  const std::array<int64_t, 3>& shape = probabilities.shape;
  std::vector<std::future<void>> writing;
  if (writer && saveProbabilities) {
    writing.push_back(std::async(std::launch::async, [&] {
      writeImageRows(besideMask(outPath, "probabilities"),
                     {probabilities.classes(), shape[0], shape[1], shape[2]}, geometry,
                     [&](int64_t k, int64_t a0, int64_t a1, float* row) {
                       probabilities.fillRow(k, a0, a1, row);
                     });
    }));
    writing.push_back(std::async(std::launch::async, [&] {
      EntropyRows entropy(probabilities);
      writeImageRows(
          besideMask(outPath, "uncertainty"), {1, shape[0], shape[1], shape[2]}, geometry,
          [&](int64_t, int64_t a0, int64_t a1, float* row) { entropy.fill(a0, a1, row); });
    }));
  }
  // So is the DICOM SEG, on the T1 series' grid (the mask's), referencing that series.
  if (writer && !dicomSegModel.empty()) {
    writing.push_back(std::async(std::launch::async, [&] {
      writeDicomSeg(dicomSegBeside(outPath), internal, findSingleSeries(files.images.front()),
                    {dicomSegModel, false});
    }));
  }
  // Scoring against the reference runs while the mask is written.
  std::future<std::array<RegionScore, 3>> scoring;
  if (input.reference.valid())
    scoring = std::async(std::launch::async, [&] {
      const LabelVolume truth = input.reference.get();
      return scoreRegions(internal.labels, truth.labels, internal.shape, geometry.spacing, hd95);
    });
  // So are the measurements; only the writer reports them.
  std::future<nlohmann::json> measuring;
  if (writer)
    measuring = std::async(std::launch::async, [&] { return measurementsJson(internal); });
  if (writer) writeLabelMap(outPath, internalLabels ? internal : toNativeLabels(internal, layout));

  nlohmann::json entry{{"case", files.id}, {"status", "ok"}, {"mask", outPath}};
  const auto histogram = labelHistogram(internal);
  for (Region region : kRegions)
    entry["volume_ml"][regionName(region)] = regionVolumeMl(histogram, geometry, region);
  if (scoring.valid()) {
    const auto scores = scoring.get();
    for (size_t r = 0; r < kRegions.size(); ++r) {
      entry["dice"][regionName(kRegions[r])] = scores[r].dice;
      entry["hd95_mm"][regionName(kRegions[r])] = scores[r].hd95;
    }
  }
  if (measuring.valid()) entry["measurements"] = measuring.get();
  for (std::future<void>& written : writing) written.get();
  if (writer && !dicomSegModel.empty()) entry["dicom_seg"] = dicomSegBeside(outPath);
  if (writer && saveProbabilities) {
    entry["probabilities"] = besideMask(outPath, "probabilities");
    entry["uncertainty"] = besideMask(outPath, "uncertainty");
  }
  // null (NaN) when no tumour was found: nothing to be unsure about inside it.
  if (scoreUncertainty)
    entry["uncertainty_score"] = meanEntropyInWholeTumour(probabilities, segmented.labels);
  entry["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return entry;
}

// "CASE: WT 52.1 mL, TC 20.3 mL, ET 9.8 mL (Dice WT 0.91 ...) -> OUT/CASE.nii.gz"
std::string summaryLine(const nlohmann::json& entry) {
  std::string line = entry["case"].get<std::string>() + ":";
  char text[64];
  for (Region region : kRegions) {
    std::snprintf(text, sizeof text, " %s %.1f mL", regionName(region),
                  entry["volume_ml"][regionName(region)].get<double>());
    line += text;
  }
  if (entry.contains("dice")) {
    line += " (Dice";
    for (Region region : kRegions) {
      std::snprintf(text, sizeof text, " %s %.3f", regionName(region),
                    entry["dice"][regionName(region)].get<double>());
      line += text;
    }
    line += ")";
  }
  return line + " -> " + entry["mask"].get<std::string>();
}

// The cases named by --case, in the order given; an unknown name is an InputError.
std::vector<CaseFiles> selectCases(const Dataset& dataset, const std::vector<std::string>& ids) {
  std::vector<CaseFiles> chosen;
  for (const std::string& id : ids) {
    const auto found = std::find_if(dataset.cases.begin(), dataset.cases.end(),
                                    [&](const CaseFiles& files) { return files.id == id; });
    if (found == dataset.cases.end())
      throw InputError(dataset.root,
                       "no case '" + id + "' in this " + layoutName(dataset.layout) + " folder");
    chosen.push_back(*found);
  }
  return chosen;
}

void createOutputFolder(const std::string& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) throw InputError(folder, "cannot create the output folder: " + error.message());
  checkFolderWritable(folder);
}

// How the batch's ranks, or the job on a cluster, run it: JSON Lines progress, the model and
// the report where this process resolved them.
SegmentRequest workerRequest(const SegmentRequest& request, const std::string& modelPath,
                             const std::string& reportPath) {
  SegmentRequest worker = request;
  worker.model = modelPath;
  worker.report = reportPath;
  worker.progress = "json";
  worker.parallel.cluster.clear();
  return worker;
}

// The batch as a job on a cluster profile: only the selected cases' files (and the model, when
// one is given) are uploaded; the remote seqseg of the same version runs with the profile's
// ranks and launcher; the masks and report come back into -o.
int runBatchOnCluster(const SegmentRequest& options, const Dataset& dataset) {
  const ClusterProfile profile = findClusterProfile(options.parallel.cluster);
  RemoteJobRequest request;
  request.kind = "batch";
  request.localOutput = options.output;
  request.localReport = options.report;
  std::map<std::string, std::string> explicitFiles;  // flag -> remote path relative to the job
  std::string inputName;                             // -i's folder name, kept there
  if (options.caseAsFiles()) {
    for (const auto& [flag, path] : {std::pair{"--t1", options.t1},
                                     {"--t1ce", options.t1ce},
                                     {"--t2", options.t2},
                                     {"--flair", options.flair}}) {
      const fs::path file = fs::absolute(path).lexically_normal();
      const std::string folder = "in/" + std::string(flag).substr(2);
      request.uploads.push_back({file.parent_path().string(), {file.filename().string()}, folder});
      explicitFiles[flag] = folder + "/" + file.filename().string();
    }
  } else {
    // The input folder keeps its name there (a case folder given as -i is named by it).
    fs::path root = fs::absolute(dataset.root).lexically_normal();
    if (root.filename().empty()) root = root.parent_path();
    RemoteJobRequest::Upload cases{root.parent_path().string(), {}, "in"};
    auto add = [&](const std::string& path) {
      cases.paths.push_back(
          fs::absolute(path).lexically_normal().lexically_relative(root.parent_path()).string());
    };
    for (const CaseFiles& files : dataset.cases) {
      for (const std::string& image : files.images) add(image);
      if (!files.reference.empty()) add(files.reference);
    }
    if (fs::exists(root / "dataset.json")) add((root / "dataset.json").string());
    request.uploads.push_back(cases);
    inputName = root.filename().string();
    request.pathsShownAs.emplace_back("in/" + inputName, root.string());
  }
  std::string modelName;
  if (!options.model.empty()) {
    const fs::path model = fs::absolute(options.model);
    modelName = model.filename().string();
    request.uploads.push_back({model.parent_path().string(), {modelName}, "model"});
  }
  request.arguments = [options, explicitFiles, inputName, modelName,
                       profile](const std::string& job) {
    SegmentRequest remote = workerRequest(
        options, modelName.empty() ? "" : job + "/model/" + modelName, job + "/out/report.json");
    remote.output = job + "/out";
    if (explicitFiles.empty()) {
      remote.input = job + "/in/" + inputName;
    } else {
      remote.t1 = job + "/" + explicitFiles.at("--t1");
      remote.t1ce = job + "/" + explicitFiles.at("--t1ce");
      remote.t2 = job + "/" + explicitFiles.at("--t2");
      remote.flair = job + "/" + explicitFiles.at("--flair");
    }
    remote.parallel.ranks = profile.scheduler.ranks();
    remote.parallel.launcher = remoteLauncher(profile);
    return segmentArguments(remote);
  };
  auto progress = makeProgressSink(options.progress);
  return runRemoteJob(profile, request, *progress);
}

}  // namespace

int runBatch(const SegmentRequest& options, bool worker) {
  checkDevice(options.parallel);
  const bool caseAsFiles = options.caseAsFiles();
  if (caseAsFiles && !options.input.empty())
    throw std::invalid_argument("--batch takes either -i IN_DIR or --t1 --t1ce --t2 --flair");
  if (caseAsFiles &&
      (options.t1.empty() || options.t1ce.empty() || options.t2.empty() || options.flair.empty()))
    throw std::invalid_argument("a case given as files needs all four: --t1 --t1ce --t2 --flair");
  if ((options.input.empty() && !caseAsFiles) || options.output.empty())
    throw std::invalid_argument(
        "--batch needs -i IN_DIR (or --t1 --t1ce --t2 --flair) and -o OUT_DIR");
  if (options.labels != "native" && options.labels != "internal")
    throw std::invalid_argument("--labels must be native or internal");
  const Hd95Definition hd95 = parseHd95Definition(options.hd95);
  Dataset dataset;
  if (caseAsFiles) {
    dataset.layout = Layout::Explicit;
    dataset.root = fs::path(options.t1).parent_path().string();
    dataset.cases.push_back(explicitCase(options.t1, options.t1ce, options.t2, options.flair));
  } else {
    dataset = findCases(options.input);
    if (!options.caseIds.empty()) dataset.cases = selectCases(dataset, options.caseIds);
  }
  if (options.dicomSeg) checkDicomSegCases(dataset);
  if (!options.parallel.cluster.empty()) {
    if (worker) throw std::invalid_argument("a rank cannot start a remote job");
    return runBatchOnCluster(options, dataset);
  }
  const std::string modelPath = options.model.empty() ? bundledModelPath() : options.model;
  if (options.model.empty() && !fs::exists(modelPath))
    throw InputError(modelPath, "no bundled model in this installation; give one with --model");
  const std::string reportPath =
      options.report.empty() ? (fs::path(options.output) / "report.json").string() : options.report;

  if (!worker && options.parallel.ranks > 1 && !startedAsRank()) {
    // Refuse here what every rank would refuse, then start the ranks.
    checkParallelRequest(options.parallel, readCheckpointInfo(modelPath).config);
    createOutputFolder(options.output);
    auto progress = makeProgressSink(options.progress);
    return runRanks(options.parallel,
                    segmentArguments(workerRequest(options, modelPath, reportPath)), *progress,
                    {options.output, fs::path(reportPath).parent_path().string()});
  }

  const JobRank job = joinJob(options.parallel);
  const bool writer = job.group->rank() == 0;
  std::unique_ptr<ProgressSink> progress =
      writer ? makeProgressSink(options.progress) : std::make_unique<NullSink>();
  if (writer) createOutputFolder(options.output);  // refused before any work
  configureThreads(options.threads, job.localRanks);

  // Each case is read while the one before it is segmented, the first while the model loads.
  const int total = static_cast<int>(dataset.cases.size());
  auto outPathOf = [&](int index) {
    return (fs::path(options.output) / (dataset.cases[index].id + ".nii.gz")).string();
  };
  auto skipped = [&](int index) { return options.skipExisting && fs::exists(outPathOf(index)); };
  std::map<int, CaseInput> readingAhead;
  auto readAheadFrom = [&](int first) {
    for (int index = first; index < total; ++index)
      if (!skipped(index)) {
        readingAhead.emplace(index, readAhead(dataset.cases[index], dataset.layout));
        return;
      }
  };
  readAheadFrom(0);

  Segmenter segmenter(modelPath, {options.overlap, kWindowBatch}, job.execution);
  const bool testTimeFlips = options.testTimeFlips || options.uncertainty;
  segmenter.setTestTimeFlips(testTimeFlips);
  segmenter.setPostprocessing(!options.noPostprocess);

  nlohmann::json report{
      {"input", dataset.root},
      {"layout", layoutName(dataset.layout)},
      {"model", modelPath},
      {"labels", options.labels},
      {"tta", testTimeFlips},
      {"postprocess", options.noPostprocess ? std::string("off")
                                            : describePostprocessing(segmenter.postprocessing())},
      {"hd95", hd95DefinitionName(hd95)},
      {"cases", nlohmann::json::array()}};
  if (options.saveProbabilities) report["probability_channels"] = {"background", "NCR", "ED", "ET"};
  progress->emit({{"event", "start"},
                  {"job", "batch"},
                  {"total", total},
                  {"layout", layoutName(dataset.layout)}});
  const auto started = std::chrono::steady_clock::now();
  int failed = 0;
  for (int index = 0; index < total; ++index) {
    const CaseFiles& files = dataset.cases[index];
    const std::string outPath = outPathOf(index);
    nlohmann::json entry;
    if (skipped(index)) {
      entry = {{"case", files.id}, {"status", "skipped"}, {"mask", outPath}};
    } else {
      if (readingAhead.count(index) == 0)
        readingAhead.emplace(index, readAhead(files, dataset.layout));
      CaseInput input = std::move(readingAhead.at(index));
      readingAhead.clear();  // anything read ahead before this case is not needed any more
      input.image.wait();    // one case's images at a time: GDCM keeps global state
      readAheadFrom(index + 1);
      try {
        entry = segmentCase(files, input, outPath, dataset.layout, options.labels == "internal",
                            hd95, options.saveProbabilities, options.uncertainty,
                            options.dicomSeg ? modelPath : std::string(), writer, segmenter,
                            *progress, index, total);
        progress->emit({{"event", "result"},
                        {"case", files.id},
                        {"mask", outPath},
                        {"volume_ml", entry["volume_ml"]},
                        {"message", summaryLine(entry)}});
      } catch (const CollectiveError& rankError) {
        // A rank is gone: the job cannot go on with the next case.
        nlohmann::json event{{"event", "error"}, {"case", files.id}, {"message", rankError.what()}};
        if (!rankError.deadRanks().empty()) event["rank"] = rankError.deadRanks().front();
        progress->emit(event);
        progress->emit(doneEvent(JobState::Failed));
        throw;
      } catch (const std::exception& caseError) {
        ++failed;
        entry = {{"case", files.id}, {"status", "failed"}, {"error", caseError.what()}};
        progress->emit({{"event", "error"},
                        {"case", files.id},
                        {"message", files.id + ": " + caseError.what()}});
      }
    }
    report["cases"].push_back(entry);
    progress->emit({{"event", "progress"},
                    {"label", "batch"},
                    {"done", index + 1},
                    {"total", total},
                    {"case", files.id},
                    {"detail", files.id},
                    {"eta_s", estimateSecondsLeft(started, index + 1, total)}});
  }
  report["failed"] = failed;
  if (writer) {
    writeFileAtomically(reportPath, report.dump(2) + "\n");
    if (options.reportCsv) writeFileAtomically(reportCsvPath(reportPath), reportCsv(report));
  }
  progress->emit(doneEvent(failed ? JobState::Failed : JobState::Done,
                           {{"failed", failed}, {"report", reportPath}}));
  return failed ? 1 : 0;
}

}  // namespace seqseg
