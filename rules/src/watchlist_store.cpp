#include "crosscheck/rules/watchlist_store.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

// Fields per HSET, and HSETs per round trip, when writing a version's entries.
constexpr std::size_t kFieldsPerHset = 1000;
constexpr std::size_t kHsetsPerRoundTrip = 16;


std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Error with_context(const Error& e, const std::string& context) {
  return Error(e.component(), context + ": " + e.message(),
               e.is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal, e.code());
}

}  // namespace

WatchlistStore::WatchlistStore(RedisClient& redis, std::string key_prefix, int retain_versions)
    : redis_(redis), prefix_(std::move(key_prefix)), retain_versions_(std::max(1, retain_versions)) {}

std::string WatchlistStore::key(const std::string& list_id, std::string_view suffix) const {
  std::string k;
  k.reserve(prefix_.size() + 11 + list_id.size() + suffix.size());
  k.append(prefix_).append("watchlist:").append(list_id).append(":").append(suffix);
  return k;
}

Result<std::uint64_t> WatchlistStore::publish(const Watchlist& list) {
  auto p = publish_impl(list, nullptr, nullptr);
  if (!p) return p.error();
  return p->version;
}

Result<WatchlistStore::Published> WatchlistStore::publish_audited(const Watchlist& list, const AuditLog& audit,
                                                                  AuditRecord record) {
  if (auto s = check_audit_record(record); !s) return s.error();
  return publish_impl(list, &audit, &record);
}

// The switch with its audit entry: the entry first, so that a failing XADD (a full or mistyped
// stream) leaves the old version live. KEYS: live hash, audit stream. ARGV: list id, version,
// maxlen, audit fields.
constexpr std::string_view kLuaSwitchAudited = R"lua(
local prev = redis.call('HGET', KEYS[1], ARGV[1])
audit(KEYS[2], ARGV[3], 4, prev or '')
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return prev or ''
)lua";

Result<WatchlistStore::Published> WatchlistStore::publish_impl(const Watchlist& list, const AuditLog* audit,
                                                               AuditRecord* record) {
  if (!is_valid_list_id(list.list_id)) {
    return Error::fatal("watchlist", "cannot publish: invalid list id \"" + list.list_id + "\"");
  }
  {
    // Entries are stored in a hash by id: a duplicate would silently shrink the list.
    std::unordered_set<std::string_view> ids;
    for (const auto& e : list.entries) {
      if (e.id.empty() || !ids.insert(e.id).second) {
        return Error::fatal("watchlist", "cannot publish " + list.list_id + ": empty or duplicate entry id \"" + e.id + "\"");
      }
    }
    // Every follower reads the entries back with parse_entry_json: an entry it would reject must
    // never be published, or every screener would keep serving the previous version.
    std::string problems;
    std::size_t bad = 0;
    for (const auto& e : list.entries) {
      auto back = parse_entry_json(encode_entry_json(e));
      if (back.ok()) continue;
      if (++bad <= 5) problems += (problems.empty() ? "" : "; ") + back.error().message();
    }
    if (bad > 0) {
      return Error::fatal("watchlist", "cannot publish " + list.list_id + ": " + std::to_string(bad) +
                                           " entries would not load back: " + problems + (bad > 5 ? "; ..." : ""));
    }
  }
  const std::string context = "publish " + list.list_id;
  auto seq = redis_.command({"INCR", key(list.list_id, "seq")});
  if (!seq) return with_context(seq.error(), context);
  if (seq->type != RedisValue::Type::kInteger || seq->integer <= 0) {
    return Error::fatal("watchlist", context + ": unexpected INCR reply");
  }
  const auto n = static_cast<std::uint64_t>(seq->integer);
  const std::string version_prefix = "v:" + std::to_string(n) + ":";
  const std::string meta_key = key(list.list_id, version_prefix + "meta");
  const std::string entries_key = key(list.list_id, version_prefix + "entries");

  // 1. The new version under fresh keys: nobody reads them until the live hash points at them.
  std::vector<std::vector<std::string>> batch;
  batch.push_back({"HSET", meta_key, "list_id", list.list_id, "version", std::to_string(n), "name", list.name,
                   "source", list.source, "published_at", timefmt::format_utc_ms(timefmt::now_ms()),
                   "entry_count", std::to_string(list.entries.size())});
  for (std::size_t i = 0; i < list.entries.size(); i += kFieldsPerHset) {
    std::vector<std::string> hset{"HSET", entries_key};
    const std::size_t end = std::min(list.entries.size(), i + kFieldsPerHset);
    hset.reserve(2 + 2 * (end - i));
    for (std::size_t j = i; j < end; ++j) {
      hset.push_back(list.entries[j].id);
      hset.push_back(encode_entry_json(list.entries[j]));
    }
    batch.push_back(std::move(hset));
    if (batch.size() >= kHsetsPerRoundTrip) {
      if (auto r = redis_.pipeline(batch); !r) return with_context(r.error(), context);
      batch.clear();
    }
  }
  if (!batch.empty()) {
    if (auto r = redis_.pipeline(batch); !r) return with_context(r.error(), context);
  }

  // 2. The switch: one HSET on the live hash, with its audit entry in one script when audited.
  const std::string live_key = prefix_ + "watchlists:live";
  Published published;
  published.version = n;
  if (audit != nullptr) {
    record->after_version = n;
    std::vector<std::string> cmd{"EVAL", std::string(kAuditLuaFunction) + std::string(kLuaSwitchAudited), "2",
                                 live_key, audit->stream_key(), list.list_id, std::to_string(n),
                                 std::to_string(audit->options().max_length)};
    const auto fields = audit_stream_fields(*record);
    cmd.insert(cmd.end(), fields.begin(), fields.end());
    auto switched = redis_.command(cmd);
    if (!switched) return with_context(switched.error(), context + " with its audit record (nothing was made live)");
    if (!switched->str.empty()) {
      auto before = parse_u64(switched->str);
      if (!before) return Error::fatal("watchlist", context + ": the live version was not a number");
      published.before_version = *before;
    }
  } else {
    auto switched = redis_.pipeline({{"MULTI"}, {"HSET", live_key, list.list_id, std::to_string(n)}, {"EXEC"}});
    if (!switched) return with_context(switched.error(), context);
    if (switched->back().is_nil()) return Error::retriable("watchlist", context + ": transaction aborted");
  }

  // 3. Notice and clean-up are best effort: the version is already live.
  std::vector<std::vector<std::string>> after;
  after.push_back({"PUBLISH", prefix_ + "watchlists:changes", list.list_id + ":" + std::to_string(n)});
  const auto retain = static_cast<std::uint64_t>(retain_versions_);
  if (n > retain) {
    // The version that just fell out of the window, and a few before it left by failed publishes.
    constexpr std::uint64_t kSweep = 16;
    const std::uint64_t newest_old = n - retain;
    const std::uint64_t oldest_old = newest_old > kSweep ? newest_old - kSweep + 1 : 1;
    std::vector<std::string> del{"DEL"};
    for (std::uint64_t v = oldest_old; v <= newest_old; ++v) {
      const std::string vp = "v:" + std::to_string(v) + ":";
      del.push_back(key(list.list_id, vp + "meta"));
      del.push_back(key(list.list_id, vp + "entries"));
    }
    after.push_back(std::move(del));
  }
  (void)redis_.pipeline(after);
  return published;
}

