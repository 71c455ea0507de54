// Windowed aggregates kept in Redis, shared by every screener instance (rule_engine.h
// AggregateStore).
//
// One sorted set per aggregate key, <prefix>agg:<observation key>, member -> latest time seen (ms).
// observe() sends one pipelined round trip: per observation
//   ZADD key GT at_ms member                         (a member keeps its latest time)
//   ZREMRANGEBYSCORE key -inf (at_ms - within_ms     (prune what slid out of the window)
//   ZCOUNT key (at_ms - within_ms) at_ms              (members seen in [at - within, at])
//   PEXPIRE key within_ms + expiry_margin_ms         (an idle key disappears by itself)
//   ZSCORE key member                                (this event's own member, see below)
// The window is [at_ms - within_ms, at_ms], both ends included. ZCOUNT rather than ZCARD so that a
// member recorded with a later time (events out of order) is not counted in an earlier event's
// window; when this event's own member holds such a later time, the event still counts itself. "distinct" counting works because the member is the
// hash of the counted value: a repeated value updates its time instead of adding a member.
// Needs Redis >= 6.2 (ZADD GT).
//
// Observation keys carry no raw identifier (rule_engine.h hashes the `per` value), so neither do
// the Redis keys.
//
// Thread-safety: one RedisClient inside, guarded by a mutex: observe() may be called from several
// threads (they are serialised).
// Failure behaviour: any connection failure or error reply gives a retriable Error ("aggregates"
// component); the engine then treats the aggregate conditions as false for that event. After a
// connection failure the store backs off for `retry_after` (failing at once) before trying again.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_engine.h"

namespace crosscheck::rules {

struct RedisAggregateOptions {
  std::string prefix = "crosscheck:";        // keys: <prefix>agg:<observation key>
  std::int64_t expiry_margin_ms = 60'000;    // keys live within_ms + this after their last write
  // After a connection failure, observe() fails at once (no connect attempt) for this long, so an
  // unreachable Redis costs the processing thread one connect timeout per interval, not per event.
  std::chrono::milliseconds retry_after{1000};
};

class RedisAggregateStore final : public AggregateStore {
 public:
  RedisAggregateStore(const RedisConfig& redis, RedisAggregateOptions options = {});
  ~RedisAggregateStore() override;

  Status observe(std::span<const AggregateObservation> observations, std::vector<std::int64_t>& counts) override;

  const std::string& prefix() const { return options_.prefix; }

 private:
  RedisAggregateOptions options_;
  std::mutex mutex_;
  RedisClient client_;
  std::chrono::steady_clock::time_point retry_at_{};  // under mutex_
  std::vector<std::vector<std::string>> commands_;  // reused per call (under mutex_)
};

}  // namespace crosscheck::rules
