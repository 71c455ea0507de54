// Keeps a compiled RuleEngine in step with the active rule set in Redis (rule_store.h).
//
// A background thread polls every `poll_interval`: it first expires the active versions whose time
// has come (RuleStore::expire_due: atomic, audited once however many screeners race), then reads
// the active set's generation (one HGET). When the generation changed it loads the set, compiles a
// new RuleEngine off the hot path and swaps it in atomically: consumers keep evaluating the old set
// until the swap and are never paused. A change is live within poll_interval plus the compile time.
// Expiry does not wait for the poll: the engine itself stops a rule at its exact expires_ms.
// Failure behaviour: while Redis is unreachable, or when a stored text does not parse back, the
// follower keeps the last good set, logs a warning and reports through on_error (degraded mode).
// Thread-safety: snapshot() may be called from any thread, concurrently with the poll thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/rules/rule_store.h"

namespace crosscheck::rules {

// One compiled generation of the active set.
struct RuleSnapshot {
  std::uint64_t generation = 0;  // 0: nothing was ever activated (the engine is empty)
  RuleEngine engine;
  std::vector<std::string> rejected;  // rules left out because they did not compile
};

struct RuleFollowerConfig {
  RedisConfig redis;
  std::string key_prefix = "crosscheck:";
  std::chrono::milliseconds poll_interval{500};
};

class RuleFollower {
 public:
  struct Callbacks {
    std::function<void(const RuleSnapshot&)> on_swap;              // after a new set is live
    std::function<void(const Error&)> on_error;                    // Redis or a stored text failed
    std::function<void(const std::vector<ActiveEntry>&)> on_expired;  // versions this poll expired
    std::function<void()> on_poll;                                 // after every poll
  };

  RuleFollower(RuleFollowerConfig config, Callbacks callbacks = {});
  ~RuleFollower();  // stops the thread
  RuleFollower(const RuleFollower&) = delete;
  RuleFollower& operator=(const RuleFollower&) = delete;

  void start();
  void stop();
  // Blocks until the first successful load (an empty set counts when nothing is active).
  bool wait_ready(std::chrono::milliseconds timeout);
  // The live set; never null (an empty one before the first load).
  std::shared_ptr<const RuleSnapshot> snapshot() const { return current_.load(std::memory_order_acquire); }

  // One poll, on the caller's thread (tests call it without start()). True when a new set was
  // swapped in.
  Result<bool> poll_once(std::int64_t now_ms);

 private:
  void run();
  RuleFollowerConfig config_;
  Callbacks callbacks_;
  RedisClient redis_;  // used only by the polling thread (or the poll_once caller)
  std::atomic<std::shared_ptr<const RuleSnapshot>> current_;
  std::uint64_t loaded_generation_ = 0;
  bool loaded_once_ = false;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace crosscheck::rules
