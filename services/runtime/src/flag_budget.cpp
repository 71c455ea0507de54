#include "crosscheck/runtime/flag_budget.h"

#include <array>

#include "crosscheck/runtime/screener_metrics.h"

namespace crosscheck::runtime {

namespace {
constexpr std::int64_t kBucketMs = 60'000;
constexpr int kBuckets = 60;  // 60 one-minute buckets: the sliding hour

// Counts per one-minute bucket over the last hour. Buckets are reused as the window slides.
struct SlidingHour {
  std::array<std::int64_t, kBuckets> minute{};   // which minute each slot holds
  std::array<std::uint64_t, kBuckets> count{};

  void add(std::int64_t now_ms, std::uint64_t n = 1) {
    const std::int64_t m = now_ms / kBucketMs;
    const auto slot = static_cast<std::size_t>(m % kBuckets);
    if (minute[slot] != m) {
      minute[slot] = m;
      count[slot] = 0;
    }
    count[slot] += n;
  }
  std::uint64_t total(std::int64_t now_ms) const {
    const std::int64_t m = now_ms / kBucketMs;
    std::uint64_t sum = 0;
    for (int i = 0; i < kBuckets; ++i) {
      if (minute[i] > m - kBuckets && minute[i] <= m) sum += count[i];
    }
    return sum;
  }
};

struct RuleCounts {
  SlidingHour flags;
  std::uint64_t flagged = 0, suppressed = 0, shadow = 0;
  bool over_cap = false;
};
}  // namespace

struct LocalFlagBudget::State {
  std::array<SlidingHour, schemas::kEventKindCount> events;
  std::map<std::string, RuleCounts> rules;
};

LocalFlagBudget::LocalFlagBudget() : state_(std::make_unique<State>()) {}
LocalFlagBudget::~LocalFlagBudget() = default;

void LocalFlagBudget::count_event(schemas::EventKind kind, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  state_->events[static_cast<int>(kind)].add(now_ms);
}

CapDecision LocalFlagBudget::try_flag(const rules::Rule& rule, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  RuleCounts& c = state_->rules[rule.id];
  std::uint64_t events = 0;
  for (auto kind : rule.applies_to) events += state_->events[static_cast<int>(kind)].total(now_ms);
  // The same arithmetic as the Redis lease script, so one instance behaves as a group would.
  rules::CapGrantInput in;
  in.requested = 1;
  in.used = static_cast<std::int64_t>(c.flags.total(now_ms));
  in.events = static_cast<std::int64_t>(events);
  in.max_flags = rule.max_flags_per_hour;
  in.max_flag_share = rule.max_flag_share;
  in.fairness_divisor = 1;
  if (rules::compute_cap_grant(in).granted > 0) {
    c.flags.add(now_ms);
    ++c.flagged;
    c.over_cap = false;
    return CapDecision::kAllow;
  }
  ++c.suppressed;
  const bool first = !c.over_cap;
  c.over_cap = true;
  return first ? CapDecision::kSuppressAndAnnounce : CapDecision::kSuppress;
}

void LocalFlagBudget::count_shadow(const rules::Rule& rule, std::int64_t /*now_ms*/) {
  std::lock_guard lock(mutex_);
  ++state_->rules[rule.id].shadow;
}

std::uint64_t LocalFlagBudget::flagged(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = state_->rules.find(id);
  return it == state_->rules.end() ? 0 : it->second.flagged;
}
std::uint64_t LocalFlagBudget::suppressed(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = state_->rules.find(id);
  return it == state_->rules.end() ? 0 : it->second.suppressed;
}
std::uint64_t LocalFlagBudget::shadow(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = state_->rules.find(id);
  return it == state_->rules.end() ? 0 : it->second.shadow;
}

void LedgerFlagBudget::count_event(schemas::EventKind kind, std::int64_t now_ms) { ledger_.count_event(kind, now_ms); }

CapDecision LedgerFlagBudget::try_flag(const rules::Rule& rule, std::int64_t now_ms) {
  const rules::CapVerdict v =
      ledger_.try_flag(rule.id, rule.applies_to, {rule.max_flags_per_hour, rule.max_flag_share}, now_ms);
  if (v.degraded && metrics_ != nullptr) metrics_->rule_cap_degraded().Increment();
  return v.decision;
}

void LedgerFlagBudget::count_shadow(const rules::Rule& rule, std::int64_t now_ms) {
  ledger_.count_shadow(rule.id + "@" + std::to_string(rule.version), rule.applies_to, now_ms);
}

}  // namespace crosscheck::runtime
