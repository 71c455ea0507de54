// The console service: HTTP/1.1 and WebSocket (Boost.Beast), the Kafka ingest of the operator
// queues, the disposition publisher and the retention job, in one object that main() only wires.
//
// What runs, once start() returned ok:
//  - http.threads network threads: keep-alive HTTP sessions and WebSocket sessions. Requests under
//    /api/ and /metrics are handed to one of http.api_threads handler threads, each with its own
//    Redis connection and stores (ConsoleContext), so a slow handler (a list import, a backtest)
//    never holds up WebSocket writes. /healthz answers "ok" without authentication; other GETs
//    serve the static console page from http.static_dir (regular files of known types only, no
//    "..", no hidden files, never outside the directory).
//  - the ingest pipeline (streams::Pipeline in batch mode, group kafka.group_id) consuming
//    <console.flags_prefix><queue> for each configured queue: what the consumer has ready (up to
//    500 records, gathered for at most 10 ms) is stored in one Redis round trip
//    (AlertStore::ingest_batch) and then pushed, as one message per client, to the WebSocket
//    clients that may see the alerts' queues; offsets are committed only after their batch is
//    stored, so a restart loses nothing. A record the store refuses (not JSON, no flag_id) is
//    counted, logged without its content and dead-lettered to console.deadletter_topic. While
//    Redis is unreachable the pipeline waits and retries the same batch.
//  - a change poller (console.poll_interval_ms) that pushes changes this instance did not make
//    itself: alerts consumed by other console instances, dispositions recorded through them,
//    retention masking.
//  - the disposition outbox publisher (console.outbox_interval_ms): pending disposition records go
//    to console.dispositions_topic and are acknowledged in Redis only once Kafka acknowledged them
//    (at least once).
//  - the retention job (retention.interval): AlertStore::apply_retention.
//
// WebSocket protocol (GET /api/stream?after_seq=N, officer or supervisor; docs/console.md): the
// server sends {"type":"catchup","seq":S,"alerts":[summary..]} first (without after_seq: the newest
// console.catchup_limit alerts; with it: every change after N, oldest first, or, when more than
// console.catchup_max changed, the newest ones with "reset":true), then
// {"type":"alerts","seq":R,"alerts":[summary..]} with the new or changed alerts of visible queues
// (one or more: what one ingest batch or poll brought, and, while a write to the client is still
// in flight, whatever queued up behind it, in one message), and {"type":"seq","seq":R} when
// changes elsewhere moved the resume point. Each batch is serialised once and shared by every
// client that sees the same queues. (Earlier servers sent {"type":"alert","seq":R,"alert":summary}
// per alert; the page still accepts it.) R is the sequence up to
// which every change has been sent to this client; alerts are pushed as soon as they change, not
// in sequence order (several threads and instances change them), so a client resumes from the
// highest catchup/message "seq" it saw (after_seq), never from an alert's own seq. Messages may
// repeat a change; the client keeps, per flag_id, the summary with the highest seq. Each client
// has its own bounded write queue: one that falls more than console.websocket_queue_limit alerts
// (a catch-up or seq message counts as one) behind is closed with 1008 (policy violation) and
// counted; it never slows the others. Idle connections are pinged (Beast's keep-alive timeout
// settings).
//
// Failure behaviour: start() returns a fatal Error when the address cannot be bound, the static
// directory is missing, or the Kafka clients cannot be configured. A fatal error of the ingest
// pipeline later (Kafka gave up) ends wait() with that Error; the caller exits non-zero and the
// uncommitted records are redelivered after restart. A bad request or a client that disconnects
// affects only its own connection.
// Thread-safety: start(), stop() and wait() from the owner thread; request_stop(), port(),
// ingest_ready() and metrics() from any thread.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "crosscheck/console/console_config.h"
#include "crosscheck/error.h"

namespace crosscheck::console {

// Why the API handlers refused a request (console_api.h ApiCounters), as a metric label.
enum class ApiRefusal : int {
  kAuthFailed,      // 401
  kRoleForbidden,   // 403, the role may not call the endpoint
  kCsrfRejected,    // 403, cookie-authenticated write without X-Crosscheck-Request
  kOriginRejected,  // 403, WebSocket Origin does not match Host
  kBadRequest,      // 400/413
  kAuditFailed,     // 503, the audit entry could not be written
  kUnavailable,     // 503, Redis failed
};
inline constexpr int kApiRefusalCount = 7;
std::string_view to_string(ApiRefusal reason);

// Every metric the console exports, declared in this one place. Counters and gauges are
// prometheus-cpp's (thread-safe); the series are created once here, so no label lookup happens
// on a hot path.
class ConsoleMetrics {
 public:
  explicit ConsoleMetrics(std::shared_ptr<prometheus::Registry> registry);

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }
  // The Prometheus text exposition of the registry (GET /metrics).
  std::string exposition() const;

