// The operations dashboard's collector against small HTTP servers in this process: a screener
// that answers, one that refuses connections, answers 500, sends no valid exposition, or never
// answers. Checks the dashboard JSON (GET /api/ops/overview) and the collector's own metrics.
#include "crosscheck/console/ops_collector.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/text_serializer.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using ::testing::HasSubstr;

// A one-connection-at-a-time HTTP server on 127.0.0.1 that answers every request with what the
// test set: a status and a body, or nothing at all (the connection stays open until the next one).
class FakeScreener {
 public:
  FakeScreener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeScreener() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    if (held_ >= 0) ::close(held_);
  }
  void answer(int status, std::string body) {
    std::lock_guard lock(mutex_);
    status_ = status;
    body_ = std::move(body);
    silent_ = false;
  }
  void go_silent() {
    std::lock_guard lock(mutex_);
    silent_ = true;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/metrics"; }
  int requests() const { return requests_.load(); }

 private:
  void serve() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      ++requests_;
      std::lock_guard lock(mutex_);
      if (silent_) {
        if (held_ >= 0) ::close(held_);
        held_ = c;  // never answered
        continue;
      }
      const std::string response = "HTTP/1.1 " + std::to_string(status_) + " X\r\nContent-Type: text/plain\r\n" +
                                   "Content-Length: " + std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      std::size_t sent = 0;
      while (sent < response.size()) {
        const ssize_t n = ::send(c, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  int held_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  int status_ = 200;
  std::string body_;
  bool silent_ = false;
};

// A port on 127.0.0.1 where nothing listens.
int refused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::string exposition(double consumed, double flags, double bucket_fast, double bucket_all, double over_cap) {
  return "# TYPE crosscheck_events_consumed_total counter\n"
         "crosscheck_screener_info{instance_id=\"scr-1\"} 1\n"
         "crosscheck_events_consumed_total{topic=\"transit.itineraries\"} " + std::to_string(consumed) + "\n"
         "crosscheck_flags_published_total{queue=\"border\"} " + std::to_string(flags) + "\n"
         "crosscheck_deadletter_records_total{reason=\"invalid_json\"} 0\n"
         "crosscheck_deadletter_records_total{reason=\"missing_field\"} 3\n"
         "crosscheck_end_to_end_latency_seconds_bucket{outcome=\"clean\",le=\"0.01\"} " + std::to_string(bucket_fast) + "\n"
         "crosscheck_end_to_end_latency_seconds_bucket{outcome=\"clean\",le=\"+Inf\"} " + std::to_string(bucket_all) + "\n"
         "crosscheck_consumer_lag{topic=\"transit.itineraries\",partition=\"10\"} 4\n"
         "crosscheck_consumer_lag{topic=\"transit.itineraries\",partition=\"2\"} 6\n"
         "crosscheck_rule_cap_used_ratio{rule=\"quiet\"} 0.1\n"
         "crosscheck_rule_over_cap{rule=\"quiet\"} 0\n"
         "crosscheck_rule_cap_used_ratio{rule=\"noisy\"} 1.5\n"
         "crosscheck_rule_over_cap{rule=\"noisy\"} " + std::to_string(over_cap) + "\n"
         "crosscheck_watchlist_version{list=\"demo\"} 2\n"
         "crosscheck_watchlist_entries{list=\"demo\"} 10\n"
         "crosscheck_watchlist_loaded_timestamp_seconds{list=\"demo\"} 1764800000\n"
         "crosscheck_redis_up 1\n"
         "crosscheck_kafka_brokers_up 1\n"
         "crosscheck_ready 1\n";
}

OpsSection section(std::vector<OpsScreenerTarget> targets) {
  OpsSection ops;
  ops.screeners = std::move(targets);
  ops.scrape_interval = std::chrono::milliseconds(250);
  ops.scrape_timeout = std::chrono::milliseconds(200);
  ops.rate_window = std::chrono::seconds(10);
  ops.history = std::chrono::seconds(60);
  return ops;
}

// The JSON of one screener in the overview, by name.
simdjson::dom::element screener(simdjson::dom::parser& parser, const std::string& json, const std::string& name) {
  simdjson::dom::element root = parser.parse(json);
  for (simdjson::dom::element s : root["screeners"].get_array()) {
    if (std::string_view(s["name"].get_string()) == name) return s;
  }
  ADD_FAILURE() << "no screener " << name << " in " << json;
  throw std::runtime_error("missing screener");
}

double metric(prometheus::Registry& registry, const std::string& name, const std::string& labels) {
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  const std::string key = name + "{" + labels + "} ";
  const auto at = text.find(key);
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + key.size()));
}

