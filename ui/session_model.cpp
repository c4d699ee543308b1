#include "ui/session_model.h"

#include <algorithm>
#include <stdexcept>

#include "io/label_mapping.h"
#include "types/regions.h"
#include "ui/probability_maps.h"

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

void SessionModel::setSegmentation(std::shared_ptr<const LabelVolume> internal, bool unsaved,
                                   SegmentationOrigin origin,
                                   std::shared_ptr<const Volume> probabilities) {
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
  if (probabilities &&
      (probabilities->shape[0] != kProbabilityMapCount ||
       std::array<int64_t, 3>{probabilities->shape[1], probabilities->shape[2],
                              probabilities->shape[3]} != grid ||
       probabilities->voxels.size() !=
           static_cast<size_t>(probabilities->shape[0] * probabilities->voxelsPerChannel())))
    throw std::invalid_argument("the probabilities are not maps on the case's grid");
  resetEditing();
  segmentation_ = std::move(internal);
  starting_ = segmentation_;  // shared: the first edit copies (editableSegmentation)
  origin_ = std::move(origin);
  segmentationOwned_ = false;
  histogram_ = histogram;
  updateVolumes();
  // Set before the listeners hear of the segmentation: they may ask for both.
  probabilities_ = std::move(probabilities);
  probabilitiesDropped_ = false;
  notify([](SessionListener& listener) { listener.segmentationChanged(); });
  // Also when there were none before and are none now: a segmentation from a file has none.
  notify([](SessionListener& listener) { listener.probabilitiesChanged(); });
  setDirty(unsaved);
}

void SessionModel::dropProbabilities() {
  probabilities_.reset();
  probabilitiesDropped_ = true;
  notify([](SessionListener& listener) { listener.probabilitiesChanged(); });
}

void SessionModel::updateVolumes() {
  // The case's geometry: what the volumes and the saved file are measured in.
  const Geometry& geometry = volume_->geometry;
  for (int label = 0; label < kClassCount; ++label)
    volumes_.perLabel[label] = static_cast<double>(histogram_[label]) * voxelVolumeMl(geometry);
  for (size_t r = 0; r < kRegions.size(); ++r)
    volumes_.perRegion[r] = regionVolumeMl(histogram_, geometry, kRegions[r]);
}

