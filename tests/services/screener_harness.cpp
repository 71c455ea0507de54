#include "screener_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::testing {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

std::pair<int, std::string> http_get(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {0, ""};
  }
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (resp.rfind("HTTP/1.1 ", 0) != 0) return {0, resp};
  const int status = std::atoi(resp.c_str() + 9);
  const auto body = resp.find("\r\n\r\n");
  return {status, body == std::string::npos ? "" : resp.substr(body + 4)};
}

double metric_sum(const std::string& exposition, const std::string& metric, const std::string& label_filter) {
  double sum = 0;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind(metric, 0) != 0) continue;
    const char next = line.size() > metric.size() ? line[metric.size()] : '\0';
    if (next != '{' && next != ' ') continue;  // a longer metric name with this prefix
    if (!label_filter.empty() && line.find(label_filter) == std::string::npos) continue;
    sum += std::atof(line.substr(line.rfind(' ') + 1).c_str());
  }
  return sum;
}

namespace {
std::string envelope_start(const std::string& event_id) {
  std::string s = R"({"schema_version":"1.0","event_id":)";
  json::append_string(s, event_id);
  s += R"(,"event_time":")" + timefmt::format_utc_ms(timefmt::now_ms()) + "\"";
  return s;
}
}  // namespace

std::string itinerary_json(const std::string& event_id, const std::vector<PersonSpec>& passengers) {
  std::string s = envelope_start(event_id);
  s += R"(,"flight":{"carrier":"LH","number":"400","departure_airport":"FRA","arrival_airport":"JFK",)"
       R"("scheduled_departure":"2026-12-01T10:00:00Z","scheduled_arrival":"2026-12-01T18:30:00Z"},)"
       R"("pnr":{"locator":"ZX81QP"},"passengers":[)";
  for (std::size_t i = 0; i < passengers.size(); ++i) {
    const auto& p = passengers[i];
    if (i) s += ',';
    std::string o;
    json::Writer w(o);
    w.begin_object()
        .field("surname", p.surname)
        .field("given_names", p.given_names)
        .field("date_of_birth", p.date_of_birth)
        .field("sex", "X")
        .field("nationality", p.nationality)
        .key("document")
        .begin_object()
        .field("type", "P")
        .field("number", p.document)
        .field("issuing_state", p.nationality)
        .field("expiry", "2031-05-31")
        .end_object()
        .end_object();
    s += o;
  }
  s += "]}";
  return s;
}

std::string manifest_json(const std::string& event_id, const std::string& consignor, const std::string& consignee,
                          const std::string& imo) {
  std::string s = envelope_start(event_id);
  std::string o;
  json::Writer w(o);
  w.key("lrn").string("LRN-" + event_id).key("transport_mode").string("sea");
  w.key("conveyance").begin_object().field("imo", imo).field("name", "TEST CARRIER").end_object();
  w.key("consignor").begin_object().field("name", consignor).field("country", "CN").end_object();
  w.key("consignee").begin_object().field("name", consignee).field("country", "NL").end_object();
  w.key("goods").begin_array().begin_object().field("hs_code", "850440").field("description", "power supplies")
      .field("container", "CSQU3054383").end_object().end_array();
  return s + "," + o + "}";
}

std::string payment_json(const std::string& event_id, const std::string& debtor, const std::string& debtor_iban,
                         const std::string& creditor, const std::string& creditor_iban, const std::string& amount) {
  std::string s = envelope_start(event_id);
  std::string o;
  json::Writer w(o);
  w.key("message_id").string("MSG-" + event_id).key("end_to_end_id").string("E2E-" + event_id);
  w.key("amount").begin_object().field("value", amount).field("currency", "EUR").end_object();
  w.key("debtor").begin_object().field("name", debtor).field("country", "DE").field("iban", debtor_iban).end_object();
  w.key("creditor").begin_object().field("name", creditor).field("country", "NL").field("iban", creditor_iban).end_object();
  return s + "," + o + "}";
}

std::string make_imo(int seed) {
  // IMO check digit: the first six digits weighted 7..2, sum mod 10.
  const int six = 900000 + (seed % 99999);
  const std::string d = std::to_string(six);
  int sum = 0;
  for (int i = 0; i < 6; ++i) sum += (d[i] - '0') * (7 - i);
  return d + std::to_string(sum % 10);
}

