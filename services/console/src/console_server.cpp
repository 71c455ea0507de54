#include "crosscheck/console/console_server.h"

#include <prometheus/text_serializer.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "crosscheck/console/alert_store.h"
#include "crosscheck/console/console_api.h"
#include "crosscheck/console/ops_collector.h"  // ops dashboard
#include "crosscheck/console/users.h"
#include "crosscheck/json_writer.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/pipeline.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kLog = "console";
constexpr std::size_t kMaxStaticFileBytes = 32u << 20;
constexpr std::size_t kMaxHeaderBytes = 32u << 10;
constexpr std::size_t kPageSize = 500;  // alerts per list() call when paging through changes
constexpr const char* kServerName = "crosscheck-console";
// The page holds no inline script or style, so the strictest policy fits; the extra directives
// are those default-src does not cover.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// 0.5 ms .. 30 s: from a local push to a client that stalls.
prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; `plus_is_space` for query strings. A malformed escape is kept literally.
std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    std::string key = url_decode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : url_decode(part.substr(eq + 1), true);
    out.emplace(std::move(key), std::move(value));  // the first occurrence wins
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::string_view content_type_for(std::string_view path) {
  const auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return {};
  const std::string ext = lower(path.substr(dot + 1));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  return {};
}

// Whether a decoded URL path is safe to map into the static directory: no "." or ".." segments, no
// hidden files, no backslashes or NULs.
bool safe_static_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string_view seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() && slash != std::string_view::npos) return false;  // "//"
    if (!seg.empty() && seg.front() == '.') return false;              // ".", "..", ".hidden"
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// One {"type":"alerts"} message carries the chunks queued for a client, up to this size (at
// least one chunk): a client that fell behind catches up in a few large writes, not many small.
constexpr std::size_t kMaxAlertsMessageBytes = 1u << 20;
// The close code (application range) for "your credential or queues changed": the page reloads,
// which signs in again or starts over with the new queues, instead of reconnecting with stale
// state as it does after any other close.
constexpr auto kCloseCredentialChanged = static_cast<websocket::close_code>(4401);
// Ingest batches (streams::PipelineConfig): at most this many records, and after the first record
// of a batch at most this long a wait for more. The wait is what a lone alert is delayed by; under
// load it gathers the consumer's fetches into fewer, larger pushes: each batch costs a Redis round
// trip and a write per client, whatever its size. With 200 clients at 2,000 alerts/s on two
// cores, 10 ms took the p99 from 0.5-1.4 s (no wait) to under 0.1 s (docs/performance.md,
// "Console delivery"). Named constants until an operator needs to change them.
constexpr std::size_t kIngestMaxBatch = 500;
constexpr std::chrono::milliseconds kIngestBatchLinger{10};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Metrics

ConsoleMetrics::ConsoleMetrics(std::shared_ptr<prometheus::Registry> registry) : registry_(std::move(registry)) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  using prometheus::BuildHistogram;
  auto& r = *registry_;
  alerts_ingested_ = &BuildCounter().Name("crosscheck_console_alerts_ingested_total")
                          .Help("New alerts stored from the operator-queue topics (redeliveries not counted).")
                          .Register(r).Add({});
  ingest_errors_ = &BuildCounter().Name("crosscheck_console_ingest_errors_total")
                        .Help("Records of the operator-queue topics the console could not store as alerts "
                              "(not JSON, no flag_id); dead-lettered.")
                        .Register(r).Add({});
  ingest_retries_ = &BuildCounter().Name("crosscheck_console_ingest_retries_total")
                         .Help("Attempts to store an alert that failed because Redis was unavailable (retried).")
                         .Register(r).Add({});
  ws_clients_ = &BuildGauge().Name("crosscheck_console_ws_clients")
                     .Help("Connected WebSocket clients.").Register(r).Add({});
  ws_messages_sent_ = &BuildCounter().Name("crosscheck_console_ws_messages_sent_total")
                           .Help("WebSocket messages written to clients (catch-ups, alert batches, seq).")
                           .Register(r).Add({});
  ws_alerts_sent_ = &BuildCounter().Name("crosscheck_console_ws_alerts_sent_total")
                         .Help("Alerts written to WebSocket clients (one alerts message carries one or more).")
                         .Register(r).Add({});
  ws_dropped_clients_ = &BuildCounter().Name("crosscheck_console_ws_dropped_clients_total")
                             .Help("WebSocket clients closed because they fell behind (write queue over its limit).")
                             .Register(r).Add({});
  ws_reauth_closed_ = &BuildCounter().Name("crosscheck_console_ws_reauth_closed_total")
                           .Help("WebSocket clients closed because their token or session stopped being valid, or "
                                 "their roles or queues changed (checked every console.websocket_reauth_interval_ms).")
                           .Register(r).Add({});
  ws_reauth_errors_ = &BuildCounter().Name("crosscheck_console_ws_reauth_errors_total")
                           .Help("Re-checks of a WebSocket client's credential that could not be made (Redis "
                                 "unavailable); the client stays connected until a check succeeds or refuses.")
                           .Register(r).Add({});
  push_latency_ = &BuildHistogram().Name("crosscheck_console_push_latency_seconds")
                       .Help("Per client and ingest batch: from the Kafka record timestamp of the batch's oldest "
                             "alert to the WebSocket write carrying it completing.")
                       .Register(r).Add({}, latency_buckets());
  dispositions_published_ = &BuildCounter().Name("crosscheck_console_dispositions_published_total")
                                 .Help("Disposition records acknowledged by Kafka (at least once).").Register(r).Add({});
  outbox_errors_ = &BuildCounter().Name("crosscheck_console_outbox_errors_total")
                        .Help("Failed attempts to read, publish or acknowledge pending dispositions (retried).")
                        .Register(r).Add({});
  outbox_pending_ = &BuildGauge().Name("crosscheck_console_outbox_pending")
                         .Help("Dispositions recorded but not yet acknowledged by Kafka (at the last check, at most 500).")
                         .Register(r).Add({});
  retention_masked_ = &BuildCounter().Name("crosscheck_console_retention_masked_total")
                           .Help("Alerts depersonalised by the retention job.").Register(r).Add({});
  retention_deleted_ = &BuildCounter().Name("crosscheck_console_retention_deleted_total")
                            .Help("Alerts deleted by the retention job.").Register(r).Add({});
  retention_errors_ = &BuildCounter().Name("crosscheck_console_retention_errors_total")
                           .Help("Retention runs that failed (retried at the next interval).").Register(r).Add({});
  auto& http_family = BuildCounter().Name("crosscheck_console_http_requests_total")
                          .Help("HTTP responses by status class (1xx: WebSocket upgrades).").Register(r);
  for (int i = 0; i < 5; ++i) http_requests_[i] = &http_family.Add({{"code", std::to_string(i + 1) + "xx"}});
  logins_failed_ = &BuildCounter().Name("crosscheck_console_logins_failed_total")
                        .Help("Logins refused (bad credentials) or rate-limited.").Register(r).Add({});
  ingest_ready_ = &BuildGauge().Name("crosscheck_console_ingest_ready")
                       .Help("1 while the ingest consumer has partitions assigned.").Register(r).Add({});
  auto& refusals = BuildCounter().Name("crosscheck_console_api_refusals_total")
                       .Help("API requests refused, by reason (logins are counted by crosscheck_console_logins_failed_total).")
                       .Register(r);
  for (int i = 0; i < kApiRefusalCount; ++i) {
    api_refusals_[i] = &refusals.Add({{"reason", std::string(to_string(static_cast<ApiRefusal>(i)))}});
  }
}

