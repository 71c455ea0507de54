// End-to-end harness for the screener: a unique set of topics, a consumer group and a Redis
// prefix per test, a YAML configuration for them, the real crosscheck-screener binary as a child
// process, and builders for valid and malformed events.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "crosscheck/rules/watchlist.h"
#include "crosscheck/testing/child_process.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/redis_test_env.h"

namespace crosscheck::testing {

// GET http://127.0.0.1:port/path -> {status, body}; status 0 when the connection failed.
std::pair<int, std::string> http_get(int port, const std::string& path);
// Sum of every sample of `metric` (optionally only series whose labels contain `label_filter`).
double metric_sum(const std::string& exposition, const std::string& metric, const std::string& label_filter = "");

// ---- event builders (wire format of docs/events.md) ----------------------------------------------

struct PersonSpec {
  std::string surname, given_names, date_of_birth, nationality, document;
};
std::string itinerary_json(const std::string& event_id, const std::vector<PersonSpec>& passengers);
std::string manifest_json(const std::string& event_id, const std::string& consignor, const std::string& consignee,
                          const std::string& imo);
std::string payment_json(const std::string& event_id, const std::string& debtor, const std::string& debtor_iban,
                         const std::string& creditor, const std::string& creditor_iban, const std::string& amount = "2500.00");

// An ICAO 9303 TD3 machine-readable zone (2 lines of 44) for a passport, with correct check digits.
// Dates are YYYY-MM-DD; sex is F, M or X.
std::vector<std::string> make_td3_mrz(const PersonSpec& p, const std::string& sex, const std::string& expiry);
// Adds "mrz":[...] to the first passenger's document of an itinerary built by itinerary_json.
std::string with_mrz(std::string itinerary, const std::vector<std::string>& mrz);

// Valid identifiers with correct check digits.
std::string make_imo(int seed);                                      // 7 digits, valid check digit
std::string make_iban(const std::string& country, const std::string& bban);  // mod-97 check digits computed

// ---- the screener under test --------------------------------------------------------------------

struct ScreenerSetup {
  std::string itineraries, manifests, payments, deadletter, flags_prefix, group;
  std::string redis_prefix;
  std::string audit;  // the topic the audit stream is mirrored to
  std::string config_path;
  std::string log_dir;
  std::string flags_topic(const std::string& queue) const { return flags_prefix + queue; }
};

class ScreenerHarness {
 public:
  ScreenerHarness(KafkaTestEnv& kafka, RedisTestEnv& redis, const std::string& stem,
                  const std::string& extra_yaml = "");
  ~ScreenerHarness();

  const ScreenerSetup& setup() const { return setup_; }
  // Starts a screener process (several may run at once, in the same consumer group).
  // Waits until its /readyz answers 200. Returns its index.
  std::size_t start(std::chrono::milliseconds ready_timeout = std::chrono::seconds(60));
  ChildProcess& process(std::size_t i) { return *processes_.at(i); }
  int http_port(std::size_t i) const { return ports_.at(i); }
  std::string logs() const;

  // Publishes a watchlist under this test's Redis prefix; returns the version.
  std::uint64_t publish(const rules::Watchlist& list);
  // Validates a rule (JSON), stores it as "rule-author", approves it as "rule-approver" and
  // activates it; returns the stored version (0 after a test failure).
  std::uint64_t activate_rule(const std::string& rule_json, std::int64_t now_ms);

 private:
  KafkaTestEnv& kafka_;
  RedisTestEnv& redis_;
  ScreenerSetup setup_;
  std::string extra_yaml_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
  std::vector<int> ports_;
};

}  // namespace crosscheck::testing
