#include "crosscheck/console/console_config.h"

#include <unistd.h>

#include <cstdio>
#include <regex>
#include <set>

#include "crosscheck/console/ops_scrape.h"
#include "crosscheck/runtime/config_section.h"

#ifndef CROSSCHECK_CONSOLE_DEFAULT_STATIC_DIR
#define CROSSCHECK_CONSOLE_DEFAULT_STATIC_DIR "web"
#endif

namespace crosscheck::console {
namespace {

using runtime::ConfigSection;

constexpr long long kMsPerSecond = 1000;
constexpr long long kMsPerMinute = 60 * kMsPerSecond;
constexpr long long kMsPerHour = 60 * kMsPerMinute;
constexpr long long kMsPerDay = 24 * kMsPerHour;
constexpr long long kMaxRetentionDays = 36500;  // 100 years: beyond any legal period

std::string default_instance_id() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return "console-" + std::string(host) + "-" + std::to_string(::getpid());
}

// A duration given in `unit_ms` units under `key`: stored in milliseconds.
void duration(ConfigSection& s, const std::string& key, long long min, long long max, long long unit_ms,
              std::chrono::milliseconds& out) {
  long long v = out.count() / unit_ms;
  const long long before = v;
  s.integer(key, min, max, v);
  if (v != before) out = std::chrono::milliseconds(v * unit_ms);
}

// One retention period: <name>_days, or <name>_seconds (tests) instead.
void retention_period(ConfigSection& s, const std::string& name, std::chrono::milliseconds& out,
                      std::vector<std::string>& errors) {
  const bool has_days = s.has(name + "_days");
  const bool has_seconds = s.has(name + "_seconds");
  duration(s, name + "_days", 1, kMaxRetentionDays, kMsPerDay, out);
  long long seconds = 0;
  const std::size_t before = errors.size();
  s.integer(name + "_seconds", 1, kMaxRetentionDays * 86400, seconds);
  if (has_seconds && errors.size() == before) out = std::chrono::milliseconds(seconds * kMsPerSecond);
  if (has_days && has_seconds) {
    errors.push_back(s.where(name + "_days") + " and " + s.where(name + "_seconds") +
                     " both set; give one (seconds are meant for tests)");
  }
}

// ops: the operations dashboard's scrape targets and timing.
void parse_ops(const YAML::Node& node, OpsSection& ops, std::vector<std::string>& errors) {
  ConfigSection o(node, "ops", errors);
  const YAML::Node list = o.child("screeners");
  if (list && !list.IsNull()) {
    if (!list.IsSequence()) {
      errors.push_back("ops.screeners must be a list of {name, url} mappings");
    } else {
      std::vector<OpsScreenerTarget> targets;
      std::set<std::string> names;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = "ops.screeners[" + std::to_string(i) + "]";
        if (!list[i].IsMap()) {
          errors.push_back(path + " must be a mapping with the keys name and url");
          continue;
        }
        ConfigSection t(list[i], path, errors);
        OpsScreenerTarget target;
        t.string("name", target.name, "[A-Za-z0-9._-]{1,64}", "1 to 64 letters, digits, '.', '_' or '-'");
        t.string("url", target.url);
        t.finish();
        if (!t.has("name") || !t.has("url")) {
          errors.push_back(path + " needs both name and url");
          continue;
        }
        if (!target.url.empty() && !parse_scrape_url(target.url)) {
          errors.push_back(path + ".url must be http://host[:port][/path] (plain HTTP, e.g. "
                                  "http://10.0.0.5:9464/metrics), got '" + target.url.substr(0, 200) + "'");
        }
        if (!target.name.empty() && !names.insert(target.name).second) {
          errors.push_back(path + ".name '" + target.name + "' is used twice; names must be unique");
        }
        targets.push_back(std::move(target));
      }
      ops.screeners = std::move(targets);
    }
  }
  o.millis("scrape_interval_ms", 250, 60000, ops.scrape_interval);
  o.millis("scrape_timeout_ms", 50, 60000, ops.scrape_timeout);
  duration(o, "history_seconds", 30, 3600, kMsPerSecond, ops.history);
  duration(o, "rate_window_seconds", 1, 600, kMsPerSecond, ops.rate_window);
  o.integer_as("max_scrape_bytes", 4096, 256LL << 20, ops.max_scrape_bytes);
  o.finish();
  if (ops.scrape_timeout > ops.scrape_interval) {
    errors.push_back("ops.scrape_timeout_ms must not exceed ops.scrape_interval_ms");
  }
  if (ops.rate_window < 2 * ops.scrape_interval) {
    errors.push_back("ops.rate_window_seconds must span at least two scrapes (2 x ops.scrape_interval_ms)");
  }
  if (ops.rate_window > ops.history) {
    errors.push_back("ops.rate_window_seconds must not exceed ops.history_seconds");
  }
  // Every point of the history is kept and sent to the dashboard: bound how many there are.
  if (ops.history.count() / ops.scrape_interval.count() > 3600) {
    errors.push_back("ops.history_seconds / ops.scrape_interval_ms gives more than 3600 points; "
                     "shorten the history or scrape less often");
  }
}

}  // namespace

