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
// see either the old list or the new one, never half of either. publish_audited makes the switch
// and its audit entry one Lua script: the audit entry is written first, so a list never goes live
// without its record (and a record never names a version that did not). The last `retain_versions`
// versions are kept for diffs and for readers still loading an older one.
// Thread-safety: not thread-safe (it borrows a RedisClient); one store per thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "crosscheck/rules/audit_log.h"
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

  struct Published {
    std::uint64_t version = 0;
    std::optional<std::uint64_t> before_version;  // the version that was live, if any
  };
  // Publishes `list` and appends `record` to `audit`'s stream in the same script, with
  // after_version and before_version set to the new and the previously live version (read inside
  // the script, so exact even when two managers publish at once). When the audit entry cannot be
  // written nothing goes live and the Error says so.
  Result<Published> publish_audited(const Watchlist& list, const AuditLog& audit, AuditRecord record);
  // list id -> live version, for every published list.
  Result<std::map<std::string, std::uint64_t>> current_versions();
  // Loads one version of a list completely (fatal Error of code kWatchlistVersionNotFound if that
  // version does not exist or no longer exists).
  Result<Watchlist> load(const std::string& list_id, std::uint64_t version);

  const std::string& key_prefix() const { return prefix_; }

 private:
  Result<Published> publish_impl(const Watchlist& list, const AuditLog* audit, AuditRecord* record);
  std::string key(const std::string& list_id, std::string_view suffix) const;
  RedisClient& redis_;
  std::string prefix_;
  int retain_versions_;
};

}  // namespace crosscheck::rules