std::string make_iban(const std::string& country, const std::string& bban) {
  // ISO 13616: move country+"00" to the end, letters to numbers, 98 - (n mod 97).
  std::string rearranged = bban + country + "00";
  int mod = 0;
  for (char c : rearranged) {
    const int v = (c >= 'A' && c <= 'Z') ? c - 'A' + 10 : c - '0';
    mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
  }
  const int check = 98 - mod;
  return country + (check < 10 ? "0" : "") + std::to_string(check) + bban;
}

ScreenerHarness::ScreenerHarness(KafkaTestEnv& kafka, RedisTestEnv& redis, const std::string& stem,
                                 const std::string& extra_yaml)
    : kafka_(kafka), redis_(redis), extra_yaml_(extra_yaml) {
  setup_.itineraries = kafka.make_topic(stem + "-itineraries", 4);
  setup_.manifests = kafka.make_topic(stem + "-manifests", 4);
  setup_.payments = kafka.make_topic(stem + "-payments", 4);
  setup_.deadletter = kafka.make_topic(stem + "-deadletter", 2);
  setup_.flags_prefix = unique_name(stem + "-flags") + ".";
  for (const char* q : {"border", "customs", "payments"}) kafka.create_topic(setup_.flags_prefix + q, 4);
  setup_.group = unique_name(stem + "-group");
  setup_.redis_prefix = redis.prefix();
  const char* log_root = std::getenv("CROSSCHECK_TEST_LOG_DIR");
  setup_.log_dir = std::string(log_root ? log_root : "/tmp") + "/" + unique_name(stem);
  std::filesystem::create_directories(setup_.log_dir);
  setup_.config_path = setup_.log_dir + "/screener.yaml";
}

ScreenerHarness::~ScreenerHarness() {
  for (auto& p : processes_) {
    if (p->running()) {
      p->signal(SIGTERM);
      if (!p->wait(std::chrono::seconds(30))) p->signal(SIGKILL);
    }
  }
}

std::size_t ScreenerHarness::start(std::chrono::milliseconds ready_timeout) {
  const std::size_t i = processes_.size();
  const int port = free_port();
  std::ofstream cfg(setup_.config_path + "." + std::to_string(i));
  cfg << "instance_id: screener-" << i << "\n"
      << "kafka:\n"
      << "  bootstrap_servers: " << *kafka_bootstrap() << "\n"
      << "  group_id: " << setup_.group << "\n"
      << "  commit_interval_ms: 200\n"
      << "  create_topics: false\n"
      << "  consumer_properties:\n"
      << "    session.timeout.ms: \"6000\"\n"
      << "    heartbeat.interval.ms: \"1000\"\n"
      << "topics:\n"
      << "  itineraries: " << setup_.itineraries << "\n"
      << "  manifests: " << setup_.manifests << "\n"
      << "  payments: " << setup_.payments << "\n"
      << "  deadletter: " << setup_.deadletter << "\n"
      << "  flags_prefix: " << setup_.flags_prefix << "\n"
      << "redis:\n"
      << "  address: " << redis_.address() << "\n"
      << "  key_prefix: \"" << setup_.redis_prefix << "\"\n"
      << "watchlists:\n"
      << "  poll_interval_ms: 200\n"
      << "http:\n"
      << "  port: " << port << "\n"
      << extra_yaml_;
  cfg.close();
  processes_.push_back(std::make_unique<ChildProcess>(
      std::vector<std::string>{bin_dir() + "/crosscheck-screener", "--config", setup_.config_path + "." + std::to_string(i)},
      std::map<std::string, std::string>{}, setup_.log_dir + "/screener-" + std::to_string(i) + ".log"));
  ports_.push_back(port);
  const bool ready = eventually([&] { return http_get(port, "/readyz").first == 200 || !processes_[i]->running(); },
                                ready_timeout);
  EXPECT_TRUE(ready && processes_[i]->running()) << "screener " << i << " did not become ready:\n" << logs();
  return i;
}

std::string ScreenerHarness::logs() const {
  std::string all;
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    all += "---- screener " + std::to_string(i) + " (" + processes_[i]->log_path() + ")\n";
    std::string log = processes_[i]->log_contents();
    if (log.size() > 8000) log = "..." + log.substr(log.size() - 8000);
    all += log;
  }
  return all;
}

std::uint64_t ScreenerHarness::publish(const rules::Watchlist& list) {
  rules::RedisClient client(redis_.config());
  rules::WatchlistStore store(client, setup_.redis_prefix);
  auto v = store.publish(list);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().to_string());
  return v.ok() ? *v : 0;
}

}  // namespace crosscheck::testing
