// Integration: the operations dashboard's collector scraping the real crosscheck-screener binary
// (tests/services/screener_harness.h) on the run's Kafka and Redis. Events are produced; the
// overview must show them consumed, flagged and dead-lettered with a non-zero rate and a latency,
// the screener's watchlist and rules, Redis up, and the screener down once it is stopped.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <simdjson.h>

#include <cmath>
#include <csignal>
#include <string>
#include <thread>

#include "crosscheck/console/ops_collector.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"
#include "screener_harness.h"
#include "stream_plan.h"

namespace crosscheck::console {
namespace {

using testing::PersonSpec;

std::string string_of(simdjson::simdjson_result<simdjson::dom::element> v) {
  std::string_view s;
  return v.get(s) ? std::string() : std::string(s);
}
double number_of(simdjson::simdjson_result<simdjson::dom::element> v) {
  double d = NAN;
  return v.get(d) ? NAN : d;
}

// The row of `array` whose `key` is `value`, or an error element.
simdjson::simdjson_result<simdjson::dom::element> row(simdjson::dom::element screener, const char* array,
                                                       const char* key, const std::string& value) {
  simdjson::dom::array rows;
  if (screener[array].get(rows)) return simdjson::NO_SUCH_FIELD;
  for (simdjson::dom::element r : rows) {
    if (string_of(r[key]) == value) return r;
  }
  return simdjson::NO_SUCH_FIELD;
}

TEST(OpsCollectorWithScreener, ShowsWhatARealScreenerDoes) {
  CROSSCHECK_REQUIRE_KAFKA();
  CROSSCHECK_REQUIRE_REDIS();
  testing::KafkaTestEnv kafka(*testing::kafka_bootstrap());
  testing::RedisTestEnv redis(*testing::redis_address());
  testing::ScreenerHarness h(kafka, redis, "ops-dash");
  ASSERT_EQ(h.publish(testing::make_test_list("ops-list")), 1u);
  const std::size_t s = h.start();

  OpsSection ops;
  ops.screeners = {{"scr", "http://127.0.0.1:" + std::to_string(h.http_port(s)) + "/metrics"}};
  ops.scrape_timeout = std::chrono::milliseconds(2000);
  ops.rate_window = std::chrono::seconds(10);
  auto registry = std::make_shared<prometheus::Registry>();
  OpsCollector collector(ops, registry);
  collector.scrape_all_once();

  // 20 clean itineraries, one whose passenger is on the list, and one that is not JSON.
  std::vector<std::string> events;
  for (int i = 0; i < 20; ++i) {
    events.push_back(testing::itinerary_json("ops-clean-" + std::to_string(i),
                                             {PersonSpec{"NOBODY", "ANNA", "1990-01-01", "DEU", "C0000" + std::to_string(100 + i)}}));
  }
  events.push_back(testing::itinerary_json("ops-hit", {PersonSpec{"TESTCASE", "LISTEDPERSON0", "1970-01-01", "FRA", "LT1000000"}}));
  events.push_back("this is not JSON");
  kafka.send_all(h.setup().itineraries, events);

  simdjson::dom::parser parser;
  simdjson::dom::element screener;
  std::string json;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    collector.scrape_all_once();
    json = collector.overview_json(timefmt::now_ms());
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
    simdjson::dom::array list;
    ASSERT_EQ(root["screeners"].get(list), simdjson::SUCCESS);
    ASSERT_EQ(list.size(), 1u);
    screener = list.at(0);
    const double consumed = number_of(row(screener, "consumed", "topic", h.setup().itineraries)["total"]);
    const double flagged = number_of(row(screener, "flags", "queue", "border")["total"]);
    if (consumed >= 22 && flagged >= 1) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the screener's work did not show up:\n" << json << "\n" << h.logs();
  }

  bool up = false;
  ASSERT_EQ(screener["up"].get(up), simdjson::SUCCESS);
  EXPECT_TRUE(up) << json;
  EXPECT_EQ(string_of(screener["instance_id"]), "screener-0");
  EXPECT_EQ(number_of(screener["redis_up"]), 1) << json;
  EXPECT_EQ(number_of(screener["ready"]), 1) << json;
  // Rates over the last 10 s: the events arrived in that window.
  EXPECT_GT(number_of(row(screener, "consumed", "topic", h.setup().itineraries)["per_s"]), 0) << json;
  EXPECT_GT(number_of(row(screener, "flags", "queue", "border")["per_s"]), 0) << json;
  EXPECT_EQ(number_of(row(screener, "deadletter", "reason", "json_syntax")["total"]), 1) << json;
  // Latency quantiles of the events in the window, in seconds: positive and ordered.
  const double p50 = number_of(screener["latency"]["p50"]);
  const double p99 = number_of(screener["latency"]["p99"]);
  EXPECT_GT(p50, 0) << json;
  EXPECT_GE(p99, p50) << json;
  EXPECT_LT(p99, 30) << json;
  // The list it screens against and the list's generated rule.
  auto list = row(screener, "watchlists", "list", "ops-list");
  EXPECT_EQ(number_of(list["version"]), 1) << json;
  const double loaded_at = number_of(list["loaded_at_ms"]);
  EXPECT_GT(loaded_at, static_cast<double>(timefmt::now_ms() - 600000)) << json;
  EXPECT_LE(loaded_at, static_cast<double>(timefmt::now_ms())) << json;
  auto rule = row(screener, "rules", "rule", "watchlist-hit:ops-list");
  EXPECT_GT(number_of(rule["cap_used"]), 0) << json;
  bool over = true;
  EXPECT_EQ(rule["over_cap"].get(over), simdjson::SUCCESS) << json;
  EXPECT_FALSE(over);

  // Stopped, the screener is shown down with the reason, its last values kept.
  h.process(s).signal(SIGTERM);
  ASSERT_TRUE(h.process(s).wait(std::chrono::seconds(30)));
  collector.scrape_all_once();
  json = collector.overview_json(timefmt::now_ms());
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS);
  screener = root["screeners"].at(0);
  ASSERT_EQ(screener["up"].get(up), simdjson::SUCCESS);
  EXPECT_FALSE(up) << json;
  EXPECT_NE(string_of(screener["error"]).find("connect failed"), std::string::npos) << json;
  EXPECT_EQ(string_of(screener["instance_id"]), "screener-0");
}

}  // namespace
}  // namespace crosscheck::console
