// The console's configuration parser: documented defaults, overrides, the environment, and the
// strict rejection of unknown keys and bad values (same words as the screener's parser).
#include "crosscheck/console/console_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace crosscheck::console {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const std::map<std::string, std::string> kNoEnv;

std::string error_of(const std::string& yaml, const std::map<std::string, std::string>& env = kNoEnv) {
  auto r = parse_console_config(yaml, env);
  EXPECT_FALSE(r.ok()) << "accepted:\n" << yaml;
  return r.ok() ? std::string() : r.error().message();
}

TEST(ConsoleConfig, DefaultsAreTheDocumentedOnes) {
  auto c = parse_console_config("", kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "127.0.0.1:9092");
  EXPECT_EQ(c->kafka.group_id, "crosscheck-console");
  EXPECT_TRUE(c->kafka.create_topics);
  EXPECT_EQ(c->redis.client.host, "127.0.0.1");
  EXPECT_EQ(c->redis.client.port, 6379);
  EXPECT_EQ(c->redis.key_prefix, "crosscheck:");
  EXPECT_TRUE(c->redis.client.password.empty());
  EXPECT_EQ(c->http.address, "127.0.0.1");
  EXPECT_EQ(c->http.port, 8480);
  // The compiled-in default: the source tree's page (installations set http.static_dir).
  EXPECT_EQ(std::filesystem::path(c->http.static_dir).filename(), "web") << c->http.static_dir;
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::path(c->http.static_dir) / "index.html"))
      << c->http.static_dir;
  EXPECT_EQ(c->http.threads, 2);
  EXPECT_FALSE(c->http.secure_cookies);
  EXPECT_EQ(c->http.max_body_bytes, 64u << 20);
  EXPECT_EQ(c->console.queues, (std::vector<std::string>{"border", "customs", "payments", "rule-governance"}));
  EXPECT_EQ(c->console.flags_prefix, "flags.");
  EXPECT_EQ(c->console.dispositions_topic, "flags.dispositions");
  EXPECT_EQ(c->queue_topics(),
            (std::vector<std::string>{"flags.border", "flags.customs", "flags.payments", "flags.rule-governance"}));
  // EU PNR directive: depersonalise after 6 months, delete after 5 years.
  EXPECT_EQ(c->retention.mask_after, hours(24 * 183));
  EXPECT_EQ(c->retention.delete_after, hours(24 * 1826));
  EXPECT_EQ(c->retention.interval, seconds(3600));
  EXPECT_EQ(c->auth.default_token_ttl, hours(24 * 30));
  EXPECT_EQ(c->auth.session_ttl, hours(10));
  EXPECT_EQ(c->auth.max_failed_logins, 5);
  EXPECT_EQ(c->auth.failed_login_window, minutes(15));
  EXPECT_EQ(c->rules.max_lifetime_ms, 180LL * 24 * 3600 * 1000);
  EXPECT_EQ(c->log_level, log::Level::kInfo);
  EXPECT_EQ(c->instance_id.rfind("console-", 0), 0u) << c->instance_id;
  // The operations dashboard scrapes nothing until screeners are listed.
  EXPECT_TRUE(c->ops.screeners.empty());
  EXPECT_EQ(c->ops.scrape_interval, milliseconds(1000));
  EXPECT_EQ(c->ops.scrape_timeout, milliseconds(800));
  EXPECT_EQ(c->ops.history, seconds(300));
  EXPECT_EQ(c->ops.rate_window, seconds(10));
  EXPECT_EQ(c->ops.max_scrape_bytes, 8u << 20);
}

