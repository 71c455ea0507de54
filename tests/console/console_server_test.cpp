// Integration: the console server in this process against the real Kafka and Redis, spoken to
// over real sockets (Beast HTTP and WebSocket clients): a flag produced to its queue topic reaches
// an officer's browser connection live and only that officer's; the REST API lists it; a
// disposition reaches flags.dispositions; a restart loses nothing and a reconnecting client gets
// only what it missed; a malformed record is dead-lettered and skipped; the retention job masks
// and deletes on a shortened schedule; the static page, /healthz, /metrics and the refusals.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crosscheck/console/console_config.h"
#include "crosscheck/console/console_server.h"
#include "crosscheck/console/users.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::seconds;

// --- a flag as the screener writes it -------------------------------------------------------

std::string flag_json(const std::string& flag_id, const std::string& queue, const std::string& name) {
  const std::int64_t now = timefmt::now_ms();
  schemas::FlagRecord f;
  f.flag_id = flag_id;
  f.queue = queue;
  f.severity = "high";
  f.reason_code = "watchlist_match";
  f.matched_on = {"name"};
  f.score = 0.93;
  f.explanation_json = R"({"summary":"name ~ listed name","list_version":1})";
  f.source = schemas::SourceRef{"transit.itineraries", 0, 7, now - 20};
  f.kind = schemas::EventKind::kItinerary;
  f.event_id = "itn-server-test";
  f.event_time = "2026-11-21T06:21:00Z";
  f.subject.role = "passenger";
  f.subject.index = 0;
  f.subject.name = name;
  f.subject.date_of_birth = "1971-04-12";
  f.subject.document_number = "RX4417208";
  f.watchlist = schemas::WatchlistRef{"demo-national", 1, "DEMO-P-0001", "Listed Name"};
  f.rule = schemas::RuleRef{"watchlist-hit:demo-national", 1, "0123456789abcdef", "national screening law"};
  f.published_at_ms = now - 10;
  f.screener_instance = "console-server-test";
  return schemas::encode_flag(f);
}

std::string new_flag_id(const std::string& stem) {
  return schemas::compute_flag_id(testing::unique_name(stem), 0, 1, "watchlist_match");
}

// --- JSON --------------------------------------------------------------------------------------

struct AlertView {
  std::string flag_id, queue, status, subject_name;
  std::uint64_t seq = 0;
  bool masked = false;
};

AlertView alert_view(simdjson::dom::element a) {
  AlertView v;
  v.flag_id = std::string(std::string_view(a["flag_id"]));
  v.queue = std::string(std::string_view(a["queue"]));
  v.status = std::string(std::string_view(a["status"]));
  v.subject_name = std::string(std::string_view(a["subject_name"]));
  v.seq = std::uint64_t(a["seq"]);
  v.masked = bool(a["masked"]);
  return v;
}

// One WebSocket message, decoded.
struct WsMessage {
  std::string type;  // "catchup", "alerts" or "seq" ("alert" from earlier servers)
  std::uint64_t seq = 0;  // the resume point: every change up to it has been sent
  bool reset = false;     // catchup only
  std::vector<AlertView> alerts;  // catchup, alerts: all of them; alert: one
  std::int64_t received_ms = 0;
};

std::optional<WsMessage> decode_ws(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) return std::nullopt;
  WsMessage m;
  m.type = std::string(std::string_view(doc["type"]));
  m.seq = std::uint64_t(doc["seq"]);
  if (m.type == "catchup" || m.type == "alerts") {
    bool reset = false;
    if (doc["reset"].get(reset) == simdjson::SUCCESS) m.reset = reset;
    for (auto a : simdjson::dom::array(doc["alerts"])) m.alerts.push_back(alert_view(a));
  } else if (m.type == "alert") {
    m.alerts.push_back(alert_view(doc["alert"]));
  }
  return m;
}

std::vector<AlertView> rest_alerts(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<AlertView> out;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "not JSON: " << body;
    return out;
  }
  for (auto a : simdjson::dom::array(doc["alerts"])) out.push_back(alert_view(a));
  return out;
}

bool has_flag(const std::vector<AlertView>& alerts, const std::string& flag_id) {
  for (const auto& a : alerts) {
    if (a.flag_id == flag_id) return true;
  }
  return false;
}

// --- clients -------------------------------------------------------------------------------------

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

HttpReply read_reply(tcp::socket& socket, bool head = false) {
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  parser.skip(head);  // a response to HEAD has no body, whatever its Content-Length says
  http::read(socket, buffer, parser);
  HttpReply out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = parser.get().body();
  return out;
}

HttpReply http_call(int port, http::verb verb, const std::string& target, const std::string& token = "",
                    const std::string& body = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  return read_reply(socket, verb == http::verb::head);
}

