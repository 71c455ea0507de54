// The benchmark's Kafka side: producing the generated stream at an open-loop rate, the bare
// consume->produce pipe that is the throughput ceiling, counting what the screener published, and
// sampling a consumer group's lag.
//
// Open loop: event i is due at start + i / rate whatever happened before it, and its Kafka
// timestamp (CreateTime) is that due time, not the moment it was actually sent. When the producer
// falls behind (a slow broker, a busy CPU) the delay is therefore part of every latency the
// screener measures from the record timestamp, instead of silently lowering the offered rate
// (coordinated omission). How late the producer ran is reported too.
//
// Thread-safety: each function owns its clients and runs on the caller's thread. stop flags may
// be set from a signal handler's thread.
// Failure behaviour: Kafka errors come back as Error values; a record librdkafka gives up on is
// counted in delivery_errors (the benchmark then fails its correctness check).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/loadgen/event_generator.h"
#include "crosscheck/runtime/latency_histogram.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::loadgen {

// ---- producing ----------------------------------------------------------------------------------

struct ProduceOptions {
  streams::KafkaConfig kafka;
  std::string itineraries, manifests, payments;  // topics
  std::uint64_t first_index = 0;
  std::uint64_t count = 0;
  double rate = 0;  // events per second; 0: as fast as possible (timestamps are then send times)
  std::int64_t start_ms = 0;  // the schedule's start (epoch ms); 0: now
  // Called once a second on the producing thread with (events produced, events acknowledged).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct ProduceReport {
  std::uint64_t produced = 0;
  std::uint64_t delivered = 0;
  std::uint64_t delivery_errors = 0;
  std::map<std::string, std::uint64_t> by_kind;
  std::map<std::string, std::uint64_t> by_intent;
  std::uint64_t bytes = 0;
  std::int64_t start_ms = 0;
  double elapsed_s = 0;      // first send to last acknowledgement
  double send_elapsed_s = 0; // first send to last send
  double offered_eps = 0;    // the schedule's rate (or achieved, in max mode)
  double achieved_eps = 0;   // produced / send_elapsed_s
  runtime::HistogramSnapshot lateness_us;  // send time minus due time, per event
  std::string first_error;
};

Result<ProduceReport> produce_stream(const EventGenerator& generator, const ProduceOptions& options,
                                     const std::atomic<bool>& stop);

// ---- the bare pipe ------------------------------------------------------------------------------

struct PipeOptions {
  streams::KafkaConfig kafka;
  std::string group_id;
  std::vector<std::string> topics;
  std::string suffix = ".pipe";  // output topic = input topic + suffix, same key, same partitioning
  int partitions = 8;            // of the output topics it creates
  std::string http_address = "127.0.0.1";
  int http_port = 0;             // GET /stats/latency, /healthz, /readyz, /metrics
};

// Consumes, copies each record to its output topic, commits after the broker acknowledged it:
// the screener's pipeline (streams::Pipeline, same settings) with nothing but a copy in between.
// Runs until `stop`. `on_started(port)` is called once the admin endpoint listens.
Status run_pipe(const PipeOptions& options, const std::atomic<bool>& stop, std::function<void(int)> on_started);

// ---- counting outputs ---------------------------------------------------------------------------

struct TopicCount {
  std::uint64_t records = 0;
  std::uint64_t distinct = 0;    // distinct flag ids (flags) or source positions (dead letters)
  std::uint64_t duplicates = 0;  // records - distinct: redeliveries after a rebalance or restart
  std::uint64_t unreadable = 0;  // records without the id header or an unparsable dead letter
};

// Reads every record of each topic up to its high watermark at the time of the call.
// `deadletter_topic` is counted by source (topic, partition, offset); the others by the
// crosscheck.flag_id header. Topics that do not exist count as empty.
Result<std::map<std::string, TopicCount>> count_outputs(const streams::KafkaConfig& kafka,
                                                        const std::vector<std::string>& topics,
                                                        const std::string& deadletter_topic,
                                                        std::chrono::milliseconds timeout);

// ---- consumer lag -------------------------------------------------------------------------------

struct LagSample {
  std::int64_t at_ms = 0;
  std::int64_t high_watermarks = 0;  // sum over the partitions of the topics
  std::int64_t committed = 0;        // sum of the group's committed offsets (0 where none)
  std::int64_t lag = 0;              // high_watermarks - committed
  std::int64_t max_partition_lag = 0;
};

// One client for the life of a phase; sample() makes one metadata round trip per partition for
// the watermarks and one for the committed offsets.
class LagSampler {
 public:
  static Result<std::unique_ptr<LagSampler>> create(const streams::KafkaConfig& kafka, const std::string& group_id,
                                                    const std::vector<std::string>& topics);
  ~LagSampler();
  Result<LagSample> sample(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  LagSampler() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crosscheck::loadgen
