// Rules in Redis: immutable versions, four-eyes approval, and one atomically switched active set.
//
// Key layout, under a configurable prefix P (default "crosscheck:"):
//   P rules:ids                     hash: rule id -> latest stored version
//   P rule:{id}:seq                 version counter (INCR; a failed put leaves a gap)
//   P rule:{id}:v:{n}               hash, written once and never changed:
//                                     text (canonical JSON, encode_rule), digest (rule_digest),
//                                     author (the actor who put it), owner (rule.owner), created_at
//   P rule:{id}:v:{n}:review        hash: the version's lifecycle, beside the text and not in it:
//                                     state, approved_by, approved_at, approval_comment,
//                                     changed_at, changed_by, reason
//   P rules:active                  hash: the ACTIVE SET. Field "generation" (a counter bumped by
//                                     every change) and one field per active version,
//                                     "enforce:{id}" or "shadow:{id}" -> version
//   P rules:active:expiry           sorted set: "enforce:{id}" / "shadow:{id}" scored by expires_ms
//   P audit                         the audit stream (audit_log.h)
//
// Lifecycle states of a version:
//   proposed   -> approved (approve, by someone who is neither its author nor its owner)
//   approved   -> active   (activate; its mode, enforce or shadow, comes from the rule text)
//   active     -> superseded (another version of the same id was activated in the same mode)
//   superseded -> active   (activate again: a rollback needs no new approval)
//   any but suspended/expired -> suspended (suspend; leaves the active set if it was in it)
//   active     -> expired  (expire_due, at expires_ms)
// Suspended and expired are final: to run the rule again, put it again as a new version.
//
// Atomicity: every change (approve, activate, suspend, expire) and its audit entry run in one Lua
// script, so the change and its record are never separated and concurrent callers serialise
// (expire_due from two screeners audits each expiry exactly once). The active set is one hash read
// with one HGETALL: a reader sees the set before a change or after it, never half, together with
// the generation that names it. Texts are immutable, so reading them after the set is safe.
//
// Thread-safety: not thread-safe (it borrows a RedisClient); one store per thread.
// Failure behaviour: Redis failures are Errors of component "redis" (retriable when the server is
// unreachable). Refusals are fatal Errors of component "rule_store" whose code() is one of
// RuleStoreError, with a message for the person who asked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule.h"

namespace crosscheck::rules {

// Error::code() of refusals (component "rule_store"); HTTP-like on purpose, for the manager API.
enum RuleStoreError : int {
  kRuleRefused = 403,   // four eyes, wrong state, expired: the request is understood and refused
  kRuleNotFound = 404,  // no such rule id or version
  kRuleInvalid = 422,   // the rule text fails validation (put) or does not parse back (corrupt)
};

enum class RuleState : std::uint8_t { kProposed, kApproved, kActive, kSuperseded, kSuspended, kExpired };
std::string_view to_string(RuleState state);
std::optional<RuleState> rule_state_from_string(std::string_view name);

// One stored version with its lifecycle.
struct StoredRule {
  Rule rule;             // parsed from text; rule.approval filled from the review hash
  std::string text;      // the canonical text, exactly as stored
  std::string digest;    // rule_digest at put time
  std::string author;    // the actor who put it
  std::string created_at;
  RuleState state = RuleState::kProposed;
  std::string changed_at;  // last lifecycle change
  std::string changed_by;
  std::string reason;      // suspension reason, "expired", ...
};

// One row of list(): a rule id, its latest version, what of it is active, and every version's state.
struct RuleSummary {
  std::string id;
  std::uint64_t latest_version = 0;
  std::optional<std::uint64_t> enforce_version;  // active in enforce mode
  std::optional<std::uint64_t> shadow_version;   // active in shadow mode
  std::vector<std::pair<std::uint64_t, RuleState>> versions;  // ascending
};

struct ActiveEntry {
  std::string id;
  std::uint64_t version = 0;
  RuleMode mode = RuleMode::kEnforce;
};

// The active set as the screeners load it.
struct ActiveRuleSet {
  std::uint64_t generation = 0;  // 0: nothing was ever activated
  std::vector<Rule> rules;       // full text parsed, approval filled; sorted by id then mode
};

struct ActivateOutcome {
  ActiveEntry activated;
  std::optional<std::uint64_t> replaced;  // the version of the same id and mode it replaced
  bool already_active = false;            // nothing changed, nothing audited
  std::uint64_t generation = 0;           // of the active set after the call
};

struct SuspendOutcome {
  bool was_active = false;
  std::uint64_t generation = 0;
};

class RuleStore {
 public:
  RuleStore(RedisClient& redis, std::string key_prefix, AuditOptions audit = {});

  // Stores `rule` as the next version of rule.id (the caller has validated it: parse_and_validate_rule)
  // and audits "create". rule.version and rule.approval are ignored: the store assigns the
  // version and approval comes only through approve(). Returns the stored version.
  Result<StoredRule> put(const Rule& rule, const std::string& actor, std::int64_t now_ms);

  // Records the approval of a proposed version. Refused when `actor` is the author who put it or
  // the rule's owner, or when the version is not proposed. `comment` is required.
  Result<StoredRule> approve(const std::string& id, std::uint64_t version, const std::string& actor,
                             const std::string& comment, std::int64_t now_ms);

  // Puts an approved (or superseded) version into the active set in its mode, replacing the active
  // version of the same id and mode, and bumps the generation. Refused unless approved, or when
  // the rule has expired at now_ms.
  Result<ActivateOutcome> activate(const std::string& id, std::uint64_t version, const std::string& actor,
                                   std::int64_t now_ms);

  // Suspends a version: it leaves the active set if it is in it, and can never be activated again.
  // `reason` is required.
  Result<SuspendOutcome> suspend(const std::string& id, std::uint64_t version, const std::string& actor,
                                 const std::string& reason, std::int64_t now_ms);

  // One version (0 = the latest).
  Result<StoredRule> get(const std::string& id, std::uint64_t version = 0);

  // Every rule id, sorted.
  Result<std::vector<RuleSummary>> list();

  // The active set: one HGETALL, then the texts in one pipelined round trip. Fatal Error when a
  // stored text does not parse back (a hand-edited store): the follower keeps its previous set.
  Result<ActiveRuleSet> load_active();
  // The active set's ids, versions and modes, without the texts.
  Result<std::vector<ActiveEntry>> active_entries();
  // One HGET, for followers polling every 500 ms: reload when it differs from the loaded one.
  Result<std::uint64_t> active_generation();

  // Removes every active version whose expires_ms <= now_ms from the set, marks it expired and
  // audits "expire" once per version, all in one script: safe when several screeners call it at
  // once (each expiry is done and audited exactly once). Returns what this call expired.
  Result<std::vector<ActiveEntry>> expire_due(std::int64_t now_ms, const std::string& actor = "system");

  const std::string& key_prefix() const { return prefix_; }
  const AuditOptions& audit_options() const { return audit_; }

 private:
  std::string version_key(const std::string& id, std::uint64_t version) const;
  Result<RedisValue> run_script(std::string_view script, const std::vector<std::string>& keys,
                                const std::vector<std::string>& args, const std::string& context);
  Result<StoredRule> decode(const std::string& id, std::uint64_t version, const RedisValue& meta,
                            const RedisValue& review) const;

  RedisClient& redis_;
  std::string prefix_;
  AuditOptions audit_;
};

}  // namespace crosscheck::rules