// A raw request line and headers, for targets an HTTP library would normalise.
HttpReply raw_call(int port, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  asio::write(socket, asio::buffer(request));
  return read_reply(socket);
}

// The status a WebSocket upgrade request gets (101 when accepted), as a browser would send it.
int upgrade_status(int port, const std::string& target, const std::string& token, const std::string& origin = "") {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  if (!origin.empty()) req += "Origin: " + origin + "\r\n";
  return raw_call(port, req + "\r\n").status;
}

// A browser's WebSocket, reduced to what the tests look at: messages arrive on a reader thread
// and are kept with their arrival time.
class WsClient {
 public:
  // Connects and upgrades; `handshake_status` is 101 on success, else the refusal's status.
  WsClient(int port, const std::string& target, const std::string& token, const std::string& origin = "")
      : socket_(io_), ws_(socket_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    ws_.set_option(websocket::stream_base::decorator([token, origin](websocket::request_type& req) {
      if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
      if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    handshake_status = static_cast<int>(res.result_int());
    if (ec) return;
    reader_ = std::thread([this] { read_loop(); });
  }
  ~WsClient() { close(); }

  // Drops the connection the way a closed laptop does (no close frame): the reader thread is
  // blocked in read(), and a Beast stream must not be used from two threads at once.
  void close() {
    if (reader_.joinable()) {
      ::shutdown(socket_.native_handle(), SHUT_RDWR);
      reader_.join();
    }
  }

  // The first message (from the start) that `match` accepts, waiting up to `timeout`.
  std::optional<WsMessage> wait_for(const std::function<bool(const WsMessage&)>& match, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<WsMessage> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : messages_) {
        if (match(m)) {
          found = m;
          return true;
        }
      }
      return closed_;
    });
    return found;
  }
  std::optional<WsMessage> wait_catchup(milliseconds timeout = seconds(10)) {
    return wait_for([](const WsMessage& m) { return m.type == "catchup"; }, timeout);
  }
  // The first pushed alert (in an "alerts" message) with this id that `also` accepts; the message
  // comes back with that alert alone in `alerts`.
  std::optional<WsMessage> wait_alert(const std::string& flag_id, const std::function<bool(const AlertView&)>& also,
                                      milliseconds timeout) {
    auto pick = [&](const WsMessage& m) -> const AlertView* {
      if (m.type != "alerts") return nullptr;
      for (const auto& a : m.alerts) {
        if (a.flag_id == flag_id && also(a)) return &a;
      }
      return nullptr;
    };
    auto found = wait_for([&](const WsMessage& m) { return pick(m) != nullptr; }, timeout);
    if (found) {
      const AlertView one = *pick(*found);
      found->alerts = {one};
    }
    return found;
  }
  std::vector<WsMessage> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // How many of `ids` arrived in "alerts" messages so far.
  std::size_t pushed_count(const std::set<std::string>& ids) {
    std::lock_guard lock(mutex_);
    std::set<std::string> seen;
    for (const auto& m : messages_) {
      if (m.type != "alerts") continue;
      for (const auto& a : m.alerts) {
        if (ids.count(a.flag_id) != 0) seen.insert(a.flag_id);
      }
    }
    return seen.size();
  }
  bool closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  // The code of the server's close frame (0 before one arrived, or when the connection just broke).
  int close_code() {
    std::lock_guard lock(mutex_);
    return close_code_;
  }

  int handshake_status = 0;

 private:
  void read_loop() {
    while (true) {
      beast::flat_buffer buffer;
      beast::error_code ec;
      ws_.read(buffer, ec);
      if (ec) {
        if (ec == websocket::error::closed) {
          std::lock_guard lock(mutex_);
          close_code_ = static_cast<int>(ws_.reason().code);
        }
        break;
      }
      auto m = decode_ws(beast::buffers_to_string(buffer.data()));
      std::lock_guard lock(mutex_);
      if (!m) {
        ADD_FAILURE() << "WebSocket message is not JSON";
        continue;
      }
      m->received_ms = timefmt::now_ms();
      messages_.push_back(std::move(*m));
      cv_.notify_all();
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    cv_.notify_all();
  }

  asio::io_context io_;
  tcp::socket socket_;
  websocket::stream<tcp::socket&> ws_;
  std::thread reader_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<WsMessage> messages_;
  bool closed_ = false;
  int close_code_ = 0;
};

// A WebSocket client that upgrades and then never reads, with a small receive buffer: the
// server's socket buffers and then its queue for this client fill up.
class StalledClient {
 public:
  StalledClient(int port, const std::string& token) : socket_(io_) {
    socket_.open(tcp::v4());
    socket_.set_option(asio::socket_base::receive_buffer_size(4096));
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    const std::string req = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                            "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
                            token + "\r\n\r\n";
    asio::write(socket_, asio::buffer(req));
    asio::streambuf head;
    asio::read_until(socket_, head, "\r\n\r\n");
    const std::string text(asio::buffers_begin(head.data()), asio::buffers_end(head.data()));
    upgraded = text.rfind("HTTP/1.1 101", 0) == 0;
  }