TEST(ConsoleConfig, TheShippedFileParsesToTheDefaults) {
  // ops/config/console.yaml documents every key with its default: it must parse, and to the
  // same values as an empty file.
  auto defaults = parse_console_config("", kNoEnv);
  ASSERT_TRUE(defaults.ok());
  // The default static_dir is <source>/services/console/web.
  const auto source = std::filesystem::path(defaults->http.static_dir).parent_path().parent_path().parent_path();
  std::ifstream in(source / "ops" / "config" / "console.yaml");
  ASSERT_TRUE(in.good()) << source;
  std::stringstream ss;
  ss << in.rdbuf();
  auto file = parse_console_config(ss.str(), kNoEnv);
  ASSERT_TRUE(file.ok()) << file.error().message();
  EXPECT_EQ(file->kafka.group_id, defaults->kafka.group_id);
  EXPECT_EQ(file->kafka.commit_interval, defaults->kafka.commit_interval);
  EXPECT_EQ(file->kafka.topic_partitions, defaults->kafka.topic_partitions);
  EXPECT_EQ(file->kafka.topic_replication_factor, defaults->kafka.topic_replication_factor);
  EXPECT_EQ(file->redis.address, defaults->redis.address);
  EXPECT_EQ(file->redis.key_prefix, defaults->redis.key_prefix);
  EXPECT_EQ(file->redis.client.connect_timeout, defaults->redis.client.connect_timeout);
  EXPECT_EQ(file->http.port, defaults->http.port);
  EXPECT_EQ(file->http.static_dir, defaults->http.static_dir);
  EXPECT_EQ(file->http.threads, defaults->http.threads);
  EXPECT_EQ(file->http.api_threads, defaults->http.api_threads);
  EXPECT_EQ(file->http.max_body_bytes, defaults->http.max_body_bytes);
  EXPECT_EQ(file->http.idle_timeout, defaults->http.idle_timeout);
  EXPECT_EQ(file->console.queues, defaults->console.queues);
  EXPECT_EQ(file->console.dispositions_topic, defaults->console.dispositions_topic);
  EXPECT_EQ(file->console.deadletter_topic, defaults->console.deadletter_topic);
  EXPECT_EQ(file->console.websocket_max_clients, defaults->console.websocket_max_clients);
  EXPECT_EQ(file->console.websocket_queue_limit, defaults->console.websocket_queue_limit);
  EXPECT_EQ(file->console.websocket_reauth_interval, defaults->console.websocket_reauth_interval);
  EXPECT_EQ(file->console.catchup_limit, defaults->console.catchup_limit);
  EXPECT_EQ(file->console.catchup_max, defaults->console.catchup_max);
  EXPECT_EQ(file->console.poll_interval, defaults->console.poll_interval);
  EXPECT_EQ(file->console.outbox_interval, defaults->console.outbox_interval);
  EXPECT_EQ(file->retention.mask_after, defaults->retention.mask_after);
  EXPECT_EQ(file->retention.delete_after, defaults->retention.delete_after);
  EXPECT_EQ(file->retention.interval, defaults->retention.interval);
  EXPECT_EQ(file->auth.default_token_ttl, defaults->auth.default_token_ttl);
  EXPECT_EQ(file->auth.max_token_ttl, defaults->auth.max_token_ttl);
  EXPECT_EQ(file->auth.session_ttl, defaults->auth.session_ttl);
  EXPECT_EQ(file->auth.max_failed_logins, defaults->auth.max_failed_logins);
  EXPECT_EQ(file->auth.failed_login_window, defaults->auth.failed_login_window);
  EXPECT_EQ(file->rules.max_lifetime_ms, defaults->rules.max_lifetime_ms);
  EXPECT_EQ(file->ops.screeners.size(), defaults->ops.screeners.size());
  EXPECT_EQ(file->ops.scrape_interval, defaults->ops.scrape_interval);
  EXPECT_EQ(file->ops.scrape_timeout, defaults->ops.scrape_timeout);
  EXPECT_EQ(file->ops.history, defaults->ops.history);
  EXPECT_EQ(file->ops.rate_window, defaults->ops.rate_window);
  EXPECT_EQ(file->ops.max_scrape_bytes, defaults->ops.max_scrape_bytes);
  EXPECT_EQ(file->log_level, defaults->log_level);
}