std::string_view to_string(ApiRefusal reason) {
  switch (reason) {
    case ApiRefusal::kAuthFailed: return "auth_failed";
    case ApiRefusal::kRoleForbidden: return "role_forbidden";
    case ApiRefusal::kCsrfRejected: return "csrf_rejected";
    case ApiRefusal::kOriginRejected: return "origin_rejected";
    case ApiRefusal::kBadRequest: return "bad_request";
    case ApiRefusal::kAuditFailed: return "audit_failed";
    case ApiRefusal::kUnavailable: return "unavailable";
  }
  return "unavailable";
}

prometheus::Counter& ConsoleMetrics::http_requests(int status) {
  const int cls = std::clamp(status / 100, 1, 5);
  return *http_requests_[cls - 1];
}

std::string ConsoleMetrics::exposition() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

// ---------------------------------------------------------------------------------------------
// Server internals

namespace detail {

// Changed alerts that go to clients together: the summaries serialised once, comma-separated
// without brackets, shared by every session that sees exactly these alerts.
struct AlertChunk {
  std::string json;
  std::size_t count = 0;
  // ConsoleServerImpl::resume_seq when the chunk was made: the "seq" of the message carrying it.
  std::uint64_t resume_seq = 0;
  // The earliest Kafka timestamp of its alerts, for the push latency; 0 = not measured.
  std::int64_t oldest_source_ms = 0;
};

// What a session queues: a whole message (catch-up, seq), or a chunk of alerts, which is sent in
// one {"type":"alerts"} message together with the chunks queued right behind it.
struct OutMessage {
  std::shared_ptr<const std::string> text;
  std::shared_ptr<const AlertChunk> alerts;
  // What it counts against console.websocket_queue_limit.
  std::size_t units() const { return alerts ? alerts->count : 1; }
};

// One changed alert to push, serialised once.
struct PushItem {
  std::string queue;
  std::string json;  // encode_alert_summary_json
  std::int64_t source_ms = 0;  // Kafka timestamp; 0 = not measured
};

class WsSession;

// The connected WebSocket clients. broadcast() never blocks on a client: it posts the message to
// each interested session's strand, where the session's bounded queue takes it or drops the client.
class Hub {
 public:
  void add(const std::shared_ptr<WsSession>& session);
  void remove(const WsSession* session);
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }
  // Each session gets one chunk with the items of the queues it sees (none when it sees none of
  // them); sessions that see the same queues share one chunk.
  void broadcast_alerts(const std::vector<PushItem>& items, std::uint64_t resume_seq);
  void broadcast_all(const OutMessage& message);
  void close_all();

 private:
  std::vector<std::shared_ptr<WsSession>> snapshot();
  std::mutex mutex_;
  std::unordered_map<const WsSession*, std::weak_ptr<WsSession>> sessions_;
};

// One API handler thread's clients and stores (none of them is thread-safe).
struct ApiThreadState {
  rules::RedisClient redis;
  UserStore users;
  AlertStore alerts;
  rules::AuditLog audit;
  ConsoleContext context;

  ApiThreadState(const ConsoleConfig& config, std::function<std::string()> metrics_text, ApiCounters* counters)
      : redis(config.redis.client),
        users(redis, config.redis.key_prefix, config.auth),
        alerts(redis, config.redis.key_prefix),
        audit(redis, config.redis.key_prefix) {
    context.users = &users;
    context.alerts = &alerts;
    context.audit = &audit;
    context.manager.redis = &redis;
    context.manager.key_prefix = config.redis.key_prefix;
    context.manager.policy = config.rules;
    context.queues = config.console.queues;
    context.metrics_text = std::move(metrics_text);
    context.secure_cookies = config.http.secure_cookies;
    context.counters = counters;
  }
};

struct ConsoleServerImpl {
  ConsoleConfig config;
  ConsoleMetrics metrics;
  fs::path static_root;

  std::unique_ptr<asio::io_context> io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> io_threads;
  std::unique_ptr<asio::thread_pool> api_pool;
  std::mutex states_mutex;
  std::map<std::thread::id, std::unique_ptr<ApiThreadState>> states;
  Hub hub;
  std::atomic<int> bound_port{0};
  ApiCounters api_counters;  // the handlers' refusal counts, shared by every API thread
  std::mutex metrics_mutex;
  std::array<std::uint64_t, kApiRefusalCount> refusals_synced{};

  std::unique_ptr<streams::Pipeline> pipeline;
  std::unique_ptr<rules::RedisClient> ingest_redis;
  std::unique_ptr<AlertStore> ingest_store;
  std::unique_ptr<OpsCollector> ops;  // ops dashboard: scrapes the screeners' /metrics (ops_collector.h)
  std::unique_ptr<streams::Producer> outbox_producer;
  std::vector<char>* outbox_round = nullptr;  // the outbox thread's current delivery flags
  std::thread pipeline_thread, poller_thread, outbox_thread, retention_thread;

  // Sequences this instance already pushed (ingest, dispositions), so the poller skips them.
  std::mutex sent_mutex;
  std::set<std::uint64_t> sent_seqs;
  // Held by the ingest from storing a batch until its sequences are in sent_seqs, and by the
  // poller from listing a page of changes until it has filtered them: otherwise the poller could
  // list an alert this instance just stored before the ingest marked it, and send it twice.
  std::mutex ingest_poll_mutex;
  // Every change up to this sequence has been handed to every session's queue: the poller has
  // listed everything up to it. Pushes are not in sequence order (several threads and instances
  // make changes), so a client must resume from this, never from an alert's own seq.
  std::atomic<std::uint64_t> resume_seq{0};

  std::mutex state_mutex;
  std::condition_variable state_cv;
  bool stop_requested = false;
  bool started = false;
  bool stopped = false;
  std::optional<Error> failure;

  ConsoleServerImpl(ConsoleConfig c, std::shared_ptr<prometheus::Registry> registry)
      : config(std::move(c)), metrics(registry ? std::move(registry) : std::make_shared<prometheus::Registry>()) {}

