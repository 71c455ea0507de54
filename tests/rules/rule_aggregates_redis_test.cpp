// Integration: RedisAggregateStore (windowed aggregates of rule conditions) against the real Redis.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_aggregates.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

constexpr std::int64_t kHour = 3600 * 1000;

class AggregatesRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    RedisAggregateOptions opts;
    opts.prefix = env_->prefix();
    store_ = std::make_unique<RedisAggregateStore>(env_->config(), opts);
  }

  std::int64_t observe_one(const std::string& key, const std::string& member, std::int64_t at, std::int64_t within) {
    const AggregateObservation o{key, member, at, within};
    std::vector<std::int64_t> counts;
    auto s = store_->observe(std::span<const AggregateObservation>(&o, 1), counts);
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return counts.empty() ? -1 : counts[0];
  }

  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisAggregateStore> store_;
};

TEST_F(AggregatesRedisTest, EventWindowSlides) {
  const std::int64_t t = 1'790'000'000'000;
  EXPECT_EQ(observe_one("r|1|0|k", "e1", t, kHour), 1);
  EXPECT_EQ(observe_one("r|1|0|k", "e2", t + 10 * 60'000, kHour), 2);
  EXPECT_EQ(observe_one("r|1|0|k", "e3", t + 50 * 60'000, kHour), 3);
  EXPECT_EQ(observe_one("r|1|0|k", "e4", t + kHour, kHour), 4) << "the window includes its start";
  EXPECT_EQ(observe_one("r|1|0|k", "e5", t + kHour + 1, kHour), 4) << "e1 slid out";
  EXPECT_EQ(observe_one("r|1|0|k", "e6", t + 2 * kHour, kHour), 3);  // e4, e5 and e6
  auto card = redis_->command({"ZCARD", env_->prefix() + "agg:r|1|0|k"});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->integer, 3) << "what slid out was removed, not only left uncounted";
  // A different key counts apart.
  EXPECT_EQ(observe_one("r|1|0|other", "e7", t, kHour), 1);
}

TEST_F(AggregatesRedisTest, DistinctValuesCountOnce) {
  const std::int64_t t = 1'790'000'000'000;
  // "3 payments from the same debtor to different creditors": members are hashes of the creditor.
  EXPECT_EQ(observe_one("d", "creditor-hash-a", t, 24 * kHour), 1);
  EXPECT_EQ(observe_one("d", "creditor-hash-a", t + 1000, 24 * kHour), 1);
  EXPECT_EQ(observe_one("d", "creditor-hash-b", t + 2000, 24 * kHour), 2);
  EXPECT_EQ(observe_one("d", "creditor-hash-a", t + 3000, 24 * kHour), 2);
  EXPECT_EQ(observe_one("d", "creditor-hash-c", t + 4000, 24 * kHour), 3);
  // A repeated value keeps its latest time: "a" (last seen at t + 3000) is still inside here.
  EXPECT_EQ(observe_one("d", "creditor-hash-d", t + 24 * kHour + 2500, 24 * kHour), 3);  // a, c, d
}

TEST_F(AggregatesRedisTest, OutOfOrderEventsCountOnlyTheirOwnWindow) {
  const std::int64_t t = 1'790'000'000'000;
  EXPECT_EQ(observe_one("o", "late", t + 2 * kHour, kHour), 1);
  // An older event arriving afterwards does not see the later one in its window...
  EXPECT_EQ(observe_one("o", "early", t, kHour), 1);
  // ...and does not move a repeated member's time backwards (ZADD GT).
  EXPECT_EQ(observe_one("o", "late", t + 30 * 60'000, kHour), 2);
  auto score = redis_->command({"ZSCORE", env_->prefix() + "agg:o", "late"});
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->str, std::to_string(t + 2 * kHour));
}

TEST_F(AggregatesRedisTest, SeveralObservationsInOneCall) {
  const std::int64_t t = 1'790'000'000'000;
  std::vector<AggregateObservation> obs{
      {"m|a", "x", t, kHour}, {"m|b", "y", t, kHour}, {"m|a", "z", t + 1, kHour}, {"m|a", "x", t + 2, kHour}};
  std::vector<std::int64_t> counts;
  ASSERT_TRUE(store_->observe(obs, counts).ok());
  EXPECT_EQ(counts, (std::vector<std::int64_t>{1, 1, 2, 2}));
  ASSERT_TRUE(store_->observe({}, counts).ok());
  EXPECT_TRUE(counts.empty());
}

TEST_F(AggregatesRedisTest, KeysExpireAfterTheirWindow) {
  RedisAggregateOptions opts;
  opts.prefix = env_->prefix();
  opts.expiry_margin_ms = 100;
  RedisAggregateStore store(env_->config(), opts);
  const AggregateObservation o{"short", "e", 1'790'000'000'000, 200};
  std::vector<std::int64_t> counts;
  ASSERT_TRUE(store.observe(std::span<const AggregateObservation>(&o, 1), counts).ok());
  const std::string key = env_->prefix() + "agg:short";
  auto ttl = redis_->command({"PTTL", key});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 300);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  auto exists = redis_->command({"EXISTS", key});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->integer, 0);
  // A long window gets a long expiry.
  EXPECT_EQ(observe_one("long", "e", 1'790'000'000'000, 24 * kHour), 1);
  ttl = redis_->command({"PTTL", env_->prefix() + "agg:long"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 24 * kHour);
  EXPECT_LE(ttl->integer, 24 * kHour + 60'000);
}

TEST_F(AggregatesRedisTest, FailuresAreRetriableErrors) {
  // A key of the wrong type gives an error reply: retriable for the engine, and the store recovers.
  ASSERT_TRUE(redis_->command({"SET", env_->prefix() + "agg:wrongtype", "x"}).ok());
  std::vector<AggregateObservation> obs{{"fine", "a", 1000, kHour}, {"wrongtype", "a", 1000, kHour}};
  std::vector<std::int64_t> counts;
  auto s = store_->observe(obs, counts);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().is_retriable());
  EXPECT_EQ(observe_one("fine", "b", 1000, kHour), 2);

  RedisConfig down = env_->config();
  down.host = "127.0.0.1";
  down.port = 1;  // privileged and unused: connection refused
  down.connect_timeout = std::chrono::milliseconds(300);
  RedisAggregateStore offline(down, {});
  const auto start = std::chrono::steady_clock::now();
  s = offline.observe(obs, counts);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().is_retriable());
  EXPECT_EQ(s.error().component(), "aggregates");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // The next call backs off instead of trying to connect again for every event.
  s = offline.observe(obs, counts);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().is_retriable());
  EXPECT_NE(s.error().message().find("backing off"), std::string::npos) << s.error().message();
}

}  // namespace
}  // namespace crosscheck::rules
