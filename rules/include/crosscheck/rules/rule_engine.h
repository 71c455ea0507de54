// The rule engine: evaluates compiled rules against one parsed event and its watchlist hits.
//
//   screen (watchlist hits) -> RuleEngine::evaluate -> RuleMatch list -> caps -> flags
//
// Rules are compiled once per rule-set version (fields resolved to accessors, patterns compiled,
// numbers parsed), so evaluation allocates nothing per event in the common case. A compiled rule
// can only read the fields in its data_categories: a field outside them is a compile error, so the
// evaluator has no path to any other part of the event.
//
// Expiry is exact: a rule matches only while valid_from_ms <= now_ms < expires_ms.
// Aggregate conditions record every event of the rule's kind in the AggregateStore (one batched
// call per event, before any condition short-circuits) and test the count it returns.
//
// Semantics of a field test: a missing value (an optional field that was not sent, a field of
// another event kind, a number or date that does not parse) makes every test on it false, `!=`
// and `not_in` included; only `absent` is true then. A repeated field (passengers, goods, routing
// countries, intermediary agents) passes when any element passes. Numbers compare as exact
// decimals ("10000" > "9999.99", "1.50" == "1.5"); dates compare as instants (a YYYY-MM-DD date is
// midnight UTC); other fields compare as byte strings, case-sensitive. `within_before` holds when
// 0 <= of - field <= duration. Watchlist hits name their list by hit.match.explanation.list_id
// (filled in by MatchIndex::match), so the engine needs no MatchIndex.
//
// Thread-safety: a RuleEngine is immutable after construction; evaluate() is const and may run on
// many threads at once (per-call scratch lives in EvalScratch, one per thread).
// Failure behaviour: never throws from evaluate(). An aggregate store that fails makes the
// aggregate conditions false for that event (counted in EvalStats::aggregate_errors: the caller
// logs a warning and moves a metric).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/screen.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

// ---- windowed aggregates (implemented over Redis in rule_aggregates.h) -------------------------

// One event observed by one aggregate condition.
struct AggregateObservation {
  std::string key;      // "<rule id>|<version>|<node>|<hash of the `per` value>": no raw identifier
  std::string member;   // the event id (count "events") or a hash of the `of` value ("distinct")
  std::int64_t at_ms = 0;      // event time
  std::int64_t within_ms = 0;  // window length
};

// Records observations and returns, per observation, the number of members in its window after
// recording it (events or distinct values): the distinct members of the key recorded at times in
// (at_ms - within_ms, at_ms]. Recording the same member again (a redelivered event) is idempotent.
// Implementations: InMemoryAggregateStore below (tests, backtests) and RedisAggregateStore
// (rule_aggregates.h).
// Keys and members never hold a raw identifier: the `per` and `of` values are SHA-256 hashed,
// domain-separated by rule id, version and node, so the same IBAN gives unrelated keys in two rules.
class AggregateStore {
 public:
  virtual ~AggregateStore() = default;
  // `counts` is resized to observations.size(). All-or-nothing: an Error leaves counts undefined.
  virtual Status observe(std::span<const AggregateObservation> observations, std::vector<std::int64_t>& counts) = 0;
};