  bool stopping() {
    std::lock_guard lock(state_mutex);
    return stop_requested;
  }
  // Sleeps up to `d`; false when a stop was requested.
  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(state_mutex);
    return !state_cv.wait_for(lock, d, [&] { return stop_requested; });
  }
  void fail(const Error& e) {
    std::lock_guard lock(state_mutex);
    if (!failure) failure = e;
    state_cv.notify_all();
  }

  ApiThreadState& thread_state() {
    std::lock_guard lock(states_mutex);
    auto& slot = states[std::this_thread::get_id()];
    if (!slot) slot = std::make_unique<ApiThreadState>(config, [this] { return metrics_text(); }, &api_counters);
    if (ops && !slot->context.ops_overview) {  // ops dashboard
      slot->context.ops_overview = [this](std::int64_t now_ms) { return ops->overview_json(now_ms); };
    }
    return *slot;
  }

  // The exposition for GET /metrics, with the handlers' refusal counts brought up to date.
  std::string metrics_text() {
    {
      std::lock_guard lock(metrics_mutex);
      const std::array<std::uint64_t, kApiRefusalCount> now = {
          api_counters.auth_failed.load(std::memory_order_relaxed),
          api_counters.role_forbidden.load(std::memory_order_relaxed),
          api_counters.csrf_rejected.load(std::memory_order_relaxed),
          api_counters.origin_rejected.load(std::memory_order_relaxed),
          api_counters.bad_request.load(std::memory_order_relaxed),
          api_counters.audit_failed.load(std::memory_order_relaxed),
          api_counters.unavailable.load(std::memory_order_relaxed)};
      for (std::size_t i = 0; i < now.size(); ++i) {
        if (now[i] > refusals_synced[i]) {
          metrics.api_refusals(static_cast<ApiRefusal>(i)).Increment(static_cast<double>(now[i] - refusals_synced[i]));
          refusals_synced[i] = now[i];
        }
      }
    }
    return metrics.exposition();
  }

  // True when this instance pushed `seq` itself (and forgets it).
  bool take_sent(std::uint64_t seq) {
    std::lock_guard lock(sent_mutex);
    return sent_seqs.erase(seq) > 0;
  }
  void forget_sent_up_to(std::uint64_t seq) {
    std::lock_guard lock(sent_mutex);
    sent_seqs.erase(sent_seqs.begin(), sent_seqs.upper_bound(seq));
  }

  // Pushes changes this instance made (`seqs`: their sequences) to the sessions that see them.
  void push(const std::vector<PushItem>& items, const std::vector<std::uint64_t>& seqs) {
    if (items.empty()) return;
    hub.broadcast_alerts(items, resume_seq.load(std::memory_order_acquire));
    // After the broadcast: should the poller see a change first, it sends it again (harmless),
    // rather than count it as sent before it is queued anywhere.
    std::lock_guard lock(sent_mutex);
    sent_seqs.insert(seqs.begin(), seqs.end());
  }

  Result<std::string> build_catchup(AlertStore& store, const std::vector<std::string>& queues, std::uint64_t after_seq);
  ApiResponse handle_api(const ApiRequest& request);
  void ingest_batch(std::span<const streams::InRecord> in, std::span<streams::Processed> out);
  void dead_letter(const streams::InRecord& in, const Error& error, streams::Processed& out);
  void run_pipeline();
  void run_poller();
  void run_outbox();
  void run_retention();
  void accept();
};

