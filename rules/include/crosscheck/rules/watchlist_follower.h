// Keeps an in-memory MatchIndex in step with the lists published in Redis.
//
// A background thread polls the live versions every `poll_interval` (one Redis round trip). When
// any list changed it loads the new versions, builds a complete new index off the hot path, and
// swaps it in atomically; consumers keep using the old index until the swap and are never paused.
// Failure behaviour: while Redis is unreachable the follower keeps serving the last good index,
// logs a warning and reports the error through `on_error` (a degraded mode, not a crash).
// Thread-safety: snapshot() may be called from any thread, concurrently with the reload thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/match_index.h"

namespace crosscheck::rules {

struct FollowerConfig {
  RedisConfig redis;
  std::string key_prefix = "crosscheck:";
  std::chrono::milliseconds poll_interval{500};
  MatchOptions match;  // thresholds per list, for every index the follower builds
};

class WatchlistFollower {
 public:
  struct Callbacks {
    // A new index is live; called on the follower thread after the swap.
    std::function<void(const MatchIndex&)> on_swap;
    // Redis or a list could not be read; the previous index stays live.
    std::function<void(const Error&)> on_error;
    // Redis reachable (true) or not (false), after every poll.
    std::function<void(bool)> on_redis_status;
  };

  WatchlistFollower(FollowerConfig config, Callbacks callbacks = {});
  ~WatchlistFollower();  // stops the thread
  WatchlistFollower(const WatchlistFollower&) = delete;
  WatchlistFollower& operator=(const WatchlistFollower&) = delete;

  void start();
  void stop();
  // Blocks until the first successful load (an empty index counts when no list is published).
  bool wait_ready(std::chrono::milliseconds timeout);
  // The live index; never null after wait_ready() returned true (an empty index before that).
  std::shared_ptr<const MatchIndex> snapshot() const { return current_.load(std::memory_order_acquire); }

 private:
  void run();
  bool poll_once();
  FollowerConfig config_;
  Callbacks callbacks_;
  RedisClient redis_;  // used only by the follower thread
  std::atomic<std::shared_ptr<const MatchIndex>> current_;
  std::map<std::string, std::uint64_t> versions_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace crosscheck::rules
