// Robustness: Redis goes away while the screener runs. The screener must keep screening with the
// last good watchlist index, say so (warning log, crosscheck_redis_up 0, reload errors counted),
// and pick up list changes again once Redis is back, without a restart.
#include <gtest/gtest.h>

#include <csignal>

#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

TEST_F(ScreenerTest, KeepsScreeningWithTheLastGoodListWhileRedisIsDownAndRecovers) {
  const char* log_root = std::getenv("CROSSCHECK_TEST_LOG_DIR");
  PrivateRedis own_redis(std::string(log_root ? log_root : "/tmp") + "/" + unique_name("private-redis"));
  RedisTestEnv redis(own_redis.address());
  ScreenerHarness h(*kafka_, redis, "degraded");
  rules::Watchlist list = make_test_list("degraded-list");
  ASSERT_EQ(h.publish(list), 1u);
  const std::size_t s = h.start();

  own_redis.stop();
  auto scrape = [&] { return http_get(h.http_port(s), "/metrics").second; };
  ASSERT_TRUE(eventually([&] { return metric_sum(scrape(), "crosscheck_redis_up") == 0 &&
                                      metric_sum(scrape(), "crosscheck_watchlist_reload_errors_total") > 0; },
                         std::chrono::seconds(15)))
      << scrape();

  // Still screening against version 1 while Redis is down.
  const PersonSpec listed{"TESTCASE", "LISTEDPERSON5", "1970-01-01", "FRA", "LT1000005"};
  kafka_->send(h.setup().itineraries, itinerary_json("while-down", {listed}));
  ASSERT_TRUE(eventually([&] { return count_flags(*kafka_, h.setup()) >= 1; }, std::chrono::seconds(30))) << h.logs();
  EXPECT_TRUE(h.process(s).running());
  EXPECT_NE(h.logs().find("watchlist refresh failed; serving the previous index"), std::string::npos);

  // Back up (append-only file: the published list survived), and a new version is picked up.
  own_redis.start();
  rules::WatchlistEntry added;
  added.id = "P-AFTER";
  added.type = rules::EntityType::kPerson;
  added.names = {"Backagain Recovered"};
  added.documents = {{"passport", "RC5500770", "PRT"}};
  list.entries.push_back(added);
  ASSERT_EQ(h.publish(list), 2u);
  ASSERT_TRUE(eventually([&] { return metric_sum(scrape(), "crosscheck_redis_up") == 1 &&
                                      metric_sum(scrape(), "crosscheck_watchlist_version", "list=\"degraded-list\"") == 2; },
                         std::chrono::seconds(15)))
      << scrape();
  kafka_->send(h.setup().itineraries,
               itinerary_json("after-recovery", {{"RECOVERED", "BACKAGAIN", "1981-06-06", "PRT", "RC5500770"}}));
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& f : all_flags(*kafka_, h.setup())) {
          if (std::get<0>(f.key) == "after-recovery" && std::get<3>(f.key) == "P-AFTER" && f.list_version == 2) return true;
        }
        return false;
      },
      std::chrono::seconds(30)))
      << h.logs();

  h.process(s).signal(SIGTERM);
  EXPECT_EQ(h.process(s).wait(std::chrono::seconds(60)).value_or(-1), 0) << h.logs();
}

}  // namespace
}  // namespace crosscheck::testing
