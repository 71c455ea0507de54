#include "crosscheck/runtime/screener_metrics.h"

#include <prometheus/counter.h>

namespace crosscheck::runtime {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kClean: return "clean";
    case Outcome::kFlagged: return "flagged";
    case Outcome::kDeadLetter: return "deadletter";
  }
  return "clean";
}

namespace {
// 0.5 ms .. 30 s: from an idle pipeline's sub-millisecond round trip to a stalled broker.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
          0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}
prometheus::Histogram::BucketBoundaries processing_buckets() {
  return {1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05};
}
}  // namespace

namespace {
std::vector<std::string> outcome_names() {
  std::vector<std::string> names;
  for (int i = 0; i < kOutcomeCount; ++i) names.emplace_back(to_string(static_cast<Outcome>(i)));
  return names;
}
}  // namespace

ScreenerMetrics::ScreenerMetrics(std::shared_ptr<prometheus::Registry> registry, const std::string& instance_id)
    : registry_(std::move(registry)), event_latency_(outcome_names()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  auto& r = *registry_;

  BuildGauge().Name("crosscheck_screener_info").Help("Constant 1, labelled with the screener instance.")
      .Register(r).Add({{"instance_id", instance_id}}).Set(1);

  consumed_family_ = &BuildCounter().Name("crosscheck_events_consumed_total")
                          .Help("Records consumed, per input topic.").Register(r);
  flags_family_ = &BuildCounter().Name("crosscheck_flags_published_total")
                       .Help("Flags acknowledged by Kafka, per operator queue.").Register(r);

  auto& dl = BuildCounter().Name("crosscheck_deadletter_records_total")
                 .Help("Dead-letter records, per reason code (a record with several reasons counts once per reason).")
                 .Register(r);
  for (int i = 0; i < schemas::kReasonCodeCount; ++i) {
    deadletter_by_reason_[i] = &dl.Add({{"reason", std::string(schemas::reason_code_name(static_cast<schemas::ReasonCode>(i)))}});
  }

  auto& warn = BuildCounter().Name("crosscheck_validation_warnings_total")
                  .Help("Findings that do not reject an event (e.g. document_expired), per code; they travel with the flags.")
                  .Register(r);
  for (int i = 0; i < schemas::kReasonCodeCount; ++i) {
    const auto code = static_cast<schemas::ReasonCode>(i);
    if (schemas::is_warning(code)) warnings_by_code_[i] = &warn.Add({{"code", std::string(schemas::reason_code_name(code))}});
  }

  auto& lat = BuildHistogram().Name("crosscheck_end_to_end_latency_seconds")
                  .Help("From the input record's Kafka timestamp to Kafka's acknowledgement of the last record "
                        "produced from it (for clean events: to the end of screening), per outcome.")
                  .Register(r);
  auto& ev = BuildCounter().Name("crosscheck_events_screened_total")
                 .Help("Input records fully handled (outputs acknowledged), per outcome.").Register(r);
  for (int i = 0; i < kOutcomeCount; ++i) {
    const std::string o(to_string(static_cast<Outcome>(i)));
    latency_by_outcome_[i] = &lat.Add({{"outcome", o}}, latency_buckets());
    events_by_outcome_[i] = &ev.Add({{"outcome", o}});
  }
  processing_time_ = &BuildHistogram().Name("crosscheck_processing_seconds")
                          .Help("Time to parse, validate and screen one record, on the consumer thread.")
                          .Register(r).Add({}, processing_buckets());

  watchlist_version_family_ = &BuildGauge().Name("crosscheck_watchlist_version")
                                   .Help("Live version of each watchlist in this screener's index.").Register(r);
  watchlist_entries_family_ = &BuildGauge().Name("crosscheck_watchlist_entries")
                                   .Help("Entries of each live watchlist.").Register(r);
  watchlist_loaded_family_ = &BuildGauge().Name("crosscheck_watchlist_loaded_timestamp_seconds")
                                  .Help("When this screener swapped in the live version of each watchlist.").Register(r);
  watchlist_entries_total_ = &BuildGauge().Name("crosscheck_watchlist_index_entries")
                                  .Help("Entries in the live index over all lists.").Register(r).Add({});
  watchlist_reloads_ = &BuildCounter().Name("crosscheck_watchlist_reloads_total")
                            .Help("Index rebuilds after a list changed in Redis.").Register(r).Add({});
  watchlist_reload_errors_ = &BuildCounter().Name("crosscheck_watchlist_reload_errors_total")
                                  .Help("Failed attempts to read watchlists from Redis (the last good index stays live).")
                                  .Register(r).Add({});
  redis_up_ = &BuildGauge().Name("crosscheck_redis_up").Help("1 when the last Redis poll succeeded.").Register(r).Add({});

  auto& ke = BuildCounter().Name("crosscheck_kafka_errors_total").Help("Errors reported by librdkafka.").Register(r);
  kafka_errors_retriable_ = &ke.Add({{"kind", "retriable"}});
  kafka_errors_fatal_ = &ke.Add({{"kind", "fatal"}});
  auto& commits = BuildCounter().Name("crosscheck_offset_commits_total").Help("Offset commits, per result.").Register(r);
  commits_ok_ = &commits.Add({{"result", "ok"}});
  commits_failed_ = &commits.Add({{"result", "failed"}});
  assigned_partitions_ = &BuildGauge().Name("crosscheck_assigned_partitions")
                              .Help("Input partitions assigned to this screener.").Register(r).Add({});
  ready_ = &BuildGauge().Name("crosscheck_ready")
                .Help("1 while the screener consumes: watchlists loaded and the pipeline running.").Register(r).Add({});
  consumer_lag_family_ = &BuildGauge().Name("crosscheck_consumer_lag")
                              .Help("Records behind the high watermark (committed offsets), per input partition this "
                                    "screener consumes, from librdkafka's statistics (kafka.statistics_interval_ms).")
                              .Register(r);
  kafka_brokers_up_ = &BuildGauge().Name("crosscheck_kafka_brokers_up")
                           .Help("Brokers the consumer reports in state UP, from librdkafka's statistics.")
                           .Register(r).Add({});
  kafka_statistics_errors_ = &BuildCounter().Name("crosscheck_kafka_statistics_errors_total")
                                  .Help("librdkafka statistics documents that could not be read (the last values stay).")
                                  .Register(r).Add({});

  rule_matches_family_ = &BuildCounter().Name("crosscheck_rule_matches_total")
                              .Help("Rule matches, per rule id and outcome: flagged, suppressed (a cap was reached; "
                                    "nothing but this count is kept), shadow (a shadow version; never flagged).")
                              .Register(r);
  rule_over_cap_family_ = &BuildGauge().Name("crosscheck_rule_over_cap")
                               .Help("1 while a rule is over one of its caps.").Register(r);
  rule_cap_used_family_ = &BuildGauge().Name("crosscheck_rule_cap_used_ratio")
                               .Help("Share of a rule's max_flags_per_hour used in the sliding hour, over all screeners.")
                               .Register(r);
  rule_shadow_share_family_ = &BuildGauge().Name("crosscheck_rule_shadow_share")
                                   .Help("For a shadow version (rule=\"<id>@<version>\"): its matches over the events of "
                                         "its kinds in the sliding hour, all screeners; the flag share it would produce.")
                                   .Register(r);
  rules_active_ = &BuildGauge().Name("crosscheck_rules_active")
                       .Help("Rule versions in the live rule set, the lists' default rules included.").Register(r).Add({});
  rules_generation_ = &BuildGauge().Name("crosscheck_rules_generation")
                           .Help("Generation of the active rule set this screener evaluates.").Register(r).Add({});
  rules_reloads_ = &BuildCounter().Name("crosscheck_rules_reloads_total")
                        .Help("Rule sets loaded from Redis and swapped in.").Register(r).Add({});
  rules_reload_errors_ = &BuildCounter().Name("crosscheck_rules_reload_errors_total")
                              .Help("Failed attempts to read the active rule set (the last good set stays live).")
                              .Register(r).Add({});
  rules_expired_ = &BuildCounter().Name("crosscheck_rules_expired_total")
                        .Help("Rule versions this screener removed from the active set at their expiry.").Register(r).Add({});
  rule_cap_degraded_ = &BuildCounter().Name("crosscheck_rule_cap_degraded_total")
                            .Help("Cap decisions taken from the local emergency allowance because Redis was unreachable.")
                            .Register(r).Add({});
  rule_aggregate_errors_ = &BuildCounter().Name("crosscheck_rule_aggregate_errors_total")
                                .Help("Events whose windowed aggregates could not be read from Redis (the aggregate "
                                      "conditions were false).").Register(r).Add({});
  governance_alerts_ = &BuildCounter().Name("crosscheck_governance_alerts_total")
                            .Help("Rule-governance alerts published (a rule reached a cap).").Register(r).Add({});
  auto& mirror = BuildCounter().Name("crosscheck_audit_mirror_records_total")
                     .Help("Audit records copied from the Redis stream to Kafka, per result.").Register(r);
  audit_mirrored_ = &mirror.Add({{"result", "ok"}});
  audit_mirror_errors_ = &mirror.Add({{"result", "failed"}});
}

