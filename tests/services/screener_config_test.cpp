#include <gtest/gtest.h>

#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::runtime {
namespace {

using Env = std::map<std::string, std::string>;

TEST(ScreenerConfig, EmptyFileGivesDocumentedDefaults) {
  auto c = parse_screener_config("", {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "127.0.0.1:9092");
  EXPECT_EQ(c->kafka.group_id, "crosscheck-screener");
  EXPECT_EQ(c->topics.itineraries, "transit.itineraries");
  EXPECT_EQ(c->topics.manifests, "transit.manifests");
  EXPECT_EQ(c->topics.payments, "transit.payments");
  EXPECT_EQ(c->topics.deadletter, "transit.deadletter");
  EXPECT_EQ(c->topics.flags_prefix, "flags.");
  EXPECT_EQ(c->redis.client.host, "127.0.0.1");
  EXPECT_EQ(c->redis.client.port, 6379);
  EXPECT_EQ(c->screening.queues.at(schemas::EventKind::kItinerary), "border");
  EXPECT_EQ(c->http.port, 9464);
  EXPECT_FALSE(c->instance_id.empty());
}

TEST(ScreenerConfig, ReadsEverySection) {
  auto c = parse_screener_config(R"(
instance_id: s-1
log_level: debug
kafka:
  bootstrap_servers: broker-a:9092,broker-b:9092
  group_id: g1
  commit_interval_ms: 250
  max_in_flight: 1000
  properties:
    security.protocol: ssl
    ssl.ca.location: /etc/ca.pem
  consumer_properties:
    session.timeout.ms: 6000
  producer_properties:
    linger.ms: 1
topics:
  itineraries: a
  manifests: b
  payments: c
  deadletter: d
  flags_prefix: "alerts."
redis:
  address: redis.internal:6380
  key_prefix: "site1:"
  database: 2
watchlists:
  poll_interval_ms: 100
  default_threshold: 0.9
  thresholds: {un-sc: 0.8, demo-national: 0.95}
  max_hits_per_subject: 3
screening:
  queues: {itinerary: airport, manifest: port, payment: fiu}
  severity: medium
  max_event_bytes: 4096
http:
  address: 0.0.0.0
  port: 0
)",
                                 {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->instance_id, "s-1");
  EXPECT_EQ(c->log_level, log::Level::kDebug);
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "broker-a:9092,broker-b:9092");
  EXPECT_EQ(c->kafka.commit_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c->kafka.client.properties.at("ssl.ca.location"), "/etc/ca.pem");
  EXPECT_EQ(c->kafka.client.consumer_properties.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c->kafka.client.producer_properties.at("linger.ms"), "1");
  EXPECT_EQ(c->topics.flags_prefix, "alerts.");
  EXPECT_EQ(c->redis.client.host, "redis.internal");
  EXPECT_EQ(c->redis.client.port, 6380);
  EXPECT_EQ(c->redis.client.database, 2);
  EXPECT_EQ(c->redis.key_prefix, "site1:");
  EXPECT_EQ(c->watchlists.poll_interval, std::chrono::milliseconds(100));
  EXPECT_DOUBLE_EQ(c->watchlists.match.default_threshold, 0.9);
  EXPECT_DOUBLE_EQ(c->watchlists.match.list_thresholds.at("un-sc"), 0.8);
  EXPECT_DOUBLE_EQ(c->watchlists.match.list_thresholds.at("demo-national"), 0.95);
  EXPECT_EQ(c->watchlists.match.max_hits, 3u);
  EXPECT_EQ(c->screening.queues.at(schemas::EventKind::kPayment), "fiu");
  EXPECT_EQ(c->screening.severity, "medium");
  EXPECT_EQ(c->screening.max_event_bytes, 4096u);
  EXPECT_EQ(c->http.address, "0.0.0.0");
}

TEST(ScreenerConfig, UnknownKeyIsRejectedNamingTheKeyAndTheAllowedKeys) {
  auto c = parse_screener_config("kafka:\n  bootstrap: x:1\n", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("unknown key 'kafka.bootstrap'"), std::string::npos) << c.error().message();
  EXPECT_NE(c.error().message().find("bootstrap_servers"), std::string::npos) << c.error().message();
  EXPECT_TRUE(c.error().is_fatal());
}

TEST(ScreenerConfig, UnknownTopLevelKeyIsRejected) {
  auto c = parse_screener_config("kafak: {}\n", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("unknown key 'kafak'"), std::string::npos) << c.error().message();
}

TEST(ScreenerConfig, BadValuesNameTheKeyAndTheAllowedValues) {
  struct Case {
    std::string yaml;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"log_level: loud\n", "log_level must be one of debug, info, warn, error, got 'loud'"},
      {"kafka:\n  commit_interval_ms: soon\n", "kafka.commit_interval_ms must be an integer from 10 to 600000"},
      {"kafka:\n  commit_interval_ms: 1\n", "kafka.commit_interval_ms must be an integer from 10 to 600000, got '1'"},
      {"kafka:\n  create_topics: yes please\n", "kafka.create_topics must be true or false"},
      {"redis:\n  address: nohost\n", "redis.address must be host:port"},
      {"screening:\n  severity: extreme\n", "screening.severity must be one of low, medium, high"},
      {"screening:\n  queues:\n    itinerary: Border Queue\n", "screening.queues.itinerary must be a queue name"},
      {"screening:\n  queues:\n    cargo: x\n", "unknown key 'screening.queues.cargo' (allowed in screening.queues: itinerary, manifest, payment)"},
      {"topics:\n  itineraries: 'a b'\n", "topics.itineraries must be a Kafka topic name"},
      {"topics:\n  manifests: transit.itineraries\n", "three different topics"},
      {"http:\n  port: 70000\n", "http.port must be an integer from 0 to 65535"},
      {"watchlists:\n  default_threshold: 1.5\n", "watchlists.default_threshold must be a number from 0.01 to 1, got '1.5'"},
      {"watchlists:\n  default_threshold: high\n", "watchlists.default_threshold must be a number from 0.01 to 1"},
      {"watchlists:\n  thresholds: {un-sc: 0}\n", "watchlists.thresholds.un-sc must be a number from 0.01 to 1, got '0'"},
      {"watchlists:\n  thresholds: [0.8]\n", "watchlists.thresholds must be a mapping of list ids to numbers"},
      {"kafka: [1, 2]\n", "kafka must be a mapping"},
      {"kafka:\n  properties: [a]\n", "kafka.properties must be a mapping of librdkafka property names"},
      {"kafka: {\n", "not valid YAML"},
      {"kafka:\n  consumer_properties:\n    enable.auto.commit: \"true\"\n",
       "kafka.consumer_properties.enable.auto.commit must be false"},
      {"kafka:\n  properties:\n    enable.auto.offset.store: \"true\"\n", "kafka.properties.enable.auto.offset.store must be false"},
      {"kafka:\n  producer_properties:\n    acks: \"0\"\n", "kafka.producer_properties.acks must be 1, all or -1"},
      {"kafka:\n  properties:\n    group.id: other\n", "kafka.properties.group.id is set by kafka.group_id"},
  };
  for (const auto& tc : cases) {
    auto c = parse_screener_config(tc.yaml, {});
    ASSERT_FALSE(c.ok()) << tc.yaml;
    EXPECT_NE(c.error().message().find(tc.expect), std::string::npos)
        << "yaml:\n" << tc.yaml << "\nmessage:\n" << c.error().message();
  }
}

