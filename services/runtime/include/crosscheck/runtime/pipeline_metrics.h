// Feeds pipeline events into ScreenerMetrics: the adapter between streams/ and the metrics.
// Thread-safety: called on the pipeline thread only.
#pragma once

#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/streams/pipeline.h"

namespace crosscheck::runtime {

class PipelineMetrics : public streams::PipelineObserver {
 public:
  PipelineMetrics(ScreenerMetrics& metrics, std::string flags_prefix)
      : metrics_(metrics), flags_prefix_(std::move(flags_prefix)) {}

  void on_consumed(const streams::InRecord& in) override;
  void on_completed(std::string_view topic, int outcome, std::int64_t source_timestamp_ms, std::int64_t acked_ms,
                    std::size_t outputs) override;
  void on_produced(const std::string& topic) override;
  void on_commit(std::size_t partitions, const std::optional<Error>& error) override;
  void on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& assigned) override;
  void on_kafka_error(const Error& error) override;

 private:
  ScreenerMetrics& metrics_;
  std::string flags_prefix_;
  std::string last_topic_;
  prometheus::Counter* last_counter_ = nullptr;
};

}  // namespace crosscheck::runtime
