// Versioned watchlists in Redis.
//
// Key layout, under a configurable prefix P (default "crosscheck:"):
//   P watchlists:live                 hash: list id -> live version (one HGETALL tells a follower
//                                     whether anything changed)
//   P watchlist:{id}:seq              version counter (INCR)
//   P watchlist:{id}:v:{n}:meta       hash: name, source, published_at, entry_count
//   P watchlist:{id}:v:{n}:entries    hash: entry id -> entry JSON
// Publishing writes a whole new version under fresh keys (invisible until referenced), then
// switches P watchlists:live in one HSET and publishes a notice on P watchlists:changes, so readers
// see either the old list or the new one, never half of either. The last `retain_versions`
// versions are kept for diffs and for readers still loading an older one.
// Thread-safety: not thread-safe (it borrows a RedisClient); one store per thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules {

// Error::code() of WatchlistStore::load for a version that does not exist (HTTP-like, as the rule
// store's codes, for the manager API).
inline constexpr int kWatchlistVersionNotFound = 404;

class WatchlistStore {
 public:
  WatchlistStore(RedisClient& redis, std::string key_prefix, int retain_versions = 5);

  // Publishes `list` as a new version and returns its number (1, 2, ...).
  Result<std::uint64_t> publish(const Watchlist& list);
  // list id -> live version, for every published list.
  Result<std::map<std::string, std::uint64_t>> current_versions();
  // Loads one version of a list completely (fatal Error of code kWatchlistVersionNotFound if that
  // version does not exist or no longer exists).
  Result<Watchlist> load(const std::string& list_id, std::uint64_t version);

  const std::string& key_prefix() const { return prefix_; }

 private:
  std::string key(const std::string& list_id, std::string_view suffix) const;
  RedisClient& redis_;
  std::string prefix_;
  int retain_versions_;
};

}  // namespace crosscheck::rules
