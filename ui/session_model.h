#pragma once
// The desktop application's state without any widget: the open case, its current
// segmentation with the volumes of its labels and regions, whether that segmentation is
// saved, and the segmentation job. Listeners hear of every change. Qt-free, so that it is
// tested without a display; not thread-safe (the UI thread owns it).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/dataset_layout.h"
#include "types/volume.h"
#include "ui/job_status.h"
#include "ui/label_edit_history.h"

namespace seqseg {

// Volumes in mL: per internal class (0 background .. 3 ET) and per region (WT, TC, ET), as
// `seqseg --batch` reports them (types/regions.h).
struct SegmentationVolumes {
  std::array<double, 4> perLabel{};
  std::array<double, 3> perRegion{};  // in kRegions order: WT, TC, ET
};

// What made the session's segmentation, for the provenance of a kept correction: "model" (path:
// the checkpoint), "file" (path: the label map opened) or "none" (painted from nothing).
struct SegmentationOrigin {
  std::string kind = "none";
  std::string path;
};

class SessionListener {
 public:
  virtual ~SessionListener() = default;
  virtual void caseChanged() {}
  virtual void segmentationChanged() {}
  // After segmentationChanged for a new segmentation or none (with its probabilities or
  // none), and when an edit drops them.
  virtual void probabilitiesChanged() {}
  virtual void dirtyChanged(bool /*dirty*/) {}
  // The label editor wrote `voxels` (linear indices) of the segmentation: during a stroke after
  // every stamp, and for a whole undo, redo or filled region.
  virtual void labelsEdited(const std::vector<int64_t>& /*voxels*/) {}
  // A stroke ended, or an undo, a redo or a whole-region edit is done: what waits for the end
  // of an edit (the 3D surfaces, the measurements) may follow now.
  virtual void editFinished() {}
  virtual void jobChanged() {}
};

class SessionModel {
 public:
  // Listeners must outlive the model or be removed first.
  void addListener(SessionListener* listener);
  void removeListener(SessionListener* listener);

  // The case: its channels, its files (and layout: how its label maps are numbered) and the
  // folder it was opened from. Replaces the segmentation (none) and clears the dirty flag.
  void setCase(std::shared_ptr<const Volume> volume, CaseFiles files, std::string source);
  void clearCase();
  bool hasCase() const { return volume_ != nullptr; }
  std::shared_ptr<const Volume> volume() const { return volume_; }
  const CaseFiles& caseFiles() const { return files_; }
  Layout layout() const { return files_.layout; }
  const std::string& caseSource() const { return source_; }

  // The segmentation in internal classes (0..3) on the case's grid; throws
  // std::invalid_argument for another grid, a value above 3 or no case. `unsaved`: it
  // exists only in memory (a new result), so the dirty flag is set; a segmentation read from
  // a file is not dirty. It is also kept as it came (startingSegmentation), with its origin.
  // `probabilities`: the model's probability maps of it (ui/probability_maps.h, the case's
  // grid), if it gave them; throws std::invalid_argument for another grid.
  void setSegmentation(std::shared_ptr<const LabelVolume> internal, bool unsaved,
                       SegmentationOrigin origin = {},
                       std::shared_ptr<const Volume> probabilities = nullptr);
  void clearSegmentation();
  std::shared_ptr<const LabelVolume> segmentation() const { return segmentation_; }
  const SegmentationVolumes& volumes() const { return volumes_; }
  // The segmentation as it was set, before any edit (null: the editing started from none).
  std::shared_ptr<const LabelVolume> startingSegmentation() const { return starting_; }
  const SegmentationOrigin& segmentationOrigin() const { return origin_; }
  // The probability maps of the segmentation (WT, TC, ET, uncertainty); null when it came
  // without (opened from a file, painted) and once it is edited: they describe the model's
  // result, not the edited one. probabilitiesDroppedByEdit() says that an edit dropped them.
  std::shared_ptr<const Volume> probabilities() const { return probabilities_; }
  bool probabilitiesDroppedByEdit() const { return probabilitiesDropped_; }

  // The segmentation as it is saved: the layout's native labels, the case's exact geometry.
  // Throws std::logic_error without a segmentation.
  LabelVolume segmentationForSaving() const;
  bool isDirty() const { return dirty_; }
  void markSaved();

  // Editing the segmentation in place. A stroke gathers the voxels its stamps write into one
  // undo step; undo and redo restore them exactly. Edits set the dirty flag; a new
  // segmentation (or none) empties the history. Without a segmentation, an edit starts from an
  // empty one on the case's grid. Values above 3 throw std::invalid_argument.
  void beginStroke();
  // Writes `label` into `voxels` (linear indices, LabelVolume order) within a stroke (one is
  // begun when none is); returns how many voxels changed.
  int64_t paint(const std::vector<int64_t>& voxels, uint8_t label);
  void endStroke();
  bool strokeActive() const { return strokeActive_; }
  // One whole step: `values[n]` into `voxels[n]` (a fill, a grown region, an interpolation).
  int64_t applyEdit(const std::vector<int64_t>& voxels, const std::vector<uint8_t>& values);
  bool canUndo() const { return history_.canUndo(); }
  bool canRedo() const { return history_.canRedo(); }
  bool undo();
  bool redo();
  const LabelEditHistory& editHistory() const { return history_; }

  // The job, for the open case (its result event is the one naming the case's id): start()
  // from any state but Running/Cancelling; then protocol lines, a cancel
  // request, and the end of the process. A job that ends is Done only with a done event of
  // status ok and exit code 0; a cancelled job returns to Idle.
  const JobStatus& job() const { return job_; }
  bool jobActive() const {
    return job_.state == JobState::Running || job_.state == JobState::Cancelling;
  }
  void startJob(const std::string& message);
  void applyJobLine(const std::string& line);
  void requestCancel();
  // `lastErrorLine`: the worker's last stderr line, the message when no error event came.
  void finishJob(int exitCode, bool crashed, const std::string& lastErrorLine);
  // For failures that happen outside the worker (reading its mask).
  void failJob(const std::string& message);

 private:
  template <typename Call>
  void notify(Call call);
  void setDirty(bool dirty);
  LabelVolume& editableSegmentation();
  void writeVoxels(const std::vector<int64_t>& voxels, const std::vector<uint8_t>& values);
  // An undone or redone step written back: one edit that ends at once. True.
  bool replay(const std::vector<int64_t>& voxels, const std::vector<uint8_t>& values);
  void updateVolumes();
  void resetEditing();
  // The first edit of a segmentation with probabilities.
  void dropProbabilities();

  std::vector<SessionListener*> listeners_;
  std::shared_ptr<const Volume> volume_;
  CaseFiles files_;
  std::string source_;
  std::shared_ptr<const LabelVolume> segmentation_;
  std::shared_ptr<const LabelVolume> starting_;
  SegmentationOrigin origin_;
  std::shared_ptr<const Volume> probabilities_;
  bool probabilitiesDropped_ = false;
  // Made here (not handed in): edits may write it when no one else holds it.
  bool segmentationOwned_ = false;
  std::array<int64_t, 256> histogram_{};
  SegmentationVolumes volumes_;
  LabelEditHistory history_;
  bool strokeActive_ = false;
  std::unordered_map<int64_t, uint8_t> strokeBefore_;  // each voxel's value before the stroke
  bool dirty_ = false;
  JobStatus job_;
};

}  // namespace seqseg