// ---------------------------------------------------------------------------------------------
// WebSocket session

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  // `credentials` is the upgrade request (its Authorization or Cookie header), checked again every
  // console.websocket_reauth_interval.
  WsSession(beast::tcp_stream&& stream, detail::ConsoleServerImpl& server, std::vector<std::string> queues,
            std::uint64_t after_seq, std::shared_ptr<const ApiRequest> credentials)
      : ws_(std::move(stream)),
        reauth_timer_(ws_.get_executor()),
        server_(server),
        queues_(std::move(queues)),
        after_seq_(after_seq),
        credentials_(std::move(credentials)) {}

  ~WsSession() {
    if (registered_) {
      server_.hub.remove(this);
      server_.metrics.ws_clients().Decrement();
    }
  }

  const std::vector<std::string>& queues() const { return queues_; }

  void run(http::request<http::string_body> request) {
    request_ = std::move(request);
    beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts below take over
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(15);
    // Beast pings an idle peer at half this interval and drops it when no frame came back.
    timeouts.idle_timeout = std::chrono::seconds(40);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
    ws_.read_message_max(4096);  // clients send nothing the server reads
    // One frame per message: Beast would otherwise cut every message over 4 KiB into frames
    // written one by one, a system call each.
    ws_.auto_fragment(false);
    ws_.text(true);
    // Pushes are latency-bound: without this, a message written while the previous one is still
    // unacknowledged waits for the client's (possibly delayed) ACK.
    beast::error_code nodelay_ec;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), nodelay_ec);
    ws_.async_accept(request_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  // Called on any thread: hands the message to this session's strand. Messages that arrive
  // while a hand-over is pending join it, so a burst costs one post, not one per message.
  void deliver(OutMessage message) {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(message));
    if (hand_over_posted_) return;
    hand_over_posted_ = true;
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->take_inbox(); });
  }

  void close(websocket::close_code code) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), code] { self->start_close(code); });
  }

 private:
  void on_accept(beast::error_code ec) {
    server_.metrics.http_requests(ec ? 400 : 101).Increment();
    if (ec) return;
    registered_ = true;
    server_.metrics.ws_clients().Increment();
    server_.hub.add(shared_from_this());
    do_read();
    schedule_reauth();
    // Registered first, caught up second: a change made between the two arrives twice at worst,
    // never not at all.
    asio::post(*server_.api_pool, [self = shared_from_this()] {
      ApiThreadState& state = self->server_.thread_state();
      auto catchup = self->server_.build_catchup(state.alerts, self->queues_, self->after_seq_);
      asio::post(self->ws_.get_executor(), [self, catchup = std::move(catchup)]() mutable {
        self->on_catchup(std::move(catchup));
      });
    });
  }

  // An open connection must not outlive its credential: a token that expires or is revoked, a
  // session that ends (logout, account disabled) or an account whose queues change closes it.
  // Each check runs on the API pool (it reads Redis) and its verdict comes back to the strand.
  void schedule_reauth() {
    reauth_timer_.expires_after(server_.config.console.websocket_reauth_interval);
    reauth_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;
      asio::post(*self->server_.api_pool, [self] {
        ApiThreadState& state = self->server_.thread_state();
        state.context.now_ms = timefmt::now_ms();
        int refused = 0;
        std::vector<std::string> queues;
        try {
          auto outcome = authorize_stream(*self->credentials_, state.context);
          if (const auto* principal = std::get_if<Principal>(&outcome)) {
            queues = visible_queues(*principal, self->server_.config.console.queues);
          } else {
            refused = std::get<ApiResponse>(outcome).status;
          }
        } catch (const std::exception& e) {
          log::error(kLog, "authorize_stream threw", {{"error", e.what()}});
          refused = 500;
        }
        asio::post(self->ws_.get_executor(), [self, refused, queues = std::move(queues)] {
          self->on_reauth(refused, queues);
        });
      });
    });
  }

  void on_reauth(int refused, const std::vector<std::string>& queues) {
    if (closing_) return;
    if (refused == 0 && queues == queues_) {
      schedule_reauth();
      return;
    }
    if (refused >= 500) {
      // Redis unavailable: the credential can be neither confirmed nor refused. Keep the officer
      // connected (the alerts they already may see) and check again at the next interval.
      server_.metrics.ws_reauth_errors().Increment();
      log::warn(kLog, "cannot re-check a WebSocket client's credential; keeping it connected",
                {{"status", static_cast<std::int64_t>(refused)}});
      schedule_reauth();
      return;
    }
    server_.metrics.ws_reauth_closed().Increment();
    log::info(kLog, refused != 0 ? "closing a WebSocket client: its credential is no longer valid"
                                 : "closing a WebSocket client: its account's queues changed",
              {{"status", static_cast<std::int64_t>(refused)}});
    start_close(kCloseCredentialChanged);
  }

  void on_catchup(Result<std::string> catchup) {
    if (closing_) return;
    if (!catchup.ok()) {
      log::warn(kLog, "cannot build the catch-up for a WebSocket client", {{"error", catchup.error().to_string()}});
      start_close(websocket::close_code::try_again_later);
      return;
    }
    // Nothing is being written before the catch-up (write_next waits for ready_), so it can go first.
    queue_.push_front(OutMessage{std::make_shared<const std::string>(std::move(*catchup)), nullptr});
    queued_units_ += 1;
    ready_ = true;
    write_next();
  }

  void take_inbox() {
    std::vector<OutMessage> batch;
    {
      std::lock_guard lock(inbox_mutex_);
      batch.swap(inbox_);
      hand_over_posted_ = false;
    }
    for (auto& m : batch) enqueue(std::move(m));
    write_next();
  }

  void enqueue(OutMessage message) {
    if (closing_) return;
    if (queued_units_ >= server_.config.console.websocket_queue_limit) {
      server_.metrics.ws_dropped_clients().Increment();
      log::warn(kLog, "WebSocket client fell behind; closing it (it reconnects and catches up)",
                {{"queued", static_cast<std::uint64_t>(queued_units_)}});
      start_close(websocket::close_code::policy_error);
      return;
    }
    queued_units_ += message.units();
    queue_.push_back(std::move(message));
  }

  void write_next() {
    if (!ready_ || writing_ || closing_ || queue_.empty()) return;
    writing_ = true;
    buffers_.clear();
    const OutMessage& front = queue_.front();
    if (front.text) {
      writing_count_ = 1;
      buffers_.emplace_back(asio::buffer(*front.text));
    } else {
      // The alert chunks at the front go out as one message: those that queued up while the
      // previous write was in flight are merged rather than written one by one.
      std::uint64_t seq = 0;
      std::size_t bytes = 0;
      std::size_t n = 0;
      buffers_.emplace_back();  // the head, set below once the seq is known
      for (const OutMessage& m : queue_) {
        if (!m.alerts || (n > 0 && bytes + m.alerts->json.size() > kMaxAlertsMessageBytes)) break;
        if (n > 0) buffers_.emplace_back(asio::buffer(",", 1));
        buffers_.emplace_back(asio::buffer(m.alerts->json));
        seq = std::max(seq, m.alerts->resume_seq);
        bytes += m.alerts->json.size();
        ++n;
      }
      writing_count_ = n;
      head_ = R"({"type":"alerts","seq":)" + std::to_string(seq) + R"(,"alerts":[)";
      buffers_.front() = asio::buffer(head_);
      buffers_.emplace_back(asio::buffer("]}", 2));
    }
    ws_.async_write(buffers_, beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec || closing_) {
      closing_ = true;
      queue_.clear();
      queued_units_ = 0;
      writing_count_ = 0;
      return;
    }
    if (queue_.size() < writing_count_ || writing_count_ == 0) {
      // invariant: the messages just written stay at the front until here
      log::error(kLog, "WebSocket write queue lost the messages being written");
      std::abort();
    }
    server_.metrics.ws_messages_sent().Increment();
    const std::int64_t now = timefmt::now_ms();
    std::size_t alerts = 0;
    for (std::size_t i = 0; i < writing_count_; ++i) {
      const OutMessage& sent = queue_.front();
      if (sent.alerts) {
        alerts += sent.alerts->count;
        if (sent.alerts->oldest_source_ms > 0) {
          server_.metrics.push_latency().Observe(
              static_cast<double>(std::max<std::int64_t>(0, now - sent.alerts->oldest_source_ms)) / 1000.0);
        }
      }
      queued_units_ -= sent.units();
      queue_.pop_front();
    }
    if (alerts > 0) server_.metrics.ws_alerts_sent().Increment(static_cast<double>(alerts));
    writing_count_ = 0;
    write_next();
  }

  void do_read() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      // Closed by the peer, timed out (no pong) or closed by us: the session ends once the
      // pending write, if any, completes.
      closing_ = true;
      reauth_timer_.cancel();  // its handler holds the session alive
      drop_queued();
      return;
    }
    read_buffer_.consume(read_buffer_.size());  // the protocol has no client messages; ignore them
    do_read();
  }

  // Drops what waits to be sent, but never the messages an async_write is still sending: their
  // buffers must live until on_write, which then clears the rest.
  void drop_queued() {
    const std::size_t keep = writing_ ? std::min(writing_count_, queue_.size()) : 0;
    while (queue_.size() > keep) {
      queued_units_ -= queue_.back().units();
      queue_.pop_back();
    }
  }

  void start_close(websocket::close_code code) {
    if (closing_) return;
    closing_ = true;
    reauth_timer_.cancel();
    drop_queued();
    // A client too slow to read may never complete the close handshake: cut it off after 5 s.
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(5));
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer reauth_timer_;
  detail::ConsoleServerImpl& server_;
  const std::vector<std::string> queues_;
  const std::uint64_t after_seq_;
  const std::shared_ptr<const ApiRequest> credentials_;
  http::request<http::string_body> request_;
  beast::flat_buffer read_buffer_;
  std::deque<OutMessage> queue_;
  std::size_t queued_units_ = 0;   // sum of units() over queue_
  std::size_t writing_count_ = 0;  // messages at the front of queue_ that the write in flight sends
  std::string head_;               // the {"type":"alerts",..."alerts":[ of the write in flight
  std::vector<asio::const_buffer> buffers_;  // the write in flight
  std::mutex inbox_mutex_;
  std::vector<OutMessage> inbox_;  // guarded by inbox_mutex_
  bool hand_over_posted_ = false;  // guarded by inbox_mutex_
  bool registered_ = false;
  bool ready_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

void Hub::add(const std::shared_ptr<WsSession>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session.get()] = session;
}

