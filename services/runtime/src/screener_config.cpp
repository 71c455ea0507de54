#include "crosscheck/runtime/screener_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <regex>
#include <set>
#include <vector>

#include "crosscheck/runtime/config_section.h"

extern char** environ;

namespace crosscheck::runtime {
namespace {

using Section = ConfigSection;

const char* const kTopicPattern = kConfigTopicPattern;
const char* const kTopicHelp = kConfigTopicHelp;
const char* const kQueuePattern = kConfigQueuePattern;
const char* const kQueueHelp = kConfigQueueHelp;
const char* const kAddressPattern = kConfigAddressPattern;

std::string default_instance_id() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "screener");
  return std::string(host) + "-" + std::to_string(::getpid());
}

}  // namespace

Result<ScreenerConfig> parse_screener_config(const std::string& yaml_text,
                                             const std::map<std::string, std::string>& env) {
  ScreenerConfig c;
  std::vector<std::string> errors;
  auto loaded = load_config_yaml(yaml_text);
  if (!loaded.ok()) return loaded.error();
  const YAML::Node root = *loaded;

  Section top(root, "", errors);
  top.string("instance_id", c.instance_id, "[A-Za-z0-9._-]{0,64}",
             "at most 64 letters, digits, '.', '_' or '-' (empty: <hostname>-<pid>)");
  {
    std::string level = "info";
    top.choice("log_level", {"debug", "info", "warn", "error"}, level);
    log::parse_level(level, c.log_level);
  }
  {
    Section k(top.child("kafka"), "kafka", errors);
    k.string("bootstrap_servers", c.kafka.client.bootstrap_servers);
    k.string("group_id", c.kafka.group_id, "[A-Za-z0-9._-]{1,200}", "a consumer group id");
    k.millis("commit_interval_ms", 10, 600000, c.kafka.commit_interval);
    k.integer_as("max_in_flight", 1, 10000000, c.kafka.max_in_flight);
    k.millis("drain_timeout_ms", 100, 600000, c.kafka.drain_timeout);
    k.boolean("create_topics", c.kafka.create_topics);
    k.integer_as("topic_partitions", 1, 10000, c.kafka.topic_partitions);
    k.integer_as("topic_replication_factor", 0, 1000, c.kafka.topic_replication_factor);
    k.millis("statistics_interval_ms", 0, 86400000, c.kafka.statistics_interval);
    k.string_map("properties", c.kafka.client.properties);
    k.string_map("consumer_properties", c.kafka.client.consumer_properties);
    k.string_map("producer_properties", c.kafka.client.producer_properties);
    k.finish();
  }
  {
    Section t(top.child("topics"), "topics", errors);
    t.string("itineraries", c.topics.itineraries, kTopicPattern, kTopicHelp);
    t.string("manifests", c.topics.manifests, kTopicPattern, kTopicHelp);
    t.string("payments", c.topics.payments, kTopicPattern, kTopicHelp);
    t.string("deadletter", c.topics.deadletter, kTopicPattern, kTopicHelp);
    t.string("flags_prefix", c.topics.flags_prefix, "[A-Za-z0-9._-]{0,100}", "a topic name prefix");
    t.finish();
  }
  {
    Section r(top.child("redis"), "redis", errors);
    r.string("address", c.redis.address, kAddressPattern, "host:port");
    r.string("password", c.redis.client.password);
    r.integer_as("database", 0, 15, c.redis.client.database);
    r.string("key_prefix", c.redis.key_prefix, "[A-Za-z0-9:._-]{0,64}", "a key prefix (letters, digits, ':', '.', '_', '-')");
    r.millis("connect_timeout_ms", 10, 60000, c.redis.client.connect_timeout);
    r.millis("command_timeout_ms", 10, 60000, c.redis.client.command_timeout);
    r.finish();
  }
  {
    Section w(top.child("watchlists"), "watchlists", errors);
    w.millis("poll_interval_ms", 50, 60000, c.watchlists.poll_interval);
    w.number("default_threshold", 0.01, 1.0, c.watchlists.match.default_threshold);
    w.number_map("thresholds", 0.01, 1.0, c.watchlists.match.list_thresholds);
    w.integer_as("max_hits_per_subject", 1, 1000, c.watchlists.match.max_hits);
    w.finish();
  }
  {
    Section s(top.child("screening"), "screening", errors);
    {
      Section q(s.child("queues"), "screening.queues", errors);
      for (auto kind : {schemas::EventKind::kItinerary, schemas::EventKind::kManifest, schemas::EventKind::kPayment}) {
        q.string(std::string(schemas::to_string(kind)), c.screening.queues[kind], kQueuePattern, kQueueHelp);
      }
      q.finish();
    }
    s.choice("severity", {"low", "medium", "high"}, c.screening.severity);
    s.integer_as("max_event_bytes", 64, 64 << 20, c.screening.max_event_bytes);
    s.integer_as("max_depth", 4, 1024, c.screening.max_depth);
    s.string("airports_file", c.screening.airports_file);
    s.finish();
  }
  {
    Section r(top.child("rules"), "rules", errors);
    r.millis("poll_interval_ms", 50, 60000, c.rules.poll_interval);
    r.string("governance_queue", c.rules.governance_queue, kQueuePattern, kQueueHelp);
    r.integer_as("expected_instances", 1, 1000, c.rules.expected_instances);
    r.integer_as("max_lifetime_days", 1, 3650, c.rules.max_lifetime_days);
    r.string("audit_topic", c.rules.audit_topic, "[A-Za-z0-9._-]{1,249}", "a Kafka topic name");
    {
      Section d(r.child("watchlist_default"), "rules.watchlist_default", errors);
      d.string("legal_basis", c.rules.watchlist_default.legal_basis, ".{1,512}", "a non-empty text");
      d.string("purpose", c.rules.watchlist_default.purpose, ".{1,512}", "a non-empty text");
      d.integer_as("max_flags_per_hour", 1, 100000000, c.rules.watchlist_default.max_flags_per_hour);
      d.number("max_flag_share", 0.000001, 1.0, c.rules.watchlist_default.max_flag_share);
      d.finish();
    }
    r.finish();
  }
  {
    Section h(top.child("http"), "http", errors);
    h.string("address", c.http.address, "[A-Za-z0-9.:-]{1,255}", "an IP address or host name");
    h.integer_as("port", 0, 65535, c.http.port);
    h.finish();
  }
  top.finish();
  c.rules.watchlist_default.severity = c.screening.severity;

  if (auto it = env.find("CROSSCHECK_KAFKA_BOOTSTRAP"); it != env.end() && !it->second.empty()) {
    c.kafka.client.bootstrap_servers = it->second;
  }
  if (auto it = env.find("CROSSCHECK_REDIS_ADDRESS"); it != env.end() && !it->second.empty()) {
    if (!std::regex_match(it->second, std::regex(kAddressPattern))) {
      errors.push_back("CROSSCHECK_REDIS_ADDRESS must be host:port, got '" + it->second + "'");
    } else {
      c.redis.address = it->second;
    }
  }
  // librdkafka settings pass through, except the few that would silently break at-least-once
  // delivery or fight the keys Crosscheck owns.
  check_kafka_passthrough(c.kafka.client, errors);
  for (const auto& [section, props] : {std::pair<const char*, const std::map<std::string, std::string>*>{
                                           "kafka.properties", &c.kafka.client.properties},
                                       {"kafka.consumer_properties", &c.kafka.client.consumer_properties},
                                       {"kafka.producer_properties", &c.kafka.client.producer_properties}}) {
    if (props->count("statistics.interval.ms") != 0) {
      errors.push_back(std::string(section) +
                       ".statistics.interval.ms is set by kafka.statistics_interval_ms; remove it here");
    }
  }
  if (c.kafka.client.bootstrap_servers.empty()) errors.push_back("kafka.bootstrap_servers must not be empty");
  if (auto st = rules::parse_redis_address(c.redis.address, c.redis.client); !st.ok()) {
    errors.push_back("redis.address: " + st.error().message());
  }
  // Two kinds on one topic would make the event kind ambiguous.
  std::set<std::string> inputs{c.topics.itineraries, c.topics.manifests, c.topics.payments};
  if (inputs.size() != 3) errors.push_back("topics: itineraries, manifests and payments must be three different topics");
  if (inputs.count(c.topics.deadletter) != 0) errors.push_back("topics.deadletter must differ from the input topics");

  if (!errors.empty()) return config_error(errors);
  if (c.instance_id.empty()) c.instance_id = default_instance_id();
  return c;
}

Result<ScreenerConfig> load_screener_config(const std::string& path, const std::map<std::string, std::string>& env) {
  if (path.empty()) return parse_screener_config("", env);
  auto text = read_config_file(path);
  if (!text.ok()) return text.error();
  auto r = parse_screener_config(*text, env);
  if (!r.ok()) return Error::fatal("config", path + ": " + r.error().message());
  return r;
}

std::map<std::string, std::string> crosscheck_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("CROSSCHECK_", 0) != 0) continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

}  // namespace crosscheck::runtime
