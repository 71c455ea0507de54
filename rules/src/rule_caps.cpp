#include "crosscheck/rules/rule_caps.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "crosscheck/log.h"

namespace crosscheck::rules {

std::int64_t cap_bucket(std::int64_t now_ms) {
  std::int64_t b = now_ms / kCapBucketMs;
  if (now_ms % kCapBucketMs < 0) --b;
  return b;
}

std::string_view to_string(CapDecision decision) {
  switch (decision) {
    case CapDecision::kAllow: return "allow";
    case CapDecision::kSuppress: return "suppress";
    case CapDecision::kSuppressAndAnnounce: return "suppress_and_announce";
  }
  return "suppress";
}

std::string_view to_string(CapReason reason) {
  switch (reason) {
    case CapReason::kNone: return "none";
    case CapReason::kFlagsPerHour: return "max_flags_per_hour";
    case CapReason::kFlagShare: return "max_flag_share";
  }
  return "none";
}

CapGrant compute_cap_grant(const CapGrantInput& in) {
  CapGrant g;
  // The epsilon keeps 0.1 * 30 from flooring to 2; the Lua script uses the same expression.
  const double share_limit = std::floor(in.max_flag_share * static_cast<double>(in.events) + 1e-9) +
                             static_cast<double>(in.share_grace);
  g.limit = in.max_flags;
  g.binding = CapReason::kFlagsPerHour;
  // A share of 1 sets no share cap: a list's default rule may raise several flags for one event
  // (one per hit), so its flags can outnumber the events.
  if (in.max_flag_share < 1.0 && share_limit < static_cast<double>(in.max_flags)) {
    g.limit = static_cast<std::int64_t>(share_limit);
    g.binding = CapReason::kFlagShare;
  }
  const std::int64_t remaining = g.limit - in.used;
  if (remaining > 0 && in.requested > 0) {
    const std::int64_t divisor = std::max<std::int64_t>(1, in.fairness_divisor);
    const std::int64_t fair = std::max<std::int64_t>(1, remaining / divisor);
    g.granted = std::min({in.requested, remaining, fair});
  }
  return g;
}

// ---- Redis backend -----------------------------------------------------------------------------

namespace {

// Sums a per-bucket hash over the window and deletes the fields that slid out of it. Buckets ahead
// of `now` (a peer whose clock runs ahead) count too: never under-count what was granted.
constexpr std::string_view kWindowSumLua = R"lua(
local function window_sum(key, lo)
  local all = redis.call('HGETALL', key)
  local sum, stale = 0, {}
  for i = 1, #all, 2 do
    local b = tonumber(all[i])
    if b == nil or b < lo then stale[#stale + 1] = all[i] else sum = sum + tonumber(all[i + 1]) end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  return sum
end
)lua";

// KEYS: flags hash, announce key, one events hash per kind of the rule.
// ARGV: bucket, window, requested, max_flags, share, grace, divisor, key ttl, announce ttl, then per
//       events key: n, n pairs (bucket, delta).
// Mirrors compute_cap_grant.
constexpr std::string_view kLeaseLua = R"lua(
local now = tonumber(ARGV[1])
local lo = now - tonumber(ARGV[2]) + 1
local ttl = ARGV[8]
local pos = 10
local events = 0
for k = 3, #KEYS do
  local n = tonumber(ARGV[pos]); pos = pos + 1
  for j = 1, n do
    if tonumber(ARGV[pos]) >= lo then redis.call('HINCRBY', KEYS[k], ARGV[pos], ARGV[pos + 1]) end
    pos = pos + 2
  end
  if n > 0 then redis.call('PEXPIRE', KEYS[k], ttl) end
  events = events + window_sum(KEYS[k], lo)
end
local used = window_sum(KEYS[1], lo)
local cap = tonumber(ARGV[4])
local limit, binding = cap, 1
local share_limit = math.floor(tonumber(ARGV[5]) * events + 1e-9) + tonumber(ARGV[6])
if tonumber(ARGV[5]) < 1 and share_limit < cap then limit, binding = share_limit, 2 end
local remaining = limit - used
local grant = 0
local requested = tonumber(ARGV[3])
if remaining > 0 and requested > 0 then
  local divisor = math.max(1, tonumber(ARGV[7]))
  grant = math.min(requested, remaining, math.max(1, math.floor(remaining / divisor)))
  redis.call('HINCRBY', KEYS[1], ARGV[1], grant)
  redis.call('PEXPIRE', KEYS[1], ttl)
end
local announce = 0
if grant == 0 and redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[9]) then announce = 1 end
return {grant, used + grant, events, limit, binding, announce}
)lua";