void Hub::remove(const WsSession* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

std::vector<std::shared_ptr<WsSession>> Hub::snapshot() {
  std::vector<std::shared_ptr<WsSession>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (auto& [_, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Hub::broadcast_alerts(const std::vector<PushItem>& items, std::uint64_t resume_seq) {
  if (items.empty()) return;
  // One chunk per distinct set of visible queues (usually one or a few sets for any number of
  // sessions); null: the set sees none of the items.
  std::map<std::vector<std::string>, std::shared_ptr<const AlertChunk>> chunks;
  // Outside the lock: releasing the last reference to a session runs its destructor, which
  // removes it from the hub.
  for (const auto& s : snapshot()) {
    auto [it, fresh] = chunks.try_emplace(s->queues());
    if (fresh) {
      auto chunk = std::make_shared<AlertChunk>();
      chunk->resume_seq = resume_seq;
      for (const PushItem& item : items) {
        if (std::find(s->queues().begin(), s->queues().end(), item.queue) == s->queues().end()) continue;
        if (chunk->count > 0) chunk->json += ',';
        chunk->json += item.json;
        ++chunk->count;
        if (item.source_ms > 0 && (chunk->oldest_source_ms == 0 || item.source_ms < chunk->oldest_source_ms)) {
          chunk->oldest_source_ms = item.source_ms;
        }
      }
      if (chunk->count > 0) it->second = std::move(chunk);
    }
    if (it->second) s->deliver(OutMessage{nullptr, it->second});
  }
}

void Hub::broadcast_all(const OutMessage& message) {
  for (const auto& s : snapshot()) s->deliver(message);
}

void Hub::close_all() {
  for (const auto& s : snapshot()) s->close(websocket::close_code::going_away);
}

// ---------------------------------------------------------------------------------------------
// HTTP session

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, detail::ConsoleServerImpl& server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) client_address_ = remote.address().to_string();
  }

  void run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  using Response = http::response<http::string_body>;

  void do_read() {
    parser_.emplace();
    parser_->body_limit(server_.config.http.max_body_bytes);
    parser_->header_limit(kMaxHeaderBytes);
    stream_.expires_after(server_.config.http.idle_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      close();
      return;
    }
    if (ec == http::error::body_limit) {
      send(plain(413, "request body larger than http.max_body_bytes\n", 11), false);
      return;
    }
    if (ec) {
      send(plain(400, "malformed HTTP request\n", 11), false);
      return;
    }
    request_ = parser_->release();
    handle();
  }

  Response plain(int status, std::string body, unsigned version = 11) {
    Response res;
    res.version(version);
    res.result(static_cast<unsigned>(status));
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body);
    return res;
  }

  void handle() {
    const std::string target(request_.target());
    const auto qmark = target.find('?');
    const std::string path = url_decode(std::string_view(target).substr(0, qmark), false);
    const http::verb method = request_.method();
    const bool keep_alive = request_.keep_alive();

    if (websocket::is_upgrade(request_)) {
      if (path == "/api/stream") {
        upgrade(path, target, qmark);
      } else {
        send(plain(404, "not found\n", request_.version()), keep_alive);
      }
      return;
    }
    if (path == "/healthz") {
      if (method != http::verb::get && method != http::verb::head) {
        send(plain(405, "GET or HEAD\n", request_.version()), keep_alive);
      } else {
        send(plain(200, "ok\n", request_.version()), keep_alive);
      }
      return;
    }
    if (path == "/api" || starts_with(path, "/api/") || path == "/metrics") {
      auto api = std::make_shared<ApiRequest>(make_api_request(path, target, qmark));
      asio::post(*server_.api_pool, [self = shared_from_this(), api] {
        ApiResponse res = self->server_.handle_api(*api);
        asio::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
          self->send_api(std::move(res));
        });
      });
      return;
    }
    if (method != http::verb::get && method != http::verb::head) {
      Response res = plain(405, "only GET and HEAD outside /api/\n", request_.version());
      res.set(http::field::allow, "GET, HEAD");
      send(std::move(res), keep_alive);
      return;
    }
    send(serve_static(path), keep_alive);
  }

  ApiRequest make_api_request(const std::string& path, const std::string& target, std::size_t qmark) {
    ApiRequest api;
    api.method = std::string(request_.method_string());
    api.path = path;
    if (qmark != std::string::npos) api.query = parse_query(std::string_view(target).substr(qmark + 1));
    for (const auto& field : request_) {
      std::string name = lower(std::string_view(field.name_string().data(), field.name_string().size()));
      auto [it, inserted] = api.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += (name == "cookie" ? "; " : ", ") + std::string(field.value());
    }
    api.body = std::move(request_.body());
    api.client_address = client_address_;
    return api;
  }

  void upgrade(const std::string& path, const std::string& target, std::size_t qmark) {
    auto api = std::make_shared<ApiRequest>(make_api_request(path, target, qmark));
    std::uint64_t after_seq = 0;
    if (auto it = api->query.find("after_seq"); it != api->query.end()) after_seq = parse_u64(it->second).value_or(0);
    asio::post(*server_.api_pool, [self = shared_from_this(), api, after_seq] {
      ApiThreadState& state = self->server_.thread_state();
      state.context.now_ms = timefmt::now_ms();
      std::variant<Principal, ApiResponse> outcome = ApiResponse::error(500, "internal error");
      try {
        outcome = authorize_stream(*api, state.context);
      } catch (const std::exception& e) {
        log::error(kLog, "authorize_stream threw", {{"error", e.what()}});
      }
      std::vector<std::string> queues;
      if (const auto* principal = std::get_if<Principal>(&outcome)) {
        queues = visible_queues(*principal, self->server_.config.console.queues);
      }
      asio::post(self->stream_.get_executor(), [self, api, outcome = std::move(outcome), queues = std::move(queues),
                                                after_seq]() mutable {
        if (auto* refused = std::get_if<ApiResponse>(&outcome)) {
          self->send_api(std::move(*refused));
          return;
        }
        if (self->server_.hub.size() >= static_cast<std::size_t>(self->server_.config.console.websocket_max_clients)) {
          self->send_api(ApiResponse::error(503, "too many WebSocket clients; try again later"));
          return;
        }
        auto session = std::make_shared<WsSession>(std::move(self->stream_), self->server_, std::move(queues), after_seq,
                                                   api);
        session->run(std::move(self->request_));
      });
    });
  }

  Response serve_static(const std::string& url_path) {
    const unsigned version = request_.version();
    const std::string path = url_path == "/" ? "/index.html" : url_path;
    if (!safe_static_path(path)) return plain(400, "bad path\n", version);
    const std::string_view type = content_type_for(path);
    if (type.empty()) return plain(404, "not found\n", version);
    std::error_code ec;
    const fs::path full = fs::weakly_canonical(server_.static_root / fs::path(path.substr(1)), ec);
    if (ec) return plain(404, "not found\n", version);
    // Symbolic links must not lead out of the directory either.
    const auto rel = full.lexically_relative(server_.static_root);
    if (rel.empty() || *rel.begin() == "..") return plain(404, "not found\n", version);
    if (!fs::is_regular_file(full, ec) || ec) return plain(404, "not found\n", version);
    const auto size = fs::file_size(full, ec);
    if (ec || size > kMaxStaticFileBytes) return plain(404, "not found\n", version);
    std::ifstream in(full, std::ios::binary);
    if (!in) return plain(404, "not found\n", version);
    std::string body(size, '\0');
    in.read(body.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size) return plain(500, "cannot read the file\n", version);
    Response res;
    res.version(version);
    res.result(http::status::ok);
    res.set(http::field::content_type, std::string(type));
    res.set(http::field::cache_control, "no-cache");
    if (request_.method() == http::verb::head) {
      res.content_length(body.size());
    } else {
      res.body() = std::move(body);
    }
    return res;
  }

  void send_api(ApiResponse api) {
    Response res;
    res.version(request_.version());
    res.result(static_cast<unsigned>(api.status));
    res.set(http::field::content_type, api.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : api.headers) res.insert(name, value);
    res.body() = std::move(api.body);
    send(std::move(res), request_.keep_alive());
  }

  void send(Response res, bool keep_alive) {
    res.set(http::field::server, kServerName);
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.keep_alive(keep_alive);
    if (request_.method() == http::verb::head) {
      // The length of what GET would return, without the body.
      if (!res.has_content_length()) res.content_length(res.body().size());
      res.body().clear();
    } else {
      res.prepare_payload();
    }
    server_.metrics.http_requests(static_cast<int>(res.result_int())).Increment();
    response_ = std::make_shared<Response>(std::move(res));
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), response_->keep_alive()));
  }

  void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec || !keep_alive) {
      close();
      return;
    }
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  detail::ConsoleServerImpl& server_;
  std::string client_address_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  std::shared_ptr<Response> response_;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// ConsoleServerImpl: API, catch-up, background threads

using detail::OutMessage;

