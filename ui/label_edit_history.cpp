#include "ui/label_edit_history.h"

namespace seqseg {

LabelEditHistory::LabelEditHistory(std::size_t maxSteps, std::size_t maxBytes)
    : maxSteps_(maxSteps < 1 ? 1 : maxSteps), maxBytes_(maxBytes) {}

void LabelEditHistory::record(LabelChange change) {
  if (change.empty()) return;
  while (steps_.size() > done_) {
    bytes_ -= steps_.back().bytes();
    steps_.pop_back();
  }
  bytes_ += change.bytes();
  steps_.push_back(std::move(change));
  ++done_;
  while (steps_.size() > 1 && (steps_.size() > maxSteps_ || bytes_ > maxBytes_)) {
    bytes_ -= steps_.front().bytes();
    steps_.pop_front();
    --done_;
  }
}

const LabelChange* LabelEditHistory::undo() {
  if (!canUndo()) return nullptr;
  return &steps_[--done_];
}

const LabelChange* LabelEditHistory::redo() {
  if (!canRedo()) return nullptr;
  return &steps_[done_++];
}

void LabelEditHistory::clear() {
  steps_.clear();
  done_ = 0;
  bytes_ = 0;
}

}  // namespace seqseg
