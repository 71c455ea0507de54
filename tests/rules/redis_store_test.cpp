// Integration: RedisClient and WatchlistStore against the real Redis from tests/run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

Watchlist make_list(const std::string& id, std::size_t n, const std::string& tag) {
  Watchlist list;
  list.list_id = id;
  list.name = "Test list " + tag;
  list.source = "integration test";
  for (std::size_t i = 0; i < n; ++i) {
    WatchlistEntry e;
    char buf[32];
    std::snprintf(buf, sizeof buf, "E-%06zu", i);
    e.id = buf;
    e.type = EntityType::kPerson;
    e.names = {"Person " + tag + " " + std::to_string(i)};
    e.documents = {{"passport", "DOC" + std::to_string(i), "ROU"}};
    list.entries.push_back(std::move(e));
  }
  return list;
}

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
  }
  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
};

TEST_F(RedisStoreTest, ClientIsBinarySafe) {
  const std::string key = env_->prefix() + "bin";
  const std::string value("a\0b\r\n c", 7);
  ASSERT_TRUE(redis_->command({"SET", key, value}).ok());
  auto got = redis_->command({"GET", key});
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got->type, RedisValue::Type::kString);
  EXPECT_EQ(got->str, value);
  auto missing = redis_->command({"GET", key + ":missing"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
}

TEST_F(RedisStoreTest, ErrorReplyIsFatalAndConnectionSurvives) {
  const std::string key = env_->prefix() + "str";
  ASSERT_TRUE(redis_->command({"SET", key, "x"}).ok());
  auto r = redis_->command({"INCR", key});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_fatal());
  auto p = redis_->pipeline({{"PING"}, {"INCR", key}, {"ECHO", "after"}});
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.error().is_fatal());
  // Every reply of the failed pipeline was consumed: the next command gets its own reply.
  auto echo = redis_->command({"ECHO", "next"});
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->str, "next");
  auto ok = redis_->pipeline({{"PING"}, {"ECHO", "b"}});
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].type, RedisValue::Type::kStatus);
  EXPECT_EQ((*ok)[0].str, "PONG");
  EXPECT_EQ((*ok)[1].str, "b");
}

TEST_F(RedisStoreTest, ConnectionFailureIsRetriable) {
  RedisConfig config = env_->config();
  config.port = 1;  // nothing listens there
  config.connect_timeout = std::chrono::milliseconds(500);
  RedisClient client(config);
  auto r = client.command({"PING"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_retriable());
  EXPECT_FALSE(client.connected());
}

// A connection the server closed while it was idle (as a Redis restart, a failover or its
// `timeout` setting would) is replaced before the next command is sent: that command succeeds,
// on a new connection, instead of failing once.
TEST_F(RedisStoreTest, ReplacesAConnectionTheServerClosedWhileIdle) {
  // Kill our own connection from a second client.
  RedisClient killer(env_->config());
  auto id = redis_->command({"CLIENT", "ID"});
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(killer.command({"CLIENT", "KILL", "ID", std::to_string(id->integer)}).ok());
  // The server has closed its end; give the end-of-file the moment it needs to arrive on loopback.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(redis_->connected()) << "the client should not know yet";
  auto ping = redis_->command({"PING"});
  ASSERT_TRUE(ping.ok()) << "the first command after the server closed the connection failed: "
                         << ping.error().to_string();
  EXPECT_EQ(ping->str, "PONG");
  auto new_id = redis_->command({"CLIENT", "ID"});
  ASSERT_TRUE(new_id.ok());
  EXPECT_NE(new_id->integer, id->integer) << "the command went over the killed connection";
}

TEST_F(RedisStoreTest, PublishTwoVersionsAndLoad) {
  WatchlistStore store(*redis_, env_->prefix());
  auto none = store.current_versions();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto v1 = store.publish(make_list("demo-a", 3, "one"));
  ASSERT_TRUE(v1.ok()) << v1.error().to_string();
  EXPECT_EQ(*v1, 1u);
  const Watchlist second = make_list("demo-a", 5, "two");
  auto v2 = store.publish(second);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, 2u);

  auto versions = store.current_versions();
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, (std::map<std::string, std::uint64_t>{{"demo-a", 2}}));

  auto loaded = store.load("demo-a", 2);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->version, 2u);
  EXPECT_EQ(loaded->name, "Test list two");
  EXPECT_EQ(loaded->source, "integration test");
  EXPECT_FALSE(loaded->published_at.empty());
  EXPECT_EQ(loaded->entries, second.entries);  // sorted by id, as make_list produced them

  auto old = store.load("demo-a", 1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->entries.size(), 3u);
}

TEST_F(RedisStoreTest, EmptyListAndMissingVersion) {
  WatchlistStore store(*redis_, env_->prefix());
  auto v = store.publish(make_list("empty", 0, "e"));
  ASSERT_TRUE(v.ok());
  auto loaded = store.load("empty", *v);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->entries.empty());
  auto missing = store.load("empty", 42);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message(), HasSubstr("version 42 of list empty does not exist"));
  EXPECT_EQ(missing.error().code(), kWatchlistVersionNotFound);
}

