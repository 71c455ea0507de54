// Every metric the screener exports, declared in this one place.
//
// Names follow Prometheus conventions (crosscheck_ prefix, _total for counters, base units).
// Label values are bounded: topics, queues and lists come from configuration and published
// lists, reasons from the fixed ReasonCode set, so series cannot grow with traffic.
// Per-event paths use pre-resolved series pointers: no label lookups on the hot path.
// Thread-safety: prometheus-cpp metrics are thread-safe; the lazily created per-topic, per-queue
// and per-list series are guarded by a mutex.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crosscheck/runtime/latency_histogram.h"
#include "crosscheck/schemas/violation.h"

namespace crosscheck::runtime {

// How a record ended, passed through the pipeline as its outcome tag.
enum class Outcome : int { kClean = 0, kFlagged = 1, kDeadLetter = 2 };
inline constexpr int kOutcomeCount = 3;
std::string_view to_string(Outcome outcome);

// The series of one rule (label rule=<rule id>), resolved once per rule-set swap so the per-event
// path does no label lookup. Rule ids are bounded by the rules managers activate.
struct RuleSeries {
  prometheus::Counter* flagged = nullptr;     // matches that became flags
  prometheus::Counter* suppressed = nullptr;  // matches not flagged because a cap was reached
  prometheus::Counter* shadow = nullptr;      // matches of a shadow version (never flagged)
  prometheus::Gauge* over_cap = nullptr;      // 1 while the rule is over a cap in this window
  prometheus::Gauge* cap_used = nullptr;      // share of max_flags_per_hour used, 0..1
};

class ScreenerMetrics {
 public:
  explicit ScreenerMetrics(std::shared_ptr<prometheus::Registry> registry, const std::string& instance_id);

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  prometheus::Counter& consumed(const std::string& topic);
  prometheus::Counter& deadletter(schemas::ReasonCode reason) { return *deadletter_by_reason_[static_cast<int>(reason)]; }
  prometheus::Counter& flags(const std::string& queue);
  prometheus::Counter& validation_warning(schemas::ReasonCode code) { return *warnings_by_code_[static_cast<int>(code)]; }
  prometheus::Histogram& end_to_end_latency(Outcome outcome) { return *latency_by_outcome_[static_cast<int>(outcome)]; }
  prometheus::Histogram& processing_time() { return *processing_time_; }
  prometheus::Counter& events(Outcome outcome) { return *events_by_outcome_[static_cast<int>(outcome)]; }

  void set_watchlist(const std::string& list_id, double version, double entries, double loaded_at_seconds);
  void remove_watchlist(const std::string& list_id);
  prometheus::Counter& watchlist_reloads() { return *watchlist_reloads_; }
  prometheus::Counter& watchlist_reload_errors() { return *watchlist_reload_errors_; }
  prometheus::Gauge& watchlist_entries_total() { return *watchlist_entries_total_; }
  prometheus::Gauge& redis_up() { return *redis_up_; }

  RuleSeries rule(const std::string& rule_id);
  // The flag share a shadow version ("<id>@<version>") would produce, all instances.
  void set_shadow_share(const std::string& shadow_key, double share);
  prometheus::Gauge& rules_active() { return *rules_active_; }
  prometheus::Gauge& rules_generation() { return *rules_generation_; }
  prometheus::Counter& rules_reloads() { return *rules_reloads_; }
  prometheus::Counter& rules_reload_errors() { return *rules_reload_errors_; }
  prometheus::Counter& rules_expired() { return *rules_expired_; }
  prometheus::Counter& rule_cap_degraded() { return *rule_cap_degraded_; }
  prometheus::Counter& rule_aggregate_errors() { return *rule_aggregate_errors_; }
  prometheus::Counter& governance_alerts() { return *governance_alerts_; }
  prometheus::Counter& audit_mirrored() { return *audit_mirrored_; }
  prometheus::Counter& audit_mirror_errors() { return *audit_mirror_errors_; }