// KEYS: the events hash of every kind, then nf flags hashes, then shadow hashes.
// ARGV: bucket, window, key ttl, nf, then per key: n, n pairs (bucket, delta).
// A negative flags delta (returned units) never takes a bucket below zero.
constexpr std::string_view kSyncLua = R"lua(
local now = tonumber(ARGV[1])
local lo = now - tonumber(ARGV[2]) + 1
local ttl = ARGV[3]
local nf = tonumber(ARGV[4])
local nk = tonumber(ARGV[5])
local out = {}
local pos = 6
for k = 1, #KEYS do
  local n = tonumber(ARGV[pos]); pos = pos + 1
  local is_flags = k > nk and k <= nk + nf
  for j = 1, n do
    local b, d = ARGV[pos], tonumber(ARGV[pos + 1])
    pos = pos + 2
    if tonumber(b) >= lo then
      if is_flags and d < 0 then
        local cur = tonumber(redis.call('HGET', KEYS[k], b) or '0')
        if cur > 0 then redis.call('HSET', KEYS[k], b, math.max(0, cur + d)) end
      else
        redis.call('HINCRBY', KEYS[k], b, d)
      end
    end
  end
  if n > 0 then redis.call('PEXPIRE', KEYS[k], ttl) end
  out[k] = window_sum(KEYS[k], lo)
end
return out
)lua";

class Script {
 public:
  explicit Script(std::string text) : text_(std::move(text)) {}

  // EVALSHA, loading the script first when this connection has not (or Redis lost it).
  Result<RedisValue> run(RedisClient& client, std::vector<std::string>& args) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (sha_.empty()) {
        auto loaded = client.command({"SCRIPT", "LOAD", text_});
        if (!loaded) return loaded.error();
        sha_ = loaded->str;
      }
      args[1] = sha_;
      auto r = client.command(args);
      if (r || attempt == 1 || r.error().message().find("NOSCRIPT") == std::string::npos) return r;
      sha_.clear();
    }
    return Error::fatal("caps", "unreachable");
  }

 private:
  std::string text_;
  std::string sha_;
};

std::string format_share(double share) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", share);
  return buf;
}

void append_deltas(std::vector<std::string>& args, const std::vector<CapCountDelta>& deltas) {
  args.push_back(std::to_string(deltas.size()));
  for (const auto& d : deltas) {
    args.push_back(std::to_string(d.bucket));
    args.push_back(std::to_string(d.delta));
  }
}

Result<std::int64_t> integer_at(const RedisValue& v, std::size_t i, std::string_view what) {
  if (v.type != RedisValue::Type::kArray || i >= v.elements.size() ||
      v.elements[i].type != RedisValue::Type::kInteger) {
    return Error::fatal("caps", "unexpected reply from the " + std::string(what) + " script");
  }
  return static_cast<std::int64_t>(v.elements[i].integer);
}

class RedisCapBackend final : public CapBackend {
 public:
  RedisCapBackend(const RedisConfig& redis, RedisCapOptions options)
      : options_(std::move(options)),
        lease_client_(redis),
        lease_script_(std::string(kWindowSumLua) + std::string(kLeaseLua)),
        sync_client_(redis),
        sync_script_(std::string(kWindowSumLua) + std::string(kSyncLua)) {}

