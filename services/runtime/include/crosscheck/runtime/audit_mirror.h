// Mirrors the Redis audit stream (rules/audit_log.h) to a Kafka topic, so audit consumers (SIEM,
// archives) get every change to a rule or a list without reading Redis.
//
// Every screener runs a mirror, but only one forwards at a time: it holds a lease in Redis
// (P audit:mirror:owner, renewed each round, expiring after `lease` when the holder dies) and
// remembers the id of the last entry Kafka acknowledged in P audit:mirror:last. Delivery is
// at-least-once: a holder that dies after Kafka acknowledged a batch but before it stored the id
// makes the next holder send that batch again; each record carries the stream id ("id") and is
// keyed by it, so consumers drop duplicates.
// Failure behaviour: Redis or Kafka failures are logged as warnings, counted
// (crosscheck_audit_mirror_records_total{result="failed"}) and retried next round; the audit
// stream in Redis stays the source of truth, so nothing is lost.
// Thread-safety: start()/stop() from one thread; mirror_once() must not run concurrently with the
// background thread (tests call it without start()).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "crosscheck/error.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::streams {
class Producer;
}

namespace crosscheck::runtime {

struct AuditMirrorOptions {
  std::string topic = "audit";
  std::string instance_id;  // the lease holder's name
  std::chrono::milliseconds interval{500};
  std::chrono::milliseconds lease{10000};
  std::size_t batch = 500;
};

class AuditMirror {
 public:
  // `metrics` may be null.
  AuditMirror(rules::RedisConfig redis, std::string key_prefix, streams::KafkaConfig kafka, AuditMirrorOptions options,
              ScreenerMetrics* metrics);
  ~AuditMirror();
  AuditMirror(const AuditMirror&) = delete;
  AuditMirror& operator=(const AuditMirror&) = delete;

  void start();
  void stop();

  // One round: take or renew the lease; when held, forward the entries after the last one
  // forwarded (up to `batch`). Returns how many were forwarded (0 when another instance holds the
  // lease).
  Result<std::size_t> mirror_once();

 private:
  void run();
  Status ensure_producer();

  rules::RedisConfig redis_config_;
  std::string prefix_;
  streams::KafkaConfig kafka_;
  AuditMirrorOptions options_;
  ScreenerMetrics* metrics_;
  std::unique_ptr<rules::RedisClient> redis_;
  std::unique_ptr<streams::Producer> producer_;
  std::atomic<int> failed_deliveries_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace crosscheck::runtime
