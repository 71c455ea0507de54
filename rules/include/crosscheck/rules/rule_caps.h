// Global flag caps per rule, coordinated through Redis across every screener instance.
//
//   RuleEngine match -> CapLedger::try_flag -> allow (flag) | suppress (count only) | suppress_and_announce
//
// Each rule has two caps (rule.h): max_flags_per_hour (N) and max_flag_share (S, flags / events of
// the rule's kinds). Both hold over a sliding hour made of one-minute buckets, for all instances
// together. A Redis round trip per flag would be too slow, so each process leases units of budget:
// try_flag spends one locally leased unit; when none is left it leases more with one atomic Lua
// script that sums the rule's granted units over the window and grants at most what is left under
// both caps. Grants over all instances therefore never exceed the caps, and in steady state a flag
// costs a mutex and a decrement. docs/rules.md ("Caps") describes the semantics and key layout.
//
// Window: kCapWindowBuckets (61) one-minute buckets, the current one included. Units are granted in
// the bucket of the caller's clock and are valid only in that bucket: at most N grants land in any
// 61 consecutive buckets, hence at most N flags in any real hour. Units still unused when the bucket
// ends are given back on the next sync (small, bounded under-use in between).
//
// Caps are keyed by rule id, not version: a new version of a rule spends the same budget.
//
// Degraded mode: when the backend (Redis) fails, the ledger stops calling it from try_flag and
// grants from a local emergency allowance (N / expected_instances per sliding hour, and the share
// cap over this process's own events); the background sync retries and recovers by itself, and
// then reports the flags granted meanwhile. A warning is logged once per episode.
//
// Privacy: the ledger stores only rule keys and numbers. A suppressed match leaves nothing behind
// but a counter: no event id, name or identifier is passed in or stored.
//
// Thread-safety: CapLedger is thread-safe. try_flag, count_event and count_shadow may be called from
// several processing threads; the fast path holds one mutex for a few map and counter operations.
// Backend round trips run without that mutex. CapBackend implementations must accept lease() and
// sync() from different threads at once.
// Failure behaviour: try_flag, count_event and count_shadow never throw and never block longer
// than one backend call (bounded by the Redis command timeout) - and not at all while degraded.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

inline constexpr std::int64_t kCapBucketMs = 60'000;
// 60 full minutes plus the current one, so that any real hour falls inside one window.
inline constexpr std::int64_t kCapWindowBuckets = 61;

// floor(now_ms / kCapBucketMs), also for negative times.
std::int64_t cap_bucket(std::int64_t now_ms);

struct CapLimits {
  std::int64_t max_flags_per_hour = 0;  // N; <= 0 allows nothing
  double max_flag_share = 1.0;          // S in (0, 1]; 1 sets no share cap (flags may outnumber events)
};

enum class CapDecision : std::uint8_t {
  kAllow,
  kSuppress,
  // Suppressed, and this caller is the one (over all instances) that announces the over-cap
  // episode: publish one governance alert and one audit record "cap_reached".
  kSuppressAndAnnounce,
};
std::string_view to_string(CapDecision decision);  // "allow", "suppress", "suppress_and_announce"

enum class CapReason : std::uint8_t { kNone, kFlagsPerHour, kFlagShare };
std::string_view to_string(CapReason reason);  // "none", "max_flags_per_hour", "max_flag_share"

struct CapVerdict {
  CapDecision decision = CapDecision::kSuppress;
  CapReason reason = CapReason::kNone;  // which cap stopped the flag (kNone when allowed)
  bool degraded = false;                // decided from the local emergency allowance
  bool allowed() const { return decision == CapDecision::kAllow; }
  bool announce() const { return decision == CapDecision::kSuppressAndAnnounce; }
};

// ---- grant arithmetic (the Lua lease script implements exactly this) ---------------------------