  // Reads (and discards) until the server closes the connection; false when it is still open
  // after `timeout`.
  bool closed_by_server_within(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    timeval tv{0, 200 * 1000};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n == 0) return true;                                          // orderly close
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;  // reset
    }
    return false;
  }

  bool upgraded = false;

 private:
  asio::io_context io_;
  tcp::socket socket_;
};

// Where a client resumes: the highest "seq" of the messages (never an alert's own seq).
std::uint64_t resume_point(const std::vector<WsMessage>& messages) {
  std::uint64_t seq = 0;
  for (const auto& m : messages) seq = std::max(seq, m.seq);
  return seq;
}

// --- fixture -------------------------------------------------------------------------------------

class ConsoleServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_KAFKA();
    CROSSCHECK_REQUIRE_REDIS();
    kafka_ = std::make_unique<testing::KafkaTestEnv>(*testing::kafka_bootstrap());
    redis_env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());

    // Topics of this test only: a unique flags prefix, dispositions and dead-letter topics.
    prefix_ = testing::unique_name("cc-flags") + ".";
    for (const char* q : {"border", "customs"}) kafka_->create_topic(prefix_ + q, 2);
    dispositions_ = kafka_->make_topic("cc-dispositions", 1);
    deadletter_ = kafka_->make_topic("cc-deadletter", 1);

    auto parsed = parse_console_config("", {});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    config_ = *parsed;
    config_.instance_id = "console-server-test";
    config_.kafka.client = kafka_->config();
    config_.kafka.group_id = testing::unique_name("cc-console");
    config_.kafka.create_topics = false;
    config_.kafka.commit_interval = milliseconds(100);
    config_.redis.address = redis_env_->address();
    config_.redis.client = redis_env_->config();
    config_.redis.key_prefix = redis_env_->prefix();
    config_.http.port = 0;
    config_.http.static_dir = testing::source_dir() + "/services/console/web";
    config_.http.max_body_bytes = 64 * 1024;
    config_.console.queues = {"border", "customs"};
    config_.console.flags_prefix = prefix_;
    config_.console.dispositions_topic = dispositions_;
    config_.console.deadletter_topic = deadletter_;
    config_.console.poll_interval = milliseconds(100);
    config_.console.outbox_interval = milliseconds(50);

    redis_ = std::make_unique<rules::RedisClient>(redis_env_->config());
    users_ = std::make_unique<UserStore>(*redis_, redis_env_->prefix());
    officer_border_ = make_user("officer-border", {Role::kOfficer}, {"border"});
    officer_customs_ = make_user("officer-customs", {Role::kOfficer}, {"customs"});
    supervisor_ = make_user("supervisor-a", {Role::kSupervisor});
    ops_ = make_user("ops-a", {Role::kOps});
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  std::string make_user(const std::string& name, std::vector<Role> roles, std::vector<std::string> queues = {}) {
    UserAccount a;
    a.name = name;
    a.roles = std::move(roles);
    a.queues = std::move(queues);
    auto put = users_->put_user(a, "test-admin");
    EXPECT_TRUE(put.ok()) << put.error().to_string();
    auto token = users_->issue_token(name, milliseconds(0), "test-admin", timefmt::now_ms());
    EXPECT_TRUE(token.ok()) << token.error().to_string();
    return token.ok() ? token->token : std::string();
  }

  void start_server() {
    server_ = std::make_unique<ConsoleServer>(config_);
    auto st = server_->start();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    ASSERT_GT(server_->port(), 0);
  }
  void wait_ingest_ready() {
    ASSERT_TRUE(testing::eventually([&] { return server_->ingest_ready(); }, seconds(60)))
        << "the console's consumer got no partitions";
  }
  void stop_server() {
    server_->stop();
    server_.reset();
  }
  int port() const { return server_->port(); }

  // Produces through one long-lived producer, so that a record's Kafka timestamp is close to the
  // moment it becomes readable (a fresh producer first spends hundreds of ms on metadata).
  // Many flags, one flush: they reach the console together, as a burst does.
  void send_flags(const std::string& topic, const std::vector<std::pair<std::string, std::string>>& id_and_value) {
    if (!producer_) {
      auto created = streams::Producer::create(kafka_->config());
      ASSERT_TRUE(created.ok()) << created.error().to_string();
      producer_ = std::move(*created);
    }
    for (const auto& [id, value] : id_and_value) {
      auto st = producer_->produce(streams::OutRecord{topic, id, value, {}});
      ASSERT_TRUE(st.ok()) << st.error().to_string();
    }
    auto flushed = producer_->flush(seconds(30));
    ASSERT_TRUE(flushed.ok()) << flushed.error().to_string();
  }

  void send_flag(const std::string& topic, const std::string& value, const std::string& key) {
    if (!producer_) {
      auto created = streams::Producer::create(kafka_->config());
      ASSERT_TRUE(created.ok()) << created.error().to_string();
      producer_ = std::move(*created);
    }
    auto st = producer_->produce(streams::OutRecord{topic, key, value, {}});
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto flushed = producer_->flush(seconds(30));
    ASSERT_TRUE(flushed.ok()) << flushed.error().to_string();
  }

  std::vector<AlertView> list(const std::string& token, const std::string& query = "") {
    auto r = http_call(port(), http::verb::get, "/api/alerts" + query, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? rest_alerts(r.body) : std::vector<AlertView>{};
  }

  double metric(const std::string& name) {
    auto r = http_call(port(), http::verb::get, "/metrics", ops_);
    EXPECT_EQ(r.status, 200);
    const auto at = r.body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(r.body.substr(at + name.size() + 2));
  }

  std::unique_ptr<testing::KafkaTestEnv> kafka_;
  std::unique_ptr<testing::RedisTestEnv> redis_env_;
  std::unique_ptr<rules::RedisClient> redis_;
  std::unique_ptr<UserStore> users_;
  std::string prefix_, dispositions_, deadletter_;
  std::string officer_border_, officer_customs_, supervisor_, ops_;
  ConsoleConfig config_;
  std::unique_ptr<ConsoleServer> server_;
  std::unique_ptr<streams::Producer> producer_;
};

