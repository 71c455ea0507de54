#include "crosscheck/streams/offset_tracker.h"

#include <algorithm>

namespace crosscheck::streams {

void OffsetTracker::add(const TopicPartition& tp, std::int64_t offset, int pending_outputs) {
  PartitionState& st = parts_[tp];
  const bool rewind = (!st.entries.empty() && offset <= st.entries.back().offset) ||
                      (st.entries.empty() && st.next_commit >= 0 && offset < st.next_commit);
  if (rewind) {
    // The consumer went back (seek, offset reset): records from `offset` on will be processed
    // again, so their old bookkeeping is void. What was complete below `offset` stays complete.
    for (const Entry& e : st.entries) {
      if (e.pending > 0) --in_flight_;
    }
    st.entries.clear();
    if (st.next_commit >= 0) st.next_commit = std::min(st.next_commit, offset);
  }
  const int pending = std::max(pending_outputs, 0);
  st.entries.push_back(Entry{offset, pending});
  if (pending > 0) {
    ++in_flight_;
  } else {
    advance(st);
  }
}

bool OffsetTracker::ack(const TopicPartition& tp, std::int64_t offset) {
  auto it = parts_.find(tp);
  if (it == parts_.end()) return false;
  PartitionState& st = it->second;
  auto e = std::lower_bound(st.entries.begin(), st.entries.end(), offset,
                            [](const Entry& x, std::int64_t o) { return x.offset < o; });
  if (e == st.entries.end() || e->offset != offset || e->pending == 0) return false;
  if (--e->pending > 0) return false;
  --in_flight_;
  advance(st);
  return true;
}

void OffsetTracker::advance(PartitionState& st) {
  while (!st.entries.empty() && st.entries.front().pending == 0) {
    st.next_commit = st.entries.front().offset + 1;
    st.entries.pop_front();
  }
}

std::map<TopicPartition, std::int64_t> OffsetTracker::committable() const {
  std::map<TopicPartition, std::int64_t> out;
  for (const auto& [tp, st] : parts_) {
    // Only forward: after a rewind, re-committing a lower offset would just cause more duplicates.
    if (st.next_commit >= 0 && st.next_commit > st.last_committed) out.emplace(tp, st.next_commit);
  }
  return out;
}

void OffsetTracker::mark_committed(const std::map<TopicPartition, std::int64_t>& offsets) {
  for (const auto& [tp, off] : offsets) {
    auto it = parts_.find(tp);
    if (it == parts_.end()) continue;  // forgotten meanwhile
    it->second.last_committed = std::max(it->second.last_committed, off);
  }
}

void OffsetTracker::forget(const TopicPartition& tp) {
  auto it = parts_.find(tp);
  if (it == parts_.end()) return;
  for (const Entry& e : it->second.entries) {
    if (e.pending > 0) --in_flight_;
  }
  parts_.erase(it);
}

void OffsetTracker::clear() {
  parts_.clear();
  in_flight_ = 0;
}

}  // namespace crosscheck::streams