TEST(ConsoleConfig, EveryKeyCanBeSet) {
  const std::string yaml = R"(
instance_id: console-a
kafka:
  bootstrap_servers: broker-a:9092
  group_id: console-site1
  commit_interval_ms: 250
  create_topics: false
  topic_partitions: 3
  topic_replication_factor: 3
  properties: {security.protocol: ssl}
  consumer_properties: {session.timeout.ms: "6000"}
  producer_properties: {linger.ms: "1"}
redis:
  address: redis.internal:6380
  password: s3cret
  database: 2
  key_prefix: "site1:"
  connect_timeout_ms: 500
  command_timeout_ms: 700
http:
  address: 0.0.0.0
  port: 9000
  static_dir: /srv/console
  threads: 4
  api_threads: 8
  secure_cookies: true
  max_body_bytes: 1048576
  idle_timeout_ms: 5000
console:
  queues: [border, fiu]
  flags_prefix: "alerts."
  dispositions_topic: review.decisions
  deadletter_topic: ""
  websocket_max_clients: 50
  websocket_queue_limit: 100
  websocket_reauth_interval_ms: 5000
  catchup_limit: 20
  catchup_max: 500
  poll_interval_ms: 100
  outbox_interval_ms: 50
retention:
  mask_after_days: 30
  delete_after_days: 365
  interval_seconds: 60
auth:
  token_ttl_days: 7
  max_token_ttl_days: 90
  session_ttl_hours: 8
  max_failed_logins: 3
  failed_login_window_minutes: 10
rules:
  max_lifetime_days: 90
ops:
  screeners:
    - {name: screener-a, url: "http://10.0.0.5:9464/metrics"}
    - name: screener-b
      url: http://screener-b.internal:9464/metrics
  scrape_interval_ms: 2000
  scrape_timeout_ms: 1500
  history_seconds: 600
  rate_window_seconds: 30
  max_scrape_bytes: 1048576
log:
  level: debug
)";
  auto c = parse_console_config(yaml, kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->instance_id, "console-a");
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "broker-a:9092");
  EXPECT_EQ(c->kafka.group_id, "console-site1");
  EXPECT_EQ(c->kafka.commit_interval, milliseconds(250));
  EXPECT_FALSE(c->kafka.create_topics);
  EXPECT_EQ(c->kafka.topic_partitions, 3);
  EXPECT_EQ(c->kafka.topic_replication_factor, 3);
  const auto spec = c->kafka.topic_spec("flags.dispositions");
  EXPECT_EQ(spec.partitions, 3);
  EXPECT_EQ(spec.replication_factor, 3);
  EXPECT_EQ(c->kafka.client.properties.at("security.protocol"), "ssl");
  EXPECT_EQ(c->kafka.client.consumer_properties.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c->kafka.client.producer_properties.at("linger.ms"), "1");
  EXPECT_EQ(c->redis.client.host, "redis.internal");
  EXPECT_EQ(c->redis.client.port, 6380);
  EXPECT_EQ(c->redis.client.password, "s3cret");
  EXPECT_EQ(c->redis.client.database, 2);
  EXPECT_EQ(c->redis.key_prefix, "site1:");
  EXPECT_EQ(c->redis.client.connect_timeout, milliseconds(500));
  EXPECT_EQ(c->redis.client.command_timeout, milliseconds(700));
  EXPECT_EQ(c->http.address, "0.0.0.0");
  EXPECT_EQ(c->http.port, 9000);
  EXPECT_EQ(c->http.static_dir, "/srv/console");
  EXPECT_EQ(c->http.threads, 4);
  EXPECT_EQ(c->http.api_threads, 8);
  EXPECT_TRUE(c->http.secure_cookies);
  EXPECT_EQ(c->http.max_body_bytes, 1048576u);
  EXPECT_EQ(c->http.idle_timeout, milliseconds(5000));
  EXPECT_EQ(c->console.queues, (std::vector<std::string>{"border", "fiu"}));
  EXPECT_EQ(c->queue_topics(), (std::vector<std::string>{"alerts.border", "alerts.fiu"}));
  EXPECT_EQ(c->console.dispositions_topic, "review.decisions");
  EXPECT_EQ(c->console.deadletter_topic, "");
  EXPECT_EQ(c->console.websocket_max_clients, 50);
  EXPECT_EQ(c->console.websocket_queue_limit, 100u);
  EXPECT_EQ(c->console.websocket_reauth_interval, milliseconds(5000));
  EXPECT_EQ(c->console.catchup_limit, 20u);
  EXPECT_EQ(c->console.catchup_max, 500u);
  EXPECT_EQ(c->console.poll_interval, milliseconds(100));
  EXPECT_EQ(c->console.outbox_interval, milliseconds(50));
  EXPECT_EQ(c->retention.mask_after, hours(24 * 30));
  EXPECT_EQ(c->retention.delete_after, hours(24 * 365));
  EXPECT_EQ(c->retention.interval, seconds(60));
  EXPECT_EQ(c->auth.default_token_ttl, hours(24 * 7));
  EXPECT_EQ(c->auth.max_token_ttl, hours(24 * 90));
  EXPECT_EQ(c->auth.session_ttl, hours(8));
  EXPECT_EQ(c->auth.max_failed_logins, 3);
  EXPECT_EQ(c->auth.failed_login_window, minutes(10));
  EXPECT_EQ(c->rules.max_lifetime_ms, 90LL * 24 * 3600 * 1000);
  ASSERT_EQ(c->ops.screeners.size(), 2u);
  EXPECT_EQ(c->ops.screeners[0].name, "screener-a");
  EXPECT_EQ(c->ops.screeners[0].url, "http://10.0.0.5:9464/metrics");
  EXPECT_EQ(c->ops.screeners[1].name, "screener-b");
  EXPECT_EQ(c->ops.screeners[1].url, "http://screener-b.internal:9464/metrics");
  EXPECT_EQ(c->ops.scrape_interval, milliseconds(2000));
  EXPECT_EQ(c->ops.scrape_timeout, milliseconds(1500));
  EXPECT_EQ(c->ops.history, seconds(600));
  EXPECT_EQ(c->ops.rate_window, seconds(30));
  EXPECT_EQ(c->ops.max_scrape_bytes, 1048576u);
  EXPECT_EQ(c->log_level, log::Level::kDebug);
}