TEST_F(ConsoleServerTest, PushesLiveRecordsDispositionsAndCatchesUpAfterARestart) {
  start_server();
  wait_ingest_ready();

  WsClient border(port(), "/api/stream", officer_border_);
  ASSERT_EQ(border.handshake_status, 101);
  WsClient customs(port(), "/api/stream", officer_customs_);
  ASSERT_EQ(customs.handshake_status, 101);
  auto first = border.wait_catchup();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->alerts.empty());
  ASSERT_TRUE(customs.wait_catchup());

  // A first flag warms the path (the consumer's first fetch, the test producer's metadata).
  const std::string warm = new_flag_id("flag-warm");
  send_flag(prefix_ + "border", flag_json(warm, "border", "Warm UP"), warm);
  ASSERT_TRUE(border.wait_alert(warm, [](const AlertView&) { return true; }, seconds(10)));

  // A flag on the border queue reaches the border officer live, and only them. The delay is
  // recorded, not a performance assertion (loadtest/ measures that): produce call to receipt.
  const std::string a = new_flag_id("flag-a");
  const std::int64_t sent_ms = timefmt::now_ms();
  send_flag(prefix_ + "border", flag_json(a, "border", "Viktor DRAGAN"), a);
  auto pushed = border.wait_alert(a, [](const AlertView& v) { return v.status == "new"; }, seconds(5));
  ASSERT_TRUE(pushed) << "the alert did not reach the WebSocket client";
  const std::int64_t delay_ms = pushed->received_ms - sent_ms;
  RecordProperty("push_delay_ms", std::to_string(delay_ms));
  std::cout << "flag produced -> WebSocket client: " << delay_ms << " ms\n";
  EXPECT_LT(delay_ms, 2000) << "a live alert must arrive well within 2 s";
  EXPECT_EQ(pushed->alerts[0].queue, "border");
  EXPECT_EQ(pushed->alerts[0].subject_name, "Viktor DRAGAN");
  EXPECT_FALSE(pushed->alerts[0].masked);

  // The REST list shows it to the border officer, not to the customs officer.
  EXPECT_TRUE(has_flag(list(officer_border_), a));
  EXPECT_FALSE(has_flag(list(officer_customs_), a));
  EXPECT_TRUE(has_flag(list(supervisor_, "?queue=border"), a));

  // A decision: recorded, pushed to the connected officer, published to the dispositions topic.
  auto decided = http_call(port(), http::verb::post, "/api/alerts/" + a + "/disposition", officer_border_,
                           R"({"action":"false_positive","comment":"different date of birth"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  auto decision = border.wait_alert(a, [](const AlertView& v) { return v.status == "false_positive"; }, seconds(5));
  ASSERT_TRUE(decision) << "the disposition was not pushed";
  // The client's resume point passes the decision once the server has sent everything before it.
  const std::uint64_t decision_seq = decision->alerts[0].seq;
  EXPECT_TRUE(border.wait_for([&](const WsMessage& m) { return m.seq >= decision_seq; }, seconds(5)));
  auto published = kafka_->receive(dispositions_, 1, seconds(30));
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].key, a);
  EXPECT_NE(published[0].value.find(R"("flag_id":")" + a + "\""), std::string::npos) << published[0].value;
  EXPECT_NE(published[0].value.find(R"("action":"false_positive")"), std::string::npos) << published[0].value;
  EXPECT_NE(published[0].value.find(R"("actor":"officer-border")"), std::string::npos) << published[0].value;

  // The customs officer saw none of it.
  for (const auto& m : customs.messages()) {
    EXPECT_FALSE(has_flag(m.alerts, a)) << "an alert of another queue reached the customs officer";
  }
  EXPECT_TRUE(testing::eventually([&] { return metric("crosscheck_console_dispositions_published_total") >= 1; },
                                  seconds(5)));
  EXPECT_GE(metric("crosscheck_console_alerts_ingested_total"), 1);

  // The browser goes away with the highest sequence it saw; the server restarts; a flag arrives
  // meanwhile.
  const std::uint64_t seen = resume_point(border.messages());
  ASSERT_GE(seen, decision_seq);
  border.close();
  customs.close();
  stop_server();
  const std::string b = new_flag_id("flag-b");
  send_flag(prefix_ + "border", flag_json(b, "border", "Anna KOWALSKA"), b);

  start_server();
  // Nothing was lost: the decided alert is still there, and the new one is stored once consumed.
  auto after_restart = list(officer_border_);
  ASSERT_TRUE(has_flag(after_restart, a));
  for (const auto& v : after_restart) {
    if (v.flag_id == a) {
      EXPECT_EQ(v.status, "false_positive");
    }
  }
  ASSERT_TRUE(testing::eventually([&] { return has_flag(list(officer_border_), b); }, seconds(60)))
      << "the flag produced while the console was down was not stored after the restart";

  // Reconnecting with the last sequence gives exactly what was missed.
  WsClient again(port(), "/api/stream?after_seq=" + std::to_string(seen), officer_border_);
  ASSERT_EQ(again.handshake_status, 101);
  auto catchup = again.wait_catchup();
  ASSERT_TRUE(catchup);
  EXPECT_FALSE(catchup->reset);
  EXPECT_TRUE(has_flag(catchup->alerts, b));
  EXPECT_FALSE(has_flag(catchup->alerts, a)) << "the client already had this change";
  EXPECT_GT(catchup->seq, seen);
  // A fresh connection (no after_seq) gets the newest alerts, both of them.
  WsClient fresh(port(), "/api/stream", officer_border_);
  auto everything = fresh.wait_catchup();
  ASSERT_TRUE(everything);
  EXPECT_TRUE(has_flag(everything->alerts, a));
  EXPECT_TRUE(has_flag(everything->alerts, b));
}

