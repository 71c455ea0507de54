// The consume -> process -> produce loop with at-least-once delivery.
//
// The pipeline joins a consumer group, hands each record to a plain processing function, produces
// what it returns, and commits a record's offset only after Kafka has acknowledged every record
// produced from it (see OffsetTracker). On partition revocation it flushes and commits what is
// complete before giving the partitions up. After a crash, uncommitted records are redelivered
// and reprocessed, so downstream consumers see duplicates but never gaps (flags carry
// deterministic ids for deduplication).
//
// Failure behaviour: transient broker errors are logged, counted through the observer, and
// retried by librdkafka. A record whose output cannot be delivered (librdkafka gave up) stops the
// pipeline with a fatal Error without committing it: the service exits non-zero and the record is
// redelivered after restart rather than lost.
//
// Batch mode (the BatchProcessFn constructor): the function gets every record the consumer has
// ready at once (up to PipelineConfig::max_batch, and with batch_linger also what arrives shortly
// after the first), for a processor that stores a batch in one round trip. run() fails at once
// when max_batch is 0. The contract is unchanged: a record's offset is committed only after the function returned
// for its batch and every output produced from it was acknowledged; a function that throws stops
// the pipeline with a fatal Error and nothing of that batch is committed. Records of a partition
// revoked while a batch was being collected are left out of it (they are redelivered to the
// partition's next owner, never skipped).
// Thread-safety: run() blocks the calling thread; request_stop() may be called from any thread
// (including a signal-handling thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"
#include "crosscheck/streams/records.h"

namespace crosscheck::streams {

// What the processing function returns for one record: the records to produce, and an opaque
// outcome tag that is handed back to the observer when the record completes.
struct Processed {
  std::vector<OutRecord> outputs;
  int outcome = 0;
};
using ProcessFn = std::function<void(const InRecord& in, Processed& out)>;
// Batch mode: `out` has one (empty) Processed per record of `in`, at the same index, for the
// function to fill. The records' views stay valid until the function returns.
using BatchProcessFn = std::function<void(std::span<const InRecord> in, std::span<Processed> out)>;

// Hooks for metrics and logs. All are called on the pipeline's thread.
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void on_consumed(const InRecord& /*in*/) {}
  // Every output of a record was acknowledged. `source_timestamp_ms` is the input record's Kafka
  // timestamp, `acked_ms` the wall-clock time of the last acknowledgement.
  virtual void on_completed(std::string_view /*topic*/, int /*outcome*/, std::int64_t /*source_timestamp_ms*/,
                            std::int64_t /*acked_ms*/, std::size_t /*outputs*/) {}
  virtual void on_produced(const std::string& /*topic*/) {}
  virtual void on_commit(std::size_t /*partitions*/, const std::optional<Error>& /*error*/) {}
  virtual void on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& /*assigned*/) {}
  virtual void on_kafka_error(const Error& /*error*/) {}
  // librdkafka's statistics JSON, when statistics.interval.ms is set.
  virtual void on_statistics(std::string_view /*json*/) {}
};

struct PipelineConfig {
  KafkaConfig kafka;
  std::string group_id = "crosscheck-screener";
  std::vector<std::string> topics;
  std::chrono::milliseconds commit_interval{1000};
  // Stop consuming while this many records wait for acknowledgements (back-pressure).
  std::size_t max_in_flight = 50000;
  // How long a graceful stop may take to flush outputs and commit.
  std::chrono::milliseconds drain_timeout{30000};
  std::chrono::milliseconds poll_timeout{100};
  // Batch mode only: the most records handed to the function at once.
  std::size_t max_batch = 500;
  // Batch mode only: after the first record of a batch arrives, how long to wait for more. 0: take
  // only what the consumer has ready, never wait.
  std::chrono::milliseconds batch_linger{0};
};

class Pipeline {
 public:
  Pipeline(PipelineConfig config, ProcessFn process, PipelineObserver* observer = nullptr);
  // Batch mode (see above).
  Pipeline(PipelineConfig config, BatchProcessFn process, PipelineObserver* observer = nullptr);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs until request_stop() or a fatal error. On stop it drains (flushes outputs, commits
  // every complete offset) and returns ok. Returns the fatal Error otherwise.
  Status run();
  void request_stop();
  // True once the consumer has joined the group and received an assignment.
  bool ready() const { return ready_.load(std::memory_order_acquire); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> ready_{false};
};

}  // namespace crosscheck::streams