TEST(ConsoleConfig, OpsScreenersAreCheckedOneByOne) {
  const std::string m = error_of(R"(
ops:
  screeners:
    - {name: a, url: "https://10.0.0.5:9464/metrics"}
    - {name: a, url: "http://10.0.0.6:9464/metrics"}
    - {name: "bad name", url: "http://h:1/"}
    - {name: c}
    - {name: d, url: "http://h:1/", token: x}
    - just-a-string
  scrape_interval_ms: 100
)");
  EXPECT_NE(m.find("ops.screeners[0].url must be http://host[:port][/path]"), std::string::npos) << m;
  EXPECT_NE(m.find("got 'https://10.0.0.5:9464/metrics'"), std::string::npos) << m;
  EXPECT_NE(m.find("ops.screeners[1].name 'a' is used twice"), std::string::npos) << m;
  EXPECT_NE(m.find("ops.screeners[2].name must be 1 to 64 letters"), std::string::npos) << m;
  EXPECT_NE(m.find("ops.screeners[3] needs both name and url"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'ops.screeners[4].token' (allowed in ops.screeners[4]: name, url)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("ops.screeners[5] must be a mapping with the keys name and url"), std::string::npos) << m;
  EXPECT_NE(m.find("ops.scrape_interval_ms must be an integer from 250 to 60000, got '100'"), std::string::npos) << m;

  std::string n = error_of("ops: {screeners: {name: a, url: \"http://h/\"}}\n");
  EXPECT_NE(n.find("ops.screeners must be a list of {name, url} mappings"), std::string::npos) << n;
  n = error_of("ops: {scrape_intervall_ms: 1000}\n");
  EXPECT_NE(n.find("unknown key 'ops.scrape_intervall_ms' (allowed in ops: screeners, scrape_interval_ms, "
                   "scrape_timeout_ms, history_seconds, rate_window_seconds, max_scrape_bytes)"),
            std::string::npos)
      << n;
}

TEST(ConsoleConfig, OpsTimingMustBeConsistent) {
  std::string m = error_of("ops: {scrape_interval_ms: 1000, scrape_timeout_ms: 2000}\n");
  EXPECT_NE(m.find("ops.scrape_timeout_ms must not exceed ops.scrape_interval_ms"), std::string::npos) << m;
  m = error_of("ops: {scrape_interval_ms: 5000, scrape_timeout_ms: 1000, rate_window_seconds: 9}\n");
  EXPECT_NE(m.find("ops.rate_window_seconds must span at least two scrapes"), std::string::npos) << m;
  m = error_of("ops: {history_seconds: 60, rate_window_seconds: 120}\n");
  EXPECT_NE(m.find("ops.rate_window_seconds must not exceed ops.history_seconds"), std::string::npos) << m;
  m = error_of("ops: {scrape_interval_ms: 250, scrape_timeout_ms: 200, history_seconds: 1000}\n");
  EXPECT_NE(m.find("more than 3600 points"), std::string::npos) << m;
  // The edges are allowed.
  auto ok = parse_console_config(
      "ops: {scrape_interval_ms: 250, scrape_timeout_ms: 250, history_seconds: 900, rate_window_seconds: 1}\n",
      kNoEnv);
  EXPECT_TRUE(ok.ok()) << ok.error().message();
}

TEST(ConsoleConfig, RetentionInSecondsForTests) {
  auto c = parse_console_config("retention: {mask_after_seconds: 2, delete_after_seconds: 5, interval_seconds: 1}\n",
                                kNoEnv);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->retention.mask_after, seconds(2));
  EXPECT_EQ(c->retention.delete_after, seconds(5));
  EXPECT_EQ(c->retention.interval, seconds(1));

  const std::string both = error_of("retention: {mask_after_days: 1, mask_after_seconds: 2}\n");
  EXPECT_NE(both.find("retention.mask_after_days and retention.mask_after_seconds both set"), std::string::npos) << both;
  const std::string order = error_of("retention: {mask_after_seconds: 10, delete_after_seconds: 5}\n");
  EXPECT_NE(order.find("delete_after must be longer than mask_after"), std::string::npos) << order;
}

