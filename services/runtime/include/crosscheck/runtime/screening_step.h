// The screener's processing function: one consumed record in, flags or a dead-letter record out.
//
//   parse + validate (schemas) -> screen against the live watchlist index (rules)
//     -> evaluate the rules (each list's default rule, then the active rule set)
//     -> caps (FlagBudget) -> encode
//
// Every flag is raised by a rule. Each live list has a default rule "watchlist-hit:<list>" that
// turns every hit on it into one flag (naming the list, its version, the entry, the score and the
// matcher's explanation) routed to the queue of the event kind; the active rules from Redis add
// theirs, routed to their own queues. Every enforce match passes the rule's caps: a match over a
// cap is counted and leaves nothing else, and the first one of an over-cap episode produces one
// governance alert (rules.governance_queue). Shadow matches are counted, never flagged.
//
// It is a plain function over plain records, so it is unit-tested without Kafka; the pipeline in
// streams/ only wires it to the consumer and producer.
// Failure behaviour: never throws for any input. Input that fails validation, or that arrives on a
// topic with no event kind, becomes one dead-letter record carrying every reason found and the
// original bytes.
// Thread-safety: not thread-safe (it owns a parser); one step per consumer thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/rules/rule_follower.h"
#include "crosscheck/rules/screen.h"
#include "crosscheck/runtime/flag_budget.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/streams/pipeline.h"

namespace crosscheck::runtime {

// Kafka record headers the screener sets on what it produces.
inline constexpr const char* kHeaderFlagId = "crosscheck.flag_id";
inline constexpr const char* kHeaderKind = "crosscheck.kind";
inline constexpr const char* kHeaderReason = "crosscheck.reason";

class ScreeningStep {
 public:
  using IndexSource = std::function<std::shared_ptr<const rules::MatchIndex>()>;
  using RuleSource = std::function<std::shared_ptr<const rules::RuleSnapshot>()>;
  // Called on the processing thread when this step announces that a rule reached a cap (after the
  // governance alert is queued), e.g. to write the "cap_reached" audit record.
  using CapListener = std::function<void(const rules::Rule& rule, std::int64_t now_ms)>;
  using Clock = std::function<std::int64_t()>;  // epoch ms

  // `metrics` may be null (tools and tests that do not export metrics). `airports`, when set, is
  // the reference list of IATA codes events must use (see screening.airports_file).
  // Until set_rules / set_budget are called the step evaluates only the lists' default rules, with
  // caps held in this process (LocalFlagBudget).
  ScreeningStep(const ScreenerConfig& config, IndexSource index, ScreenerMetrics* metrics,
                std::shared_ptr<const schemas::ids::AirportCodes> airports = nullptr);

  void set_rules(RuleSource rules) { rules_ = std::move(rules); }
  // Not owned; must outlive the step.
  void set_budget(FlagBudget* budget) { budget_ = budget; }
  // Not owned; null makes aggregate conditions false (counted in rule_aggregate_errors).
  void set_aggregates(rules::AggregateStore* aggregates) { aggregates_ = aggregates; }
  void set_cap_listener(CapListener listener) { cap_listener_ = std::move(listener); }
  // Tests replace the clock that decides rule validity, expiry and cap windows.
  void set_clock(Clock clock) { clock_ = std::move(clock); }

  void process(const streams::InRecord& in, streams::Processed& out);

  std::vector<std::string> input_topics() const;
  // The dead-letter topic, one flags topic per configured queue and the governance topic. Rules may
  // name further queues: rule_queue_topics() lists those of a rule set.
  std::vector<std::string> output_topics() const;
  std::vector<std::string> rule_queue_topics(const rules::RuleEngine& engine) const;

 private:
  struct DefaultRules {
    std::shared_ptr<const rules::MatchIndex> index;  // the index they were built for
    rules::RuleEngine engine;
  };
  void dead_letter(const streams::InRecord& in, std::string_view kind, streams::Processed& out);
  void evaluate(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
                const rules::RuleEngine& engine, rules::AggregateStore* aggregates, std::int64_t now_ms,
                streams::Processed& out);
  void flag(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
            const rules::RuleEngine& engine, const rules::RuleMatch& match, streams::Processed& out);
  void announce_cap(const rules::Rule& rule, std::int64_t now_ms, streams::Processed& out);
  const rules::RuleEngine& default_rules(const std::shared_ptr<const rules::MatchIndex>& index, std::int64_t now_ms);

  TopicsConfig topics_;
  std::map<std::string, schemas::EventKind, std::less<>> kind_by_topic_;  // found by string_view, no copy
  std::map<schemas::EventKind, std::string> flag_topic_by_kind_;
  std::map<schemas::EventKind, std::string> queue_by_kind_;
  std::string severity_;
  std::string instance_id_;
  IndexSource index_;
  ScreenerMetrics* metrics_;
  schemas::EventParser parser_;
  std::vector<schemas::Violation> violations_;
  std::vector<rules::Hit> hits_;
  std::vector<rules::RuleMatch> matches_;
  std::vector<rules::Subject> subjects_;
  rules::EvalScratch scratch_;
  rules::WatchlistRuleDefaults watchlist_defaults_;
  std::string governance_topic_;
  std::string flags_prefix_;
  DefaultRules defaults_;
  RuleSource rules_;
  LocalFlagBudget local_budget_;
  FlagBudget* budget_ = &local_budget_;
  rules::AggregateStore* aggregates_ = nullptr;
  CapListener cap_listener_;
  Clock clock_;
  std::size_t flags_this_event_ = 0;
};

// A stable, non-personal Kafka key for a subject, so that all flags about one subject land on one
// partition and stay in order. Derived from the strongest identifier the subject has.
std::string subject_key(const rules::Subject& subject);

}  // namespace crosscheck::runtime
