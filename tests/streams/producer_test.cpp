// Producer and admin helpers against the real broker.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/producer.h"
#include "crosscheck/testing/kafka_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::streams {
namespace {

using testing::KafkaTestEnv;

struct Delivery {
  std::optional<Error> error;
  std::int32_t partition;
  std::int64_t offset;
};

TEST(Producer, RoundTripWithKeysAndHeaders) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string topic = env.make_topic("producer-rt");

  std::mutex mu;
  std::map<std::uint64_t, Delivery> reports;
  auto p = Producer::create(env.config(), [&](std::uint64_t token, const std::optional<Error>& e, std::int32_t part,
                                              std::int64_t off) {
    std::lock_guard lock(mu);
    reports[token] = Delivery{e, part, off};
  });
  ASSERT_TRUE(p.ok()) << p.error().to_string();

  constexpr int kN = 50;
  for (int i = 0; i < kN; ++i) {
    OutRecord r;
    r.topic = topic;
    r.key = i % 2 == 0 ? "same-key" : "";
    r.value = "value-" + std::to_string(i);
    r.headers = {{"index", std::to_string(i)}, {"kind", "test"}};
    if (i == 7) r.headers.push_back({"binary", std::string("a\0b", 3)});
    Status st = (*p)->produce(r, 1000 + i);
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  Status fl = (*p)->flush(std::chrono::seconds(20));
  ASSERT_TRUE(fl.ok()) << fl.error().to_string();
  EXPECT_EQ((*p)->outstanding(), 0);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(reports.size(), static_cast<std::size_t>(kN));
    for (int i = 0; i < kN; ++i) {
      const Delivery& d = reports.at(1000 + i);
      EXPECT_FALSE(d.error.has_value()) << d.error->to_string();
      EXPECT_GE(d.partition, 0);
      EXPECT_GE(d.offset, 0);
    }
  }

  auto got = env.receive(topic, kN);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kN));
  std::set<std::int32_t> keyed_partitions;
  std::set<std::string> values;
  for (const auto& rec : got) {
    const int i = std::stoi(rec.header("index"));
    EXPECT_EQ(rec.value, "value-" + std::to_string(i));
    EXPECT_EQ(rec.header("kind"), "test");
    EXPECT_EQ(rec.key, i % 2 == 0 ? "same-key" : "");
    if (i % 2 == 0) keyed_partitions.insert(rec.partition);
    if (i == 7) {
      EXPECT_EQ(rec.header("binary"), std::string("a\0b", 3));
    }
    const Delivery& d = reports.at(1000 + i);
    EXPECT_EQ(rec.partition, d.partition);
    EXPECT_EQ(rec.offset, d.offset);
    values.insert(rec.value);
  }
  EXPECT_EQ(values.size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(keyed_partitions.size(), 1u) << "one key, one partition";
}

TEST(Producer, OversizedRecordIsAFatalProduceError) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string topic = env.make_topic("producer-big", 1);
  KafkaConfig cfg = env.config();
  cfg.producer_properties["message.max.bytes"] = "1000";
  auto p = Producer::create(cfg);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  OutRecord r{topic, "k", std::string(5000, 'x'), {{"h", "v"}}};
  Status st = (*p)->produce(r, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is_fatal());
  EXPECT_EQ(st.error().code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  r.value = "small";
  EXPECT_TRUE((*p)->produce(r, 2).ok());
  EXPECT_TRUE((*p)->flush(std::chrono::seconds(10)).ok());
}

TEST(Producer, InvalidSettingIsFatal) {
  KafkaConfig cfg;
  cfg.properties["no.such.setting"] = "1";
  auto p = Producer::create(cfg);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.error().is_fatal());
  EXPECT_NE(p.error().message().find("no.such.setting"), std::string::npos);
}

// The replication factor reaches the broker: 0 takes the broker's default (1 on the test's single
// broker), and a factor the cluster cannot place is a fatal error naming the topic, not a retry loop.
TEST(Admin, ReplicationFactorDefaultsToTheBrokersAndTooManyIsFatal) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string by_default = testing::unique_name("admin-rf-default");
  Status created = ensure_topics(env.config(), {TopicSpec{by_default, 2}});
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  auto hw = high_watermarks(env.config(), by_default);
  ASSERT_TRUE(hw.ok()) << hw.error().to_string();
  EXPECT_EQ(hw->size(), 2u);

  const std::string too_many = testing::unique_name("admin-rf-three");
  Status refused = ensure_topics(env.config(), {TopicSpec{too_many, 2, 3}});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is_fatal()) << refused.error().to_string();
  EXPECT_NE(refused.error().message().find(too_many), std::string::npos) << refused.error().to_string();
  EXPECT_NE(refused.error().message().find("REPLICATION_FACTOR"), std::string::npos) << refused.error().to_string();
}

TEST(Admin, EnsureTopicsIsIdempotentAndWatermarksCount) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  const std::string topic = testing::unique_name("admin");
  ASSERT_TRUE(ensure_topics(env.config(), {{topic, 3, 1}}).ok());
  Status again = ensure_topics(env.config(), {{topic, 3, 1}});
  ASSERT_TRUE(again.ok()) << again.error().to_string();

  auto hw = high_watermarks(env.config(), topic);
  ASSERT_TRUE(hw.ok()) << hw.error().to_string();
  EXPECT_EQ(*hw, (std::map<std::int32_t, std::int64_t>{{0, 0}, {1, 0}, {2, 0}}));

  std::istringstream lines("{\"a\":1}\n\n   \n{\"a\":2}\r\n{\"a\":3}");
  auto n = produce_lines(env.config(), topic, lines);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, 3u);
  hw = high_watermarks(env.config(), topic);
  ASSERT_TRUE(hw.ok());
  std::int64_t total = 0;
  for (const auto& [part, off] : *hw) total += off;
  EXPECT_EQ(total, 3);
  auto all = env.receive_all(topic);
  std::multiset<std::string> values;
  for (const auto& r : all) values.insert(r.value);
  EXPECT_EQ(values, (std::multiset<std::string>{"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}));

  auto committed = committed_offsets(env.config(), testing::unique_name("nogroup"), topic);
  ASSERT_TRUE(committed.ok()) << committed.error().to_string();
  EXPECT_EQ(*committed, (std::map<std::int32_t, std::int64_t>{{0, -1001}, {1, -1001}, {2, -1001}}));
}

TEST(Admin, UnknownTopicWatermarksFail) {
  CROSSCHECK_REQUIRE_KAFKA();
  KafkaTestEnv env(*testing::kafka_bootstrap());
  // Metadata requests from a producer handle do not auto-create topics.
  auto hw = high_watermarks(env.config(), testing::unique_name("missing"), std::chrono::seconds(3));
  EXPECT_FALSE(hw.ok());
}

}  // namespace
}  // namespace crosscheck::streams
