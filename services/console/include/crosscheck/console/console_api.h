// The console's HTTP API as plain functions: a parsed request in, a response out. The server
// (console_server.h) only moves bytes: it parses HTTP into ApiRequest, serves static files and
// upgrades /api/stream to a WebSocket, and hands everything under /api/ and /metrics here.
//
// Every request is authenticated here (bearer token or session cookie, users.h), checked for
// CSRF (a cookie-authenticated request other than GET/HEAD needs the header
// `X-Crosscheck-Request: 1`) and for its role (the matrix in docs/console.md), then routed.
// Alert views, dispositions and unmasking are audited here; manager operations are handed to
// handle_manager_api.
//
// Failure behaviour: never throws; Redis down -> 503 with a JSON error; bad input -> 400.
// Thread-safety: none; the server keeps one ConsoleContext (and its clients) per thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "crosscheck/console/alert_store.h"
#include "crosscheck/console/http_types.h"
#include "crosscheck/console/manager_api.h"
#include "crosscheck/console/users.h"
#include "crosscheck/rules/audit_log.h"

namespace crosscheck::console {

// Refusals that the response status alone does not tell apart, for the server's metrics. Shared
// by every thread's ConsoleContext (hence atomics, relaxed: they are only counted and read).
struct ApiCounters {
  std::atomic<std::uint64_t> auth_failed{0};         // 401: no, unknown, expired or revoked credential
  std::atomic<std::uint64_t> role_forbidden{0};      // 403: the role may not call the endpoint
  std::atomic<std::uint64_t> csrf_rejected{0};       // 403: cookie-authenticated write without the header
  std::atomic<std::uint64_t> origin_rejected{0};     // 403: WebSocket Origin does not match Host
  std::atomic<std::uint64_t> bad_request{0};         // 400/413: malformed body or query parameter
  std::atomic<std::uint64_t> login_failed{0};        // wrong account or token at POST /api/login
  std::atomic<std::uint64_t> login_rate_limited{0};  // 429 at POST /api/login
  std::atomic<std::uint64_t> audit_failed{0};        // an audit entry could not be written (503)
  std::atomic<std::uint64_t> unavailable{0};         // 503: Redis failed
};

struct ConsoleContext {
  UserStore* users = nullptr;
  AlertStore* alerts = nullptr;
  rules::AuditLog* audit = nullptr;
  ManagerContext manager;                 // its redis, prefix and policy; now_ms is set per request
  std::vector<std::string> queues;        // the configured queues (what a supervisor sees)
  std::function<std::string()> metrics_text;  // the Prometheus exposition for GET /metrics
  // The operations dashboard's JSON for GET /api/ops/overview (OpsCollector::overview_json), given
  // the request time; empty: the endpoint answers 503.
  std::function<std::string(std::int64_t now_ms)> ops_overview;
  bool secure_cookies = false;            // add "Secure" to the session cookie (behind TLS)
  std::int64_t now_ms = 0;                // set per request by the caller; 0 = read the clock
  ApiCounters* counters = nullptr;        // optional; shared between threads
};

// Handles every path under /api/ (except the WebSocket upgrade) and /metrics.
ApiResponse handle_api_request(const ApiRequest& request, ConsoleContext& context);

// For GET /api/stream before the upgrade: the principal when the credential is valid, the Origin
// matches the Host and the role may watch queues; otherwise the error response to send instead.
std::variant<Principal, ApiResponse> authorize_stream(const ApiRequest& request, ConsoleContext& context);

// The queues `principal` may see among `configured`.
std::vector<std::string> visible_queues(const Principal& principal, const std::vector<std::string>& configured);

// One alert summary as the JSON object the REST API and the WebSocket send (keys in
// docs/console.md).
std::string encode_alert_summary_json(const AlertSummary& summary);

}  // namespace crosscheck::console