TEST_F(ConsoleServerTest, BatchesBurstsAndDropsOnlyTheClientThatStopsReading) {
  config_.console.websocket_queue_limit = 1000;  // alerts
  start_server();
  wait_ingest_ready();
  WsClient reader(port(), "/api/stream", supervisor_);
  ASSERT_EQ(reader.handshake_status, 101);
  ASSERT_TRUE(reader.wait_catchup());
  StalledClient stalled(port(), supervisor_);
  ASSERT_TRUE(stalled.upgraded);
  ASSERT_TRUE(testing::eventually([&] { return metric("crosscheck_console_ws_clients") == 2; }, seconds(10)));

  // Bursts of 500 flags; each burst reaches the reading client before the next is sent, so only
  // the stalled client can fall behind. Stop once the console dropped it.
  std::set<std::string> sent;
  int bursts = 0;
  while (bursts < 40 && metric("crosscheck_console_ws_dropped_clients_total") < 1) {
    const std::string queue = bursts % 2 == 0 ? "border" : "customs";
    std::vector<std::pair<std::string, std::string>> burst;
    for (int i = 0; i < 500; ++i) {
      const std::string id = new_flag_id("flag-burst");
      burst.emplace_back(id, flag_json(id, queue, "Burst TEST"));
      sent.insert(id);
    }
    send_flags(prefix_ + queue, burst);
    ++bursts;
    ASSERT_TRUE(testing::eventually([&] { return reader.pushed_count(sent) == sent.size(); }, seconds(60)))
        << "the reading client got " << reader.pushed_count(sent) << " of " << sent.size();
  }
  EXPECT_TRUE(testing::eventually([&] { return metric("crosscheck_console_ws_dropped_clients_total") == 1; },
                                  seconds(10)))
      << "the stalled client was not dropped after " << sent.size() << " alerts";
  EXPECT_TRUE(stalled.closed_by_server_within(seconds(20))) << "the dropped client's connection stayed open";
  EXPECT_FALSE(reader.closed()) << "the reading client was dropped too";

  // The reader got every alert, more than one to a message (each message serialised once).
  std::size_t alert_messages = 0, alerts = 0;
  for (const auto& m : reader.messages()) {
    if (m.type != "alerts") continue;
    ++alert_messages;
    alerts += m.alerts.size();
    EXPECT_FALSE(m.alerts.empty());
  }
  EXPECT_EQ(reader.pushed_count(sent), sent.size());
  EXPECT_LT(alert_messages, alerts) << "bursts went out one alert per message";
  EXPECT_GE(metric("crosscheck_console_ws_alerts_sent_total"), static_cast<double>(sent.size()));
  EXPECT_EQ(metric("crosscheck_console_alerts_ingested_total"), static_cast<double>(sent.size()));

  // The console carries on: a lone flag still reaches the reader, in a message of its own.
  const std::string lone = new_flag_id("flag-lone");
  send_flag(prefix_ + "border", flag_json(lone, "border", "Lone TEST"), lone);
  auto got = reader.wait_alert(lone, [](const AlertView&) { return true; }, seconds(10));
  ASSERT_TRUE(got);
  EXPECT_EQ(metric("crosscheck_console_ws_clients"), 1);
}

