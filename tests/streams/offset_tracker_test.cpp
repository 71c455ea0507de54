#include "crosscheck/streams/offset_tracker.h"

#include <gtest/gtest.h>

namespace crosscheck::streams {
namespace {

const TopicPartition kA{"in", 0};
const TopicPartition kB{"in", 1};
const TopicPartition kOther{"other", 0};

using Offsets = std::map<TopicPartition, std::int64_t>;

TEST(OffsetTracker, EmptyHasNothingToCommit) {
  OffsetTracker t;
  EXPECT_TRUE(t.committable().empty());
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.tracked_partitions(), 0u);
}

TEST(OffsetTracker, ZeroOutputRecordsAreCompleteAtOnce) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  t.add(kA, 1, 0);
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
}

TEST(OffsetTracker, PendingRecordBlocksCommit) {
  OffsetTracker t;
  t.add(kA, 5, 1);
  EXPECT_TRUE(t.committable().empty());
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.ack(kA, 5));
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 6}}));
}

TEST(OffsetTracker, RecordCompletesOnlyWhenAllOutputsAcked) {
  OffsetTracker t;
  t.add(kA, 0, 3);
  EXPECT_FALSE(t.ack(kA, 0));
  EXPECT_FALSE(t.ack(kA, 0));
  EXPECT_TRUE(t.committable().empty());
  EXPECT_TRUE(t.ack(kA, 0));
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}}));
  EXPECT_FALSE(t.ack(kA, 0)) << "an extra ack of a complete record is ignored";
}

TEST(OffsetTracker, OutOfOrderAcksCommitOnlyTheContiguousPrefix) {
  OffsetTracker t;
  t.add(kA, 10, 1);
  t.add(kA, 11, 1);
  t.add(kA, 12, 1);
  t.add(kA, 13, 0);
  EXPECT_TRUE(t.ack(kA, 12));
  EXPECT_TRUE(t.ack(kA, 11));
  EXPECT_TRUE(t.committable().empty()) << "10 is still pending";
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.ack(kA, 10));
  EXPECT_EQ(t.committable(), (Offsets{{kA, 14}}));
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(OffsetTracker, PrefixAdvancesStepByStep) {
  OffsetTracker t;
  for (int i = 0; i < 5; ++i) t.add(kA, i, 1);
  t.ack(kA, 0);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}}));
  t.ack(kA, 2);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}}));
  t.ack(kA, 1);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 3}}));
  t.ack(kA, 4);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 3}}));
  t.ack(kA, 3);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 5}}));
}

TEST(OffsetTracker, GapsInOffsetsAreAllowed) {
  // Compacted topics and transaction markers leave holes; the commit is one past the last record.
  OffsetTracker t;
  t.add(kA, 3, 1);
  t.add(kA, 7, 0);
  t.add(kA, 20, 1);
  t.ack(kA, 3);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 8}}));
  t.ack(kA, 20);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 21}}));
}

TEST(OffsetTracker, MarkCommittedStopsReReporting) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  auto c = t.committable();
  ASSERT_EQ(c, (Offsets{{kA, 1}}));
  t.mark_committed(c);
  EXPECT_TRUE(t.committable().empty());
  t.add(kA, 1, 1);
  EXPECT_TRUE(t.committable().empty());
  t.ack(kA, 1);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
}

TEST(OffsetTracker, MarkCommittedOfAnOlderOffsetKeepsNewerProgressReported) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  auto c = t.committable();
  t.add(kA, 1, 0);  // completes while the commit of {kA:1} is under way
  t.mark_committed(c);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
}

TEST(OffsetTracker, MarkCommittedIgnoresUnknownPartitions) {
  OffsetTracker t;
  t.mark_committed({{kOther, 5}});
  EXPECT_EQ(t.tracked_partitions(), 0u);
  EXPECT_TRUE(t.committable().empty());
}

TEST(OffsetTracker, PartitionsAreIndependent) {
  OffsetTracker t;
  t.add(kA, 0, 1);
  t.add(kB, 0, 1);
  t.add(kOther, 100, 0);
  EXPECT_EQ(t.tracked_partitions(), 3u);
  EXPECT_EQ(t.in_flight(), 2u);
  EXPECT_EQ(t.committable(), (Offsets{{kOther, 101}}));
  t.ack(kB, 0);
  EXPECT_EQ(t.committable(), (Offsets{{kB, 1}, {kOther, 101}}));
  EXPECT_FALSE(t.ack(kA, 1)) << "offset never added";
  t.ack(kA, 0);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}, {kB, 1}, {kOther, 101}}));
  t.mark_committed({{kB, 1}});
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}, {kOther, 101}}));
}

TEST(OffsetTracker, AckOfUnknownPairsIsIgnored) {
  OffsetTracker t;
  EXPECT_FALSE(t.ack(kA, 0));
  t.add(kA, 5, 1);
  EXPECT_FALSE(t.ack(kA, 4));
  EXPECT_FALSE(t.ack(kA, 6));
  EXPECT_FALSE(t.ack(kB, 5));
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.committable().empty());
}

