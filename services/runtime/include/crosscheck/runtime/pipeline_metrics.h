// Feeds pipeline events into ScreenerMetrics: the adapter between streams/ and the metrics.
//
// Besides the counters, every completed event's end-to-end latency (input record's Kafka
// timestamp to the last acknowledgement, or to the end of screening for an event without outputs)
// goes into ScreenerMetrics::event_latency(), and librdkafka's statistics JSON (untrusted input,
// see kafka_statistics.h) becomes crosscheck_consumer_lag and crosscheck_kafka_brokers_up. A
// statistics document that cannot be read moves crosscheck_kafka_statistics_errors_total, logs one
// warning per episode, and leaves the last values in place.
// Thread-safety: called on the pipeline thread only.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "crosscheck/runtime/kafka_statistics.h"
#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/streams/pipeline.h"

namespace crosscheck::runtime {

class PipelineMetrics : public streams::PipelineObserver {
 public:
  // `input_topics`: the topics the pipeline consumes; only they become consumer-lag labels.
  PipelineMetrics(ScreenerMetrics& metrics, std::string flags_prefix, std::vector<std::string> input_topics = {});

  void on_consumed(const streams::InRecord& in) override;
  void on_completed(std::string_view topic, int outcome, std::int64_t source_timestamp_ms, std::int64_t acked_ms,
                    std::size_t outputs) override;
  void on_produced(const std::string& topic) override;
  void on_commit(std::size_t partitions, const std::optional<Error>& error) override;
  void on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& assigned) override;
  void on_kafka_error(const Error& error) override;
  void on_statistics(std::string_view json) override;

 private:
  ScreenerMetrics& metrics_;
  std::string flags_prefix_;
  std::set<std::string, std::less<>> input_topics_;
  KafkaStatisticsParser statistics_parser_;
  bool statistics_failing_ = false;
  std::string last_topic_;
  prometheus::Counter* last_counter_ = nullptr;
};

}  // namespace crosscheck::runtime
