// console_load: the console's delivery benchmark (docs/performance.md, "Console delivery").
//
// It holds N WebSocket clients on the console's /api/stream (as browsers would, authenticated with
// one bearer token or session cookie), produces flag records to `flags.<queue>` at a fixed
// open-loop rate, and measures, for every client and every alert, the time from producing the
// record to receiving the message that carries it ({"type":"alerts"} with one or more alerts, or
// {"type":"alert"} from earlier servers). Every client must receive every alert; the summary
// counts what each client missed.
//
// --mode baseline (or --baseline-consumer next to the clients) measures the same latency through
// a plain librdkafka consumer of the same topic, so the console's share of the latency can be
// told from Kafka's on the same machine under the same load.
//
// Timing: the send time of record i is taken on the steady clock immediately before produce();
// the record's published_at_ms and its Kafka CreateTime (set by librdkafka in produce()) come
// from the same instant on the wall clock. Record i carries flag id <run nonce><i in hex>, so a
// receipt maps back to its exact send time without clock conversions. The rate is open loop: the
// record i is due at start + i/rate whatever the console does; if the producer itself falls
// behind, the summary says by how much (producer_max_lag_ms).
//
// Latencies are kept in log-linear histograms (128 sub-buckets per power of two, reported at the
// bucket midpoint: at most 0.4% relative error), one per client, merged for the summary.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crosscheck/json_writer.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_handles.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/time_format.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using namespace crosscheck;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------------
// Latency histogram (microseconds), HDR-style: values below 256 exact, above that 128 linear
// sub-buckets per power of two up to 2^41 us (25 days; larger values are clamped).
class Histogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr std::uint64_t kSub = 1u << kSubBits;
  static constexpr int kMaxShift = 34;
  static constexpr std::size_t kBuckets = (kMaxShift + 2) * kSub;
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << (kMaxShift + kSubBits + 1)) - 1;

  Histogram() : counts_(kBuckets, 0) {}

  void record(std::uint64_t v) {
    v = std::min(v, kMaxValue);
    ++counts_[index(v)];
    ++count_;
    max_ = std::max(max_, v);
    sum_ += v;
  }
  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
  }
  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

  // The value at quantile q (0..1]: the midpoint of the bucket holding the ceil(q*count)-th value.
  std::uint64_t quantile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpoint(i), max_);
    }
    return max_;
  }

  static std::size_t index(std::uint64_t v) {
    if (v < 2 * kSub) return static_cast<std::size_t>(v);
    const int top = 63 - std::countl_zero(v);
    const int shift = top - kSubBits;
    const std::uint64_t m = v >> shift;  // in [kSub, 2*kSub)
    return static_cast<std::size_t>((shift + 1) * kSub + (m - kSub));
  }
  static std::uint64_t midpoint(std::size_t i) {
    if (i < 2 * kSub) return i;
    const int shift = static_cast<int>(i / kSub) - 1;
    const std::uint64_t m = i % kSub + kSub;
    const std::uint64_t low = m << shift;
    const std::uint64_t high = ((m + 1) << shift) - 1;
    return low + (high - low) / 2;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

double us_to_ms(std::uint64_t us) { return std::round(static_cast<double>(us) / 10.0) / 100.0; }

void write_latency(json::Writer& w, const Histogram& h) {
  w.begin_object();
  w.field("count", h.count());
  w.field("mean", us_to_ms(static_cast<std::uint64_t>(h.mean())));
  w.field("p50", us_to_ms(h.quantile(0.50)));
  w.field("p90", us_to_ms(h.quantile(0.90)));
  w.field("p99", us_to_ms(h.quantile(0.99)));
  w.field("p999", us_to_ms(h.quantile(0.999)));
  w.field("max", us_to_ms(h.max()));
  w.end_object();
}

// ---------------------------------------------------------------------------------------------
// What the producer and the receivers share: the run's flag-id nonce and every record's send time.
struct Run {
  std::string nonce;  // 16 hex digits
  std::uint64_t total = 0;
  std::unique_ptr<std::atomic<std::int64_t>[]> send_ns;  // 0 until sent
  std::int64_t start_ns = 0;                             // when record 0 was due
  double rate = 0;

  // Record index of one of our flag ids, nullopt for any other flag.
  std::optional<std::uint64_t> index_of(std::string_view flag_id) const {
    if (flag_id.size() != 32 || flag_id.substr(0, 16) != nonce) return std::nullopt;
    std::uint64_t i = 0;
    const char* b = flag_id.data() + 16;
    auto [p, ec] = std::from_chars(b, b + 16, i, 16);
    if (ec != std::errc() || p != b + 16 || i >= total) return std::nullopt;
    return i;
  }
  // The warm-up records (one per topic) carry the highest indexes.
  bool is_warmup(std::string_view flag_id) const {
    if (flag_id.size() != 32 || flag_id.substr(0, 16) != nonce) return false;
    return flag_id.substr(16, 12) == "ffffffffffff";
  }
};

// What one receiver (a WebSocket client or the plain Kafka consumer) saw.
struct Receiver {
  explicit Receiver(std::uint64_t total) : seen((total + 63) / 64, 0) {}

  // Returns false for a duplicate. Called only on the receiver's own thread.
  bool deliver(const Run& run, std::uint64_t i, std::int64_t now_ns, std::vector<Histogram>* per_second) {
    std::uint64_t& word = seen[i / 64];
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    if ((word & bit) != 0) {
      ++duplicates;
      return false;
    }
    word |= bit;
    received.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t sent = run.send_ns[i].load(std::memory_order_acquire);
    const std::uint64_t us = sent == 0 || now_ns < sent ? 0 : static_cast<std::uint64_t>((now_ns - sent) / 1000);
    latency.record(us);
    if (per_second != nullptr) {
      const auto second = static_cast<std::size_t>(static_cast<double>(i) / run.rate);
      if (second < per_second->size()) (*per_second)[second].record(us);
    }
    return true;
  }

  std::vector<std::uint64_t> seen;
  std::atomic<std::uint64_t> received{0};
  std::uint64_t duplicates = 0;
  std::uint64_t foreign = 0;         // alerts that are not this run's
  std::uint64_t other_messages = 0;  // messages that are neither catchup nor alert
  std::uint64_t parse_errors = 0;
  std::atomic<std::uint64_t> warmup_seen{0};
  Histogram latency;
};

// ---------------------------------------------------------------------------------------------
// The WebSocket clients.
struct Options {
  std::string mode = "ws";
  std::string url = "ws://127.0.0.1:8480/api/stream";
  std::string token;
  std::string cookie;
  std::string origin;
  std::string bootstrap = "127.0.0.1:9092";
  std::vector<std::string> topics;
  std::string flags_prefix = "flags.";
  int create_partitions = 0;
  int clients = 200;
  double rate = 2000;
  double duration_s = 30;
  int threads = 1;
  int connect_concurrency = 16;
  double connect_timeout_s = 60;
  double drain_timeout_s = 15;
  bool deflate = false;
  bool baseline_consumer = false;
  int console_pid = 0;
  bool progress = true;
  std::map<std::string, std::string> producer_properties;  // librdkafka overrides
  std::map<std::string, std::string> consumer_properties;
};

// One {"type":"alerts"} message in this many per client is parsed in full (see ClientPool::handle).
constexpr std::uint64_t kValidateEvery = 16;

struct IoThread {
  asio::io_context ioc{1};
  std::vector<Histogram> per_second;
  simdjson::ondemand::parser parser;
  std::thread thread;
};

struct Client : Receiver {
  Client(int id_, IoThread& io_, std::uint64_t total) : Receiver(total), id(id_), io(io_), ws(asio::make_strand(io_.ioc)) {}

  int id;
  IoThread& io;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  websocket::response_type upgrade_response;
  std::atomic<bool> ready{false};   // the catchup message arrived
  std::atomic<bool> failed{false};  // connect, handshake or read failed
  std::atomic<bool> closing{false};
  std::uint64_t catchup_alerts = 0;
  std::uint64_t batches = 0;  // messages with an "alerts" array other than the catchup
  std::uint64_t alerts_messages = 0;     // {"type":"alerts"} messages seen (the fast path's counter)
  std::uint64_t validated_messages = 0;  // of those, parsed in full and checked against the scan
  bool validating = false;               // the message being parsed is one of them
  std::vector<std::string> validate_ids;  // what the scan found in it
  std::string error;  // written before `failed` is set
  std::int64_t connected_ns = 0;
};

struct Url {
  std::string host;
  std::string port;
  std::string target;
};

std::optional<Url> parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  Url out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    out.host = std::string(authority);
    out.port = "80";
  } else {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

class ClientPool {
 public:
  ClientPool(const Options& options, const Run& run, Url url, tcp::resolver::results_type endpoints)
      : options_(options), run_(run), url_(std::move(url)), endpoints_(std::move(endpoints)) {
    const std::size_t seconds = static_cast<std::size_t>(std::ceil(options.duration_s)) + 1;
    for (int t = 0; t < options.threads; ++t) {
      io_.push_back(std::make_unique<IoThread>());
      io_.back()->per_second.resize(seconds);
    }
    for (int i = 0; i < options.clients; ++i) {
      clients_.push_back(std::make_unique<Client>(i, *io_[static_cast<std::size_t>(i % options.threads)], run.total));
    }
    host_header_ = url_.host + ":" + url_.port;
  }

  void start() {
    for (auto& io : io_) {
      work_.push_back(asio::make_work_guard(io->ioc));
      io->thread = std::thread([p = io.get()] { p->ioc.run(); });
    }
    // Bounded concurrency: each finished handshake starts the next client.
    for (int i = 0; i < std::min(options_.connect_concurrency, options_.clients); ++i) start_next();
  }

  std::size_t ready() const {
    return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [](auto& c) { return c->ready.load(); }));
  }
  std::size_t failed() const {
    return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [](auto& c) { return c->failed.load(); }));
  }
  // Ready clients that have seen `n` warm-up alerts: the console's ingest is live for them.
  std::size_t warmed_up(std::uint64_t n) const {
    return static_cast<std::size_t>(std::count_if(clients_.begin(), clients_.end(), [n](auto& c) {
      return c->ready.load() && c->warmup_seen.load(std::memory_order_relaxed) >= n;
    }));
  }
  std::uint64_t received() const {
    std::uint64_t n = 0;
    for (auto& c : clients_) n += c->received.load(std::memory_order_relaxed);
    return n;
  }

  void close_all(std::chrono::milliseconds grace) {
    for (auto& c : clients_) {
      asio::post(c->ws.get_executor(), [c = c.get()] {
        c->closing = true;
        if (!c->failed && c->ws.is_open()) {
          c->ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
        }
      });
    }
    work_.clear();
    const auto deadline = SteadyClock::now() + grace;
    for (auto& io : io_) {
      while (!io->ioc.stopped() && SteadyClock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      io->ioc.stop();
    }
    for (auto& io : io_) {
      if (io->thread.joinable()) io->thread.join();
    }
  }

  const std::vector<std::unique_ptr<Client>>& clients() const { return clients_; }
  const std::vector<std::unique_ptr<IoThread>>& io() const { return io_; }

 private:
  void start_next() {
    const int i = next_.fetch_add(1);
    if (i >= options_.clients) return;
    Client* c = clients_[static_cast<std::size_t>(i)].get();
    asio::post(c->ws.get_executor(), [this, c] { connect(c); });
  }

  void fail(Client* c, std::string what, beast::error_code ec) {
    if (c->closing) return;
    c->error = what + ": " + ec.message();
    if (ec == websocket::error::upgrade_declined) {
      c->error += " (HTTP " + std::to_string(c->upgrade_response.result_int()) + ")";
    }
    c->failed = true;
  }

  void connect(Client* c) {
    beast::get_lowest_layer(c->ws).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(c->ws).async_connect(endpoints_, [this, c](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        fail(c, "connect", ec);
        start_next();
        return;
      }
      beast::get_lowest_layer(c->ws).expires_never();
      c->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      websocket::permessage_deflate pmd;
      pmd.client_enable = options_.deflate;
      c->ws.set_option(pmd);
      c->ws.read_message_max(64u << 20);  // a catchup can be large
      const std::string authorization = options_.token.empty() ? std::string()
                                        : options_.token.rfind("Bearer ", 0) == 0 ? options_.token
                                                                                  : "Bearer " + options_.token;
      c->ws.set_option(websocket::stream_base::decorator(
          [authorization, cookie = options_.cookie, origin = options_.origin](websocket::request_type& req) {
            req.set(http::field::user_agent, "crosscheck-console-load");
            if (!authorization.empty()) req.set(http::field::authorization, authorization);
            if (!cookie.empty()) req.set(http::field::cookie, cookie);
            if (!origin.empty()) req.set(http::field::origin, origin);
          }));
      c->ws.async_handshake(c->upgrade_response, host_header_, url_.target, [this, c](beast::error_code ec2) {
        if (ec2) {
          fail(c, "handshake", ec2);
        } else {
          c->connected_ns = steady_ns();
          read(c);
        }
        start_next();
      });
    });
  }

  void read(Client* c) {
    c->ws.async_read(c->buffer, [this, c](beast::error_code ec, std::size_t) {
      const std::int64_t now = steady_ns();
      if (ec) {
        fail(c, "read", ec);
        return;
      }
      handle(c, now);
      c->buffer.consume(c->buffer.size());
      read(c);
    });
  }

  void handle_alert(Client* c, simdjson::ondemand::object alert, std::int64_t now) {
    std::string_view flag_id;
    if (alert.find_field_unordered("flag_id").get_string().get(flag_id) != simdjson::SUCCESS) {
      ++c->parse_errors;
      return;
    }
    handle_flag_id(c, flag_id, now);
  }

  void handle_flag_id(Client* c, std::string_view flag_id, std::int64_t now) {
    const auto i = run_.index_of(flag_id);
    if (!i) {
      if (run_.is_warmup(flag_id)) {
        c->warmup_seen.fetch_add(1, std::memory_order_relaxed);
      } else {
        ++c->foreign;
      }
      return;
    }
    c->deliver(run_, *i, now, &c->io.per_second);
  }

  // The flag ids of an {"type":"alerts"} message: each summary is an object that starts with
  // {"flag_id":" (the console writes flag_id first). A JSON writer produces that byte sequence
  // only there, since a quote inside a string value is escaped, so finding each '{' (rare in the
  // text: one per summary) and comparing what follows is exact. Calls `on_id` for each; false when
  // the message ends inside an id.
  template <typename F>
  static bool scan_flag_ids(std::string_view text, F&& on_id) {
    constexpr std::string_view kKey = R"({"flag_id":")";
    const char* p = text.data();
    const char* const end = text.data() + text.size();
    while (p < end) {
      const auto* brace = static_cast<const char*>(std::memchr(p, '{', static_cast<std::size_t>(end - p)));
      if (brace == nullptr) break;
      p = brace + 1;
      if (static_cast<std::size_t>(end - brace) < kKey.size() || std::memcmp(brace, kKey.data(), kKey.size()) != 0) {
        continue;
      }
      const char* id = brace + kKey.size();
      const auto* quote = static_cast<const char*>(std::memchr(id, '"', static_cast<std::size_t>(end - id)));
      if (quote == nullptr) return false;
      on_id(std::string_view(id, static_cast<std::size_t>(quote - id)));
      p = quote + 1;
    }
    return true;
  }

  void handle(Client* c, std::int64_t now) {
    IoThread& io = c->io;
    c->validating = false;
    {
      // The fast path, for the messages that carry the load: the alerts of a batch are counted
      // from a scan rather than a parse, which would cost the client more than the server spends
      // on them. Every kValidateEvery-th alerts message of a client is parsed in full below
      // instead, and the scan of it must find the same alerts (parse_errors counts any mismatch).
      const auto data = c->buffer.cdata();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      constexpr std::string_view kAlertsPrefix = R"({"type":"alerts",)";
      if (text.substr(0, kAlertsPrefix.size()) == kAlertsPrefix && text.size() >= 2 &&
          text.substr(text.size() - 2) == "]}") {
        if (++c->alerts_messages % kValidateEvery != 0) {
          if (!scan_flag_ids(text, [&](std::string_view id) { handle_flag_id(c, id, now); })) ++c->parse_errors;
          ++c->batches;
          return;
        }
        std::vector<std::string> scanned;
        if (!scan_flag_ids(text, [&](std::string_view id) { scanned.emplace_back(id); })) ++c->parse_errors;
        c->validate_ids = std::move(scanned);
        c->validating = true;
      }
    }
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: make them the buffer's own
    // writable space right behind the message (allocated once per client, then reused), so the
    // message is parsed where it lies instead of being copied.
    (void)c->buffer.prepare(simdjson::SIMDJSON_PADDING);
    const auto data = c->buffer.cdata();
    const std::size_t n = data.size();
    simdjson::ondemand::document doc;
    if (io.parser.iterate(static_cast<const char*>(data.data()), n, n + simdjson::SIMDJSON_PADDING).get(doc) !=
        simdjson::SUCCESS) {
      ++c->parse_errors;
      return;
    }
    std::string_view type;
    if (doc.find_field_unordered("type").get_string().get(type) != simdjson::SUCCESS) {
      ++c->parse_errors;
      return;
    }
    if (type == "alert") {
      simdjson::ondemand::object alert;
      if (doc.find_field_unordered("alert").get_object().get(alert) != simdjson::SUCCESS) {
        ++c->parse_errors;
        return;
      }
      handle_alert(c, alert, now);
      return;
    }
    if (type == "catchup") {
      // Alerts of this run in a catchup arrived late (the client was not listening yet); they
      // count as delivered, with their full latency.
      simdjson::ondemand::array alerts;
      if (doc.find_field_unordered("alerts").get_array().get(alerts) == simdjson::SUCCESS) {
        for (auto element : alerts) {
          simdjson::ondemand::object alert;
          if (element.get_object().get(alert) != simdjson::SUCCESS) {
            ++c->parse_errors;
            continue;
          }
          ++c->catchup_alerts;
          handle_alert(c, alert, now);
        }
      }
      c->ready = true;
      return;
    }
    // A batch of alerts in one message (a server may coalesce a backlog): each counts alone.
    simdjson::ondemand::array batch;
    if (doc.find_field_unordered("alerts").get_array().get(batch) == simdjson::SUCCESS) {
      std::size_t k = 0;
      for (auto element : batch) {
        simdjson::ondemand::object alert;
        std::string_view flag_id;
        if (element.get_object().get(alert) != simdjson::SUCCESS ||
            alert.find_field_unordered("flag_id").get_string().get(flag_id) != simdjson::SUCCESS) {
          ++c->parse_errors;
          continue;
        }
        // A validated message: the scan must have found exactly these ids, in this order.
        if (c->validating && (k >= c->validate_ids.size() || c->validate_ids[k] != flag_id)) ++c->parse_errors;
        ++k;
        handle_flag_id(c, flag_id, now);
      }
      if (c->validating) {
        if (k != c->validate_ids.size()) ++c->parse_errors;
        ++c->validated_messages;
        c->validating = false;
      }
      ++c->batches;
      return;
    }
    ++c->other_messages;
  }

  const Options& options_;
  const Run& run_;
  Url url_;
  std::string host_header_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::unique_ptr<IoThread>> io_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::atomic<int> next_{0};
};

