#include "ui/session_model.h"

#include <algorithm>
#include <stdexcept>

#include "io/label_mapping.h"
#include "types/regions.h"

namespace seqseg {

void SessionModel::addListener(SessionListener* listener) {
  listeners_.push_back(listener);
}

void SessionModel::removeListener(SessionListener* listener) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

template <typename Call>
void SessionModel::notify(Call call) {
  // A copy: a listener may remove itself while being told.
  const std::vector<SessionListener*> listeners = listeners_;
  for (SessionListener* listener : listeners) call(*listener);
}

void SessionModel::setDirty(bool dirty) {
  if (dirty_ == dirty) return;
  dirty_ = dirty;
  notify([dirty](SessionListener& listener) { listener.dirtyChanged(dirty); });
}

void SessionModel::setCase(std::shared_ptr<const Volume> volume, CaseFiles files,
                           std::string source) {
  if (!volume) throw std::invalid_argument("setCase needs a volume");
  volume_ = std::move(volume);
  files_ = std::move(files);
  source_ = std::move(source);
  notify([](SessionListener& listener) { listener.caseChanged(); });
  clearSegmentation();
}

void SessionModel::clearCase() {
  volume_.reset();
  files_ = CaseFiles{};
  source_.clear();
  notify([](SessionListener& listener) { listener.caseChanged(); });
  clearSegmentation();
}

void SessionModel::setSegmentation(std::shared_ptr<const LabelVolume> internal, bool unsaved) {
  if (!volume_) throw std::invalid_argument("no case is open");
  if (!internal) throw std::invalid_argument("setSegmentation needs labels");
  const std::array<int64_t, 3> grid{volume_->shape[1], volume_->shape[2], volume_->shape[3]};
  if (internal->shape != grid || internal->labels.size() != static_cast<size_t>(internal->size()))
    throw std::invalid_argument("the segmentation's grid is not the case's");
  const auto histogram = labelHistogram(*internal);
  for (size_t label = kClassCount; label < histogram.size(); ++label)
    if (histogram[label] > 0)
      throw std::invalid_argument("the segmentation holds label " + std::to_string(label) +
                                  ", not an internal class 0..3");
  // The case's geometry: what the volumes and the saved file are measured in.
  const Geometry& geometry = volume_->geometry;
  SegmentationVolumes volumes;
  for (int label = 0; label < kClassCount; ++label)
    volumes.perLabel[label] = static_cast<double>(histogram[label]) * voxelVolumeMl(geometry);
  for (size_t r = 0; r < kRegions.size(); ++r)
    volumes.perRegion[r] = regionVolumeMl(histogram, geometry, kRegions[r]);
  segmentation_ = std::move(internal);
  volumes_ = volumes;
  notify([](SessionListener& listener) { listener.segmentationChanged(); });
  setDirty(unsaved);
}

void SessionModel::clearSegmentation() {
  const bool had = segmentation_ != nullptr;
  segmentation_.reset();
  volumes_ = SegmentationVolumes{};
  if (had) notify([](SessionListener& listener) { listener.segmentationChanged(); });
  setDirty(false);
}

LabelVolume SessionModel::segmentationForSaving() const {
  if (!segmentation_ || !volume_) throw std::logic_error("there is no segmentation to save");
  LabelVolume native = toNativeLabels(*segmentation_, files_.layout);
  native.geometry = volume_->geometry;
  return native;
}

void SessionModel::markSaved() {
  setDirty(false);
}

void SessionModel::startJob(const std::string& message) {
  if (jobActive()) throw std::logic_error("a job is already running");
  job_ = JobStatus{};
  job_.state = JobState::Running;
  job_.message = message;
  job_.caseId = files_.id;
  notify([](SessionListener& listener) { listener.jobChanged(); });
}

void SessionModel::applyJobLine(const std::string& line) {
  if (!jobActive()) return;
  if (applyJobEventLine(line, job_))
    notify([](SessionListener& listener) { listener.jobChanged(); });
}

void SessionModel::requestCancel() {
  if (job_.state != JobState::Running) return;
  job_.state = JobState::Cancelling;
  job_.message = "Cancelling…";
  notify([](SessionListener& listener) { listener.jobChanged(); });
}

void SessionModel::finishJob(int exitCode, bool crashed, const std::string& lastErrorLine) {
  if (!jobActive()) return;
  if (job_.state == JobState::Cancelling) {
    job_ = JobStatus{};  // back to idle: nothing of the job remains
  } else if (!crashed && exitCode == 0 && job_.doneEventSeen && job_.doneStatus == JobState::Done &&
             job_.errorMessage.empty()) {
    job_.state = JobState::Done;
    job_.fraction = 1.0;
  } else {
    job_.state = JobState::Failed;
    if (!job_.errorMessage.empty())
      job_.message = job_.errorMessage;
    else if (!lastErrorLine.empty())
      job_.message = lastErrorLine;
    else if (crashed)
      job_.message = "the segmentation process stopped unexpectedly";
    else
      job_.message = "the segmentation process ended with exit code " + std::to_string(exitCode);
  }
  notify([](SessionListener& listener) { listener.jobChanged(); });
}

void SessionModel::failJob(const std::string& message) {
  job_.state = JobState::Failed;
  job_.message = message;
  notify([](SessionListener& listener) { listener.jobChanged(); });
}

}  // namespace seqseg
