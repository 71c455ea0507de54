// Integration: WatchlistFollower against the real Redis from tests/run.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crosscheck/rules/watchlist_follower.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

Watchlist small_list(const std::string& id, const std::vector<std::string>& names) {
  Watchlist list;
  list.list_id = id;
  list.name = id;
  for (std::size_t i = 0; i < names.size(); ++i) {
    WatchlistEntry e;
    e.id = "E" + std::to_string(i);
    e.names = {names[i]};
    list.entries.push_back(e);
  }
  return list;
}

// "<list>/<entry id>" of every hit for a name, best first.
std::vector<std::string> hit_ids(const MatchIndex& index, std::string_view name) {
  MatchQuery q;
  q.name = name;
  std::vector<MatchHit> hits;
  index.match(q, hits);
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(index.list(h.ref).list_id + "/" + index.entry(h.ref).id);
  return out;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    store_ = std::make_unique<WatchlistStore>(*redis_, env_->prefix());
  }
  FollowerConfig config() const {
    FollowerConfig c;
    c.redis = env_->config();
    c.key_prefix = env_->prefix();
    c.poll_interval = std::chrono::milliseconds(100);
    return c;
  }
  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<WatchlistStore> store_;
};

TEST_F(FollowerTest, ReadyWithAnEmptyIndexWhenNothingIsPublished) {
  WatchlistFollower follower(config());
  ASSERT_NE(follower.snapshot(), nullptr);
  follower.start();
  ASSERT_TRUE(follower.wait_ready(std::chrono::seconds(5)));
  EXPECT_EQ(follower.snapshot()->entry_count(), 0u);
}

TEST_F(FollowerTest, PicksUpANewVersionAndFiresOnSwap) {
  ASSERT_TRUE(store_->publish(small_list("alpha", {"Viktor DRAGAN"})).ok());
  ASSERT_TRUE(store_->publish(small_list("beta", {"Amina KESSLER"})).ok());
  std::atomic<int> swaps{0};
  std::atomic<bool> redis_up{false};
  WatchlistFollower::Callbacks callbacks;
  callbacks.on_swap = [&](const MatchIndex&) { ++swaps; };
  callbacks.on_redis_status = [&](bool up) { redis_up = up; };
  WatchlistFollower follower(config(), callbacks);
  follower.start();
  ASSERT_TRUE(follower.wait_ready(std::chrono::seconds(5)));
  auto first = follower.snapshot();
  EXPECT_EQ(first->entry_count(), 2u);
  EXPECT_EQ(hit_ids(*first, "DRAGAN VIKTOR"), std::vector<std::string>{"alpha/E0"});
  EXPECT_EQ(swaps.load(), 1);
  EXPECT_TRUE(eventually([&] { return redis_up.load(); }, std::chrono::seconds(1)));

  ASSERT_TRUE(store_->publish(small_list("alpha", {"Viktor DRAGAN", "Black Tide Logistics"})).ok());
  ASSERT_TRUE(eventually([&] { return swaps.load() >= 2; }, std::chrono::seconds(2)));
  auto second = follower.snapshot();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->entry_count(), 3u);
  EXPECT_EQ(hit_ids(*second, "Black Tide Logistics"), std::vector<std::string>{"alpha/E1"});
  EXPECT_EQ(hit_ids(*second, "AMINA KESSLER"), std::vector<std::string>{"beta/E0"});  // the unchanged list is still there
  ASSERT_EQ(second->lists().size(), 2u);
  EXPECT_EQ(second->lists()[0].version, 2u);
  EXPECT_EQ(second->lists()[1].version, 1u);
  // The old snapshot is untouched for whoever still holds it.
  EXPECT_EQ(first->entry_count(), 2u);

  // No change, no swap.
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(swaps.load(), 2);
  follower.stop();
}

TEST_F(FollowerTest, UnreachableRedisKeepsTheEmptyIndexAndReportsErrors) {
  FollowerConfig c = config();
  c.redis.port = 1;  // nothing listens there
  c.redis.connect_timeout = std::chrono::milliseconds(200);
  std::atomic<int> errors{0};
  std::atomic<int> down{0};
  WatchlistFollower::Callbacks callbacks;
  callbacks.on_error = [&](const Error& e) {
    EXPECT_TRUE(e.is_retriable());
    ++errors;
  };
  callbacks.on_redis_status = [&](bool up) {
    if (!up) ++down;
  };
  WatchlistFollower follower(c, callbacks);
  const auto before = follower.snapshot();
  follower.start();
  EXPECT_FALSE(follower.wait_ready(std::chrono::milliseconds(500)));
  EXPECT_TRUE(eventually([&] { return errors.load() >= 2 && down.load() >= 2; }, std::chrono::seconds(3)));
  EXPECT_EQ(follower.snapshot(), before);
  EXPECT_EQ(follower.snapshot()->entry_count(), 0u);
  const auto t0 = std::chrono::steady_clock::now();
  follower.stop();  // interrupts the poll sleep
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST_F(FollowerTest, KeepsServingTheLastGoodIndexWhenAListCannotBeRead) {
  ASSERT_TRUE(store_->publish(small_list("alpha", {"Viktor DRAGAN"})).ok());
  std::atomic<int> errors{0};
  WatchlistFollower::Callbacks callbacks;
  callbacks.on_error = [&](const Error&) { ++errors; };
  WatchlistFollower follower(config(), callbacks);
  follower.start();
  ASSERT_TRUE(follower.wait_ready(std::chrono::seconds(5)));
  const auto good = follower.snapshot();
  ASSERT_EQ(good->entry_count(), 1u);

  // Point the live hash at a version that does not exist (as if it were deleted under us).
  ASSERT_TRUE(redis_->command({"HSET", env_->prefix() + "watchlists:live", "alpha", "99"}).ok());
  EXPECT_TRUE(eventually([&] { return errors.load() >= 1; }, std::chrono::seconds(2)));
  EXPECT_EQ(follower.snapshot(), good);

  // Recovery: a real publication brings the follower back in step.
  ASSERT_TRUE(store_->publish(small_list("alpha", {"Viktor DRAGAN", "Amina KESSLER"})).ok());
  EXPECT_TRUE(eventually([&] { return follower.snapshot()->entry_count() == 2; }, std::chrono::seconds(2)));
}

}  // namespace
}  // namespace crosscheck::rules