// ---------------------------------------------------------------------------------------------
// The plain Kafka consumer (baseline): the same topics, the same latency, no console.
class BaselineConsumer {
 public:
  BaselineConsumer(const Options& options, const Run& run) : options_(options), run_(run), receiver_(run.total) {
    per_second_.resize(static_cast<std::size_t>(std::ceil(options.duration_s)) + 1);
  }
  ~BaselineConsumer() { stop(); }

  // Creates the consumer and assigns every partition of the topics at its current end (before
  // anything of this run is produced), so no group rebalance delays the first records.
  Status start() {
    char err[512];
    streams::ConfHandle conf(rd_kafka_conf_new());
    const std::string group = "console-load-baseline-" + run_.nonce;
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", options_.bootstrap}, {"group.id", group}, {"enable.auto.commit", "false"},
        {"enable.partition.eof", "false"},
    };
    for (const auto& [k, v] : settings) {
      if (rd_kafka_conf_set(conf.get(), k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        return Error::fatal("kafka", std::string("invalid setting ") + k + ": " + err);
      }
    }
    for (const auto& [k, v] : options_.consumer_properties) {
      if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        return Error::fatal("kafka", "invalid setting " + k + ": " + err);
      }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
    if (rk == nullptr) return Error::fatal("kafka", std::string("consumer: ") + err);
    (void)conf.release();
    rk_.reset(rk);
    rd_kafka_poll_set_consumer(rk);

    streams::TopicPartitionListHandle parts(rd_kafka_topic_partition_list_new(8));
    for (const auto& topic : options_.topics) {
      const auto watermarks = streams::high_watermarks(streams::KafkaConfig{options_.bootstrap, {}, {}, {}}, topic);
      if (!watermarks) return watermarks.error();
      for (const auto& [partition, hw] : *watermarks) {
        rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), partition)->offset = hw;
      }
    }
    if (parts->cnt == 0) return Error::fatal("kafka", "baseline consumer: the topics have no partitions");
    if (const rd_kafka_resp_err_t e = rd_kafka_assign(rk_.get(), parts.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Error::fatal("kafka", std::string("assign: ") + rd_kafka_err2str(e));
    }
    thread_ = std::thread([this] { loop(); });
    return ok_status();
  }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (rk_) rd_kafka_consumer_close(rk_.get());
    rk_.reset();
  }

  const Receiver& receiver() const { return receiver_; }
  std::uint64_t received() const { return receiver_.received.load(std::memory_order_relaxed); }
  const std::vector<Histogram>& per_second() const { return per_second_; }

 private:
  void loop() {
    while (!stop_) {
      streams::MessageHandle msg(rd_kafka_consumer_poll(rk_.get(), 100));
      if (!msg) continue;
      const std::int64_t now = steady_ns();
      if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++receiver_.parse_errors;
        continue;
      }
      const std::string_view key(static_cast<const char*>(msg->key), msg->key_len);
      const auto i = run_.index_of(key);
      if (!i) {
        ++receiver_.foreign;
        continue;
      }
      receiver_.deliver(run_, *i, now, &per_second_);
    }
  }

  const Options& options_;
  const Run& run_;
  Receiver receiver_;
  std::vector<Histogram> per_second_;
  streams::KafkaHandle rk_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