TEST_F(RedisStoreTest, PublishRejectsBadIdsAndDuplicates) {
  WatchlistStore store(*redis_, env_->prefix());
  EXPECT_FALSE(store.publish(make_list("Bad Id", 1, "x")).ok());
  Watchlist dup = make_list("dup", 2, "x");
  dup.entries[1].id = dup.entries[0].id;
  EXPECT_FALSE(store.publish(dup).ok());
}

TEST_F(RedisStoreTest, PublishRejectsEntriesThatWouldNotLoadBack) {
  WatchlistStore store(*redis_, env_->prefix());
  Watchlist list = make_list("unreadable", 3, "x");
  list.entries[1].names.clear();  // no name and no identifier: a follower would reject the version
  list.entries[1].documents.clear();
  list.entries[1].ibans.clear();
  list.entries[1].imo.clear();
  auto published = store.publish(list);
  ASSERT_FALSE(published.ok());
  EXPECT_NE(published.error().message().find("1 entries would not load back"), std::string::npos)
      << published.error().message();
  EXPECT_NE(published.error().message().find(list.entries[1].id), std::string::npos) << published.error().message();
  auto versions = store.current_versions();
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->count("unreadable"), 0u);  // nothing became live
}

TEST_F(RedisStoreTest, RetentionDeletesOldVersions) {
  WatchlistStore store(*redis_, env_->prefix(), 2);
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(store.publish(make_list("ret", 2, std::to_string(i))).ok());
  for (int v : {1, 2}) {
    auto r = store.load("ret", static_cast<std::uint64_t>(v));
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error().message(), HasSubstr("removed by retention"));
    const std::string base = env_->prefix() + "watchlist:ret:v:" + std::to_string(v) + ":";
    auto exists = redis_->command({"EXISTS", base + "meta", base + "entries"});
    ASSERT_TRUE(exists.ok());
    EXPECT_EQ(exists->integer, 0);
  }
  EXPECT_TRUE(store.load("ret", 3).ok());
  auto v4 = store.load("ret", 4);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->name, "Test list 4");
}

// Readers polling while a large list is published see either the old or the new version, whole.
TEST_F(RedisStoreTest, ReadersNeverSeeAHalfList) {
  constexpr std::size_t kBase = 20000;
  constexpr int kVersions = 5;
  auto expected_size = [](std::uint64_t v) { return kBase + v; };
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    RedisClient client(env_->config());
    WatchlistStore store(client, env_->prefix(), kVersions + 1);
    for (int v = 1; v <= kVersions; ++v) {
      auto r = store.publish(make_list("big", expected_size(static_cast<std::uint64_t>(v)), std::to_string(v)));
      EXPECT_TRUE(r.ok()) << r.error().to_string();
    }
    done = true;
  });
  // A full loader (slow, checks contents) and a fast prober (checks the live version's size).
  std::atomic<int> loads{0};
  std::atomic<std::uint64_t> highest{0};
  std::thread loader([&] {
    RedisClient client(env_->config());
    WatchlistStore store(client, env_->prefix());
    while (true) {
      const bool finished = done.load();  // read before loading, so the last pass sees the last version
      auto versions = store.current_versions();
      ASSERT_TRUE(versions.ok()) << versions.error().to_string();
      if (auto it = versions->find("big"); it != versions->end()) {
        auto list = store.load("big", it->second);
        ASSERT_TRUE(list.ok()) << list.error().to_string();
        ASSERT_EQ(list->entries.size(), expected_size(it->second));
        EXPECT_EQ(list->name, "Test list " + std::to_string(it->second));
        EXPECT_EQ(list->entries.back().names[0],
                  "Person " + std::to_string(it->second) + " " + std::to_string(expected_size(it->second) - 1));
        highest = std::max(highest.load(), it->second);
        ++loads;
      }
      if (finished) break;
    }
  });
  int probes = 0;
  WatchlistStore store(*redis_, env_->prefix());
  [&] {  // a failed ASSERT returns from here, and the threads are still joined
  while (!done) {
    auto versions = store.current_versions();
    ASSERT_TRUE(versions.ok());
    auto it = versions->find("big");
    if (it == versions->end()) continue;
    const std::string base = env_->prefix() + "watchlist:big:v:" + std::to_string(it->second) + ":";
    auto r = redis_->pipeline({{"HLEN", base + "entries"}, {"HGET", base + "meta", "entry_count"}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(static_cast<std::uint64_t>((*r)[0].integer), expected_size(it->second));
    EXPECT_EQ((*r)[1].str, std::to_string(expected_size(it->second)));
    ++probes;
  }
  }();
  publisher.join();
  loader.join();
  EXPECT_EQ(highest.load(), static_cast<std::uint64_t>(kVersions));
  EXPECT_GE(loads.load(), 1);
  RecordProperty("loads", loads.load());
  RecordProperty("probes", probes);
}

}  // namespace
}  // namespace crosscheck::rules