struct CapGrantInput {
  std::int64_t requested = 1;
  std::int64_t used = 0;     // units granted in the window so far
  std::int64_t events = 0;   // events of the rule's kinds in the window
  std::int64_t max_flags = 0;
  double max_flag_share = 1.0;
  // Flags allowed by the share cap on top of floor(S * events): with 0 the first match of a quiet
  // hour can never flag (0.05 * 1 event = 0); 1 allows it. Default in CapLedgerConfig.
  std::int64_t share_grace = 1;
  // A grant is at most max(1, remaining / fairness_divisor), so that near the cap units go out one
  // at a time and no instance hoards what is left.
  std::int64_t fairness_divisor = 4;
};
struct CapGrant {
  std::int64_t granted = 0;
  std::int64_t limit = 0;  // min(max_flags, floor(S * events + 1e-9) + share_grace)
  CapReason binding = CapReason::kFlagsPerHour;  // the smaller of the two limits
};
CapGrant compute_cap_grant(const CapGrantInput& in);

// ---- the budget source (a narrow seam: Redis in production, a fake in unit tests) --------------

struct CapCountDelta {
  std::int64_t bucket = 0;
  std::int64_t delta = 0;
};
struct CapKeyDeltas {
  std::string key;                    // rule key (caps) or shadow key
  std::vector<CapCountDelta> deltas;  // may be empty: the key is then only read
};
using CapKindDeltas = std::array<std::vector<CapCountDelta>, schemas::kEventKindCount>;

struct CapLeaseRequest {
  std::string_view rule_key;
  std::span<const schemas::EventKind> kinds;  // the rule's kinds, distinct
  std::int64_t bucket = 0;
  std::int64_t requested = 1;
  CapLimits limits;
  std::int64_t share_grace = 1;
  std::int64_t fairness_divisor = 4;
  CapKindDeltas events;  // this process's unsynced event counts, added before the grant
};
struct CapLeaseReply {
  std::int64_t granted = 0;
  std::int64_t used = 0;    // units granted in the window, all instances, this grant included
  std::int64_t events = 0;  // events of the rule's kinds in the window, all instances
  std::int64_t limit = 0;
  CapReason binding = CapReason::kFlagsPerHour;
  bool announce = false;    // granted == 0 and this call won the episode's announcement
};

struct CapSyncRequest {
  std::int64_t bucket = 0;
  CapKindDeltas events;               // added to the global per-kind counts
  std::vector<CapKeyDeltas> flags;    // per cap rule: returned units (< 0), degraded-mode flags (> 0)
  std::vector<CapKeyDeltas> shadow;   // per shadow key: shadow matches
};
struct CapSyncReply {
  std::array<std::int64_t, schemas::kEventKindCount> events{};  // window totals per kind
  std::vector<std::int64_t> flags;    // window totals, aligned with request.flags
  std::vector<std::int64_t> shadow;   // window totals, aligned with request.shadow
};

class CapBackend {
 public:
  virtual ~CapBackend() = default;
  // One atomic lease: add the event deltas, then grant per compute_cap_grant over the window.
  virtual Result<CapLeaseReply> lease(const CapLeaseRequest& request) = 0;
  // One round trip: add every delta, return the window totals.
  virtual Result<CapSyncReply> sync(const CapSyncRequest& request) = 0;
};

struct RedisCapOptions {
  std::string prefix = "crosscheck:";  // keys: <prefix>cap:... (docs/rules.md)
  std::int64_t key_ttl_ms = 2 * 3600 * 1000;        // refreshed on every write; > the window
  std::int64_t announce_ttl_ms = 3600 * 1000;       // one announcement per rule per hour at most
};
// The Redis budget source: EVALSHA of two Lua scripts (lease, sync), each one round trip. Holds
// two connections (one for leases, one for syncs), each behind its own mutex.
std::unique_ptr<CapBackend> make_redis_cap_backend(const RedisConfig& redis, RedisCapOptions options);

// ---- the per-process ledger --------------------------------------------------------------------