  Result<CapLeaseReply> lease(const CapLeaseRequest& req) override {
    std::vector<std::string> args{"EVALSHA", "", std::to_string(2 + req.kinds.size()),
                                  key("flags:", req.rule_key), key("announced:", req.rule_key)};
    for (auto kind : req.kinds) args.push_back(key("events:", schemas::to_string(kind)));
    args.push_back(std::to_string(req.bucket));
    args.push_back(std::to_string(kCapWindowBuckets));
    args.push_back(std::to_string(req.requested));
    args.push_back(std::to_string(req.limits.max_flags_per_hour));
    args.push_back(format_share(req.limits.max_flag_share));
    args.push_back(std::to_string(req.share_grace));
    args.push_back(std::to_string(req.fairness_divisor));
    args.push_back(std::to_string(options_.key_ttl_ms));
    args.push_back(std::to_string(options_.announce_ttl_ms));
    for (auto kind : req.kinds) append_deltas(args, req.events[static_cast<std::size_t>(kind)]);

    std::lock_guard lock(lease_mutex_);
    auto r = lease_script_.run(lease_client_, args);
    if (!r) return r.error();
    CapLeaseReply out;
    std::array<std::int64_t, 6> n{};
    for (std::size_t i = 0; i < n.size(); ++i) {
      auto v = integer_at(*r, i, "lease");
      if (!v) return v.error();
      n[i] = *v;
    }
    out.granted = n[0];
    out.used = n[1];
    out.events = n[2];
    out.limit = n[3];
    out.binding = n[4] == 2 ? CapReason::kFlagShare : CapReason::kFlagsPerHour;
    out.announce = n[5] == 1;
    return out;
  }

  Result<CapSyncReply> sync(const CapSyncRequest& req) override {
    const std::size_t nk = schemas::kEventKindCount;
    const std::size_t nkeys = nk + req.flags.size() + req.shadow.size();
    std::vector<std::string> args{"EVALSHA", "", std::to_string(nkeys)};
    for (std::size_t k = 0; k < nk; ++k) {
      args.push_back(key("events:", schemas::to_string(static_cast<schemas::EventKind>(k))));
    }
    for (const auto& f : req.flags) args.push_back(key("flags:", f.key));
    for (const auto& s : req.shadow) args.push_back(key("shadow:", s.key));
    args.push_back(std::to_string(req.bucket));
    args.push_back(std::to_string(kCapWindowBuckets));
    args.push_back(std::to_string(options_.key_ttl_ms));
    args.push_back(std::to_string(req.flags.size()));
    args.push_back(std::to_string(nk));
    for (std::size_t k = 0; k < nk; ++k) append_deltas(args, req.events[k]);
    for (const auto& f : req.flags) append_deltas(args, f.deltas);
    for (const auto& s : req.shadow) append_deltas(args, s.deltas);

    std::lock_guard lock(sync_mutex_);
    auto r = sync_script_.run(sync_client_, args);
    if (!r) return r.error();
    CapSyncReply out;
    std::size_t i = 0;
    for (std::size_t k = 0; k < nk; ++k, ++i) {
      auto v = integer_at(*r, i, "sync");
      if (!v) return v.error();
      out.events[k] = *v;
    }
    for (std::size_t f = 0; f < req.flags.size(); ++f, ++i) {
      auto v = integer_at(*r, i, "sync");
      if (!v) return v.error();
      out.flags.push_back(*v);
    }
    for (std::size_t s = 0; s < req.shadow.size(); ++s, ++i) {
      auto v = integer_at(*r, i, "sync");
      if (!v) return v.error();
      out.shadow.push_back(*v);
    }
    return out;
  }

 private:
  std::string key(std::string_view kind, std::string_view name) const {
    std::string k = options_.prefix;
    k += "cap:";
    k += kind;
    k += name;
    return k;
  }

  RedisCapOptions options_;
  std::mutex lease_mutex_;
  RedisClient lease_client_;
  Script lease_script_;
  std::mutex sync_mutex_;
  RedisClient sync_client_;
  Script sync_script_;
};

}  // namespace

std::unique_ptr<CapBackend> make_redis_cap_backend(const RedisConfig& redis, RedisCapOptions options) {
  return std::make_unique<RedisCapBackend>(redis, std::move(options));
}

// ---- the ledger --------------------------------------------------------------------------------

