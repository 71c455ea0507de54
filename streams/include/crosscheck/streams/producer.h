// An idempotent Kafka producer with delivery reports.
//
// Delivery callbacks run on the thread that calls poll() or flush(), never on librdkafka's own
// threads, so the caller decides where completion logic runs.
// Failure behaviour: produce() returns a retriable Error when the local queue is full (call poll()
// and retry) and a fatal one for unknown topics or invalid records. A delivery that librdkafka
// gives up on (after message.timeout.ms) is reported to the callback with its Error.
// Thread-safety: produce() is thread-safe (librdkafka's is); poll() and flush() should be called
// from one thread, since the callback runs there.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/records.h"

namespace crosscheck::streams {

class Producer {
 public:
  // Called once per produced record: `token` is what was passed to produce(), `error` is empty on
  // success. `partition` and `offset` are where the broker stored it (-1 when not stored).
  using DeliveryCallback =
      std::function<void(std::uint64_t token, const std::optional<Error>& error, std::int32_t partition, std::int64_t offset)>;

  // Creates the producer with enable.idempotence=true and acks=all (both overridable through
  // KafkaConfig). Returns a fatal Error for invalid settings.
  static Result<std::unique_ptr<Producer>> create(const KafkaConfig& config, DeliveryCallback on_delivery = {});
  ~Producer();  // flushes for up to 10 s, then destroys

  Status produce(const OutRecord& record, std::uint64_t token = 0);
  // Produces, and when the local queue is full polls and retries for up to `max_block`.
  Status produce_blocking(const OutRecord& record, std::uint64_t token,
                          std::chrono::milliseconds max_block = std::chrono::seconds(30));
  // Serves delivery callbacks. Returns the number of events served.
  int poll(std::chrono::milliseconds timeout);
  // Waits until every queued record is delivered or failed. Retriable Error on timeout.
  Status flush(std::chrono::milliseconds timeout);
  // Records produced but not yet reported delivered or failed.
  int outstanding() const;

  rd_kafka_t* native() const { return rk_.get(); }

 private:
  Producer() = default;
  static void on_delivery_report(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  KafkaHandle rk_;
  DeliveryCallback on_delivery_;
};

}  // namespace crosscheck::streams
