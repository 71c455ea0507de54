// The console's configuration: typed structs with documented defaults, read from one YAML file
// (ops/config/console.yaml lists every key with its default).
//
// The parser is as strict as the screener's (it uses the same section reader,
// runtime/config_section.h): an unknown key or a bad value is rejected, naming the key and the
// allowed keys or values, and every problem in the file is reported at once. librdkafka
// properties pass through unchanged (kafka.properties / consumer_properties / producer_properties).
// Environment variables override the two addresses that differ between machines:
//   CROSSCHECK_KAFKA_BOOTSTRAP -> kafka.bootstrap_servers
//   CROSSCHECK_REDIS_ADDRESS   -> redis.address
//
// Retention periods are given in days (retention.mask_after_days, delete_after_days). For tests
// and demonstrations that must watch the job act, retention.mask_after_seconds and
// retention.delete_after_seconds replace the day values when set (never both for one period).
//
// Thread-safety: plain values; the parser is pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "crosscheck/console/users.h"
#include "crosscheck/error.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::console {

struct ConsoleKafkaSection {
  streams::KafkaConfig client;  // bootstrap_servers and librdkafka pass-through properties
  // Console instances with the same group share the queue partitions; each stores what it consumes
  // in Redis and the others pick it up from there (console.poll_interval_ms).
  std::string group_id = "crosscheck-console";
  std::chrono::milliseconds commit_interval{1000};
  bool create_topics = true;  // create the queue and dispositions topics when missing
  int topic_partitions = 8;
  int topic_replication_factor = 0;  // of the topics it creates; 0: the broker's default

  // How the console creates a missing topic `name`.
  streams::TopicSpec topic_spec(std::string name) const {
    return {std::move(name), topic_partitions, topic_replication_factor};
  }
};

struct ConsoleRedisSection {
  rules::RedisConfig client;
  std::string address = "127.0.0.1:6379";
  std::string key_prefix = "crosscheck:";
};

inline constexpr std::size_t kDefaultMaxBodyBytes = 64u << 20;  // a full watchlist import

struct ConsoleHttpSection {
  std::string address = "127.0.0.1";
  int port = 8480;  // 0: any free port (tests)
  std::string static_dir;  // default: the source tree's services/console/web (compile definition)
  int threads = 2;         // network threads (HTTP parsing, WebSocket writes)
  int api_threads = 4;     // threads that run API handlers (each with its own Redis connection)
  bool secure_cookies = false;  // mark the session cookie Secure (set when served behind TLS)
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::chrono::milliseconds idle_timeout{60000};  // a keep-alive connection idle this long is closed
};

struct ConsoleSection {
  std::vector<std::string> queues = {"border", "customs", "payments", "rule-governance"};
  std::string flags_prefix = "flags.";  // alerts are consumed from <flags_prefix><queue>
  std::string dispositions_topic = "flags.dispositions";
  // Flag records the console cannot store (not JSON, no flag_id) go here as dead-letter records;
  // empty: they are only counted and logged.
  std::string deadletter_topic = "transit.deadletter";
  int websocket_max_clients = 1000;
  // Alerts waiting for one WebSocket client (a catch-up or seq message counts as one); a client
  // that falls further behind is closed (policy violation) so that it never slows the others.
  // It reconnects and catches up.
  std::size_t websocket_queue_limit = 4096;
  // How often an open WebSocket's credential is checked again: a connection whose token or
  // session expired, was revoked or logged out, or whose account lost the queues, is closed
  // (1008) within this interval, and the page then asks for a new sign-in.
  std::chrono::milliseconds websocket_reauth_interval{30000};
  std::size_t catchup_limit = 200;  // alerts a new connection gets without after_seq (newest first)
  // Changes a reconnecting client may catch up on; beyond that it gets catchup_limit newest with
  // "reset":true.
  std::size_t catchup_max = 10000;
  // How often the store is asked for changes made elsewhere (other instances, retention).
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds outbox_interval{200};  // how often pending dispositions are published
};

struct RetentionSection {
  // EU PNR directive defaults: depersonalise after 6 months, delete after 5 years.
  std::chrono::milliseconds mask_after{std::chrono::hours(24) * 183};
  std::chrono::milliseconds delete_after{std::chrono::hours(24) * 1826};
  std::chrono::milliseconds interval{std::chrono::seconds(3600)};
};

// The operations dashboard (docs/ops-dashboard.md): the screeners whose /metrics the console
// scrapes, how often, and how much history it keeps for the charts.
struct OpsScreenerTarget {
  std::string name;  // shown on the dashboard; unique
  std::string url;   // http://host:port/metrics of the screener's admin endpoint
};

struct OpsSection {
  std::vector<OpsScreenerTarget> screeners;  // empty: the dashboard says none are configured
  std::chrono::milliseconds scrape_interval{1000};
  std::chrono::milliseconds scrape_timeout{800};  // at most scrape_interval
  std::chrono::milliseconds history{std::chrono::seconds(300)};     // what the charts show
  std::chrono::milliseconds rate_window{std::chrono::seconds(10)};  // rates and quantiles over this
  std::size_t max_scrape_bytes = 8u << 20;  // a larger /metrics answer is refused (counted as an error)
};

struct ConsoleConfig {
  std::string instance_id;  // default "console-<hostname>-<pid>"; names this console in logs
  log::Level log_level = log::Level::kInfo;
  ConsoleKafkaSection kafka;
  ConsoleRedisSection redis;
  ConsoleHttpSection http;
  ConsoleSection console;
  RetentionSection retention;
  UserStoreOptions auth;       // auth.token_ttl_days, session_ttl_hours, max_failed_logins, ...
  rules::RulePolicy rules;     // rules.max_lifetime_days, for rule validation through the API
  OpsSection ops;              // ops.screeners, scrape_interval_ms, history_seconds, ...

  // <flags_prefix><queue> for every configured queue.
  std::vector<std::string> queue_topics() const;
};

// Parses YAML text. `env` supplies the override variables (pass the process environment, or a map
// in tests). Fatal Error "config" listing every problem, one per line, when the file is not valid.
Result<ConsoleConfig> parse_console_config(const std::string& yaml_text, const std::map<std::string, std::string>& env);
// Reads and parses a file; an empty path means "defaults plus environment".
Result<ConsoleConfig> load_console_config(const std::string& path, const std::map<std::string, std::string>& env);

}  // namespace crosscheck::console