namespace {

// Counts per one-minute bucket over the last kCapWindowBuckets buckets, in a ring tagged by bucket.
class BucketRing {
 public:
  BucketRing() { tags_.fill(kNoBucket); }
  void add(std::int64_t bucket, std::int64_t n) {
    const auto i = slot(bucket);
    if (tags_[i] != bucket) {
      if (tags_[i] != kNoBucket && tags_[i] > bucket) return;  // older than what the slot holds
      tags_[i] = bucket;
      counts_[i] = 0;
    }
    counts_[i] += n;
  }
  std::int64_t at(std::int64_t bucket) const {
    const auto i = slot(bucket);
    return tags_[i] == bucket ? counts_[i] : 0;
  }
  std::int64_t window_sum(std::int64_t now_bucket) const {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < tags_.size(); ++i) {
      if (tags_[i] != kNoBucket && tags_[i] > now_bucket - kCapWindowBuckets) sum += counts_[i];
    }
    return sum;
  }

 private:
  static constexpr std::int64_t kNoBucket = INT64_MIN;
  static std::size_t slot(std::int64_t bucket) {
    auto m = bucket % kCapWindowBuckets;
    if (m < 0) m += kCapWindowBuckets;
    return static_cast<std::size_t>(m);
  }
  std::array<std::int64_t, kCapWindowBuckets> tags_{};
  std::array<std::int64_t, kCapWindowBuckets> counts_{};
};

void add_delta(std::vector<CapCountDelta>& v, std::int64_t bucket, std::int64_t delta) {
  if (!v.empty() && v.back().bucket == bucket) {
    v.back().delta += delta;
    return;
  }
  for (auto& d : v) {
    if (d.bucket == bucket) {
      d.delta += delta;
      return;
    }
  }
  v.push_back({bucket, delta});
}

// Puts deltas that could not be sent back in front of what accumulated meanwhile, dropping what
// has slid out of the window (it no longer matters to any cap).
void restore_deltas(std::vector<CapCountDelta>& into, const std::vector<CapCountDelta>& failed, std::int64_t now_bucket) {
  for (const auto& d : failed) {
    if (d.bucket > now_bucket - kCapWindowBuckets) add_delta(into, d.bucket, d.delta);
  }
}

std::uint8_t kind_mask(std::span<const schemas::EventKind> kinds) {
  std::uint8_t m = 0;
  for (auto k : kinds) m = static_cast<std::uint8_t>(m | (1u << static_cast<unsigned>(k)));
  return m;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

constexpr std::int64_t kNoLease = INT64_MIN;

}  // namespace

struct CapLedger::State {
  struct Rule {
    CapLimits limits;
    std::uint8_t kinds = 0;
    std::int64_t lease_bucket = kNoLease;
    std::int64_t lease_left = 0;
    std::int64_t next_request = 1;
    std::int64_t retry_at_ms = INT64_MIN;
    bool over_cap = false;
    bool announce_pending = false;  // a background lease won the announcement: the next refusal says so
    CapReason reason = CapReason::kNone;
    std::int64_t used_global = 0;
    std::int64_t events_global = 0;
    std::uint64_t suppressed = 0;
    std::uint64_t announced = 0;
    BucketRing local_flags;
    std::vector<CapCountDelta> pending;  // returned units (< 0) and degraded-mode flags (> 0)
  };
  struct Shadow {
    std::uint8_t kinds = 0;
    std::int64_t matches_global = 0;
    std::uint64_t local_total = 0;
    BucketRing local;
    std::vector<CapCountDelta> pending;
  };

  CapLedgerConfig config;
  std::unique_ptr<CapBackend> backend;

  mutable std::mutex mutex;  // everything below
  std::unordered_map<std::string, Rule, StringHash, std::equal_to<>> rules;
  std::unordered_map<std::string, Shadow, StringHash, std::equal_to<>> shadows;
  CapKindDeltas pending_events;
  std::array<BucketRing, schemas::kEventKindCount> local_events;
  std::array<std::int64_t, schemas::kEventKindCount> events_global{};
  bool degraded = false;
  std::uint64_t degraded_episodes = 0;
  std::uint64_t degraded_grants = 0;
  std::uint64_t backend_errors = 0;
  std::uint64_t leases = 0;
  std::uint64_t syncs = 0;
  std::int64_t last_sync_ms = 0;

