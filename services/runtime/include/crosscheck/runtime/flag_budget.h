// The screening step's view of the rule caps: may this rule raise one more flag now?
//
// Two implementations: LocalFlagBudget below (one process: tools and tests) and LedgerFlagBudget,
// over rules::CapLedger (rules/rule_caps.h), which holds the caps across all screener instances
// through Redis with locally leased budgets. The screening step calls count_event once per valid
// event (the denominator of max_flag_share), try_flag once per match of an enforce rule, and
// count_shadow once per match of a shadow rule.
// Thread-safety: implementations are thread-safe.
// Failure behaviour: never throws; an implementation that cannot reach its store decides from a
// local allowance and says so through its own metrics and log (degraded mode).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/rule_caps.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::runtime {

// kAllow: raise the flag. kSuppress: a cap is reached; count the match, keep nothing else.
// kSuppressAndAnnounce: the same, and this caller tells the managers (once per over-cap episode
// of the rule, across all instances).
using rules::CapDecision;

class FlagBudget {
 public:
  virtual ~FlagBudget() = default;
  virtual void count_event(schemas::EventKind kind, std::int64_t now_ms) = 0;
  virtual CapDecision try_flag(const rules::Rule& rule, std::int64_t now_ms) = 0;
  virtual void count_shadow(const rules::Rule& rule, std::int64_t now_ms) = 0;
};

// Caps held in this process only, over a sliding hour of one-minute buckets, with the arithmetic
// of rules::compute_cap_grant (share grace, a share of 1 sets no share cap): exact for one
// instance, and what a tool that replays events needs. Not for a group of screeners (each would
// get the whole budget).
class LocalFlagBudget final : public FlagBudget {
 public:
  LocalFlagBudget();
  ~LocalFlagBudget() override;
  void count_event(schemas::EventKind kind, std::int64_t now_ms) override;
  CapDecision try_flag(const rules::Rule& rule, std::int64_t now_ms) override;
  void count_shadow(const rules::Rule& rule, std::int64_t now_ms) override;

  // Flags allowed and matches suppressed / counted in shadow so far, per rule id (for tests).
  std::uint64_t flagged(const std::string& rule_id) const;
  std::uint64_t suppressed(const std::string& rule_id) const;
  std::uint64_t shadow(const std::string& rule_id) const;

 private:
  struct State;
  mutable std::mutex mutex_;
  std::unique_ptr<State> state_;
};

class ScreenerMetrics;

// The caps of all instances together, through a CapLedger (not owned). Shadow matches are counted
// under "<rule id>@<version>", so a shadow version is counted apart from the live one.
// `metrics` (may be null) counts decisions taken in degraded mode.
class LedgerFlagBudget final : public FlagBudget {
 public:
  LedgerFlagBudget(rules::CapLedger& ledger, ScreenerMetrics* metrics) : ledger_(ledger), metrics_(metrics) {}
  void count_event(schemas::EventKind kind, std::int64_t now_ms) override;
  CapDecision try_flag(const rules::Rule& rule, std::int64_t now_ms) override;
  void count_shadow(const rules::Rule& rule, std::int64_t now_ms) override;

 private:
  rules::CapLedger& ledger_;
  ScreenerMetrics* metrics_;
};

}  // namespace crosscheck::runtime
