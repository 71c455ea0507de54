#include "crosscheck/rules/watchlist_follower.h"

#include "crosscheck/log.h"
#include "crosscheck/rules/watchlist_store.h"

namespace crosscheck::rules {
namespace {

// While Redis stays down, repeat the warning at most this often (on_error still fires every poll).
constexpr std::chrono::seconds kWarnEvery{30};

// Builds a new index when the live versions differ from `versions`; returns null when unchanged.
// Lists whose version did not change are copied from `current` instead of being read again.
Result<std::shared_ptr<const MatchIndex>> reload_if_changed(RedisClient& redis, const std::string& prefix,
                                                                const MatchIndex& current,
                                                                std::map<std::string, std::uint64_t>& versions,
                                                                bool force, const MatchOptions& options) {
  WatchlistStore store(redis, prefix);
  auto live = store.current_versions();
  if (!live) return live.error();
  if (!force && *live == versions) return std::shared_ptr<const MatchIndex>();

  std::vector<Watchlist> lists;
  lists.reserve(live->size());
  for (const auto& [id, version] : *live) {
    const Watchlist* loaded = nullptr;
    for (const auto& l : current.lists()) {
      if (l.list_id == id && l.version == version) loaded = &l;
    }
    if (loaded) {
      lists.push_back(*loaded);
      continue;
    }
    auto list = store.load(id, version);
    if (!list) return list.error();
    lists.push_back(std::move(*list));
  }
  auto index = std::make_shared<const MatchIndex>(std::move(lists), options);
  versions = std::move(*live);
  return index;
}

}  // namespace

WatchlistFollower::WatchlistFollower(FollowerConfig config, Callbacks callbacks)
    : config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      redis_(config_.redis),
      current_(std::make_shared<const MatchIndex>(std::vector<Watchlist>{}, config_.match)) {}

WatchlistFollower::~WatchlistFollower() { stop(); }

void WatchlistFollower::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void WatchlistFollower::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool WatchlistFollower::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return ready_.load() || stopping_.load(); });
  return ready_.load();
}

void WatchlistFollower::run() {
  while (!stopping_) {
    bool ok = false;
    try {
      ok = poll_once();
    } catch (const std::exception& e) {  // a throwing callback must not end the follower
      log::error("watchlist", "watchlist follower poll threw", {{"error", e.what()}});
    }
    if (ok && !ready_) {
      {
        std::lock_guard lock(mutex_);
        ready_ = true;
      }
      cv_.notify_all();
    }
    if (callbacks_.on_redis_status) callbacks_.on_redis_status(redis_.connected());
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, config_.poll_interval, [this] { return stopping_.load(); });
  }
}

bool WatchlistFollower::poll_once() {
  // Only the follower thread polls, so per-thread state is per-follower state.
  thread_local bool failing = false;
  thread_local auto last_warn = std::chrono::steady_clock::time_point();

  const auto old = snapshot();
  const auto reload_started = std::chrono::steady_clock::now();
  auto result = reload_if_changed(redis_, config_.key_prefix, *old, versions_, !ready_, config_.match);
  if (!result) {
    const Error& error = result.error();
    const auto now = std::chrono::steady_clock::now();
    if (!failing || now - last_warn >= kWarnEvery) {
      log::warn("watchlist", "watchlist refresh failed; serving the previous index",
                {{"error", error.to_string()}, {"entries", static_cast<std::uint64_t>(old->entry_count())}});
      last_warn = now;
    }
    failing = true;
    if (callbacks_.on_error) callbacks_.on_error(error);
    return false;
  }
  if (failing) {
    log::info("watchlist", "watchlist refresh recovered");
    failing = false;
  }
  if (!*result) return true;  // unchanged

  std::shared_ptr<const MatchIndex> index = std::move(*result);
  current_.store(index, std::memory_order_release);
  std::string lists;
  for (const auto& l : index->lists()) {
    if (!lists.empty()) lists += ",";
    lists += l.list_id + ":" + std::to_string(l.version);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - reload_started).count();
  log::info("watchlist", "watchlist index swapped",
            {{"lists", lists},
             {"entries", static_cast<std::uint64_t>(index->entry_count())},
             {"names", static_cast<std::uint64_t>(index->name_count())},
             {"index_bytes", static_cast<std::uint64_t>(index->memory_bytes())},
             {"load_and_build_seconds", seconds}});
  if (callbacks_.on_swap) callbacks_.on_swap(*index);
  return true;
}

}  // namespace crosscheck::rules