  std::mutex sync_mutex;  // one sync at a time (thread and manual calls)
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread thread;

  Rule& rule(std::string_view key) {
    auto it = rules.find(key);
    if (it == rules.end()) it = rules.emplace(std::string(key), Rule{}).first;
    return it->second;
  }

  // Units of a lease from an earlier bucket are no longer valid: they go back on the next sync.
  static void expire_lease(Rule& r, std::int64_t bucket) {
    if (r.lease_left > 0 && r.lease_bucket != bucket) {
      add_delta(r.pending, r.lease_bucket, -r.lease_left);
      r.lease_left = 0;
    }
  }

  std::int64_t local_events_of(std::uint8_t kinds, std::int64_t bucket) const {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
      if (kinds & (1u << k)) sum += local_events[k].window_sum(bucket);
    }
    return sum;
  }

  void enter_degraded(const Error& e) {  // under mutex
    ++backend_errors;
    if (!degraded) {
      degraded = true;
      ++degraded_episodes;
      log::warn("caps", "cap budget source unreachable: using the local emergency allowance",
                {{"error", e.to_string()}, {"expected_instances", config.expected_instances}});
    }
  }

  // Degraded mode: this process alone may flag N / expected_instances per window, and the share
  // cap applies to the events it saw itself.
  CapVerdict emergency(Rule& r, std::int64_t bucket) {
    CapGrantInput in;
    in.requested = 1;
    in.used = r.local_flags.window_sum(bucket);
    in.events = local_events_of(r.kinds, bucket);
    in.max_flags = r.limits.max_flags_per_hour / std::max(1, config.expected_instances);
    in.max_flag_share = r.limits.max_flag_share;
    in.share_grace = config.share_grace;
    in.fairness_divisor = 1;
    const CapGrant g = compute_cap_grant(in);
    CapVerdict v;
    v.degraded = true;
    if (g.granted > 0) {
      r.local_flags.add(bucket, 1);
      add_delta(r.pending, bucket, 1);  // reported to Redis once it is back
      ++degraded_grants;
      r.over_cap = false;
      r.reason = CapReason::kNone;
      v.decision = CapDecision::kAllow;
      return v;
    }
    ++r.suppressed;
    r.over_cap = true;
    r.reason = g.binding;
    v.decision = CapDecision::kSuppress;  // no announcement without Redis: it could not be exactly once
    v.reason = g.binding;
    return v;
  }

  void run_thread() {
    std::unique_lock lock(stop_mutex);
    while (!stopping) {
      stop_cv.wait_for(lock, config.sync_interval, [this] { return stopping; });
      if (stopping) break;
      lock.unlock();
      const std::int64_t now = config.clock();
      if (sync_now(now)) refill(now);  // a failure is logged once per episode (degraded mode)
      lock.lock();
    }
  }

  // release_all: also give back the units of the current bucket (shutdown).
  Status sync_now(std::int64_t now_ms, bool release_all = false);
  void refill(std::int64_t now_ms);
};