TEST(ScreenerConfig, ReportsEveryProblemAtOnce) {
  auto c = parse_screener_config("log_level: x\nkafka:\n  nope: 1\nhttp:\n  port: -1\n", {});
  ASSERT_FALSE(c.ok());
  const std::string& m = c.error().message();
  EXPECT_NE(m.find("log_level"), std::string::npos);
  EXPECT_NE(m.find("kafka.nope"), std::string::npos);
  EXPECT_NE(m.find("http.port"), std::string::npos);
}

TEST(ScreenerConfig, EnvironmentOverridesTheAddresses) {
  const Env env{{"CROSSCHECK_KAFKA_BOOTSTRAP", "10.0.0.5:9093"}, {"CROSSCHECK_REDIS_ADDRESS", "cache:7000"}};
  auto c = parse_screener_config("kafka:\n  bootstrap_servers: file:9092\nredis:\n  address: file:6379\n", env);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "10.0.0.5:9093");
  EXPECT_EQ(c->redis.client.host, "cache");
  EXPECT_EQ(c->redis.client.port, 7000);
}

TEST(ScreenerConfig, MalformedRedisAddressInTheEnvironmentIsRejected) {
  auto c = parse_screener_config("", {{"CROSSCHECK_REDIS_ADDRESS", "no-port"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("CROSSCHECK_REDIS_ADDRESS must be host:port"), std::string::npos);
}

TEST(ScreenerConfig, MissingFileIsAnError) {
  auto c = load_screener_config("/nonexistent/crosscheck.yaml", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("/nonexistent/crosscheck.yaml"), std::string::npos);
}

}  // namespace
}  // namespace crosscheck::runtime