// ---------------------------------------------------------------------------------------------
// Realistic but fictional flag records.
struct FictionalSubject {
  const char* name;
  const char* dob;
  const char* nationality;
  const char* document;
  const char* listed;
};
constexpr FictionalSubject kSubjects[] = {
    {"VIKTOR DRAGAN", "1971-04-12", "ROU", "RX4417208", "Viktor DRAGAN"},
    {"AMINA KOVAC", "1988-09-30", "HRV", "HK0192734", "Amina KOVAČ"},
    {"JONAS LINDQVIST", "1979-02-03", "SWE", "SE7712093", "Jonas LINDQVIST"},
    {"MARIA DEL CARMEN ORTIZ", "1965-11-21", "ESP", "ES0043218", "María del Carmen ORTIZ"},
    {"TOMASZ WIERZBICKI", "1990-06-14", "POL", "PL8830122", "Tomasz WIERZBICKI"},
    {"ELENI PAPADAKI", "1983-01-08", "GRC", "GR5521907", "Eleni PAPADAKI"},
    {"OLUMIDE ADEYEMI", "1975-12-19", "NGA", "NG0098123", "Olumide ADEYEMI"},
    {"HANNA VIRTANEN", "1992-03-27", "FIN", "FI3320981", "Hanna VIRTANEN"},
};
constexpr const char* kSeverities[] = {"high", "medium", "medium", "low"};