void ScreenerMetrics::set_shadow_share(const std::string& shadow_key, double share) {
  std::lock_guard lock(mutex_);
  rule_shadow_share_family_->Add({{"rule", shadow_key}}).Set(share);
}

RuleSeries ScreenerMetrics::rule(const std::string& rule_id) {
  std::lock_guard lock(mutex_);
  auto it = rule_series_.find(rule_id);
  if (it == rule_series_.end()) {
    RuleSeries s;
    s.flagged = &rule_matches_family_->Add({{"rule", rule_id}, {"outcome", "flagged"}});
    s.suppressed = &rule_matches_family_->Add({{"rule", rule_id}, {"outcome", "suppressed"}});
    s.shadow = &rule_matches_family_->Add({{"rule", rule_id}, {"outcome", "shadow"}});
    s.over_cap = &rule_over_cap_family_->Add({{"rule", rule_id}});
    s.cap_used = &rule_cap_used_family_->Add({{"rule", rule_id}});
    it = rule_series_.emplace(rule_id, s).first;
  }
  return it->second;
}

prometheus::Counter& ScreenerMetrics::consumed(const std::string& topic) {
  std::lock_guard lock(mutex_);
  auto it = consumed_by_topic_.find(topic);
  if (it == consumed_by_topic_.end()) it = consumed_by_topic_.emplace(topic, &consumed_family_->Add({{"topic", topic}})).first;
  return *it->second;
}