std::vector<std::string> ConsoleConfig::queue_topics() const {
  std::vector<std::string> out;
  out.reserve(console.queues.size());
  for (const auto& q : console.queues) out.push_back(console.flags_prefix + q);
  return out;
}

Result<ConsoleConfig> parse_console_config(const std::string& yaml_text, const std::map<std::string, std::string>& env) {
  ConsoleConfig c;
  std::vector<std::string> errors;
  auto loaded = runtime::load_config_yaml(yaml_text);
  if (!loaded.ok()) return loaded.error();
  const YAML::Node root = *loaded;

  ConfigSection top(root, "", errors);
  top.string("instance_id", c.instance_id, "[A-Za-z0-9._-]{0,64}",
             "at most 64 letters, digits, '.', '_' or '-' (empty: console-<hostname>-<pid>)");
  {
    ConfigSection k(top.child("kafka"), "kafka", errors);
    k.string("bootstrap_servers", c.kafka.client.bootstrap_servers);
    k.string("group_id", c.kafka.group_id, "[A-Za-z0-9._-]{1,200}", "a consumer group id");
    k.millis("commit_interval_ms", 10, 600000, c.kafka.commit_interval);
    k.boolean("create_topics", c.kafka.create_topics);
    k.integer_as("topic_partitions", 1, 10000, c.kafka.topic_partitions);
    k.integer_as("topic_replication_factor", 0, 1000, c.kafka.topic_replication_factor);
    k.string_map("properties", c.kafka.client.properties);
    k.string_map("consumer_properties", c.kafka.client.consumer_properties);
    k.string_map("producer_properties", c.kafka.client.producer_properties);
    k.finish();
  }
  {
    ConfigSection r(top.child("redis"), "redis", errors);
    r.string("address", c.redis.address, runtime::kConfigAddressPattern, "host:port");
    r.string("password", c.redis.client.password);
    r.integer_as("database", 0, 15, c.redis.client.database);
    r.string("key_prefix", c.redis.key_prefix, "[A-Za-z0-9:._-]{0,64}",
             "a key prefix (letters, digits, ':', '.', '_', '-')");
    r.millis("connect_timeout_ms", 10, 60000, c.redis.client.connect_timeout);
    r.millis("command_timeout_ms", 10, 60000, c.redis.client.command_timeout);
    r.finish();
  }
  {
    ConfigSection h(top.child("http"), "http", errors);
    h.string("address", c.http.address, "[0-9A-Fa-f.:]{2,45}", "an IP address (e.g. 127.0.0.1 or 0.0.0.0)");
    h.integer_as("port", 0, 65535, c.http.port);
    h.string("static_dir", c.http.static_dir, ".{0,4096}", "a directory path (empty: the built-in default)");
    h.integer_as("threads", 1, 64, c.http.threads);
    h.integer_as("api_threads", 1, 256, c.http.api_threads);
    h.boolean("secure_cookies", c.http.secure_cookies);
    h.integer_as("max_body_bytes", 1024, 1LL << 30, c.http.max_body_bytes);
    h.millis("idle_timeout_ms", 1000, 3600000, c.http.idle_timeout);
    h.finish();
  }
  {
    ConfigSection s(top.child("console"), "console", errors);
    s.string_list("queues", c.console.queues, runtime::kConfigQueuePattern, runtime::kConfigQueueHelp);
    s.string("flags_prefix", c.console.flags_prefix, "[A-Za-z0-9._-]{0,100}", "a topic name prefix");
    s.string("dispositions_topic", c.console.dispositions_topic, runtime::kConfigTopicPattern,
             runtime::kConfigTopicHelp);
    s.string("deadletter_topic", c.console.deadletter_topic, "[A-Za-z0-9._-]{0,200}",
             "a Kafka topic name, or empty to only count malformed records");
    s.integer_as("websocket_max_clients", 1, 100000, c.console.websocket_max_clients);
    s.integer_as("websocket_queue_limit", 16, 1000000, c.console.websocket_queue_limit);
    s.millis("websocket_reauth_interval_ms", 100, 3600000, c.console.websocket_reauth_interval);
    s.integer_as("catchup_limit", 1, 10000, c.console.catchup_limit);
    s.integer_as("catchup_max", 1, 1000000, c.console.catchup_max);
    s.millis("poll_interval_ms", 50, 60000, c.console.poll_interval);
    s.millis("outbox_interval_ms", 10, 60000, c.console.outbox_interval);
    s.finish();
  }
  {
    ConfigSection r(top.child("retention"), "retention", errors);
    retention_period(r, "mask_after", c.retention.mask_after, errors);
    retention_period(r, "delete_after", c.retention.delete_after, errors);
    duration(r, "interval_seconds", 1, 7 * 86400, kMsPerSecond, c.retention.interval);
    r.finish();
  }
  {
    ConfigSection a(top.child("auth"), "auth", errors);
    duration(a, "token_ttl_days", 1, 3650, kMsPerDay, c.auth.default_token_ttl);
    duration(a, "max_token_ttl_days", 1, 3650, kMsPerDay, c.auth.max_token_ttl);
    duration(a, "session_ttl_hours", 1, 24 * 31, kMsPerHour, c.auth.session_ttl);
    a.integer_as("max_failed_logins", 1, 1000, c.auth.max_failed_logins);
    duration(a, "failed_login_window_minutes", 1, 24 * 60, kMsPerMinute, c.auth.failed_login_window);
    a.finish();
  }
  {
    ConfigSection r(top.child("rules"), "rules", errors);
    long long days = c.rules.max_lifetime_ms / kMsPerDay;
    r.integer("max_lifetime_days", 1, 3650, days);
    c.rules.max_lifetime_ms = days * kMsPerDay;
    r.finish();
  }
  parse_ops(top.child("ops"), c.ops, errors);
  {
    ConfigSection l(top.child("log"), "log", errors);
    std::string level = "info";
    l.choice("level", {"debug", "info", "warn", "error"}, level);
    log::parse_level(level, c.log_level);
    l.finish();
  }
  top.finish();

  if (auto it = env.find("CROSSCHECK_KAFKA_BOOTSTRAP"); it != env.end() && !it->second.empty()) {
    c.kafka.client.bootstrap_servers = it->second;
  }
  if (auto it = env.find("CROSSCHECK_REDIS_ADDRESS"); it != env.end() && !it->second.empty()) {
    if (!std::regex_match(it->second, std::regex(runtime::kConfigAddressPattern))) {
      errors.push_back("CROSSCHECK_REDIS_ADDRESS must be host:port, got '" + it->second + "'");
    } else {
      c.redis.address = it->second;
    }
  }
  runtime::check_kafka_passthrough(c.kafka.client, errors);
  if (c.kafka.client.bootstrap_servers.empty()) errors.push_back("kafka.bootstrap_servers must not be empty");
  if (auto st = rules::parse_redis_address(c.redis.address, c.redis.client); !st.ok()) {
    errors.push_back("redis.address: " + st.error().message());
  }

  if (c.console.queues.empty()) errors.push_back("console.queues must name at least one queue");
  const std::set<std::string> distinct(c.console.queues.begin(), c.console.queues.end());
  if (distinct.size() != c.console.queues.size()) errors.push_back("console.queues must not repeat a queue");
  for (const auto& topic : c.queue_topics()) {
    if (topic == c.console.dispositions_topic) {
      errors.push_back("console.dispositions_topic '" + topic + "' is also a queue topic; dispositions need their own topic");
    }
    if (topic == c.console.deadletter_topic) {
      errors.push_back("console.deadletter_topic '" + topic + "' is also a queue topic");
    }
  }
  if (c.retention.delete_after <= c.retention.mask_after) {
    errors.push_back("retention: delete_after must be longer than mask_after (an alert is masked before it is deleted)");
  }
  if (c.auth.default_token_ttl > c.auth.max_token_ttl) {
    errors.push_back("auth.token_ttl_days must not exceed auth.max_token_ttl_days");
  }
  if (c.console.catchup_limit > c.console.catchup_max) {
    errors.push_back("console.catchup_limit must not exceed console.catchup_max");
  }

  if (!errors.empty()) return runtime::config_error(errors);
  if (c.instance_id.empty()) c.instance_id = default_instance_id();
  if (c.http.static_dir.empty()) c.http.static_dir = CROSSCHECK_CONSOLE_DEFAULT_STATIC_DIR;
  return c;
}

Result<ConsoleConfig> load_console_config(const std::string& path, const std::map<std::string, std::string>& env) {
  if (path.empty()) return parse_console_config("", env);
  auto text = runtime::read_config_file(path);
  if (!text.ok()) return text.error();
  auto r = parse_console_config(*text, env);
  if (!r.ok()) return Error::fatal("config", path + ": " + r.error().message());
  return r;
}

}  // namespace crosscheck::console