ApiResponse detail::ConsoleServerImpl::handle_api(const ApiRequest& request) {
  ApiThreadState& state = thread_state();
  state.context.now_ms = timefmt::now_ms();
  ApiResponse res;
  try {
    res = handle_api_request(request, state.context);
  } catch (const std::exception& e) {
    // handle_api_request promises not to throw; if it does, the request fails, not the server.
    log::error(kLog, "API handler threw", {{"path", request.path}, {"error", e.what()}});
    return ApiResponse::error(500, "internal error");
  }
  if (request.path == "/api/login" && (res.status == 401 || res.status == 429)) metrics.logins_failed().Increment();
  // Push this instance's review decisions at once rather than at the next poll.
  static const std::string kAlerts = "/api/alerts/";
  static const std::string kDisposition = "/disposition";
  if (request.method == "POST" && res.status == 200 && starts_with(request.path, kAlerts) &&
      request.path.size() > kAlerts.size() + kDisposition.size() &&
      request.path.compare(request.path.size() - kDisposition.size(), kDisposition.size(), kDisposition) == 0) {
    const std::string flag_id =
        request.path.substr(kAlerts.size(), request.path.size() - kAlerts.size() - kDisposition.size());
    auto alert = state.alerts.get(flag_id);
    if (alert.ok() && alert->has_value()) {
      const AlertSummary& summary = (*alert)->summary;
      push({PushItem{summary.queue, encode_alert_summary_json(summary), 0}}, {summary.seq});
    }
  }
  return res;
}

Result<std::string> detail::ConsoleServerImpl::build_catchup(AlertStore& store, const std::vector<std::string>& queues,
                                                       std::uint64_t after_seq) {
  // Read before listing: every change up to `current` is in the list, and a later one either is
  // too or reaches the session live (it is registered already).
  auto current = store.current_seq();
  if (!current.ok()) return current.error();
  std::vector<AlertSummary> alerts;
  bool reset = after_seq == 0 || after_seq > *current;  // a client ahead of the store missed a reset
  if (!queues.empty() && !reset) {
    std::uint64_t after = after_seq;
    while (true) {
      AlertQuery q;
      q.queues = queues;
      q.after_seq = after;
      q.limit = kPageSize;
      auto page = store.list(q);
      if (!page.ok()) return page.error();
      for (auto& a : *page) {
        after = std::max(after, a.seq);
        alerts.push_back(std::move(a));
      }
      if (page->size() < kPageSize) break;
      if (alerts.size() > config.console.catchup_max) {
        reset = true;
        alerts.clear();
        break;
      }
    }
  }
  if (!queues.empty() && reset) {
    AlertQuery q;
    q.queues = queues;
    q.limit = config.console.catchup_limit;
    auto newest = store.list(q);
    if (!newest.ok()) return newest.error();
    alerts = std::move(*newest);
  }
  std::uint64_t seq = *current;
  for (const auto& a : alerts) seq = std::max(seq, a.seq);

  std::string out;
  out.reserve(256 + alerts.size() * 400);
  out += R"({"type":"catchup","seq":)";
  out += std::to_string(seq);
  if (reset && after_seq != 0) out += R"(,"reset":true)";
  out += R"(,"alerts":[)";
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    if (i != 0) out += ',';
    out += encode_alert_summary_json(alerts[i]);
  }
  out += "]}";
  return out;
}