class FlagFactory {
 public:
  FlagFactory(std::string nonce, std::vector<std::string> queues) : nonce_(std::move(nonce)), queues_(std::move(queues)) {}

  // Record i for queue i % queues, published now. Sets the flag id in `flag_id`.
  std::string make(std::uint64_t i, std::int64_t published_at_ms, std::string& flag_id) {
    char seq[17];
    std::snprintf(seq, sizeof seq, "%016llx", static_cast<unsigned long long>(i));
    flag_id = nonce_ + seq;
    const FictionalSubject& s = kSubjects[i % std::size(kSubjects)];
    const std::string event_id = "itn-load-" + std::to_string(i);
    const std::string explanation =
        std::string(R"({"summary":")") + s.name + " ~ " + s.listed +
        R"( 0.962: name","query_name":")" + s.name + R"(","listed_name":")" + s.listed +
        R"(","alias":false,"list_version":3,"tokens":[{"query":"a","listed":"a","how":"exact","similarity":1,"weight":1.2}],)" +
        R"("features":[{"feature":"date_of_birth","contribution":0.1,"detail":"equal"}]})";
    const std::vector<schemas::ListVersionRef> lists = {{"demo-national", 3}, {"un-sc", 17}};
    schemas::FlagRecord f;
    f.flag_id = flag_id;
    f.queue = queues_[i % queues_.size()];
    f.severity = kSeverities[i % std::size(kSeverities)];
    f.reason_code = "watchlist_match";
    f.matched_on = {"name", "date_of_birth"};
    f.score = 0.962;
    f.explanation_json = explanation;
    f.source = schemas::SourceRef{"transit.itineraries", static_cast<std::int32_t>(i % 8),
                                  static_cast<std::int64_t>(i), published_at_ms - 3};
    f.kind = schemas::EventKind::kItinerary;
    f.event_id = event_id;
    f.event_time = "2026-11-21T08:00:00Z";
    f.subject.role = "passenger";
    f.subject.index = static_cast<int>(i % 3);
    f.subject.name = s.name;
    f.subject.date_of_birth = s.dob;
    f.subject.nationality = s.nationality;
    f.subject.document_number = s.document;
    f.watchlist = schemas::WatchlistRef{"demo-national", 3, "DEMO-P-0001", s.listed};
    f.rule = schemas::RuleRef{"watchlist-hit:demo-national", 1, "5b1e0f3a9c7d2e4f6a8b0c1d2e3f4a5b",
                              "national screening law (load test)"};
    f.lists_used = lists;
    f.published_at_ms = published_at_ms;
    f.screener_instance = "console-load";
    return schemas::encode_flag(f);
  }

 private:
  std::string nonce_;
  std::vector<std::string> queues_;
};