prometheus::Counter& ScreenerMetrics::flags(const std::string& queue) {
  std::lock_guard lock(mutex_);
  auto it = flags_by_queue_.find(queue);
  if (it == flags_by_queue_.end()) it = flags_by_queue_.emplace(queue, &flags_family_->Add({{"queue", queue}})).first;
  return *it->second;
}

void ScreenerMetrics::set_watchlist(const std::string& list_id, double version, double entries, double loaded_at) {
  std::lock_guard lock(mutex_);
  watchlist_version_family_->Add({{"list", list_id}}).Set(version);
  watchlist_entries_family_->Add({{"list", list_id}}).Set(entries);
  watchlist_loaded_family_->Add({{"list", list_id}}).Set(loaded_at);
}

void ScreenerMetrics::set_consumer_lag(
    const std::vector<std::pair<std::pair<std::string, std::int32_t>, std::int64_t>>& lags) {
  std::lock_guard lock(mutex_);
  std::set<std::pair<std::string, std::int32_t>> now;
  for (const auto& [tp, lag] : lags) {
    now.insert(tp);
    auto it = consumer_lag_.find(tp);
    if (it == consumer_lag_.end()) {
      auto* g = &consumer_lag_family_->Add({{"topic", tp.first}, {"partition", std::to_string(tp.second)}});
      it = consumer_lag_.emplace(tp, g).first;
    }
    it->second->Set(static_cast<double>(lag));
  }
  for (auto it = consumer_lag_.begin(); it != consumer_lag_.end();) {
    if (now.count(it->first) != 0) {
      ++it;
      continue;
    }
    consumer_lag_family_->Remove(it->second);
    it = consumer_lag_.erase(it);
  }
}

std::size_t ScreenerMetrics::consumer_lag_series() {
  std::lock_guard lock(mutex_);
  return consumer_lag_.size();
}

void ScreenerMetrics::remove_watchlist(const std::string& list_id) {
  std::lock_guard lock(mutex_);
  watchlist_version_family_->Remove(&watchlist_version_family_->Add({{"list", list_id}}));
  watchlist_entries_family_->Remove(&watchlist_entries_family_->Add({{"list", list_id}}));
  watchlist_loaded_family_->Remove(&watchlist_loaded_family_->Add({{"list", list_id}}));
}

}  // namespace crosscheck::runtime
