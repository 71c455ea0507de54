#include "crosscheck/rules/rule_follower.h"

#include "crosscheck/log.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {

RuleFollower::RuleFollower(RuleFollowerConfig config, Callbacks callbacks)
    : config_(std::move(config)), callbacks_(std::move(callbacks)), redis_(config_.redis) {
  current_.store(std::make_shared<const RuleSnapshot>(), std::memory_order_release);
}

RuleFollower::~RuleFollower() { stop(); }

void RuleFollower::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void RuleFollower::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RuleFollower::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return ready_.load() || stopping_.load(); }) && ready_.load();
}

Result<bool> RuleFollower::poll_once(std::int64_t now_ms) {
  RuleStore store(redis_, config_.key_prefix);
  auto expired = store.expire_due(now_ms);
  if (!expired.ok()) return expired.error();
  if (!expired->empty()) {
    for (const auto& e : *expired) {
      log::info("rules", "rule version expired and left the active set",
                {{"rule", e.id}, {"version", e.version}, {"mode", std::string(to_string(e.mode))}});
    }
    if (callbacks_.on_expired) callbacks_.on_expired(*expired);
  }
  auto generation = store.active_generation();
  if (!generation.ok()) return generation.error();
  if (loaded_once_ && *generation == loaded_generation_) return false;

  auto active = store.load_active();
  if (!active.ok()) return active.error();
  auto next = std::make_shared<RuleSnapshot>();
  next->generation = active->generation;
  const auto started = std::chrono::steady_clock::now();
  next->engine = RuleEngine(std::move(active->rules), &next->rejected);
  const auto compile_ms =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() / 1000.0;
  for (const auto& why : next->rejected) {
    // Stored rules were validated at put; one that does not compile means a hand-edited store.
    log::warn("rules", "active rule left out: it does not compile", {{"why", why}});
  }
  log::info("rules", "rule set live",
            {{"generation", next->generation},
             {"rules", static_cast<std::uint64_t>(next->engine.rules().size())},
             {"compile_ms", compile_ms}});
  loaded_generation_ = next->generation;
  loaded_once_ = true;
  std::shared_ptr<const RuleSnapshot> live = std::move(next);
  current_.store(live, std::memory_order_release);
  if (callbacks_.on_swap) callbacks_.on_swap(*live);
  return true;
}

void RuleFollower::run() {
  bool degraded = false;
  while (!stopping_) {
    auto r = poll_once(timefmt::now_ms());
    if (!r.ok()) {
      if (!degraded) {
        log::warn("rules", "cannot read the active rules from Redis; the last good set stays live",
                  {{"error", r.error().to_string()}});
      }
      degraded = true;
      if (callbacks_.on_error) callbacks_.on_error(r.error());
    } else {
      if (degraded) log::info("rules", "reading the active rules from Redis again");
      degraded = false;
      if (!ready_.load()) {
        {
          std::lock_guard lock(mutex_);  // so a waiter cannot miss the wake-up
          ready_ = true;
        }
        cv_.notify_all();
      }
    }
    if (callbacks_.on_poll) callbacks_.on_poll();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, config_.poll_interval, [this] { return stopping_.load(); });
  }
}

}  // namespace crosscheck::rules