// ---------------------------------------------------------------------------------------------
// Process statistics of the console (from /proc) and of this process.
struct ProcSample {
  bool ok = false;
  double cpu_s = 0;  // utime + stime
};

ProcSample sample_proc(int pid) {
  ProcSample s;
  if (pid <= 0) return s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return s;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> t;
  for (std::string f; fields >> f;) t.push_back(f);
  if (t.size() < 13) return s;  // t[0] = state (field 3); utime = field 14, stime = field 15
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.cpu_s = (std::stod(t[11]) + std::stod(t[12])) / tick;
  s.ok = true;
  return s;
}

// A "VmHWM:" style line of /proc/PID/status, in MiB; -1 when unavailable.
double proc_status_mib(int pid, std::string_view key) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  }
  return -1;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double round2(double v) { return std::round(v * 100.0) / 100.0; }

std::string random_nonce() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                          static_cast<std::uint64_t>(steady_ns());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void write_timeline(json::Writer& w, const std::vector<Histogram>& per_second) {
  w.begin_array();
  for (std::size_t s = 0; s < per_second.size(); ++s) {
    const Histogram& h = per_second[s];
    if (h.count() == 0) continue;
    w.begin_object().field("s", static_cast<std::uint64_t>(s)).field("n", h.count());
    w.field("p50", us_to_ms(h.quantile(0.5))).field("p99", us_to_ms(h.quantile(0.99))).field("max", us_to_ms(h.max()));
    w.end_object();
  }
  w.end_array();
}