// Process-local store. Thread-safety: not thread-safe. Old members are pruned as windows slide
// (relative to the newest time seen, so events far out of time order may be under-counted).
// Never fails.
class InMemoryAggregateStore final : public AggregateStore {
 public:
  InMemoryAggregateStore();
  ~InMemoryAggregateStore() override;
  Status observe(std::span<const AggregateObservation> observations, std::vector<std::int64_t>& counts) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---- evaluation --------------------------------------------------------------------------------

// One rule that matched one event. Watchlist default rules (default_watchlist_rule) give one match
// per hit on their list; other rules give at most one match per event.
struct RuleMatch {
  std::size_t rule = 0;  // index into RuleEngine::rules()
  // The hit that names the flag's subject: the first hit that satisfied a hit test of the rule
  // (a hit test under `not` names no subject), or -1 when the rule has none (the subject is then
  // rule.subject_role, or the first role of the kind: passenger 0, consignor, debtor).
  int hit = -1;
  // Points into the hit's Subject (valid while the caller's hits are) or into the engine.
  std::string_view subject_role;
  int subject_index = 0;
};

struct EvalStats {
  std::uint64_t rules_evaluated = 0;   // rules of the event's kind inside their validity window
  std::uint64_t rules_expired = 0;     // rules of the kind skipped because now >= expires
  std::uint64_t aggregate_errors = 0;  // AggregateStore::observe failed for this event
  std::uint64_t pattern_errors = 0;    // a `matches` test hit its time or stack limit (it is false)
};

// Per-thread scratch space, reused across calls to avoid allocation. One per thread; it may be
// used with several engines in turn (its per-engine part is rebuilt when the engine changes).
struct EvalScratch {
  std::vector<AggregateObservation> observations;  // only the first `observation_count` are live
  std::size_t observation_count = 0;
  std::vector<std::int64_t> counts;
  // Engine-private: regex matchers of the last engine used and aggregate bookkeeping.
  std::shared_ptr<void> engine_state;
};

class RuleEngine {
 public:
  RuleEngine();  // no rules
  // Compiles `rules`. A rule that cannot be compiled is left out and described in `rejected`
  // ("<id> v<n>: <why>"): it reads a field outside its data_categories or not in the catalogue,
  // a constant does not parse as the field's type (decimal, RFC 3339 / YYYY-MM-DD date), a
  // pattern does not compile, an operator does not fit its operands, the tree is deeper than 32
  // or larger than 256 nodes, or it applies to no event kind. validate_rule is not repeated here
  // (the store validates before storing, and the generated watchlist rules skip it), so this
  // only happens with a hand-edited store or a hand-built Rule.
  explicit RuleEngine(std::vector<Rule> rules, std::vector<std::string>* rejected = nullptr);
  ~RuleEngine();
  RuleEngine(RuleEngine&&) noexcept;
  RuleEngine& operator=(RuleEngine&&) noexcept;

  const std::vector<Rule>& rules() const;
  // Digest of each rule's canonical text (rule_digest), by rule index.
  const std::string& digest(std::size_t rule) const;

  // Appends the matches of `event` to `out` in rule order (`out` is not cleared). `aggregates` may
  // be null when no rule has an aggregate condition (they are then false). `now_ms` decides
  // validity (expiry); aggregate windows use the event's event_time. Rules of every mode are
  // evaluated: shadow handling is the caller's.
  void evaluate(const schemas::Event& event, std::span<const Hit> hits, std::int64_t now_ms,
                AggregateStore* aggregates, EvalScratch& scratch, std::vector<RuleMatch>& out,
                EvalStats* stats = nullptr) const;

  // The values of the rule's data_categories in `event`, as (path, value) pairs in
  // data_categories order; repeated fields give one pair per element that has a value. This is
  // all of the event a flag raised by the rule may carry besides the subject's minimal identity.
  void declared_values(std::size_t rule, const schemas::Event& event,
                       std::vector<std::pair<std::string_view, std::string>>& out) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// ---- backtest ----------------------------------------------------------------------------------

struct BacktestReport {
  std::uint64_t events = 0;          // lines read that parsed as events of the rule's kind(s)
  std::uint64_t invalid = 0;         // lines that did not parse (counted, not evaluated)
  std::uint64_t matched_events = 0;  // events the rule would flag (at least one match)
  std::uint64_t flags = 0;           // flags it would raise (default watchlist rules: per hit)
  double share = 0.0;                // matched_events / events
  // The first few matches: line number, event id and subject role, for the person reviewing.
  struct Example {
    std::uint64_t line = 0;
    std::string event_id;
    std::string subject_role;
    int subject_index = 0;
  };
  std::vector<Example> examples;
};

// Evaluates `rule` over recorded events: JSON lines of kind `kind` (the wire format of
// docs/events.md; blank lines are skipped), screened against `index` for hit tests (an empty
// index when no list is given), with aggregates kept in memory and their windows timed by each
// event's event_time. The rule's validity window is ignored: a backtest asks what the rule would
// have flagged, typically before it is valid or over events older than it. Caps are not applied
// either: the report says what the rule would flag before capping. Fatal Error when the rule does
// not compile or does not apply to `kind`.
Result<BacktestReport> backtest(const Rule& rule, schemas::EventKind kind, std::string_view jsonl,
                                const MatchIndex& index, std::size_t max_examples = 10);

// Human-readable and JSON renderings of a report, for the CLI and the manager API.
std::string format_backtest_text(const Rule& rule, const BacktestReport& report);
std::string format_backtest_json(const Rule& rule, const BacktestReport& report);

}  // namespace crosscheck::rules