void detail::ConsoleServerImpl::ingest_batch(std::span<const streams::InRecord> in, std::span<streams::Processed> out) {
  std::vector<IngestItem> items;
  items.reserve(in.size());
  for (const auto& r : in) {
    items.push_back({r.topic.substr(std::min(config.console.flags_prefix.size(), r.topic.size())), r.value});
  }
  auto backoff = std::chrono::milliseconds(100);
  auto last_warning = std::chrono::steady_clock::time_point{};
  while (true) {
    std::unique_lock ingest_lock(ingest_poll_mutex);
    auto stored = ingest_store->ingest_batch(items, timefmt::now_ms());
    // A flag the store refuses is that record's problem ("console", fatal); any other error
    // (Redis unavailable or answering oddly) is the store's, and the whole batch waits.
    const Error* store_error = stored.ok() ? nullptr : &stored.error();
    if (stored.ok()) {
      for (const auto& one : *stored) {
        if (!one.ok() && !(one.error().component() == "console" && one.error().is_fatal())) {
          store_error = &one.error();
          break;
        }
      }
    }
    if (store_error == nullptr) {
      std::vector<PushItem> fresh;
      std::vector<std::uint64_t> seqs;
      for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& one = (*stored)[i];
        if (!one.ok()) {
          dead_letter(in[i], one.error(), out[i]);
        } else if (one->inserted) {
          fresh.push_back(PushItem{one->summary.queue, encode_alert_summary_json(one->summary), in[i].timestamp_ms});
          seqs.push_back(one->summary.seq);
        }
      }
      metrics.alerts_ingested().Increment(static_cast<double>(fresh.size()));
      push(fresh, seqs);
      return;
    }
    ingest_lock.unlock();
    // The records are neither skipped nor committed; wait.
    metrics.ingest_retries().Increment();
    const auto now = std::chrono::steady_clock::now();
    if (now - last_warning > std::chrono::seconds(30)) {
      log::warn(kLog, "cannot store alerts; retrying (the records stay uncommitted)",
                {{"error", store_error->to_string()}, {"records", static_cast<std::uint64_t>(in.size())},
                 {"topic", std::string(in.front().topic)}, {"offset", in.front().offset}});
      last_warning = now;
    }
    if (!sleep_for(backoff)) {
      // Stopping while Redis is down: throwing makes the pipeline stop without committing them.
      throw std::runtime_error("stopped while the alert store was unavailable; the records are redelivered");
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void detail::ConsoleServerImpl::dead_letter(const streams::InRecord& in, const Error& e, streams::Processed& out) {
  // Not a flag record: never half-stored, never retried. The message names no content.
  metrics.ingest_errors().Increment();
  log::warn(kLog, "record on a queue topic is not a storable flag; dead-lettered",
            {{"topic", std::string(in.topic)}, {"partition", in.partition}, {"offset", in.offset},
             {"error", e.message()}});
  if (config.console.deadletter_topic.empty()) return;
  // Tell a syntax error from a record that is JSON but lacks what an alert needs.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const bool json = !in.value.empty() && parser.parse(in.value.data(), in.value.size()).get(doc) == simdjson::SUCCESS;
  const schemas::ReasonCode code = in.value.empty() ? schemas::ReasonCode::kEmptyPayload
                                   : !json          ? schemas::ReasonCode::kJsonSyntax
                                   : !doc.is_object() ? schemas::ReasonCode::kNotAnObject
                                                      : schemas::ReasonCode::kMissingField;
  const schemas::Violation violations[] = {
      {code, "", "not a flag record the console can store (needs a JSON object with flag_id and queue)"}};
  schemas::DeadLetterRecord record;
  record.source = {in.topic, in.partition, in.offset, in.timestamp_ms};
  record.violations = violations;
  record.original = in.value;
  record.dead_lettered_at_ms = timefmt::now_ms();
  const std::string instance = config.instance_id.substr(0, 64);
  record.screener_instance = instance;
  streams::OutRecord dl;
  dl.topic = config.console.deadletter_topic;
  dl.key = std::string(in.key);
  dl.value = schemas::encode_dead_letter(record);
  dl.headers.emplace_back("crosscheck.reason", std::string(schemas::reason_code_name(code)));
  out.outputs.push_back(std::move(dl));
}

namespace {
class IngestObserver : public streams::PipelineObserver {
 public:
  explicit IngestObserver(ConsoleMetrics& metrics) : metrics_(metrics) {}
  void on_assignment(const std::vector<std::pair<std::string, std::int32_t>>& assigned) override {
    metrics_.ingest_ready().Set(assigned.empty() ? 0 : 1);
  }

 private:
  ConsoleMetrics& metrics_;
};
}  // namespace

void detail::ConsoleServerImpl::run_pipeline() {
  if (config.kafka.create_topics) {
    std::vector<streams::TopicSpec> specs;
    for (const auto& t : config.queue_topics()) specs.push_back(config.kafka.topic_spec(t));
    specs.push_back(config.kafka.topic_spec(config.console.dispositions_topic));
    if (!config.console.deadletter_topic.empty()) {
      specs.push_back(config.kafka.topic_spec(config.console.deadletter_topic));
    }
    while (true) {
      auto st = streams::ensure_topics(config.kafka.client, specs);
      if (st.ok()) break;
      if (st.error().is_fatal()) {
        log::error(kLog, "cannot create the console's topics", {{"error", st.error().to_string()}});
        fail(st.error());
        return;
      }
      log::warn(kLog, "topics not created yet; retrying", {{"error", st.error().to_string()}});
      if (!sleep_for(std::chrono::seconds(1))) return;
    }
  }
  if (stopping()) return;
  IngestObserver observer(metrics);
  streams::PipelineConfig pc;
  pc.kafka = config.kafka.client;
  pc.group_id = config.kafka.group_id;
  pc.topics = config.queue_topics();
  pc.commit_interval = config.kafka.commit_interval;
  pc.poll_timeout = std::chrono::milliseconds(50);
  // Each batch is one Redis round trip and one message per client, so batches are worth having;
  // but they must stay small enough that no push waits long behind one.
  pc.max_batch = kIngestMaxBatch;
  pc.batch_linger = kIngestBatchLinger;
  {
    std::lock_guard lock(state_mutex);
    if (stop_requested) return;
    pipeline = std::make_unique<streams::Pipeline>(
        pc,
        [this](std::span<const streams::InRecord> in, std::span<streams::Processed> out) { ingest_batch(in, out); },
        &observer);
  }
  Status st = pipeline->run();
  metrics.ingest_ready().Set(0);
  {
    // The pipeline refers to the observer on this stack frame.
    std::lock_guard lock(state_mutex);
    pipeline.reset();
  }
  if (!st.ok()) {
    if (stopping()) {
      log::info(kLog, "ingest stopped while the alert store was unavailable", {{"error", st.error().to_string()}});
    } else {
      log::error(kLog, "ingest pipeline failed", {{"error", st.error().to_string()}});
      fail(st.error());
    }
  }
}

void detail::ConsoleServerImpl::run_poller() {
  rules::RedisClient redis(config.redis.client);
  AlertStore store(redis, config.redis.key_prefix);
  std::optional<std::uint64_t> watermark;
  std::uint64_t announced = 0;
  auto last_warning = std::chrono::steady_clock::time_point{};
  auto warn = [&](const Error& e) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_warning > std::chrono::seconds(30)) {
      log::warn(kLog, "cannot poll the alert store for changes; retrying", {{"error", e.to_string()}});
      last_warning = now;
    }
  };
  do {
    if (!watermark) {
      // Changes before start-up reach clients through their catch-up, not through the poller.
      auto current = store.current_seq();
      if (!current.ok()) {
        warn(current.error());
        continue;
      }
      watermark = *current;
      resume_seq.store(*watermark, std::memory_order_release);
      continue;
    }
    while (true) {
      AlertQuery q;
      q.queues = config.console.queues;
      q.after_seq = *watermark;
      q.limit = kPageSize;
      std::unique_lock ingest_lock(ingest_poll_mutex);
      auto page = store.list(q);
      if (!page.ok()) {
        warn(page.error());
        break;
      }
      std::vector<const AlertSummary*> others;
      for (const auto& a : *page) {
        *watermark = std::max(*watermark, a.seq);
        if (!take_sent(a.seq)) others.push_back(&a);
      }
      ingest_lock.unlock();
      std::vector<PushItem> items;
      for (const AlertSummary* a : others) items.push_back(PushItem{a->queue, encode_alert_summary_json(*a), 0});
      hub.broadcast_alerts(items, resume_seq.load(std::memory_order_acquire));
      if (page->size() < kPageSize) break;
    }
    // Everything up to the watermark is queued for every session now (the posts above precede
    // this store, and every later message is posted after it).
    resume_seq.store(*watermark, std::memory_order_release);
    forget_sent_up_to(*watermark);
    if (*watermark > announced) {
      // A quiet stream still moves every client's resume point, so that a reconnect does not
      // resend changes it already had.
      announced = *watermark;
      hub.broadcast_all(OutMessage{
          std::make_shared<const std::string>(R"({"type":"seq","seq":)" + std::to_string(announced) + "}"), 0});
    }
  } while (sleep_for(config.console.poll_interval));
}

void detail::ConsoleServerImpl::run_outbox() {
  rules::RedisClient redis(config.redis.client);
  AlertStore store(redis, config.redis.key_prefix);
  auto last_warning = std::chrono::steady_clock::time_point{};
  auto warn = [&](const std::string& what, const Error& e) {
    metrics.outbox_errors().Increment();
    const auto now = std::chrono::steady_clock::now();
    if (now - last_warning > std::chrono::seconds(30)) {
      log::warn(kLog, what, {{"error", e.to_string()}});
      last_warning = now;
    }
  };
  bool last_round = false;
  while (true) {
    const bool keep_running = sleep_for(config.console.outbox_interval);
    if (!keep_running) last_round = true;  // one last attempt to publish what is pending
    auto pending = store.pending_dispositions(500);
    if (!pending.ok()) {
      warn("cannot read pending dispositions; retrying", pending.error());
      if (last_round) return;
      continue;
    }
    metrics.outbox_pending().Set(static_cast<double>(pending->size()));
    if (!pending->empty()) {
      std::vector<char> delivered(pending->size(), 0);
      outbox_round = &delivered;
      for (std::size_t i = 0; i < pending->size(); ++i) {
        const OutboxItem& item = (*pending)[i];
        streams::OutRecord rec{config.console.dispositions_topic, item.key, item.value, {}};
        if (auto st = outbox_producer->produce_blocking(rec, i, std::chrono::seconds(5)); !st.ok()) {
          warn("cannot publish a disposition; retrying", st.error());
          break;
        }
      }
      if (auto st = outbox_producer->flush(last_round ? std::chrono::seconds(5) : std::chrono::seconds(30)); !st.ok()) {
        warn("dispositions not acknowledged by Kafka yet; retrying", st.error());
      }
      outbox_round = nullptr;
      std::vector<std::string> ids;
      for (std::size_t i = 0; i < pending->size(); ++i) {
        if (delivered[i] != 0) ids.push_back((*pending)[i].id);
      }
      if (!ids.empty()) {
        if (auto st = store.ack_dispositions(ids); !st.ok()) {
          // Published but not acknowledged: they are published again (at least once).
          warn("cannot acknowledge published dispositions; they will be published again", st.error());
        } else {
          metrics.dispositions_published().Increment(static_cast<double>(ids.size()));
          metrics.outbox_pending().Set(static_cast<double>(pending->size() - ids.size()));
        }
      }
    }
    if (last_round) return;
  }
}

