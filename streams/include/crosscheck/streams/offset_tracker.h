// At-least-once bookkeeping: which consumed offsets may be committed.
//
// A consumed record is *complete* when every record produced from it has been acknowledged by
// Kafka (a record that produced nothing is complete at once). The committable offset of a
// partition is one past the longest run of complete records from the oldest tracked one, so a
// commit never covers a record whose outputs might still be lost.
// Thread-safety: none; the pipeline drives it from its one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace crosscheck::streams {

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

class OffsetTracker {
 public:
  // Registers a consumed record with `pending_outputs` records still to be acknowledged. Offsets
  // of one partition must be added in increasing order (Kafka delivers them so); a repeat or an
  // older offset after a rewind restarts that partition's tracking from it.
  void add(const TopicPartition& tp, std::int64_t offset, int pending_outputs);
  // One output of (tp, offset) was acknowledged. Returns true when the record is now complete.
  // Unknown (tp, offset) pairs are ignored and return false: they belong to a revoked partition.
  bool ack(const TopicPartition& tp, std::int64_t offset);

  // Offsets to commit (next offset to read) for partitions that advanced since the last call to
  // mark_committed(). Empty when nothing new is committable.
  std::map<TopicPartition, std::int64_t> committable() const;
  void mark_committed(const std::map<TopicPartition, std::int64_t>& offsets);

  // Forget a partition (revoked). Its unacknowledged records will be redelivered to whoever gets it.
  void forget(const TopicPartition& tp);
  void clear();

  // Records that still wait for acknowledgements, over all partitions.
  std::size_t in_flight() const { return in_flight_; }
  std::size_t tracked_partitions() const { return parts_.size(); }

 private:
  struct Entry {
    std::int64_t offset;
    int pending;
  };
  struct PartitionState {
    std::deque<Entry> entries;  // increasing offsets, front = oldest not yet committable
    std::int64_t next_commit = -1;       // committable offset (one past the complete prefix)
    std::int64_t last_committed = -1;
  };
  void advance(PartitionState& st);
  std::map<TopicPartition, PartitionState> parts_;
  std::size_t in_flight_ = 0;
};

}  // namespace crosscheck::streams
