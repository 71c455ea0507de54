// Robustness: Redis goes away while the screener runs. The screener must keep screening with the
// last good watchlist index, say so (warning log, crosscheck_redis_up 0, reload errors counted),
// and pick up list changes again once Redis is back, without a restart.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>

#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

// A Redis of this test's own (ops/redis, like every server here), so it can be stopped without
// disturbing the tests that share the run's Redis.
class PrivateRedis {
 public:
  explicit PrivateRedis(const std::string& state_dir) : port_(free_port()), dir_(state_dir) {
    std::filesystem::create_directories(dir_);
    run("start");
  }
  ~PrivateRedis() { run("stop"); }
  void start() { run("start"); }
  void stop() { run("stop"); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void run(const std::string& verb) {
    const auto [status, output] =
        run_command({source_dir() + "/ops/redis", verb, "--port", std::to_string(port_)}, {{"CROSSCHECK_RUN_DIR", dir_}});
    EXPECT_EQ(status, 0) << "ops/redis " << verb << ": " << output;
  }
  int port_;
  std::string dir_;
};

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
