// The screener's configuration: typed structs with documented defaults, read from one YAML file.
//
// The parser is strict: an unknown key or a bad value is rejected, naming the key and the allowed
// keys or values, and every problem in the file is reported at once. librdkafka properties pass
// through unchanged (kafka.properties / consumer_properties / producer_properties).
// Environment variables override the two addresses that differ between machines:
//   CROSSCHECK_KAFKA_BOOTSTRAP -> kafka.bootstrap_servers
//   CROSSCHECK_REDIS_ADDRESS   -> redis.address
// docs/configuration.md is the reference; keep it in step with this file.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "crosscheck/error.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/schemas/event.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::runtime {

struct TopicsConfig {
  std::string itineraries = "transit.itineraries";
  std::string manifests = "transit.manifests";
  std::string payments = "transit.payments";
  std::string deadletter = "transit.deadletter";
  std::string flags_prefix = "flags.";  // flags go to <flags_prefix><queue>
};

struct KafkaSection {
  streams::KafkaConfig client;  // bootstrap_servers and librdkafka pass-through properties
  std::string group_id = "crosscheck-screener";
  std::chrono::milliseconds commit_interval{1000};
  std::size_t max_in_flight = 50000;
  std::chrono::milliseconds drain_timeout{30000};
  bool create_topics = true;  // create missing input and output topics at start-up
  int topic_partitions = 8;   // partitions for topics the screener creates
  int topic_replication_factor = 0;  // of the topics it creates; 0: the broker's default
  // librdkafka statistics.interval.ms for the pipeline's consumer and producer: how often consumer
  // lag and broker state reach the metrics. 0 turns statistics off.
  std::chrono::milliseconds statistics_interval{5000};

  // How the screener creates a missing topic `name`.
  streams::TopicSpec topic_spec(std::string name) const {
    return {std::move(name), topic_partitions, topic_replication_factor};
  }
};

struct RedisSection {
  rules::RedisConfig client;
  std::string address = "127.0.0.1:6379";
  std::string key_prefix = "crosscheck:";
};

struct WatchlistsSection {
  std::chrono::milliseconds poll_interval{500};
  // Score thresholds (default_threshold, thresholds per list id) and max_hits_per_subject.
  rules::MatchOptions match;
};

struct ScreeningSection {
  // Operator queue per event kind; a queue names the topic <flags_prefix><queue>.
  std::map<schemas::EventKind, std::string> queues = {
      {schemas::EventKind::kItinerary, "border"},
      {schemas::EventKind::kManifest, "customs"},
      {schemas::EventKind::kPayment, "payments"},
  };
  std::string severity = "high";  // severity of watchlist-match flags: low, medium, high
  std::size_t max_event_bytes = 1 << 20;
  std::size_t max_depth = 32;
  // CSV with an `iata` column; when set, airports must be in it (unknown_airport). Empty: the
  // format alone is checked.
  std::string airports_file;
};

struct RulesSection {
  // How often the screener checks the active rule set's generation (one Redis GET); a change is
  // live within this interval plus the compile time, well inside the 2 s the managers are promised.
  std::chrono::milliseconds poll_interval{500};
  // Queue of the governance alerts (a rule reached its cap): topic <flags_prefix><queue>.
  std::string governance_queue = "rule-governance";
  // The longest a rule may live (valid_from to expires); `crosscheck rules validate|put` enforce it.
  int max_lifetime_days = 180;
  // Each watchlist's default rule ("watchlist-hit:<list>"): legal basis, purpose and caps. Its
  // severity is screening.severity and its queue the event kind's queue.
  rules::WatchlistRuleDefaults watchlist_default{
      .legal_basis = "national screening law (configure rules.watchlist_default.legal_basis)",
      .purpose = "screening against the published watchlist",
      .owner = "crosscheck",
      .severity = "high",
      .max_flags_per_hour = 10000,
      .max_flag_share = 1.0,
  };
  // Used when Redis is unreachable: each instance may raise max_flags_per_hour /
  // expected_instances flags of a rule per hour on its own (degraded mode, logged and counted).
  int expected_instances = 2;
  std::string audit_topic = "audit";  // the Redis audit stream is mirrored here
};

struct HttpSection {
  std::string address = "127.0.0.1";
  int port = 9464;
};

struct ScreenerConfig {
  std::string instance_id;  // default "<hostname>-<pid>"
  log::Level log_level = log::Level::kInfo;
  KafkaSection kafka;
  TopicsConfig topics;
  RedisSection redis;
  WatchlistsSection watchlists;
  ScreeningSection screening;
  RulesSection rules;
  HttpSection http;
};

// Parses YAML text. `env` supplies the override variables (pass the process environment, or a
// map in tests). Fatal Error listing every problem, one per line, when the file is not valid.
Result<ScreenerConfig> parse_screener_config(const std::string& yaml_text,
                                             const std::map<std::string, std::string>& env);
// Reads and parses a file; an empty path means "defaults plus environment".
Result<ScreenerConfig> load_screener_config(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map (only the CROSSCHECK_* variables).
std::map<std::string, std::string> crosscheck_environment();

}  // namespace crosscheck::runtime