// An open connection does not outlive its credential: a revoked token or a change of the
// account's queues closes it (4401, "credential changed") within console.websocket_reauth_interval, while a
// connection whose credential still holds stays open.
TEST_F(ConsoleServerTest, ClosesAWebSocketWhoseCredentialNoLongerHolds) {
  config_.console.websocket_reauth_interval = milliseconds(200);
  start_server();
  auto second = users_->issue_token("officer-border", milliseconds(0), "test-admin", timefmt::now_ms());
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  WsClient revoked(port(), "/api/stream", second->token);
  WsClient kept(port(), "/api/stream", officer_border_);
  WsClient moved(port(), "/api/stream", officer_customs_);
  for (WsClient* c : {&revoked, &kept, &moved}) {
    ASSERT_EQ(c->handshake_status, 101);
    ASSERT_TRUE(c->wait_catchup());
  }
  // A few intervals pass with nothing changed: every connection stays.
  std::this_thread::sleep_for(milliseconds(800));
  for (WsClient* c : {&revoked, &kept, &moved}) EXPECT_FALSE(c->closed());

  ASSERT_TRUE(users_->revoke("officer-border", second->token_id, "test-admin").ok());
  UserAccount customs;
  customs.name = "officer-customs";
  customs.roles = {Role::kOfficer};
  customs.queues = {"border"};  // moved to another queue: what this connection was given is stale
  ASSERT_TRUE(users_->put_user(customs, "test-admin").ok());

  EXPECT_TRUE(testing::eventually([&] { return revoked.closed(); }, seconds(10))) << "the revoked token's socket stayed open";
  EXPECT_EQ(revoked.close_code(), 4401);
  EXPECT_TRUE(testing::eventually([&] { return moved.closed(); }, seconds(10))) << "the moved officer's socket stayed open";
  EXPECT_EQ(moved.close_code(), 4401);
  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_FALSE(kept.closed()) << "a valid token's socket was closed";
  EXPECT_EQ(metric("crosscheck_console_ws_reauth_closed_total"), 2);
  EXPECT_EQ(metric("crosscheck_console_ws_reauth_errors_total"), 0);
  EXPECT_TRUE(testing::eventually([&] { return metric("crosscheck_console_ws_clients") == 1; }, seconds(10)));

  // The revoked token cannot come back; the moved officer reconnects to the new queue.
  EXPECT_EQ(upgrade_status(port(), "/api/stream", second->token), 401);
  WsClient back(port(), "/api/stream", officer_customs_);
  EXPECT_EQ(back.handshake_status, 101);
}