CapLedger::CapLedger(CapLedgerConfig config, std::unique_ptr<CapBackend> backend) : state_(std::make_unique<State>()) {
  if (!backend) throw ErrorException(Error::fatal("caps", "CapLedger needs a budget source"));
  if (!config.clock) {
    config.clock = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  config.max_lease = std::max<std::int64_t>(1, config.max_lease);
  config.expected_instances = std::max(1, config.expected_instances);
  state_->config = std::move(config);
  state_->backend = std::move(backend);
  if (state_->config.background_sync) {
    state_->thread = std::thread([s = state_.get()] { s->run_thread(); });
  }
}

CapLedger::~CapLedger() {
  {
    std::lock_guard lock(state_->stop_mutex);
    state_->stopping = true;
  }
  state_->stop_cv.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  // Give back unused units and flush counts; best effort (a failure was already logged).
  (void)state_->sync_now(state_->config.clock(), /*release_all=*/true);
}

CapVerdict CapLedger::try_flag(std::string_view rule_key, std::span<const schemas::EventKind> kinds,
                               const CapLimits& raw_limits, std::int64_t now_ms) {
  State& s = *state_;
  const std::int64_t bucket = cap_bucket(now_ms);
  // Stored rules are validated (N > 0, S in (0, 1]); a bad value here still must not open the cap.
  CapLimits limits = raw_limits;
  if (limits.max_flags_per_hour < 0) limits.max_flags_per_hour = 0;
  if (!(limits.max_flag_share > 0.0)) limits.max_flag_share = 0.0;  // NaN too: share grace only
  if (limits.max_flag_share > 1.0) limits.max_flag_share = 1.0;
  std::unique_lock lock(s.mutex);
  State::Rule* r = &s.rule(rule_key);
  r->limits = limits;
  r->kinds = kind_mask(kinds);
  State::expire_lease(*r, bucket);
  if (r->lease_left > 0) {  // steady state: spend a leased unit
    --r->lease_left;
    r->local_flags.add(bucket, 1);
    r->over_cap = false;
    r->reason = CapReason::kNone;
    return {CapDecision::kAllow, CapReason::kNone, false};
  }
  if (s.degraded) return s.emergency(*r, bucket);
  if (now_ms < r->retry_at_ms) {  // refused recently: do not ask Redis on every match
    ++r->suppressed;
    if (r->announce_pending) {
      r->announce_pending = false;
      ++r->announced;
      return {CapDecision::kSuppressAndAnnounce, r->reason, false};
    }
    return {CapDecision::kSuppress, r->reason, false};
  }

  CapLeaseRequest req;
  req.rule_key = rule_key;
  req.kinds = kinds;
  req.bucket = bucket;
  req.requested = std::min(r->next_request, s.config.max_lease);
  req.limits = limits;
  req.share_grace = s.config.share_grace;
  req.fairness_divisor = s.config.fairness_divisor;
  for (auto k : kinds) req.events[static_cast<std::size_t>(k)] = std::move(s.pending_events[static_cast<std::size_t>(k)]);
  for (auto k : kinds) s.pending_events[static_cast<std::size_t>(k)].clear();
  ++s.leases;
  lock.unlock();

  auto reply = s.backend->lease(req);

  lock.lock();
  r = &s.rule(rule_key);  // rehashing may have moved nothing (node-based), but stay safe
  if (!reply) {
    for (auto k : kinds) {
      const auto i = static_cast<std::size_t>(k);
      restore_deltas(s.pending_events[i], req.events[i], bucket);
    }
    s.enter_degraded(reply.error());
    State::expire_lease(*r, bucket);
    if (r->lease_left > 0) {  // another thread leased meanwhile
      --r->lease_left;
      r->local_flags.add(bucket, 1);
      return {CapDecision::kAllow, CapReason::kNone, false};
    }
    return s.emergency(*r, bucket);
  }
  r->used_global = reply->used;
  r->events_global = reply->events;
  if (reply->granted > 0) {
    State::expire_lease(*r, bucket);
    r->lease_bucket = bucket;
    r->lease_left += reply->granted - 1;
    r->next_request = reply->granted >= req.requested ? std::min(req.requested * 2, s.config.max_lease)
                                                      : std::max<std::int64_t>(1, reply->granted);
    r->local_flags.add(bucket, 1);
    r->over_cap = false;
    r->reason = CapReason::kNone;
    r->retry_at_ms = INT64_MIN;
    return {CapDecision::kAllow, CapReason::kNone, false};
  }
  r->next_request = 1;
  r->over_cap = true;
  r->reason = reply->binding;
  r->retry_at_ms = now_ms + s.config.over_cap_retry.count();
  ++r->suppressed;
  if (reply->announce || r->announce_pending) {
    r->announce_pending = false;
    ++r->announced;
    return {CapDecision::kSuppressAndAnnounce, reply->binding, false};
  }
  return {CapDecision::kSuppress, reply->binding, false};
}

void CapLedger::count_event(schemas::EventKind kind, std::int64_t now_ms) {
  const auto i = static_cast<std::size_t>(kind);
  if (i >= schemas::kEventKindCount) return;
  const std::int64_t bucket = cap_bucket(now_ms);
  std::lock_guard lock(state_->mutex);
  add_delta(state_->pending_events[i], bucket, 1);
  state_->local_events[i].add(bucket, 1);
}

void CapLedger::count_shadow(std::string_view shadow_key, std::span<const schemas::EventKind> kinds, std::int64_t now_ms) {
  const std::int64_t bucket = cap_bucket(now_ms);
  std::lock_guard lock(state_->mutex);
  auto it = state_->shadows.find(shadow_key);
  if (it == state_->shadows.end()) it = state_->shadows.emplace(std::string(shadow_key), State::Shadow{}).first;
  State::Shadow& sh = it->second;
  sh.kinds = kind_mask(kinds);
  ++sh.local_total;
  sh.local.add(bucket, 1);
  add_delta(sh.pending, bucket, 1);
}

Status CapLedger::sync(std::int64_t now_ms) { return state_->sync_now(now_ms); }

Status CapLedger::State::sync_now(std::int64_t now_ms, bool release_all) {
  std::lock_guard sync_lock(sync_mutex);
  const std::int64_t bucket = cap_bucket(now_ms);
  CapSyncRequest req;
  req.bucket = bucket;
  {
    std::lock_guard lock(mutex);
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
      req.events[k] = std::move(pending_events[k]);
      pending_events[k].clear();
    }
    req.flags.reserve(rules.size());
    for (auto& [key, r] : rules) {
      expire_lease(r, release_all ? kNoLease : bucket);
      req.flags.push_back({key, std::move(r.pending)});
      r.pending.clear();
    }
    req.shadow.reserve(shadows.size());
    for (auto& [key, sh] : shadows) {
      req.shadow.push_back({key, std::move(sh.pending)});
      sh.pending.clear();
    }
  }
  if (!backend) return Error::fatal("caps", "no budget source");
  auto reply = backend->sync(req);
  std::lock_guard lock(mutex);
  if (!reply || reply->flags.size() != req.flags.size() || reply->shadow.size() != req.shadow.size()) {
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) restore_deltas(pending_events[k], req.events[k], bucket);
    for (const auto& f : req.flags) restore_deltas(rules[f.key].pending, f.deltas, bucket);
    for (const auto& sh : req.shadow) restore_deltas(shadows[sh.key].pending, sh.deltas, bucket);
    Error e = reply ? Error::fatal("caps", "sync reply does not match the request") : reply.error();
    enter_degraded(e);
    return e;
  }
  if (degraded) {
    degraded = false;
    log::info("caps", "cap budget source reachable again: leaving degraded mode");
  }
  ++syncs;
  last_sync_ms = now_ms;
  events_global = reply->events;
  auto events_of = [&](std::uint8_t kinds) {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
      if (kinds & (1u << k)) sum += events_global[k];
    }
    return sum;
  };
  for (std::size_t i = 0; i < req.flags.size(); ++i) {
    auto& r = rules[req.flags[i].key];
    r.used_global = reply->flags[i];
    r.events_global = events_of(r.kinds);
  }
  for (std::size_t i = 0; i < req.shadow.size(); ++i) shadows[req.shadow[i].key].matches_global = reply->shadow[i];
  return ok_status();
}