int run_benchmark(const Options& o) {
  std::vector<std::string> queues;
  for (const auto& topic : o.topics) {
    if (topic.rfind(o.flags_prefix, 0) != 0 || topic.size() == o.flags_prefix.size()) {
      std::cerr << "console_load: topic " << topic << " does not start with --flags-prefix " << o.flags_prefix << "\n";
      return 2;
    }
    queues.push_back(topic.substr(o.flags_prefix.size()));
  }
  const streams::KafkaConfig kafka{o.bootstrap, {}, {}, o.producer_properties};
  if (o.create_partitions > 0) {
    std::vector<streams::TopicSpec> specs;
    for (const auto& t : o.topics) specs.push_back({t, o.create_partitions, 1});
    if (auto st = streams::ensure_topics(kafka, specs); !st) {
      std::cerr << "console_load: " << st.error().to_string() << "\n";
      return 1;
    }
  }
  if (o.mode == "create") return 0;

  Run run;
  run.nonce = random_nonce();
  run.rate = o.rate;
  run.total = static_cast<std::uint64_t>(std::llround(o.rate * o.duration_s));
  run.send_ns = std::make_unique<std::atomic<std::int64_t>[]>(run.total);
  for (std::uint64_t i = 0; i < run.total; ++i) run.send_ns[i].store(0, std::memory_order_relaxed);

  const bool use_ws = o.mode == "ws";
  const bool use_consumer = o.mode == "baseline" || o.baseline_consumer;

  // The producer first, warmed up by one record per topic (flag id <nonce>ffff..., which no
  // receiver counts): its idempotence handshake and the topic metadata take up to a few seconds,
  // and that start-up is not what is measured.
  std::atomic<std::uint64_t> delivery_failures{0};
  auto producer = streams::Producer::create(
      kafka, [&](std::uint64_t, const std::optional<Error>& error, std::int32_t, std::int64_t) {
        if (error) delivery_failures.fetch_add(1, std::memory_order_relaxed);
      });
  if (!producer) {
    std::cerr << "console_load: " << producer.error().to_string() << "\n";
    return 1;
  }
  FlagFactory factory(run.nonce, queues);
  {
    std::string warmup_id;
    for (std::size_t t = 0; t < o.topics.size(); ++t) {
      streams::OutRecord rec;
      rec.topic = o.topics[t];
      rec.value = factory.make(std::numeric_limits<std::uint64_t>::max() - t, timefmt::now_ms(), warmup_id);
      rec.key = warmup_id;
      if (auto st = (*producer)->produce_blocking(rec, 0, std::chrono::seconds(10)); !st) {
        std::cerr << "console_load: warm-up: " << st.error().to_string() << "\n";
        return 1;
      }
    }
    if (auto st = (*producer)->flush(std::chrono::seconds(30)); !st || delivery_failures.load() > 0) {
      std::cerr << "console_load: warm-up records were not delivered\n";
      return 1;
    }
  }

  // Connect the clients and wait until every one has its catchup (or failed).
  std::unique_ptr<ClientPool> pool;
  double warmup_wait_s = 0;
  if (use_ws) {
    const auto url = parse_url(o.url);
    if (!url) {
      std::cerr << "console_load: --url must be ws://HOST[:PORT]/PATH\n";
      return 2;
    }
    asio::io_context resolve_ctx;
    tcp::resolver resolver(resolve_ctx);
    beast::error_code ec;
    auto endpoints = resolver.resolve(url->host, url->port, ec);
    if (ec) {
      std::cerr << "console_load: resolve " << url->host << ": " << ec.message() << "\n";
      return 1;
    }
    pool = std::make_unique<ClientPool>(o, run, *url, endpoints);
    pool->start();
    const auto deadline = SteadyClock::now() + std::chrono::duration<double>(o.connect_timeout_s);
    while (pool->ready() + pool->failed() < static_cast<std::size_t>(o.clients) && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (o.progress) {
      std::cerr << "console_load: " << pool->ready() << "/" << o.clients << " clients ready, " << pool->failed()
                << " failed\n";
    }
    // The warm-up records reach every client once the console consumes the topics (its group
    // must join first); only then does the measured load start.
    const auto warm_start = SteadyClock::now();
    while (pool->warmed_up(o.topics.size()) < pool->ready() && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    warmup_wait_s = std::chrono::duration<double>(SteadyClock::now() - warm_start).count();
    if (o.progress) {
      std::cerr << "console_load: " << pool->warmed_up(o.topics.size()) << " clients saw the warm-up alerts after "
                << round2(warmup_wait_s) << " s\n";
    }
    if (pool->ready() == 0) {
      for (const auto& c : pool->clients()) {
        if (c->failed) {
          std::cerr << "console_load: client " << c->id << ": " << c->error << "\n";
          break;
        }
      }
      pool->close_all(std::chrono::milliseconds(500));
      return 1;
    }
  }
  std::unique_ptr<BaselineConsumer> consumer;
  if (use_consumer) {
    consumer = std::make_unique<BaselineConsumer>(o, run);
    if (auto st = consumer->start(); !st) {
      std::cerr << "console_load: " << st.error().to_string() << "\n";
      if (pool) pool->close_all(std::chrono::milliseconds(500));
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the fetchers start
  }


  const std::string load_before = loadavg();
  const ProcSample console_before = sample_proc(o.console_pid);
  const double self_before = self_cpu_s();

  // Open loop: record i is due at start + i/rate, whatever the receivers do.
  std::int64_t max_lag_ns = 0;
  std::uint64_t produce_errors = 0;
  run.start_ns = steady_ns() + 10'000'000;
  const double period_ns = 1e9 / o.rate;
  std::int64_t next_progress = run.start_ns + 5'000'000'000LL;
  std::string flag_id;
  for (std::uint64_t i = 0; i < run.total; ++i) {
    const auto due = run.start_ns + static_cast<std::int64_t>(static_cast<double>(i) * period_ns);
    std::int64_t now = steady_ns();
    if (now < due) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
      now = steady_ns();
    }
    max_lag_ns = std::max(max_lag_ns, now - due);
    streams::OutRecord rec;
    rec.topic = o.topics[i % o.topics.size()];
    rec.value = factory.make(i, timefmt::now_ms(), flag_id);
    rec.key = flag_id;
    run.send_ns[i].store(steady_ns(), std::memory_order_release);
    if (auto st = (*producer)->produce_blocking(rec, i, std::chrono::seconds(5)); !st) ++produce_errors;
    (*producer)->poll(std::chrono::milliseconds(0));
    if (o.progress && now >= next_progress) {
      next_progress += 5'000'000'000LL;
      std::cerr << "console_load: sent " << i + 1 << "/" << run.total;
      if (pool) std::cerr << ", ws deliveries " << pool->received();
      if (consumer) std::cerr << ", consumer " << consumer->received();
      std::cerr << ", load " << loadavg() << "\n";
    }
  }
  const double send_elapsed_s = static_cast<double>(steady_ns() - run.start_ns) / 1e9;
  (void)(*producer)->flush(std::chrono::seconds(10));

  // Drain: wait until every receiver has everything, or the drain timeout.
  const auto expected_ws = pool ? run.total * (static_cast<std::uint64_t>(o.clients) - pool->failed()) : 0;
  const auto drain_deadline = SteadyClock::now() + std::chrono::duration<double>(o.drain_timeout_s);
  while (SteadyClock::now() < drain_deadline) {
    const bool ws_done = !pool || pool->received() >= expected_ws;
    const bool consumer_done = !consumer || consumer->received() >= run.total;
    if (ws_done && consumer_done) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double wall_s = static_cast<double>(steady_ns() - run.start_ns) / 1e9;
  const ProcSample console_after = sample_proc(o.console_pid);
  const double self_after = self_cpu_s();
  const std::string load_after = loadavg();
  if (consumer) consumer->stop();
  if (pool) pool->close_all(std::chrono::seconds(2));

  // The summary.
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("mode", o.mode);
  w.field("clients", o.clients);
  w.field("rate_offered", o.rate);
  w.field("duration_s", o.duration_s);
  w.field("alerts_sent", run.total - produce_errors);
  w.field("rate_achieved", round2(static_cast<double>(run.total) / send_elapsed_s));
  w.field("producer_max_lag_ms", round2(static_cast<double>(max_lag_ns) / 1e6));
  w.field("produce_errors", produce_errors);
  w.field("delivery_failures", delivery_failures.load());
  w.field("topics", static_cast<std::uint64_t>(o.topics.size()));
  bool all_delivered = true;
  Histogram merged;
  if (pool) {
    std::uint64_t received = 0, duplicates = 0, foreign = 0, other = 0, parse_errors = 0, catchup = 0, batches = 0;
    std::uint64_t validated = 0;
    std::uint64_t complete = 0;
    std::vector<std::uint64_t> client_p99;
    for (const auto& c : pool->clients()) {
      received += c->received.load();
      duplicates += c->duplicates;
      foreign += c->foreign;
      other += c->other_messages;
      parse_errors += c->parse_errors;
      catchup += c->catchup_alerts;
      batches += c->batches;
      validated += c->validated_messages;
      if (c->received.load() == run.total) ++complete;
      merged.merge(c->latency);
      if (c->latency.count() > 0) client_p99.push_back(c->latency.quantile(0.99));
    }
    std::sort(client_p99.begin(), client_p99.end());
    const std::uint64_t expected = run.total * static_cast<std::uint64_t>(o.clients);
    all_delivered = received == expected;
    w.field("clients_ready", static_cast<std::uint64_t>(pool->ready()));
    w.field("clients_failed", static_cast<std::uint64_t>(pool->failed()));
    w.field("clients_complete", complete);
    w.field("clients_warmed_up", static_cast<std::uint64_t>(pool->warmed_up(o.topics.size())));
    w.field("console_warmup_wait_s", round2(warmup_wait_s));
    w.field("deliveries_expected", expected);
    w.field("deliveries_received", received);
    w.field("deliveries_missing", expected - received);
    w.field("duplicates", duplicates);
    w.field("alerts_in_catchup", catchup);
    w.field("foreign_alerts", foreign);
    w.field("batch_messages", batches);
    w.field("batch_messages_parsed_in_full", validated);
    w.field("other_messages", other);
    w.field("parse_errors", parse_errors);
    w.key("latency_ms");
    write_latency(w, merged);
    if (!client_p99.empty()) {
      w.key("client_p99_ms").begin_object();
      w.field("min", us_to_ms(client_p99.front()));
      w.field("median", us_to_ms(client_p99[client_p99.size() / 2]));
      w.field("max", us_to_ms(client_p99.back()));
      w.end_object();
    }
    // Up to 20 clients that missed alerts or failed, with what they missed and why.
    w.key("incomplete_clients").begin_array();
    int listed = 0;
    for (const auto& c : pool->clients()) {
      if (c->received.load() == run.total || listed >= 20) continue;
      ++listed;
      w.begin_object().field("client", c->id).field("missing", run.total - c->received.load());
      if (c->failed) w.field("error", c->error);
      w.end_object();
    }
    w.end_array();
    std::vector<Histogram> per_second(pool->io().front()->per_second.size());
    for (const auto& io : pool->io()) {
      for (std::size_t s = 0; s < per_second.size(); ++s) per_second[s].merge(io->per_second[s]);
    }
    w.key("timeline_by_send_second");
    write_timeline(w, per_second);
  }
  if (consumer) {
    const Receiver& r = consumer->receiver();
    w.key("kafka_consumer").begin_object();
    w.field("received", r.received.load());
    w.field("missing", run.total - r.received.load());
    w.field("duplicates", r.duplicates);
    w.key("latency_ms");
    write_latency(w, r.latency);
    if (!pool) {
      w.key("timeline_by_send_second");
      write_timeline(w, consumer->per_second());
    }
    w.end_object();
    if (!pool) all_delivered = r.received.load() == run.total;
    if (pool && r.latency.count() > 0 && merged.count() > 0) {
      w.key("console_over_kafka").begin_object();
      w.field("p50_ratio", round2(static_cast<double>(merged.quantile(0.5)) /
                                  std::max<double>(1.0, static_cast<double>(r.latency.quantile(0.5)))));
      w.field("p99_ratio", round2(static_cast<double>(merged.quantile(0.99)) /
                                  std::max<double>(1.0, static_cast<double>(r.latency.quantile(0.99)))));
      w.end_object();
    }
  }
  if (o.console_pid > 0) {
    w.field("console_pid", o.console_pid);
    if (console_before.ok && console_after.ok) {
      const double cpu = console_after.cpu_s - console_before.cpu_s;
      w.key("console_cpu").begin_object();
      w.field("seconds", round2(cpu));
      w.field("cores", round2(cpu / wall_s));
      w.field("total_seconds", round2(console_after.cpu_s));
      w.end_object();
    }
    w.field("console_peak_rss_mib", round2(proc_status_mib(o.console_pid, "VmHWM:")));
    w.field("console_rss_mib", round2(proc_status_mib(o.console_pid, "VmRSS:")));
  }
  w.key("load_client_cpu").begin_object();
  w.field("seconds", round2(self_after - self_before));
  w.field("cores", round2((self_after - self_before) / wall_s));
  w.field("io_threads", o.threads);
  w.end_object();
  w.field("wall_s", round2(wall_s));
  w.field("loadavg_before", load_before);
  w.field("loadavg_after", load_after);
  w.field("cpus", static_cast<std::int64_t>(std::thread::hardware_concurrency()));
  w.key("verdict").begin_object();
  w.field("all_delivered", all_delivered);
  const Histogram& headline = pool ? merged : consumer->receiver().latency;
  w.field("p99_ms", us_to_ms(headline.quantile(0.99)));
  w.field("p99_within_250ms", headline.count() > 0 && headline.quantile(0.99) <= 250'000);
  w.end_object();
  w.end_object();
  std::cout << out << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"console_load: WebSocket delivery benchmark of crosscheck-console (docs/performance.md)"};
  app.add_option("--mode", o.mode, "ws: WebSocket clients on the console; baseline: a plain Kafka consumer only; "
                 "create: only create the topics (--create-topics)")
      ->check(CLI::IsMember({"ws", "baseline", "create"}));
  app.add_option("--url", o.url, "the console's stream endpoint")->capture_default_str();
  app.add_option("--token", o.token, "bearer token (cct_<id>_<secret>) of a supervisor or officer");
  app.add_option("--cookie", o.cookie, "Cookie header instead of a token (cc_session=...)");
  app.add_option("--origin", o.origin, "Origin header of the upgrade (default: none, as a non-browser client)");
  app.add_option("--bootstrap", o.bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--topic", o.topics, "flags topic(s) to produce to (flags.<queue>); records go round-robin")
      ->required();
  app.add_option("--flags-prefix", o.flags_prefix, "topic prefix; the rest of the topic name is the queue")
      ->capture_default_str();
  app.add_option("--create-topics", o.create_partitions, "create the topics with this many partitions first");
  app.add_option("--clients", o.clients, "WebSocket clients")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--rate", o.rate, "alerts per second (open loop)")->capture_default_str()->check(CLI::Range(0.1, 1e6));
  app.add_option("--duration", o.duration_s, "seconds of production")->capture_default_str()->check(CLI::Range(0.1, 86400.0));
  app.add_option("--threads", o.threads, "client io threads")->capture_default_str()->check(CLI::Range(1, 64));
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in flight")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--connect-timeout", o.connect_timeout_s, "seconds to wait for every client's catchup")->capture_default_str();
  app.add_option("--drain-timeout", o.drain_timeout_s, "seconds to wait for late deliveries after the last send")->capture_default_str();
  app.add_flag("--deflate", o.deflate, "offer permessage-deflate, as browsers do");
  app.add_flag("--baseline-consumer", o.baseline_consumer, "also measure a plain Kafka consumer of the same topics");
  app.add_option("--console-pid", o.console_pid, "console process: report its CPU time and peak RSS");
  app.add_flag("!--quiet", o.progress, "no progress lines on stderr");
  std::vector<std::string> producer_props, consumer_props;
  app.add_option("--producer-property", producer_props, "librdkafka producer setting KEY=VALUE (repeatable)");
  app.add_option("--consumer-property", consumer_props, "librdkafka setting KEY=VALUE of the baseline consumer");
  CLI11_PARSE(app, argc, argv);
  for (auto [list, map] : {std::pair{&producer_props, &o.producer_properties}, std::pair{&consumer_props, &o.consumer_properties}}) {
    for (const auto& kv : *list) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "console_load: expected KEY=VALUE, got " << kv << "\n";
        return 2;
      }
      (*map)[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  if (o.mode == "ws" && o.token.empty() && o.cookie.empty()) {
    std::cerr << "console_load: --token or --cookie is required in ws mode\n";
    return 2;
  }
  try {
    return run_benchmark(o);
  } catch (const std::exception& e) {
    std::cerr << "console_load: " << e.what() << "\n";
    return 1;
  }
}