// Redis goes away while flags arrive (a Redis of the test's own, stopped and started again). The
// console keeps those records uncommitted and retries, keeps the open WebSocket (a credential
// check Redis cannot answer closes nothing), and once Redis is back every flag is stored once and
// pushed.
TEST_F(ConsoleServerTest, RedisOutageLosesNoAlertAndClosesNoBrowser) {
  const char* log_root = std::getenv("CROSSCHECK_TEST_LOG_DIR");
  testing::PrivateRedis own(std::string(log_root ? log_root : "/tmp") + "/" + testing::unique_name("console-redis"));
  testing::RedisTestEnv env(own.address());
  rules::RedisClient redis(env.config());
  UserStore users(redis, env.prefix());
  UserAccount account;
  account.name = "supervisor-outage";
  account.roles = {Role::kSupervisor};
  ASSERT_TRUE(users.put_user(account, "test-admin").ok());
  auto token = users.issue_token(account.name, milliseconds(0), "test-admin", timefmt::now_ms());
  ASSERT_TRUE(token.ok()) << token.error().to_string();
  config_.redis.address = own.address();
  config_.redis.client = env.config();
  config_.redis.key_prefix = env.prefix();
  config_.console.websocket_reauth_interval = milliseconds(200);
  start_server();
  wait_ingest_ready();
  WsClient client(port(), "/api/stream", token->token);
  ASSERT_EQ(client.handshake_status, 101);
  ASSERT_TRUE(client.wait_catchup());
  auto any = [](const AlertView&) { return true; };
  const std::string before = new_flag_id("flag-before");
  send_flag(prefix_ + "border", flag_json(before, "border", "Before OUTAGE"), before);
  ASSERT_TRUE(client.wait_alert(before, any, seconds(10)));

  own.stop();
  std::vector<std::pair<std::string, std::string>> during;
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const std::string id = new_flag_id("flag-during");
    during.emplace_back(id, flag_json(id, "border", "During OUTAGE"));
    ids.insert(id);
  }
  send_flags(prefix_ + "border", during);
  ConsoleMetrics& m = server_->metrics();
  EXPECT_TRUE(testing::eventually([&] { return m.ingest_retries().Value() > 0; }, seconds(20)))
      << "the console did not notice it could not store the alerts";
  EXPECT_TRUE(testing::eventually([&] { return m.ws_reauth_errors().Value() > 0; }, seconds(10)));
  EXPECT_FALSE(client.closed()) << "a Redis outage closed the browser";
  EXPECT_EQ(client.pushed_count(ids), 0u) << "alerts were pushed that could not be stored";

  own.start();
  EXPECT_TRUE(testing::eventually([&] { return client.pushed_count(ids) == ids.size(); }, seconds(60)))
      << "pushed " << client.pushed_count(ids) << " of " << ids.size() << " after Redis came back";
  EXPECT_FALSE(client.closed());
  EXPECT_EQ(m.ws_reauth_closed().Value(), 0);
  std::map<std::string, int> stored;
  for (const auto& a : list(token->token)) ++stored[a.flag_id];
  EXPECT_EQ(stored[before], 1);
  for (const auto& id : ids) EXPECT_EQ(stored[id], 1) << id << " stored " << stored[id] << " times";
}

TEST_F(ConsoleServerTest, MalformedRecordsAreDeadLetteredAndSkipped) {
  start_server();
  wait_ingest_ready();
  WsClient border(port(), "/api/stream", officer_border_);
  ASSERT_EQ(border.handshake_status, 101);
  ASSERT_TRUE(border.wait_catchup());

  kafka_->send(prefix_ + "border", "this is not a flag", "k1");
  const std::string c = new_flag_id("flag-c");
  kafka_->send(prefix_ + "border", flag_json(c, "border", "Jan NOVAK"), c);
  // The good record behind the bad one still arrives: the bad one did not block the queue.
  EXPECT_TRUE(border.wait_alert(c, [](const AlertView&) { return true; }, seconds(10)));
  auto dead = kafka_->receive(deadletter_, 1, seconds(30));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].header("crosscheck.reason"), "json_syntax");
  EXPECT_NE(dead[0].value.find(R"("topic":")" + prefix_ + "border\""), std::string::npos) << dead[0].value;
  EXPECT_EQ(dead[0].value.find("this is not a flag"), std::string::npos) << "the original travels base64-encoded";
  EXPECT_EQ(metric("crosscheck_console_ingest_errors_total"), 1);
}

TEST_F(ConsoleServerTest, RetentionMasksThenDeletesOnAShortenedSchedule) {
  config_.retention.mask_after = seconds(2);
  config_.retention.delete_after = seconds(5);
  config_.retention.interval = milliseconds(500);
  start_server();
  wait_ingest_ready();
  WsClient border(port(), "/api/stream", officer_border_);
  ASSERT_EQ(border.handshake_status, 101);
  ASSERT_TRUE(border.wait_catchup());

  const std::string d = new_flag_id("flag-d");
  kafka_->send(prefix_ + "border", flag_json(d, "border", "Maria SILVA"), d);
  ASSERT_TRUE(border.wait_alert(d, [](const AlertView& v) { return !v.masked; }, seconds(10)));
  // The masking reaches the open browser through the change poller.
  auto masked = border.wait_alert(d, [](const AlertView& v) { return v.masked; }, seconds(15));
  ASSERT_TRUE(masked) << "the alert was not depersonalised on schedule";
  EXPECT_NE(masked->alerts[0].subject_name, "Maria SILVA");
  ASSERT_TRUE(testing::eventually([&] { return !has_flag(list(supervisor_, "?queue=border"), d); }, seconds(15)))
      << "the alert was not deleted on schedule";
  EXPECT_GE(metric("crosscheck_console_retention_masked_total"), 1);
  EXPECT_GE(metric("crosscheck_console_retention_deleted_total"), 1);
}