TEST(OffsetTracker, ForgetDropsPendingRecordsAndLateAcks) {
  OffsetTracker t;
  t.add(kA, 0, 2);
  t.add(kA, 1, 1);
  t.add(kB, 0, 1);
  EXPECT_EQ(t.in_flight(), 3u);
  t.forget(kA);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_EQ(t.tracked_partitions(), 1u);
  EXPECT_FALSE(t.ack(kA, 0)) << "belongs to a revoked partition";
  EXPECT_TRUE(t.committable().empty());
  t.forget(kOther);  // unknown: no effect
  EXPECT_EQ(t.tracked_partitions(), 1u);
}

TEST(OffsetTracker, ForgetThenReassignStartsFresh) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  t.mark_committed(t.committable());
  t.add(kA, 1, 1);
  t.forget(kA);
  // The partition comes back from the committed offset 1.
  t.add(kA, 1, 1);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.committable().empty());
  t.ack(kA, 1);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
}

TEST(OffsetTracker, ClearForgetsEverything) {
  OffsetTracker t;
  t.add(kA, 0, 1);
  t.add(kB, 0, 0);
  t.clear();
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.tracked_partitions(), 0u);
  EXPECT_TRUE(t.committable().empty());
}

TEST(OffsetTracker, RewindRestartsTrackingFromTheOlderOffset) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  t.add(kA, 1, 0);
  t.add(kA, 2, 1);
  t.add(kA, 3, 1);
  EXPECT_EQ(t.in_flight(), 2u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
  t.add(kA, 2, 1);  // redelivered from 2 (seek): the old 2 and 3 are void
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 2}}));
  EXPECT_TRUE(t.ack(kA, 2));
  EXPECT_FALSE(t.ack(kA, 3)) << "3 was dropped by the rewind";
  EXPECT_EQ(t.committable(), (Offsets{{kA, 3}}));
}

TEST(OffsetTracker, RepeatOfTheSameOffsetRestarts) {
  OffsetTracker t;
  t.add(kA, 4, 2);
  t.ack(kA, 4);
  t.add(kA, 4, 1);  // redelivered: needs its own acks again
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.ack(kA, 4));
  EXPECT_EQ(t.committable(), (Offsets{{kA, 5}}));
}

TEST(OffsetTracker, RewindBelowCommittedNeverCommitsBackwards) {
  OffsetTracker t;
  for (int i = 0; i < 10; ++i) t.add(kA, i, 0);
  t.mark_committed(t.committable());  // 10
  t.add(kA, 5, 0);  // rewound: reprocessing 5.. must not report 6 < 10
  EXPECT_TRUE(t.committable().empty());
  for (int i = 6; i < 12; ++i) t.add(kA, i, 0);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 12}}));
}

TEST(OffsetTracker, RewindWhileNothingCompleteYet) {
  OffsetTracker t;
  t.add(kA, 10, 1);
  t.add(kA, 8, 1);
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_TRUE(t.committable().empty());
  EXPECT_FALSE(t.ack(kA, 10));
  EXPECT_TRUE(t.ack(kA, 8));
  EXPECT_EQ(t.committable(), (Offsets{{kA, 9}}));
}

TEST(OffsetTracker, RewindAfterPrefixCompletedWithNoEntriesLeft) {
  OffsetTracker t;
  t.add(kA, 0, 0);
  t.add(kA, 1, 0);  // next_commit 2, nothing tracked
  t.add(kA, 0, 1);  // seek back to 0
  EXPECT_EQ(t.in_flight(), 1u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 0}})) << "only what precedes the rewind point is known complete";
  t.ack(kA, 0);
  EXPECT_EQ(t.committable(), (Offsets{{kA, 1}}));
}

TEST(OffsetTracker, ManyRecordsRandomAckOrder) {
  OffsetTracker t;
  constexpr int kN = 1000;
  for (int i = 0; i < kN; ++i) t.add(kA, i, 1 + i % 3);
  std::vector<std::int64_t> acks;
  for (int i = 0; i < kN; ++i) {
    for (int k = 0; k < 1 + i % 3; ++k) acks.push_back(i);
  }
  // Deterministic shuffle.
  std::uint64_t s = 42;
  for (std::size_t i = acks.size() - 1; i > 0; --i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    std::swap(acks[i], acks[(s >> 33) % (i + 1)]);
  }
  std::vector<bool> done(kN, false);
  std::vector<int> remaining(kN);
  for (int i = 0; i < kN; ++i) remaining[i] = 1 + i % 3;
  std::int64_t last = -1;
  for (std::int64_t off : acks) {
    const bool complete = t.ack(kA, off);
    EXPECT_EQ(complete, --remaining[off] == 0);
    if (complete) done[off] = true;
    std::int64_t prefix = 0;
    while (prefix < kN && done[prefix]) ++prefix;
    auto c = t.committable();
    if (prefix == 0) {
      EXPECT_TRUE(c.empty());
    } else {
      ASSERT_EQ(c.size(), 1u);
      EXPECT_EQ(c.at(kA), prefix);
      EXPECT_GE(prefix, last) << "never moves backwards";
      last = prefix;
    }
  }
  EXPECT_EQ(t.in_flight(), 0u);
  EXPECT_EQ(t.committable(), (Offsets{{kA, kN}}));
}

}  // namespace
}  // namespace crosscheck::streams