TEST(OpsCollector, ScrapesComputesRatesAndWritesTheOverview) {
  FakeScreener fake;
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(section({{"scr-a", fake.url()}}), registry);
  fake.answer(200, exposition(100, 5, 0, 0, 1));
  collector.scrape_all_once();
  // Let the wall clock move on: rates are per second of it.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fake.answer(200, exposition(160, 8, 90, 100, 1));
  collector.scrape_all_once();
  EXPECT_EQ(fake.requests(), 2);

  const std::string json = collector.overview_json(timefmt::now_ms());
  simdjson::dom::parser parser;
  auto s = screener(parser, json, "scr-a");
  EXPECT_TRUE(bool(s["up"].get_bool()));
  EXPECT_EQ(std::string_view(s["instance_id"].get_string()), "scr-1");
  EXPECT_EQ(std::string_view(s["error"].get_string()), "");
  EXPECT_EQ(std::uint64_t(s["scrapes"].get_uint64()), 2u);

  // The rates: the increase over the time between the two scrapes, as the history says.
  auto t = s["history"]["t"].get_array();
  ASSERT_EQ(t.size(), 2u);
  const double dt_s = static_cast<double>(std::int64_t(t.at(1).get_int64()) - std::int64_t(t.at(0).get_int64())) / 1000.0;
  ASSERT_GT(dt_s, 0);
  auto consumed = s["consumed"].get_array();
  ASSERT_EQ(consumed.size(), 1u);
  EXPECT_EQ(std::string_view(consumed.at(0)["topic"].get_string()), "transit.itineraries");
  EXPECT_NEAR(double(consumed.at(0)["per_s"].get_double()), 60 / dt_s, 60 / dt_s * 1e-3);
  EXPECT_EQ(double(consumed.at(0)["total"].get_double()), 160);
  auto flags = s["flags"].get_array();
  EXPECT_NEAR(double(flags.at(0)["per_s"].get_double()), 3 / dt_s, 3 / dt_s * 1e-3);
  auto history_consumed = s["history"]["consumed"]["transit.itineraries"].get_array();
  EXPECT_TRUE(history_consumed.at(0).is_null()) << "one scrape gives no rate";
  EXPECT_NEAR(double(history_consumed.at(1).get_double()), 60 / dt_s, 60 / dt_s * 1e-3);

  // 90 of 100 new observations <= 10 ms: p50 = 0.01 * 50/90; p99 and p99.9 in +Inf: 0.01.
  EXPECT_NEAR(double(s["latency"]["p50"].get_double()), 0.01 * 50 / 90, 1e-6);
  EXPECT_NEAR(double(s["latency"]["p99"].get_double()), 0.01, 1e-9);
  EXPECT_NEAR(double(s["history"]["p999"].get_array().at(1).get_double()), 0.01, 1e-9);

  // Only dead-letter reasons that occurred; lag by partition number; over-cap rules first.
  auto dl = s["deadletter"].get_array();
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(std::string_view(dl.at(0)["reason"].get_string()), "missing_field");
  EXPECT_EQ(double(dl.at(0)["per_s"].get_double()), 0);
  auto lag = s["lag"].get_array();
  ASSERT_EQ(lag.size(), 2u);
  EXPECT_EQ(std::string_view(lag.at(0)["partition"].get_string()), "2");
  EXPECT_EQ(std::string_view(lag.at(1)["partition"].get_string()), "10");
  EXPECT_EQ(double(s["lag_total"].get_double()), 10);
  auto rules = s["rules"].get_array();
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(std::string_view(rules.at(0)["rule"].get_string()), "noisy");
  EXPECT_TRUE(bool(rules.at(0)["over_cap"].get_bool()));
  EXPECT_FALSE(bool(rules.at(1)["over_cap"].get_bool()));
  auto lists = s["watchlists"].get_array();
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(std::int64_t(lists.at(0)["loaded_at_ms"].get_int64()), 1764800000000);
  EXPECT_EQ(double(lists.at(0)["version"].get_double()), 2);
  EXPECT_EQ(double(s["redis_up"].get_double()), 1);
  EXPECT_EQ(double(s["kafka_brokers_up"].get_double()), 1);

  EXPECT_EQ(metric(*registry, "crosscheck_console_ops_scrapes_total", "result=\"ok\",screener=\"scr-a\""), 2);
  EXPECT_EQ(metric(*registry, "crosscheck_console_ops_screener_up", "screener=\"scr-a\""), 1);
}

