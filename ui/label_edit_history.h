#pragma once
// Undo and redo of label edits. Each step keeps only the voxels it changed (their linear
// indices, values before and after), so a brush stroke costs a few kB however large the case.
// At most `maxSteps` steps and `maxBytes` bytes are kept: the oldest go first (the newest step
// is always kept). Qt-free.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace seqseg {

struct LabelChange {
  std::vector<int64_t> voxels;  // ascending linear indices
  std::vector<uint8_t> before;
  std::vector<uint8_t> after;
  bool empty() const { return voxels.empty(); }
  std::size_t bytes() const { return voxels.size() * (sizeof(int64_t) + 2); }
};

class LabelEditHistory {
 public:
  static constexpr std::size_t kDefaultMaxSteps = 200;
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{512} << 20;
  explicit LabelEditHistory(std::size_t maxSteps = kDefaultMaxSteps,
                            std::size_t maxBytes = kDefaultMaxBytes);

  // A finished step; drops what could be redone. An empty change is not a step.
  void record(LabelChange change);
  bool canUndo() const { return done_ > 0; }
  bool canRedo() const { return done_ < steps_.size(); }
  // The step to revert (write its `before`) / to apply again (write its `after`); nullptr when
  // there is none. Moves the position in the history.
  const LabelChange* undo();
  const LabelChange* redo();
  void clear();
  std::size_t steps() const { return steps_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t maxSteps_, maxBytes_;
  std::deque<LabelChange> steps_;
  std::size_t done_ = 0;  // steps_[0, done_) are applied
  std::size_t bytes_ = 0;
};

}  // namespace seqseg