  prometheus::Counter& kafka_errors(bool retriable) { return retriable ? *kafka_errors_retriable_ : *kafka_errors_fatal_; }
  prometheus::Counter& commits(bool ok) { return ok ? *commits_ok_ : *commits_failed_; }
  prometheus::Gauge& assigned_partitions() { return *assigned_partitions_; }
  prometheus::Gauge& ready() { return *ready_; }

  // From librdkafka's statistics (kafka.statistics_interval_ms): records behind per consumed
  // partition, and brokers up. set_consumer_lag replaces the whole set: the series of a partition
  // not in `lags` (revoked, or its lag not known) is removed.
  void set_consumer_lag(const std::vector<std::pair<std::pair<std::string, std::int32_t>, std::int64_t>>& lags);
  // Series of crosscheck_consumer_lag currently exported (for tests and logs).
  std::size_t consumer_lag_series();
  prometheus::Gauge& kafka_brokers_up() { return *kafka_brokers_up_; }
  prometheus::Counter& kafka_statistics_errors() { return *kafka_statistics_errors_; }

  // Every completed event's end-to-end latency (all outcomes), served as JSON at
  // GET /stats/latency; the Prometheus histogram above keeps its coarse buckets for alerting.
  EventLatency& event_latency() { return event_latency_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex mutex_;
  prometheus::Family<prometheus::Counter>* consumed_family_;
  prometheus::Family<prometheus::Counter>* flags_family_;
  prometheus::Family<prometheus::Gauge>* watchlist_version_family_;
  prometheus::Family<prometheus::Gauge>* watchlist_entries_family_;
  prometheus::Family<prometheus::Gauge>* watchlist_loaded_family_;
  prometheus::Family<prometheus::Counter>* rule_matches_family_;
  prometheus::Family<prometheus::Gauge>* rule_over_cap_family_;
  prometheus::Family<prometheus::Gauge>* rule_cap_used_family_;
  prometheus::Family<prometheus::Gauge>* rule_shadow_share_family_;
  std::map<std::string, RuleSeries> rule_series_;
  prometheus::Gauge* rules_active_;
  prometheus::Gauge* rules_generation_;
  prometheus::Counter* rules_reloads_;
  prometheus::Counter* rules_reload_errors_;
  prometheus::Counter* rules_expired_;
  prometheus::Counter* rule_cap_degraded_;
  prometheus::Counter* rule_aggregate_errors_;
  prometheus::Counter* governance_alerts_;
  prometheus::Counter* audit_mirrored_;
  prometheus::Counter* audit_mirror_errors_;
  std::map<std::string, prometheus::Counter*> consumed_by_topic_;
  std::map<std::string, prometheus::Counter*> flags_by_queue_;
  std::array<prometheus::Counter*, schemas::kReasonCodeCount> deadletter_by_reason_{};
  std::array<prometheus::Counter*, schemas::kReasonCodeCount> warnings_by_code_{};
  std::array<prometheus::Histogram*, kOutcomeCount> latency_by_outcome_{};
  std::array<prometheus::Counter*, kOutcomeCount> events_by_outcome_{};
  prometheus::Histogram* processing_time_;
  prometheus::Counter* watchlist_reloads_;
  prometheus::Counter* watchlist_reload_errors_;
  prometheus::Gauge* watchlist_entries_total_;
  prometheus::Gauge* redis_up_;
  prometheus::Counter* kafka_errors_retriable_;
  prometheus::Counter* kafka_errors_fatal_;
  prometheus::Counter* commits_ok_;
  prometheus::Counter* commits_failed_;
  prometheus::Gauge* assigned_partitions_;
  prometheus::Gauge* ready_;
  prometheus::Family<prometheus::Gauge>* consumer_lag_family_;
  std::map<std::pair<std::string, std::int32_t>, prometheus::Gauge*> consumer_lag_;  // under mutex_
  prometheus::Gauge* kafka_brokers_up_;
  prometheus::Counter* kafka_statistics_errors_;
  EventLatency event_latency_;  // outcome names in Outcome order
};

}  // namespace crosscheck::runtime