namespace crosscheck::runtime {
namespace {

// ops/config/screener.yaml documents every key with its default: it must stay loadable and equal
// to the compiled-in defaults.
TEST(ScreenerConfig, ShippedExampleListsTheDefaults) {
  auto shipped = load_screener_config(testing::source_dir() + "/ops/config/screener.yaml", {});
  ASSERT_TRUE(shipped.ok()) << shipped.error().message();
  auto defaults = parse_screener_config("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(shipped->kafka.client.bootstrap_servers, defaults->kafka.client.bootstrap_servers);
  EXPECT_EQ(shipped->kafka.group_id, defaults->kafka.group_id);
  EXPECT_EQ(shipped->kafka.commit_interval, defaults->kafka.commit_interval);
  EXPECT_EQ(shipped->kafka.max_in_flight, defaults->kafka.max_in_flight);
  EXPECT_EQ(shipped->kafka.drain_timeout, defaults->kafka.drain_timeout);
  EXPECT_EQ(shipped->kafka.topic_partitions, defaults->kafka.topic_partitions);
  EXPECT_EQ(shipped->kafka.topic_replication_factor, defaults->kafka.topic_replication_factor);
  EXPECT_EQ(shipped->kafka.statistics_interval, defaults->kafka.statistics_interval);
  EXPECT_EQ(shipped->topics.flags_prefix, defaults->topics.flags_prefix);
  EXPECT_EQ(shipped->topics.deadletter, defaults->topics.deadletter);
  EXPECT_EQ(shipped->redis.address, defaults->redis.address);
  EXPECT_EQ(shipped->redis.key_prefix, defaults->redis.key_prefix);
  EXPECT_EQ(shipped->watchlists.poll_interval, defaults->watchlists.poll_interval);
  EXPECT_EQ(shipped->watchlists.match.default_threshold, defaults->watchlists.match.default_threshold);
  EXPECT_EQ(shipped->watchlists.match.list_thresholds, defaults->watchlists.match.list_thresholds);
  EXPECT_EQ(shipped->watchlists.match.max_hits, defaults->watchlists.match.max_hits);
  EXPECT_EQ(shipped->screening.queues, defaults->screening.queues);
  EXPECT_EQ(shipped->screening.max_event_bytes, defaults->screening.max_event_bytes);
  EXPECT_EQ(shipped->screening.max_depth, defaults->screening.max_depth);
  EXPECT_EQ(shipped->http.port, defaults->http.port);
  EXPECT_EQ(shipped->rules.poll_interval, defaults->rules.poll_interval);
  EXPECT_EQ(shipped->rules.governance_queue, defaults->rules.governance_queue);
  EXPECT_EQ(shipped->rules.max_lifetime_days, defaults->rules.max_lifetime_days);
  EXPECT_EQ(shipped->rules.expected_instances, defaults->rules.expected_instances);
  EXPECT_EQ(shipped->rules.audit_topic, defaults->rules.audit_topic);
  EXPECT_EQ(shipped->rules.watchlist_default.legal_basis, defaults->rules.watchlist_default.legal_basis);
  EXPECT_EQ(shipped->rules.watchlist_default.max_flags_per_hour, defaults->rules.watchlist_default.max_flags_per_hour);
  EXPECT_EQ(shipped->rules.watchlist_default.max_flag_share, defaults->rules.watchlist_default.max_flag_share);
}

TEST(ScreenerConfig, RulesSection) {
  auto c = parse_screener_config(
      "screening:\n  severity: medium\n"
      "rules:\n  poll_interval_ms: 250\n  governance_queue: governance\n  max_lifetime_days: 90\n"
      "  expected_instances: 4\n  audit_topic: site-audit\n"
      "  watchlist_default:\n    legal_basis: Act 7 s. 2\n    purpose: sanctions screening\n"
      "    max_flags_per_hour: 500\n    max_flag_share: 0.2\n",
      {});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->rules.poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c->rules.governance_queue, "governance");
  EXPECT_EQ(c->rules.max_lifetime_days, 90);
  EXPECT_EQ(c->rules.expected_instances, 4);
  EXPECT_EQ(c->rules.audit_topic, "site-audit");
  EXPECT_EQ(c->rules.watchlist_default.legal_basis, "Act 7 s. 2");
  EXPECT_EQ(c->rules.watchlist_default.purpose, "sanctions screening");
  EXPECT_EQ(c->rules.watchlist_default.max_flags_per_hour, 500);
  EXPECT_DOUBLE_EQ(c->rules.watchlist_default.max_flag_share, 0.2);
  EXPECT_EQ(c->rules.watchlist_default.severity, "medium") << "the default rules take screening.severity";

  auto bad = parse_screener_config("rules:\n  max_lifetime: 30\n  watchlist_default:\n    max_flag_share: 2\n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown key 'rules.max_lifetime'"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("max_lifetime_days"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("rules.watchlist_default.max_flag_share must be a number"), std::string::npos)
      << bad.error().message();
}

TEST(ScreenerConfig, TopicReplicationFactorDefaultsToTheBrokers) {
  auto defaults = parse_screener_config("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->kafka.topic_replication_factor, 0);  // 0: the broker's default.replication.factor
  auto three = parse_screener_config("kafka:\n  topic_replication_factor: 3\n", {});
  ASSERT_TRUE(three.ok()) << three.error().message();
  EXPECT_EQ(three->kafka.topic_replication_factor, 3);
  const auto spec = three->kafka.topic_spec("transit.itineraries");
  EXPECT_EQ(spec.name, "transit.itineraries");
  EXPECT_EQ(spec.partitions, 8);
  EXPECT_EQ(spec.replication_factor, 3);
  auto bad = parse_screener_config("kafka:\n  topic_replication_factor: -1\n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("kafka.topic_replication_factor"), std::string::npos) << bad.error().message();
}

TEST(ScreenerConfig, StatisticsIntervalIsATypedKey) {
  auto defaults = parse_screener_config("", {});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->kafka.statistics_interval, std::chrono::milliseconds(5000));
  auto off = parse_screener_config("kafka:\n  statistics_interval_ms: 0\n", {});
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_EQ(off->kafka.statistics_interval.count(), 0);
  auto bad = parse_screener_config("kafka:\n  statistics_interval_ms: -1\n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("kafka.statistics_interval_ms"), std::string::npos) << bad.error().message();
  // librdkafka's own key would fight the typed one: refused, naming where it belongs.
  auto passthrough = parse_screener_config("kafka:\n  consumer_properties:\n    statistics.interval.ms: \"100\"\n", {});
  ASSERT_FALSE(passthrough.ok());
  EXPECT_NE(passthrough.error().message().find("kafka.consumer_properties.statistics.interval.ms is set by "
                                               "kafka.statistics_interval_ms"),
            std::string::npos)
      << passthrough.error().message();
}

}  // namespace
}  // namespace crosscheck::runtime