  prometheus::Counter& alerts_ingested() { return *alerts_ingested_; }      // new alerts stored
  prometheus::Counter& ingest_errors() { return *ingest_errors_; }          // records refused by the store
  prometheus::Counter& ingest_retries() { return *ingest_retries_; }        // store unreachable, retried
  prometheus::Gauge& ws_clients() { return *ws_clients_; }
  prometheus::Counter& ws_messages_sent() { return *ws_messages_sent_; }  // WebSocket messages written
  prometheus::Counter& ws_alerts_sent() { return *ws_alerts_sent_; }      // alerts in those messages
  prometheus::Counter& ws_dropped_clients() { return *ws_dropped_clients_; }  // closed for falling behind
  // Closed because their credential stopped being valid (expired, revoked, logged out, disabled,
  // roles or queues changed); and re-checks that could not be made (Redis down: kept open).
  prometheus::Counter& ws_reauth_closed() { return *ws_reauth_closed_; }
  prometheus::Counter& ws_reauth_errors() { return *ws_reauth_errors_; }
  // Per client and ingest batch: from the Kafka record timestamp of the batch's oldest alert to
  // the WebSocket write that carried the batch completing.
  prometheus::Histogram& push_latency() { return *push_latency_; }
  prometheus::Counter& dispositions_published() { return *dispositions_published_; }
  prometheus::Counter& outbox_errors() { return *outbox_errors_; }
  prometheus::Gauge& outbox_pending() { return *outbox_pending_; }
  prometheus::Counter& retention_masked() { return *retention_masked_; }
  prometheus::Counter& retention_deleted() { return *retention_deleted_; }
  prometheus::Counter& retention_errors() { return *retention_errors_; }
  // HTTP responses by status class: 1xx (WebSocket upgrades), 2xx, 3xx, 4xx, 5xx.
  prometheus::Counter& http_requests(int status);
  prometheus::Counter& logins_failed() { return *logins_failed_; }  // refused or rate-limited logins
  prometheus::Gauge& ingest_ready() { return *ingest_ready_; }      // 1 once partitions are assigned
  prometheus::Counter& api_refusals(ApiRefusal reason) { return *api_refusals_[static_cast<int>(reason)]; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter* alerts_ingested_;
  prometheus::Counter* ingest_errors_;
  prometheus::Counter* ingest_retries_;
  prometheus::Gauge* ws_clients_;
  prometheus::Counter* ws_messages_sent_;
  prometheus::Counter* ws_alerts_sent_;
  prometheus::Counter* ws_dropped_clients_;
  prometheus::Counter* ws_reauth_closed_;
  prometheus::Counter* ws_reauth_errors_;
  prometheus::Histogram* push_latency_;
  prometheus::Counter* dispositions_published_;
  prometheus::Counter* outbox_errors_;
  prometheus::Gauge* outbox_pending_;
  prometheus::Counter* retention_masked_;
  prometheus::Counter* retention_deleted_;
  prometheus::Counter* retention_errors_;
  std::array<prometheus::Counter*, 5> http_requests_{};
  prometheus::Counter* logins_failed_;
  prometheus::Gauge* ingest_ready_;
  std::array<prometheus::Counter*, kApiRefusalCount> api_refusals_{};
};

namespace detail {
struct ConsoleServerImpl;  // console_server.cpp
}  // namespace detail

class ConsoleServer {
 public:
  // `registry` receives the console's metrics (a new one when null).
  explicit ConsoleServer(ConsoleConfig config, std::shared_ptr<prometheus::Registry> registry = nullptr);
  ~ConsoleServer();  // stop()
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Binds http.address:http.port, creates missing topics (kafka.create_topics), and starts every
  // thread listed above. Fatal Error when it cannot bind or configure; nothing keeps running then.
  Status start();
  // Closes the listener and every connection, drains the pipeline (commits what is stored),
  // publishes what the outbox holds if Kafka takes it quickly, and joins every thread. Idempotent.
  void stop();
  // Asks the background parts to stop and wakes wait(); the caller then calls stop(). Safe from any
  // thread, e.g. a signal-handling one.
  void request_stop();
  // Blocks until a stop was requested or a background part failed fatally; returns that failure.
  Status wait();

  // The bound port (useful with http.port 0); 0 before start().
  int port() const;
  // True once the ingest consumer has its partitions.
  bool ingest_ready() const;
  ConsoleMetrics& metrics();

 private:
  std::unique_ptr<detail::ConsoleServerImpl> impl_;
};

}  // namespace crosscheck::console
