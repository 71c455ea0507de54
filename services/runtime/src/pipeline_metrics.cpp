#include "crosscheck/runtime/pipeline_metrics.h"

#include "crosscheck/log.h"

namespace crosscheck::runtime {

PipelineMetrics::PipelineMetrics(ScreenerMetrics& metrics, std::string flags_prefix,
                                 std::vector<std::string> input_topics)
    : metrics_(metrics), flags_prefix_(std::move(flags_prefix)), input_topics_(input_topics.begin(), input_topics.end()) {}

void PipelineMetrics::on_consumed(const streams::InRecord& in) {
  // Records arrive in runs from one topic: cache the last series to skip the map lookup.
  if (last_counter_ == nullptr || in.topic != last_topic_) {
    last_topic_ = std::string(in.topic);
    last_counter_ = &metrics_.consumed(last_topic_);
  }
  last_counter_->Increment();
}

void PipelineMetrics::on_completed(std::string_view /*topic*/, int outcome, std::int64_t source_timestamp_ms,
                                   std::int64_t acked_ms, std::size_t /*outputs*/) {
  if (outcome < 0 || outcome >= kOutcomeCount) return;
  const auto o = static_cast<Outcome>(outcome);
  metrics_.events(o).Increment();
  if (source_timestamp_ms > 0) {
    // Clock skew between producer and screener can make this negative: clamp rather than lie.
    const std::int64_t ms = std::max<std::int64_t>(0, acked_ms - source_timestamp_ms);
    metrics_.end_to_end_latency(o).Observe(static_cast<double>(ms) / 1000.0);
    metrics_.event_latency().record(outcome, ms * 1000);
  }
}

void PipelineMetrics::on_produced(const std::string& topic) {
  if (topic.rfind(flags_prefix_, 0) == 0) metrics_.flags(topic.substr(flags_prefix_.size())).Increment();
}

void PipelineMetrics::on_commit(std::size_t /*partitions*/, const std::optional<Error>& error) {
  metrics_.commits(!error.has_value()).Increment();
}

void PipelineMetrics::on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& assigned) {
  metrics_.assigned_partitions().Set(static_cast<double>(assigned.size()));
}

void PipelineMetrics::on_kafka_error(const Error& error) { metrics_.kafka_errors(error.is_retriable()).Increment(); }

void PipelineMetrics::on_statistics(std::string_view json) {
  auto stats = statistics_parser_.parse(json, input_topics_);
  if (!stats.ok()) {
    metrics_.kafka_statistics_errors().Increment();
    if (!statistics_failing_) {
      log::warn("screener", "cannot read librdkafka statistics; consumer lag and broker gauges keep their last values",
                {{"error", stats.error().to_string()}});
    }
    statistics_failing_ = true;
    return;
  }
  statistics_failing_ = false;
  // The producer's view of the brokers depends on what it has produced lately (librdkafka
  // connects on demand); the consumer must stay connected to consume, so its view counts.
  if (stats->type != "consumer") return;
  metrics_.kafka_brokers_up().Set(static_cast<double>(stats->brokers_up));
  std::vector<std::pair<std::pair<std::string, std::int32_t>, std::int64_t>> lags;
  lags.reserve(stats->lags.size());
  for (auto& l : stats->lags) lags.push_back({{std::move(l.topic), l.partition}, l.lag});
  metrics_.set_consumer_lag(lags);
}

}  // namespace crosscheck::runtime
