// What the screener must publish for a generated stream: flags per topic and dead-letter records,
// computed by running the screener's own screening step (runtime::ScreeningStep, with the same
// configuration, the same watchlist index and the same active rules it loads from Redis) over the
// regenerated events in this process.
//
// Why this and not "flag what the generator meant to list": fuzzy matching is the thing under
// test elsewhere; here the question is whether the running system (Kafka, the pipeline, caps,
// Redis, several instances) delivers exactly what its screening logic decides, no more (no
// duplicates counted twice, no stray flags) and no less (nothing lost or stuck). Unlisted names
// that happen to score above a threshold against the full OFAC and UN lists are flags too, and
// only the matcher itself can say which ones. The generator's intent is reported beside it
// (listed events that raised a watchlist flag), as a plausibility figure, not the check.
//
// Conditions for the expectation to be exact, which loadtest/run arranges and this class checks:
//   - rule caps do not bind (caps are per sliding hour over all instances; with the benchmark's
//     caps they are far away). A suppressed match here is reported (`suppressed`) and makes the
//     comparison unreliable, and the report says so;
//   - aggregate conditions see the same events in the same order: the screener keys payments by
//     debtor account (one partition, in order) and the expectation runs in generation order over
//     an in-memory store with the same window arithmetic; Redis aggregate keys must be fresh.
// Thread-safety: not thread-safe (one ScreeningStep); use one per thread.
// Failure behaviour: add() never fails (a step that throws is a bug and propagates).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "crosscheck/loadgen/event_generator.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/rule_follower.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/schemas/identifiers.h"

namespace crosscheck::loadgen {

struct Expectation {
  std::uint64_t events = 0;
  std::map<std::string, std::uint64_t> events_by_kind;
  std::uint64_t deadletters = 0;                     // records on topics.deadletter
  std::uint64_t flags = 0;                           // records on <flags_prefix><queue>, governance excluded
  std::map<std::string, std::uint64_t> flags_by_topic;
  std::uint64_t flagged_events = 0;                  // events with at least one flag
  std::map<std::string, std::uint64_t> flags_by_rule;
  std::uint64_t governance_alerts = 0;               // caps bound (should be 0)
  std::uint64_t suppressed = 0;                      // matches over a cap (should be 0)
  std::uint64_t malformed_sent = 0;                  // the generator's intent
  std::uint64_t listed_sent = 0;
  std::uint64_t listed_with_watchlist_flag = 0;      // listed events that raised a list's flag
  std::uint64_t unlisted_with_watchlist_flag = 0;    // clean events that did (near namesakes)
};

class ExpectationCounter {
 public:
  // `config` is the screeners' configuration (topics, queues, thresholds, rule defaults);
  // `index` and `rules` what they screen with (rules may be null: the lists' default rules only).
  ExpectationCounter(const runtime::ScreenerConfig& config, std::shared_ptr<const rules::MatchIndex> index,
                     std::shared_ptr<const rules::RuleSnapshot> rules,
                     std::shared_ptr<const schemas::ids::AirportCodes> airports);
  ~ExpectationCounter();

  // Screens one event as the screener would (`now_ms` decides rule validity, as the screener's clock).
  void add(const GeneratedEvent& event, std::int64_t now_ms);
  // Everything added so far.
  Expectation result() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The watchlist index and the active rule set a screener with `config` would load from Redis
// (the same followers it runs). Fatal or retriable Error when Redis cannot be read in `timeout`.
struct ScreeningState {
  std::shared_ptr<const rules::MatchIndex> index;
  std::shared_ptr<const rules::RuleSnapshot> rules;
};
Result<ScreeningState> load_screening_state(const runtime::ScreenerConfig& config, std::chrono::milliseconds timeout);

// Every live list in Redis under `key_prefix`, at its live version (for the generator's listed
// subjects). Sorted by list id; entries sorted by id.
Result<std::vector<rules::Watchlist>> load_live_lists(const rules::RedisConfig& redis, const std::string& key_prefix);

}  // namespace crosscheck::loadgen