TEST(OpsCollector, AScreenerThatFailsIsShownDownWithTheReason) {
  FakeScreener broken, garbage, silent;
  broken.answer(500, "oops");
  garbage.answer(200, "crosscheck_events_consumed_total{topic=\"x\" 1\n");
  silent.go_silent();
  const std::string refused = "http://127.0.0.1:" + std::to_string(refused_port()) + "/metrics";
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(section({{"refused", refused}, {"http500", broken.url()}, {"garbage", garbage.url()},
                                  {"silent", silent.url()}}),
                         registry);
  {
    // Before the first scrape.
    simdjson::dom::parser parser;
    const std::string json = collector.overview_json(timefmt::now_ms());
    auto s = screener(parser, json, "refused");
    EXPECT_FALSE(bool(s["up"].get_bool()));
    EXPECT_FALSE(bool(s["scraped"].get_bool()));
    EXPECT_EQ(std::string_view(s["error"].get_string()), "not scraped yet");
  }
  collector.scrape_all_once();
  const std::string json = collector.overview_json(timefmt::now_ms());
  simdjson::dom::parser parser;
  const std::pair<const char*, const char*> expected[] = {
      {"refused", "connect failed"},
      {"http500", "HTTP 500"},
      {"garbage", "not a valid exposition: line 1: expected ',' or '}'"},
      {"silent", "no answer within 200 ms (response)"},
  };
  for (const auto& [name, says] : expected) {
    SCOPED_TRACE(name);
    auto s = screener(parser, json, name);
    EXPECT_FALSE(bool(s["up"].get_bool()));
    EXPECT_TRUE(bool(s["scraped"].get_bool()));
    EXPECT_THAT(std::string(std::string_view(s["error"].get_string())), HasSubstr(says));
    EXPECT_EQ(std::uint64_t(s["scrape_errors"].get_uint64()), 1u);
    EXPECT_TRUE(s["history"]["p99"].get_array().at(0).is_null());
    EXPECT_EQ(metric(*registry, "crosscheck_console_ops_scrapes_total",
                     std::string("result=\"error\",screener=\"") + name + "\""),
              1);
    EXPECT_EQ(metric(*registry, "crosscheck_console_ops_screener_up", std::string("screener=\"") + name + "\""), 0);
  }
}

TEST(OpsCollector, AScreenerThatComesBackKeepsItsLastValuesMeanwhile) {
  FakeScreener fake;
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(section({{"scr", fake.url()}}), registry);
  fake.answer(200, exposition(10, 0, 0, 0, 0));
  collector.scrape_all_once();
  fake.answer(503, "");
  collector.scrape_all_once();
  simdjson::dom::parser parser;
  std::string json = collector.overview_json(timefmt::now_ms());
  auto down = screener(parser, json, "scr");
  EXPECT_FALSE(bool(down["up"].get_bool()));
  // The last values seen stay on the page (marked stale by "up": false) rather than vanish.
  EXPECT_EQ(std::string_view(down["instance_id"].get_string()), "scr-1");
  EXPECT_EQ(double(down["consumed"].get_array().at(0)["total"].get_double()), 10);
  EXPECT_GT(std::int64_t(down["last_success_ms"].get_int64()), 0);
  fake.answer(200, exposition(20, 0, 0, 0, 0));
  collector.scrape_all_once();
  json = collector.overview_json(timefmt::now_ms());
  auto up = screener(parser, json, "scr");
  EXPECT_TRUE(bool(up["up"].get_bool()));
  EXPECT_EQ(std::uint64_t(up["scrape_errors"].get_uint64()), 1u);
  EXPECT_EQ(up["history"]["t"].get_array().size(), 3u);
}

TEST(OpsCollector, ThreadsScrapeUntilStopped) {
  FakeScreener a, b;
  a.answer(200, exposition(1, 0, 0, 0, 0));
  b.answer(200, exposition(1, 0, 0, 0, 0));
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(section({{"a", a.url()}, {"b", b.url()}}), registry);
  collector.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((a.requests() < 3 || b.requests() < 3) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  collector.stop();
  EXPECT_GE(a.requests(), 3);
  EXPECT_GE(b.requests(), 3);
  const int after_stop = a.requests();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(a.requests(), after_stop) << "no scrape after stop()";
  collector.stop();  // idempotent
}

TEST(OpsCollector, NoScreenersConfiguredGivesAnEmptyList) {
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(OpsSection{}, registry);
  collector.start();
  const std::string json = collector.overview_json(1234);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json);
  EXPECT_EQ(root["screeners"].get_array().size(), 0u);
  EXPECT_EQ(std::int64_t(root["now_ms"].get_int64()), 1234);
  EXPECT_EQ(std::int64_t(root["scrape_interval_ms"].get_int64()), 1000);
  EXPECT_EQ(std::int64_t(root["history_seconds"].get_int64()), 300);
  EXPECT_EQ(std::int64_t(root["rate_window_seconds"].get_int64()), 10);
}

TEST(ScrapeUrl, AcceptsPlainHttpOnly) {
  auto u = parse_scrape_url("http://10.0.0.5:9464/metrics");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "10.0.0.5");
  EXPECT_EQ(u->port, "9464");
  EXPECT_EQ(u->target, "/metrics");
  auto d = parse_scrape_url("http://screener-a.internal");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, "80");
  EXPECT_EQ(d->target, "/metrics");
  auto q = parse_scrape_url("http://h:1/custom/path?x=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->target, "/custom/path?x=1");
  for (const char* bad : {"", "https://h:9464/metrics", "http://", "http://:9464/", "http://h:0/", "http://h:65536/",
                          "http://h:x/", "http://user@h/", "http://h/a b", "http://h/a#frag", "http://[::1]:9464/",
                          "ftp://h/", "http://-h/", "http://h:/", "HTTP://h/", "http://h\n/"}) {
    EXPECT_FALSE(parse_scrape_url(bad)) << bad;
  }
}

}  // namespace
}  // namespace crosscheck::console