void SessionModel::clearSegmentation() {
  const bool had = segmentation_ != nullptr;
  resetEditing();
  segmentation_.reset();
  starting_.reset();
  origin_ = SegmentationOrigin{};
  segmentationOwned_ = false;
  histogram_ = {};
  volumes_ = SegmentationVolumes{};
  probabilities_.reset();
  probabilitiesDropped_ = false;
  if (had) {
    notify([](SessionListener& listener) { listener.segmentationChanged(); });
    notify([](SessionListener& listener) { listener.probabilitiesChanged(); });
  }
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

void SessionModel::resetEditing() {
  history_.clear();
  strokeActive_ = false;
  strokeBefore_.clear();
}

LabelVolume& SessionModel::editableSegmentation() {
  if (!volume_) throw std::logic_error("no case is open");
  if (!segmentation_) {
    auto empty = std::make_shared<LabelVolume>();
    empty->shape = {volume_->shape[1], volume_->shape[2], volume_->shape[3]};
    empty->labels.assign(static_cast<size_t>(empty->size()), 0);
    empty->geometry = volume_->geometry;
    segmentation_ = std::move(empty);
    segmentationOwned_ = true;
    histogram_ = {};
    histogram_[0] = segmentation_->size();
  } else if (!segmentationOwned_ || segmentation_.use_count() > 1) {
    // Copy on write: whoever holds the old one (a measurement on another thread) keeps it.
    segmentation_ = std::make_shared<LabelVolume>(*segmentation_);
    segmentationOwned_ = true;
  }
  // Made non-const by make_shared above and held by no one else.
  return const_cast<LabelVolume&>(*segmentation_);
}

void SessionModel::writeVoxels(const std::vector<int64_t>& voxels,
                               const std::vector<uint8_t>& values) {
  std::vector<uint8_t>& labels = editableSegmentation().labels;
  for (size_t n = 0; n < voxels.size(); ++n) {
    uint8_t& voxel = labels[static_cast<size_t>(voxels[n])];
    --histogram_[voxel];
    ++histogram_[values[n]];
    voxel = values[n];
  }
  updateVolumes();
  notify([&voxels](SessionListener& listener) { listener.labelsEdited(voxels); });
  if (probabilities_) dropProbabilities();
  setDirty(true);
}

void SessionModel::beginStroke() {
  if (!volume_) throw std::logic_error("no case is open");
  strokeActive_ = true;
  strokeBefore_.clear();
}

int64_t SessionModel::paint(const std::vector<int64_t>& voxels, uint8_t label) {
  if (label >= kClassCount)
    throw std::invalid_argument("label " + std::to_string(label) + " is not a class 0..3");
  if (!strokeActive_) beginStroke();
  const std::vector<uint8_t>& labels = editableSegmentation().labels;
  const int64_t size = static_cast<int64_t>(labels.size());
  std::vector<int64_t> changed;
  for (int64_t voxel : voxels) {
    if (voxel < 0 || voxel >= size) throw std::invalid_argument("a voxel outside the grid");
    const uint8_t before = labels[static_cast<size_t>(voxel)];
    if (before == label) continue;
    strokeBefore_.emplace(voxel, before);  // keeps the first: the value before the stroke
    changed.push_back(voxel);
  }
  if (!changed.empty()) writeVoxels(changed, std::vector<uint8_t>(changed.size(), label));
  return static_cast<int64_t>(changed.size());
}

void SessionModel::endStroke() {
  if (!strokeActive_) return;
  strokeActive_ = false;
  std::vector<int64_t> touched;
  touched.reserve(strokeBefore_.size());
  for (const auto& entry : strokeBefore_) touched.push_back(entry.first);
  std::sort(touched.begin(), touched.end());
  const std::vector<uint8_t>& labels = segmentation_->labels;
  LabelChange change;  // voxels painted over and back again are no change
  for (int64_t voxel : touched) {
    const uint8_t before = strokeBefore_.at(voxel), after = labels[static_cast<size_t>(voxel)];
    if (before == after) continue;
    change.voxels.push_back(voxel);
    change.before.push_back(before);
    change.after.push_back(after);
  }
  strokeBefore_.clear();
  history_.record(std::move(change));
  notify([](SessionListener& listener) { listener.editFinished(); });
}

int64_t SessionModel::applyEdit(const std::vector<int64_t>& voxels,
                                const std::vector<uint8_t>& values) {
  if (voxels.size() != values.size())
    throw std::invalid_argument("an edit needs one value per voxel");
  for (uint8_t value : values)
    if (value >= kClassCount)
      throw std::invalid_argument("label " + std::to_string(value) + " is not a class 0..3");
  endStroke();
  beginStroke();
  int64_t changed = 0;
  // Grouped by value: paint() writes one label at a time.
  for (uint8_t label = 0; label < kClassCount; ++label) {
    std::vector<int64_t> ofLabel;
    for (size_t n = 0; n < voxels.size(); ++n)
      if (values[n] == label) ofLabel.push_back(voxels[n]);
    if (!ofLabel.empty()) changed += paint(ofLabel, label);
  }
  endStroke();
  return changed;
}

bool SessionModel::undo() {
  endStroke();
  const LabelChange* step = history_.undo();
  return step && replay(step->voxels, step->before);
}

bool SessionModel::redo() {
  endStroke();
  const LabelChange* step = history_.redo();
  return step && replay(step->voxels, step->after);
}

bool SessionModel::replay(const std::vector<int64_t>& voxels, const std::vector<uint8_t>& values) {
  writeVoxels(voxels, values);
  notify([](SessionListener& listener) { listener.editFinished(); });
  return true;
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