TEST_F(ConsoleServerTest, StaticFilesHealthMetricsAndRefusals) {
  start_server();

  // The page, with its security headers; no credential needed (it holds no data).
  auto index = http_call(port(), http::verb::get, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  EXPECT_NE(index.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(index.header("x-frame-options"), "DENY");
  EXPECT_EQ(index.header("referrer-policy"), "no-referrer");
  auto script = http_call(port(), http::verb::get, "/console.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  auto head = http_call(port(), http::verb::head, "/console.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(script.body.size()));
  EXPECT_EQ(http_call(port(), http::verb::get, "/no-such-page.html").status, 404);

  // Nothing outside the directory, however the path is spelled.
  for (const std::string target : {"/../CMakeLists.txt", "/../../../../etc/passwd", "/%2e%2e/CMakeLists.txt",
                                   "/..%2fCMakeLists.txt", "/./index.html", "//etc/passwd", "/.git/config"}) {
    auto r = raw_call(port(), "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " -> " << r.status;
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << target;
  }

  // Liveness without credentials; metrics for ops only.
  auto health = http_call(port(), http::verb::get, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(http_call(port(), http::verb::get, "/metrics").status, 401);
  EXPECT_EQ(http_call(port(), http::verb::get, "/metrics", officer_border_).status, 403);
  auto metrics = http_call(port(), http::verb::get, "/metrics", ops_);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("crosscheck_console_ws_clients"), std::string::npos);
  EXPECT_NE(metrics.body.find("crosscheck_console_http_requests_total{code=\"4xx\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("crosscheck_console_api_refusals_total{reason=\"role_forbidden\"} 1"), std::string::npos)
      << metrics.body;

  // API responses are never cached; an unauthenticated API call is 401.
  auto me = http_call(port(), http::verb::get, "/api/me", officer_border_);
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.header("cache-control"), "no-store");
  EXPECT_EQ(http_call(port(), http::verb::get, "/api/alerts").status, 401);

  // A body over http.max_body_bytes is refused from its Content-Length alone.
  auto big = raw_call(port(), "POST /api/rules/validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n"
                              "Content-Type: application/json\r\n\r\n");
  EXPECT_EQ(big.status, 413);

  // The stream wants a credential, an officer or supervisor, and a matching Origin.
  EXPECT_EQ(upgrade_status(port(), "/api/stream", ""), 401);
  EXPECT_EQ(upgrade_status(port(), "/api/stream", ops_), 403);
  EXPECT_EQ(upgrade_status(port(), "/api/stream", officer_border_, "http://evil.example"), 403);
  EXPECT_EQ(upgrade_status(port(), "/api/stream", officer_border_, "http://127.0.0.1:" + std::to_string(port())), 101);
  WsClient same_origin(port(), "/api/stream", officer_border_, "http://127.0.0.1:" + std::to_string(port()));
  EXPECT_EQ(same_origin.handshake_status, 101);
  EXPECT_TRUE(same_origin.wait_catchup());
  EXPECT_EQ(upgrade_status(port(), "/api/elsewhere", officer_border_), 404);
}

TEST_F(ConsoleServerTest, StopsPromptlyWithClientsConnected) {
  start_server();
  WsClient browser(port(), "/api/stream", supervisor_);
  ASSERT_EQ(browser.handshake_status, 101);
  ASSERT_TRUE(browser.wait_catchup());
  // An idle keep-alive connection, as browsers keep them.
  asio::io_context io;
  tcp::socket idle(io);
  idle.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port())));

  const auto before = std::chrono::steady_clock::now();
  stop_server();
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - before);
  EXPECT_LT(took, seconds(10)) << "stop() waited for the clients";
  EXPECT_TRUE(testing::eventually([&] { return browser.closed(); }, seconds(5))) << "the WebSocket was left open";
  beast::error_code ec;
  char byte = 0;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec) << "the idle connection was left open";
}

TEST_F(ConsoleServerTest, StartFailsWhenThePortIsTaken) {
  start_server();
  ConsoleConfig second = config_;
  second.http.port = port();
  ConsoleServer other(second);
  auto st = other.start();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal());
  EXPECT_NE(st.error().message().find("cannot listen"), std::string::npos) << st.error().message();
}

}  // namespace
}  // namespace crosscheck::console