// Background refill: tops up the lease of every rule that flagged in this or the last minute
// before it runs dry, so that in steady state try_flag never waits for Redis.
void CapLedger::State::refill(std::int64_t now_ms) {
  struct Candidate {
    std::string key;
    std::vector<schemas::EventKind> kinds;
    CapLimits limits;
    std::int64_t requested = 1;
  };
  const std::int64_t bucket = cap_bucket(now_ms);
  std::vector<Candidate> todo;
  {
    std::lock_guard lock(mutex);
    if (degraded) return;
    for (auto& [key, r] : rules) {
      expire_lease(r, bucket);
      if (now_ms < r.retry_at_ms || r.over_cap) continue;
      if (r.local_flags.at(bucket) == 0 && r.local_flags.at(bucket - 1) == 0) continue;  // idle rule
      const std::int64_t requested = std::min(r.next_request, config.max_lease);
      if (r.lease_bucket == bucket && r.lease_left * 2 > requested) continue;  // enough left
      Candidate c{key, {}, r.limits, requested};
      for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
        if (r.kinds & (1u << k)) c.kinds.push_back(static_cast<schemas::EventKind>(k));
      }
      todo.push_back(std::move(c));
    }
  }
  for (const auto& c : todo) {
    CapLeaseRequest req;
    req.rule_key = c.key;
    req.kinds = c.kinds;
    req.bucket = bucket;
    req.requested = c.requested;
    req.limits = c.limits;
    req.share_grace = config.share_grace;
    req.fairness_divisor = config.fairness_divisor;
    {
      std::lock_guard lock(mutex);
      for (auto k : c.kinds) {
        req.events[static_cast<std::size_t>(k)] = std::move(pending_events[static_cast<std::size_t>(k)]);
        pending_events[static_cast<std::size_t>(k)].clear();
      }
      ++leases;
    }
    auto reply = backend->lease(req);
    std::lock_guard lock(mutex);
    Rule& r = rules[c.key];
    if (!reply) {
      for (auto k : c.kinds) {
        const auto i = static_cast<std::size_t>(k);
        restore_deltas(pending_events[i], req.events[i], bucket);
      }
      enter_degraded(reply.error());
      return;
    }
    r.used_global = reply->used;
    r.events_global = reply->events;
    if (reply->granted > 0) {
      expire_lease(r, bucket);
      r.lease_bucket = bucket;
      r.lease_left += reply->granted;
      r.next_request = reply->granted >= req.requested ? std::min(req.requested * 2, config.max_lease)
                                                       : std::max<std::int64_t>(1, reply->granted);
    } else {
      r.next_request = 1;
      r.over_cap = true;
      r.reason = reply->binding;
      r.retry_at_ms = now_ms + config.over_cap_retry.count();
      if (reply->announce) r.announce_pending = true;
    }
  }
}