struct CapLedgerConfig {
  int expected_instances = 2;       // degraded mode: each instance may flag N / expected_instances
  std::int64_t max_lease = 32;      // largest number of units leased at once
  std::int64_t share_grace = 1;     // see CapGrantInput::share_grace
  std::int64_t fairness_divisor = 4;
  // When a lease was refused, further matches of the rule are suppressed locally for this long
  // before the next lease attempt (so an over-cap rule costs one round trip per second, not one
  // per match).
  std::chrono::milliseconds over_cap_retry{1000};
  std::chrono::milliseconds sync_interval{1000};
  bool background_sync = true;      // false: the owner calls sync() (tests)
  // Clock of the background sync thread (ms since the epoch). Default: the system clock.
  std::function<std::int64_t()> clock;
};

struct CapRuleStatus {
  std::string rule_key;
  std::int64_t used = 0;          // flags in the window, all instances, as of the last round trip
  std::int64_t limit = 0;         // max_flags_per_hour
  double share_limit = 0.0;       // max_flag_share
  std::int64_t events = 0;        // events of the rule's kinds in the window, all instances
  double share_used = 0.0;        // used / events (0 when no events)
  std::int64_t local_flags = 0;   // flags this instance allowed in the window
  std::int64_t leased = 0;        // units leased and not yet spent
  std::uint64_t suppressed = 0;   // matches this instance suppressed since start (counter)
  std::uint64_t announced = 0;    // announcements this instance made since start (counter)
  bool over_cap = false;          // the last attempt was refused and no grant came since
  CapReason reason = CapReason::kNone;  // the cap that refused it
};

struct ShadowRuleStatus {
  std::string key;
  std::int64_t matches = 0;        // shadow matches in the window, all instances
  std::int64_t events = 0;         // events of its kinds in the window, all instances
  double would_be_share = 0.0;     // matches / events: the flag share it would produce
  std::uint64_t local_matches = 0; // this instance's shadow matches since start (counter)
};

struct CapLedgerStatus {
  bool degraded = false;
  std::uint64_t degraded_episodes = 0;  // counters since start
  std::uint64_t degraded_grants = 0;
  std::uint64_t backend_errors = 0;
  std::uint64_t leases = 0;             // lease round trips
  std::uint64_t syncs = 0;              // successful syncs
  std::int64_t last_sync_ms = 0;
  std::vector<CapRuleStatus> rules;     // sorted by key
  std::vector<ShadowRuleStatus> shadow; // sorted by key
};

class CapLedger {
 public:
  // Starts the background sync thread when config.background_sync. Throws ErrorException when
  // `backend` is null (a programming error, found at start-up).
  CapLedger(CapLedgerConfig config, std::unique_ptr<CapBackend> backend);
  // Stops the sync thread and makes one last sync (gives back unused units, flushes counts).
  ~CapLedger();
  CapLedger(const CapLedger&) = delete;
  CapLedger& operator=(const CapLedger&) = delete;

  // One match of an enforced rule. `rule_key` is the rule id; `kinds` its applies_to; `limits`
  // its caps (the current version's). Call it for every match, flagged or not, and flag only when
  // allowed(). Suppressed matches are counted here; pass nothing about the subject.
  CapVerdict try_flag(std::string_view rule_key, std::span<const schemas::EventKind> kinds,
                      const CapLimits& limits, std::int64_t now_ms);

  // One screened event of `kind` (every event, matched or not): the denominator of the share cap.
  void count_event(schemas::EventKind kind, std::int64_t now_ms);

  // One match of a shadow rule (never flagged). Suggested key "<rule id>@<version>", so that a
  // shadow version is counted apart from the live one.
  void count_shadow(std::string_view shadow_key, std::span<const schemas::EventKind> kinds, std::int64_t now_ms);

  // One sync round trip: flush counts, give back expired units, read global totals; leaves
  // degraded mode on success. The background thread calls it every sync_interval.
  Status sync(std::int64_t now_ms);

  CapLedgerStatus status(std::int64_t now_ms) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace crosscheck::rules