Result<std::map<std::string, std::uint64_t>> WatchlistStore::current_versions() {
  auto r = redis_.command({"HGETALL", prefix_ + "watchlists:live"});
  if (!r) return with_context(r.error(), "read live watchlist versions");
  std::map<std::string, std::uint64_t> out;
  const auto& e = r->elements;
  for (std::size_t i = 0; i + 1 < e.size(); i += 2) {
    auto v = parse_u64(e[i + 1].str);
    if (!v) return Error::fatal("watchlist", "live version of " + e[i].str + " is not a number: \"" + e[i + 1].str + "\"");
    out.emplace(e[i].str, *v);
  }
  return out;
}

Result<Watchlist> WatchlistStore::load(const std::string& list_id, std::uint64_t version) {
  const std::string context = "load " + list_id + " version " + std::to_string(version);
  const std::string version_prefix = "v:" + std::to_string(version) + ":";
  auto meta = redis_.command({"HGETALL", key(list_id, version_prefix + "meta")});
  if (!meta) return with_context(meta.error(), context);
  if (meta->elements.empty()) {
    return Error::fatal("watchlist", "version " + std::to_string(version) + " of list " + list_id +
                            " does not exist (never published, or removed by retention)",
                        kWatchlistVersionNotFound);
  }
  Watchlist list;
  list.list_id = list_id;
  list.version = version;
  std::optional<std::uint64_t> entry_count;
  for (std::size_t i = 0; i + 1 < meta->elements.size(); i += 2) {
    const auto& field = meta->elements[i].str;
    const auto& value = meta->elements[i + 1].str;
    if (field == "name") list.name = value;
    else if (field == "source") list.source = value;
    else if (field == "published_at") list.published_at = value;
    else if (field == "entry_count") entry_count = parse_u64(value);
  }
  if (!entry_count) return Error::fatal("watchlist", context + ": meta has no valid entry_count");

  if (*entry_count > 0) {
    list.entries.reserve(*entry_count);
    const std::string entries_key = key(list_id, version_prefix + "entries");
    std::string cursor = "0";
    do {
      auto page = redis_.command({"HSCAN", entries_key, cursor, "COUNT", "1000"});
      if (!page) return with_context(page.error(), context);
      if (page->elements.size() != 2) return Error::fatal("watchlist", context + ": unexpected HSCAN reply");
      cursor = page->elements[0].str;
      const auto& items = page->elements[1].elements;
      for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        auto entry = parse_entry_json(items[i + 1].str);
        if (!entry) return with_context(entry.error(), context + ", entry " + items[i].str);
        list.entries.push_back(std::move(*entry));
      }
    } while (cursor != "0");
  }
  // HSCAN may return an entry twice; sorting also makes the order deterministic.
  std::sort(list.entries.begin(), list.entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  list.entries.erase(std::unique(list.entries.begin(), list.entries.end(),
                                 [](const auto& a, const auto& b) { return a.id == b.id; }),
                     list.entries.end());
  if (list.entries.size() != *entry_count) {
    // Deleted by retention while we read it: the caller retries with the live version.
    return Error::retriable("watchlist", context + ": read " + std::to_string(list.entries.size()) + " of " +
                                             std::to_string(*entry_count) + " entries (version deleted meanwhile?)");
  }
  return list;
}

}  // namespace crosscheck::rules