TEST(ConsoleConfig, EnvironmentOverridesTheAddresses) {
  const std::map<std::string, std::string> env = {{"CROSSCHECK_KAFKA_BOOTSTRAP", "k1:19092"},
                                                  {"CROSSCHECK_REDIS_ADDRESS", "r1:16379"}};
  auto c = parse_console_config("kafka: {bootstrap_servers: other:9092}\nredis: {address: other:6379}\n", env);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->kafka.client.bootstrap_servers, "k1:19092");
  EXPECT_EQ(c->redis.address, "r1:16379");
  EXPECT_EQ(c->redis.client.host, "r1");
  EXPECT_EQ(c->redis.client.port, 16379);

  const std::string bad = error_of("", {{"CROSSCHECK_REDIS_ADDRESS", "no port"}});
  EXPECT_NE(bad.find("CROSSCHECK_REDIS_ADDRESS must be host:port, got 'no port'"), std::string::npos) << bad;
}

TEST(ConsoleConfig, UnknownKeysAreNamedWithTheAllowedOnes) {
  std::string m = error_of("htp: {port: 1}\n");
  EXPECT_NE(m.find("unknown key 'htp' (allowed: instance_id, kafka, redis, http, console, retention, auth, rules, ops, log)"),
            std::string::npos)
      << m;
  m = error_of("http: {prot: 1}\n");
  EXPECT_NE(m.find("unknown key 'http.prot' (allowed in http: address, port, static_dir, threads, api_threads, "
                   "secure_cookies, max_body_bytes, idle_timeout_ms)"),
            std::string::npos)
      << m;
  m = error_of("retention: {mask_after_months: 6}\n");
  EXPECT_NE(m.find("unknown key 'retention.mask_after_months' (allowed in retention: mask_after_days, "
                   "mask_after_seconds, delete_after_days, delete_after_seconds, interval_seconds)"),
            std::string::npos)
      << m;
  // The screener's top-level log_level is log.level here.
  m = error_of("log_level: debug\n");
  EXPECT_NE(m.find("unknown key 'log_level'"), std::string::npos) << m;
}