CapLedgerStatus CapLedger::status(std::int64_t now_ms) const {
  const State& s = *state_;
  const std::int64_t bucket = cap_bucket(now_ms);
  std::lock_guard lock(s.mutex);
  CapLedgerStatus out;
  out.degraded = s.degraded;
  out.degraded_episodes = s.degraded_episodes;
  out.degraded_grants = s.degraded_grants;
  out.backend_errors = s.backend_errors;
  out.leases = s.leases;
  out.syncs = s.syncs;
  out.last_sync_ms = s.last_sync_ms;
  for (const auto& [key, r] : s.rules) {
    CapRuleStatus st;
    st.rule_key = key;
    st.used = r.used_global;
    st.limit = r.limits.max_flags_per_hour;
    st.share_limit = r.limits.max_flag_share;
    st.events = r.events_global;
    st.share_used = st.events > 0 ? static_cast<double>(st.used) / static_cast<double>(st.events) : 0.0;
    st.local_flags = r.local_flags.window_sum(bucket);
    st.leased = r.lease_bucket == bucket ? r.lease_left : 0;
    st.suppressed = r.suppressed;
    st.announced = r.announced;
    st.over_cap = r.over_cap;
    st.reason = r.reason;
    out.rules.push_back(std::move(st));
  }
  for (const auto& [key, sh] : s.shadows) {
    ShadowRuleStatus st;
    st.key = key;
    std::int64_t unsynced = 0;
    for (const auto& d : sh.pending) unsynced += d.delta;
    st.matches = sh.matches_global + unsynced;
    for (std::size_t k = 0; k < schemas::kEventKindCount; ++k) {
      if (!(sh.kinds & (1u << k))) continue;
      st.events += s.events_global[k];
      for (const auto& d : s.pending_events[k]) st.events += d.delta;
    }
    st.would_be_share = st.events > 0 ? static_cast<double>(st.matches) / static_cast<double>(st.events) : 0.0;
    st.local_matches = sh.local_total;
    out.shadow.push_back(std::move(st));
  }
  std::sort(out.rules.begin(), out.rules.end(), [](const auto& a, const auto& b) { return a.rule_key < b.rule_key; });
  std::sort(out.shadow.begin(), out.shadow.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

}  // namespace crosscheck::rules