void detail::ConsoleServerImpl::run_retention() {
  rules::RedisClient redis(config.redis.client);
  AlertStore store(redis, config.redis.key_prefix);
  do {
    auto report = store.apply_retention(timefmt::now_ms(), config.retention.mask_after, config.retention.delete_after);
    if (!report.ok()) {
      metrics.retention_errors().Increment();
      log::warn(kLog, "retention run failed; retrying at the next interval", {{"error", report.error().to_string()}});
      continue;
    }
    metrics.retention_masked().Increment(static_cast<double>(report->masked));
    metrics.retention_deleted().Increment(static_cast<double>(report->deleted));
    if (report->masked + report->deleted > 0) {
      log::info(kLog, "retention applied", {{"masked", static_cast<std::uint64_t>(report->masked)},
                                            {"deleted", static_cast<std::uint64_t>(report->deleted)}});
    }
  } while (sleep_for(config.retention.interval));
}

void detail::ConsoleServerImpl::accept() {
  acceptor->async_accept(asio::make_strand(*io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      log::warn(kLog, "accept failed", {{"error", ec.message()}});
    } else {
      std::make_shared<HttpSession>(std::move(socket), *this)->run();
    }
    accept();
  });
}

// ---------------------------------------------------------------------------------------------
// ConsoleServer

ConsoleServer::ConsoleServer(ConsoleConfig config, std::shared_ptr<prometheus::Registry> registry)
    : impl_(std::make_unique<detail::ConsoleServerImpl>(std::move(config), std::move(registry))) {}

ConsoleServer::~ConsoleServer() { stop(); }

Status ConsoleServer::start() {
  detail::ConsoleServerImpl& im = *impl_;
  if (im.started) return Error::fatal("console", "start() called twice");
  const ConsoleConfig& c = im.config;

  std::error_code fec;
  im.static_root = fs::canonical(c.http.static_dir, fec);
  if (fec || !fs::is_directory(im.static_root)) {
    return Error::fatal("console", "http.static_dir '" + c.http.static_dir + "' is not a directory");
  }

  auto producer = streams::Producer::create(
      c.kafka.client, [&im](std::uint64_t token, const std::optional<Error>& error, std::int32_t, std::int64_t) {
        if (im.outbox_round == nullptr || token >= im.outbox_round->size()) return;
        if (!error) (*im.outbox_round)[token] = 1;
      });
  if (!producer.ok()) return producer.error();
  im.outbox_producer = std::move(*producer);

  im.io = std::make_unique<asio::io_context>(c.http.threads);
  beast::error_code ec;
  const auto addr = asio::ip::make_address(c.http.address, ec);
  if (ec) return Error::fatal("console", "http.address '" + c.http.address + "' is not an IP address");
  const tcp::endpoint endpoint(addr, static_cast<unsigned short>(c.http.port));
  im.acceptor = std::make_unique<tcp::acceptor>(*im.io);
  im.acceptor->open(endpoint.protocol(), ec);
  if (!ec) im.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor->bind(endpoint, ec);
  if (!ec) im.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    im.acceptor.reset();
    im.io.reset();
    return Error::fatal("console", "cannot listen on " + c.http.address + ":" + std::to_string(c.http.port) + ": " +
                                       ec.message());
  }
  im.bound_port = im.acceptor->local_endpoint().port();
  im.started = true;

  im.ingest_redis = std::make_unique<rules::RedisClient>(c.redis.client);
  im.ingest_store = std::make_unique<AlertStore>(*im.ingest_redis, c.redis.key_prefix);
  im.api_pool = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(c.http.api_threads));
  // ops dashboard: set before any API thread runs; reset in stop() after they are joined.
  im.ops = std::make_unique<OpsCollector>(c.ops, im.metrics.registry());
  im.ops->start();
  im.work.emplace(im.io->get_executor());
  im.accept();
  for (int i = 0; i < c.http.threads; ++i) im.io_threads.emplace_back([&im] { im.io->run(); });
  im.pipeline_thread = std::thread([&im] { im.run_pipeline(); });
  im.poller_thread = std::thread([&im] { im.run_poller(); });
  im.outbox_thread = std::thread([&im] { im.run_outbox(); });
  im.retention_thread = std::thread([&im] { im.run_retention(); });
  log::info(kLog, "console listening",
            {{"instance", c.instance_id}, {"address", c.http.address}, {"port", im.bound_port.load()},
             {"queues", static_cast<std::uint64_t>(c.console.queues.size())}, {"group", c.kafka.group_id}});
  return ok_status();
}

void ConsoleServer::request_stop() {
  detail::ConsoleServerImpl& im = *impl_;
  std::lock_guard lock(im.state_mutex);
  im.stop_requested = true;
  if (im.pipeline) im.pipeline->request_stop();
  im.state_cv.notify_all();
}

void ConsoleServer::stop() {
  detail::ConsoleServerImpl& im = *impl_;
  {
    std::lock_guard lock(im.state_mutex);
    if (!im.started || im.stopped) return;
    im.stopped = true;
  }
  request_stop();
  // New connections first, then the ingest (drains and commits what is stored), then the rest.
  asio::post(*im.io, [&im] {
    beast::error_code ec;
    im.acceptor->close(ec);
  });
  if (im.pipeline_thread.joinable()) im.pipeline_thread.join();
  im.hub.close_all();
  for (std::thread* t : {&im.poller_thread, &im.outbox_thread, &im.retention_thread}) {
    if (t->joinable()) t->join();
  }
  // Give the close handshakes a moment, then end every connection still open.
  for (int i = 0; i < 20 && im.hub.size() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  im.work.reset();
  im.io->stop();
  for (auto& t : im.io_threads) t.join();
  im.io_threads.clear();
  im.api_pool->join();
  // Handlers still queued hold sessions; destroying the context releases them while the hub and
  // the metrics they use still exist.
  im.acceptor.reset();
  im.io.reset();
  im.api_pool.reset();
  {
    std::lock_guard lock(im.states_mutex);
    im.states.clear();
  }
  im.ops.reset();  // ops dashboard: joins its scraping threads
  im.ingest_store.reset();
  im.ingest_redis.reset();
  im.outbox_producer.reset();
  log::info(kLog, "console stopped");
}

Status ConsoleServer::wait() {
  detail::ConsoleServerImpl& im = *impl_;
  std::unique_lock lock(im.state_mutex);
  im.state_cv.wait(lock, [&] { return im.stop_requested || im.failure.has_value(); });
  if (im.failure) return *im.failure;
  return ok_status();
}

int ConsoleServer::port() const { return impl_->bound_port.load(); }

bool ConsoleServer::ingest_ready() const {
  std::lock_guard lock(impl_->state_mutex);
  return impl_->pipeline && impl_->pipeline->ready();
}

ConsoleMetrics& ConsoleServer::metrics() { return impl_->metrics; }

}  // namespace crosscheck::console