TEST(ConsoleConfig, BadValuesAreNamedAndAllReportedAtOnce) {
  const std::string m = error_of(R"(
http: {port: 70000, threads: zero, secure_cookies: yes, address: "local host"}
console: {queues: [border, "Bad Queue"], websocket_queue_limit: 1, websocket_reauth_interval_ms: 0}
auth: {max_failed_logins: 0}
log: {level: verbose}
)");
  EXPECT_NE(m.find("http.port must be an integer from 0 to 65535, got '70000'"), std::string::npos) << m;
  EXPECT_NE(m.find("http.threads must be an integer from 1 to 64, got 'zero'"), std::string::npos) << m;
  EXPECT_NE(m.find("http.secure_cookies must be true or false, got 'yes'"), std::string::npos) << m;
  EXPECT_NE(m.find("http.address must be an IP address"), std::string::npos) << m;
  EXPECT_NE(m.find("console.queues[1] must be a queue name"), std::string::npos) << m;
  EXPECT_NE(m.find("console.websocket_queue_limit must be an integer from 16"), std::string::npos) << m;
  EXPECT_NE(m.find("console.websocket_reauth_interval_ms"), std::string::npos) << m;
  EXPECT_NE(m.find("auth.max_failed_logins must be an integer from 1 to 1000, got '0'"), std::string::npos) << m;
  EXPECT_NE(m.find("log.level must be one of debug, info, warn, error, got 'verbose'"), std::string::npos) << m;
  EXPECT_EQ(m.rfind("invalid configuration:", 0), 0u) << m;
}

TEST(ConsoleConfig, ConsistencyIsChecked) {
  std::string m = error_of("console: {queues: [border, border]}\n");
  EXPECT_NE(m.find("console.queues must not repeat a queue"), std::string::npos) << m;
  m = error_of("console: {queues: []}\n");
  EXPECT_NE(m.find("console.queues must name at least one queue"), std::string::npos) << m;
  m = error_of("console: {queues: [border, dispositions]}\n");
  EXPECT_NE(m.find("console.dispositions_topic 'flags.dispositions' is also a queue topic"), std::string::npos) << m;
  m = error_of("console: {queues: border}\n");
  EXPECT_NE(m.find("console.queues must be a list of strings"), std::string::npos) << m;
  m = error_of("auth: {token_ttl_days: 400}\n");
  EXPECT_NE(m.find("auth.token_ttl_days must not exceed auth.max_token_ttl_days"), std::string::npos) << m;
  m = error_of("kafka: {properties: {enable.auto.commit: \"true\"}}\n");
  EXPECT_NE(m.find("kafka.properties.enable.auto.commit must be false"), std::string::npos) << m;
  m = error_of("kafka: {consumer_properties: {group.id: x}}\n");
  EXPECT_NE(m.find("kafka.consumer_properties.group.id is set by kafka.group_id; remove it here"), std::string::npos) << m;
  m = error_of("http: [1, 2]\n");
  EXPECT_NE(m.find("http must be a mapping of keys to values"), std::string::npos) << m;
  m = error_of("http: {port: [1\n");
  EXPECT_NE(m.find("not valid YAML"), std::string::npos) << m;
}

TEST(ConsoleConfig, LoadNamesTheFile) {
  auto missing = load_console_config("/nonexistent/console.yaml", kNoEnv);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("cannot read configuration file '/nonexistent/console.yaml'"),
            std::string::npos);
  auto defaults = load_console_config("", kNoEnv);
  EXPECT_TRUE(defaults.ok());
}

}  // namespace
}  // namespace crosscheck::console
