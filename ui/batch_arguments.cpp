#include "ui/batch_arguments.h"

#include <filesystem>

#include "jobs/job_arguments.h"

namespace seqseg {
namespace {

// The model and how it runs, as the Segment panel has them.
void useSettings(const SegmentSettings& settings, SegmentRequest& request) {
  request.model = settings.model;
  request.parallel.ranks = settings.ranks;
  request.parallel.device = settings.device;
  request.parallel.split = settings.split;
  request.parallel.attention = settings.attention;
  request.parallel.decoder = settings.decoder;
}

}  // namespace

std::vector<std::string> batchArguments(const CaseFiles& files, const std::string& datasetRoot,
                                        const SegmentSettings& settings,
                                        const std::string& outputFolder) {
  SegmentRequest request;
  request.progress = "json";
  request.labels = "internal";
  switch (files.layout) {
    case Layout::Brats2021:
    case Layout::Brats2023:
      // The case folder alone, not the dataset around it: only this case is segmented.
      request.input = std::filesystem::path(files.images.front()).parent_path().string();
      break;
    case Layout::Msd:
      // One 4D file per case in a shared folder: the dataset, narrowed to this case.
      request.input = datasetRoot;
      request.caseIds = {files.id};
      break;
    case Layout::NnUnet:
    case Layout::Explicit:
      request.t1 = files.images.at(0);
      request.t1ce = files.images.at(1);
      request.t2 = files.images.at(2);
      request.flair = files.images.at(3);
      break;
  }
  request.output = outputFolder;
  // The probability maps the Probabilities panel shows.
  request.saveProbabilities = true;
  useSettings(settings, request);
  request.parallel.cluster = settings.cluster;
  return segmentArguments(request);
}

std::vector<std::string> reviewArguments(const std::string& folder, const SegmentSettings& settings,
                                         const std::string& outputFolder) {
  SegmentRequest request;
  request.progress = "json";
  request.input = folder;
  request.output = outputFolder;
  request.uncertainty = true;
  useSettings(settings, request);
  return segmentArguments(request);
}

}  // namespace seqseg
