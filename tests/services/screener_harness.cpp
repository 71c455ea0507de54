#include "screener_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::testing {

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
       R"("pnr":{"locator":"ZX81QP","booking_date":"2026-11-02","form_of_payment":"card"},"passengers":[)";
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
        .field("embarkation", "FRA")
        .field("debarkation", "JFK")
        .field("seat", std::to_string(10 + i) + "C")
        .field("bags", static_cast<int>(i % 3))
        .end_object();
    s += o;
  }
  s += "]}";
  return s;
}

namespace {
// Local reference numbers are alphanumeric, at most 22 characters.
std::string alnum(const std::string& s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) && out.size() < max) out.push_back(c);
  }
  return out;
}
}  // namespace

std::string manifest_json(const std::string& event_id, const std::string& consignor, const std::string& consignee,
                          const std::string& imo) {
  std::string s = envelope_start(event_id);
  std::string o;
  json::Writer w(o);
  w.key("lrn").string("LRN" + alnum(event_id, 19)).key("transport_mode").string("sea");
  w.key("conveyance").begin_object().field("imo", imo).field("name", "TEST CARRIER").field("nationality", "MT").end_object();
  w.key("routing_countries").begin_array().string("CN").string("SG").string("NL").end_array();
  w.field("place_of_loading", "CNSHA").field("place_of_unloading", "NLRTM").field("first_place_of_arrival", "NLRTM");
  w.field("estimated_arrival", "2026-12-03T06:00:00Z").field("transport_document_number", "MSCU" + alnum(event_id, 20));
  w.key("consignor").begin_object().field("name", consignor)
      .key("address").begin_object().field("city", "Shanghai").field("country", "CN").end_object().end_object();
  w.key("consignee").begin_object().field("name", consignee)
      .key("address").begin_object().field("city", "Rotterdam").field("country", "NL").end_object().end_object();
  w.key("goods").begin_array().begin_object().field("hs_code", "850440").field("description", "power supplies")
      .key("packages").begin_object().field("count", 40).field("type", "PK").end_object()
      .field("gross_mass_kg", "1250.5").field("container", "CSQU3054383").end_object().end_array();
  return s + "," + o + "}";
}

namespace {
// A lowercase RFC 4122 version 4 UUID derived from `seed`, so plans are reproducible.
std::string uuid_v4(const std::string& seed) {
  std::uint64_t a = 1469598103934665603ULL, b = 1099511628211ULL;
  for (char c : seed) {
    a = (a ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    b = (b ^ static_cast<unsigned char>(c)) * 6364136223846793005ULL + 1;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%x%03x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                8 + static_cast<unsigned>(b >> 62), static_cast<unsigned>((b >> 48) & 0xfff),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}
}  // namespace

std::string payment_json(const std::string& event_id, const std::string& debtor, const std::string& debtor_iban,
                         const std::string& creditor, const std::string& creditor_iban, const std::string& amount) {
  std::string s = envelope_start(event_id);
  std::string o;
  json::Writer w(o);
  w.key("message_id").string("MSG-" + event_id).key("creation_time").string("2026-11-21T07:59:00Z");
  w.key("end_to_end_id").string("E2E-" + event_id).key("uetr").string(uuid_v4(event_id));
  w.key("amount").begin_object().field("value", amount).field("currency", "EUR").end_object();
  w.field("settlement_date", "2026-11-21");
  w.key("debtor").begin_object().field("name", debtor).field("postal_country", "DE")
      .key("account").begin_object().field("iban", debtor_iban).end_object().field("agent_bic", "COBADEFFXXX").end_object();
  w.key("creditor").begin_object().field("name", creditor).field("postal_country", "NL")
      .key("account").begin_object().field("iban", creditor_iban).end_object().field("agent_bic", "INGBNL2A").end_object();
  w.key("remittance_information").string("Invoice " + alnum(event_id, 20));
  return s + "," + o + "}";
}

namespace {
int icao_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 0;  // '<'
}
char icao_check_digit(const std::string& field) {
  static constexpr int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) sum += icao_value(field[i]) * kWeights[i % 3];
  return static_cast<char>('0' + sum % 10);
}
std::string mrz_field(std::string s, std::size_t width) {
  for (char& c : s) c = c == ' ' || c == '-' ? '<' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  s.resize(width, '<');
  return s;
}
std::string yymmdd(const std::string& date) { return date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2); }
}  // namespace

std::vector<std::string> make_td3_mrz(const PersonSpec& p, const std::string& sex, const std::string& expiry) {
  const std::string line1 = mrz_field("P<" + p.nationality + p.surname + "<<" + p.given_names, 44);
  const std::string doc = mrz_field(p.document, 9);
  const std::string dob = yymmdd(p.date_of_birth);
  const std::string exp = yymmdd(expiry);
  const std::string personal(14, '<');
  std::string line2 = doc + icao_check_digit(doc) + p.nationality + dob + icao_check_digit(dob) + sex + exp +
                      icao_check_digit(exp) + personal + icao_check_digit(personal);
  const std::string composite = line2.substr(0, 10) + line2.substr(13, 7) + line2.substr(21, 22);
  line2 += icao_check_digit(composite);
  return {line1, line2};
}

std::string with_mrz(std::string itinerary, const std::vector<std::string>& mrz) {
  std::string arr = ",\"mrz\":[";
  for (std::size_t i = 0; i < mrz.size(); ++i) {
    if (i) arr += ',';
    json::append_string(arr, mrz[i]);
  }
  arr += "]";
  const auto pos = itinerary.find("\"expiry\":\"2031-05-31\"");
  return itinerary.insert(pos + std::string("\"expiry\":\"2031-05-31\"").size(), arr);
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
  for (const char* q : {"border", "customs", "payments", "rule-governance"}) kafka.create_topic(setup_.flags_prefix + q, 4);
  setup_.audit = kafka.make_topic(stem + "-audit", 1);
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
      << "rules:\n"
      << "  audit_topic: " << setup_.audit << "\n"
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

std::uint64_t ScreenerHarness::activate_rule(const std::string& rule_json, std::int64_t now_ms) {
  std::vector<rules::RuleViolation> violations;
  auto rule = rules::parse_and_validate_rule(rule_json, rules::RulePolicy{}, now_ms, violations);
  std::string why;
  for (const auto& v : violations) why += v.code + " at " + v.path + ": " + v.message + "\n";
  EXPECT_TRUE(rule.has_value() && violations.empty()) << why;
  if (!rule || !violations.empty()) return 0;
  rules::RedisClient client(redis_.config());
  rules::RuleStore store(client, setup_.redis_prefix);
  auto put = store.put(*rule, "rule-author", now_ms);
  EXPECT_TRUE(put.ok()) << (put.ok() ? "" : put.error().to_string());
  if (!put.ok()) return 0;
  const std::uint64_t version = put->rule.version;
  auto approved = store.approve(rule->id, version, "rule-approver", "checked in the test", now_ms);
  EXPECT_TRUE(approved.ok()) << (approved.ok() ? "" : approved.error().to_string());
  auto activated = store.activate(rule->id, version, "rule-approver", now_ms);
  EXPECT_TRUE(activated.ok()) << (activated.ok() ? "" : activated.error().to_string());
  return activated.ok() ? version : 0;
}

}  // namespace crosscheck::testing
