#include "crosscheck/runtime/screener_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

extern char** environ;

namespace crosscheck::runtime {
namespace {

// Reads one YAML mapping strictly: every key must be known, and every value must fit.
// Problems are collected, not thrown, so that one run reports all of them.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, std::vector<std::string>& errors)
      : node_(node), path_(std::move(path)), errors_(errors) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) {
      errors_.push_back(where("") + " must be a mapping of keys to values");
      valid_ = false;
    }
  }

  // Declares `key` as allowed and returns its node (undefined when absent).
  YAML::Node child(const std::string& key) {
    allowed_.push_back(key);
    if (!valid_ || !node_ || node_.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    return node_[key];
  }

  void string(const std::string& key, std::string& out, const std::string& pattern = "",
              const std::string& pattern_help = "") {
    YAML::Node n = child(key);
    if (!n) return;
    if (!n.IsScalar()) {
      errors_.push_back(where(key) + " must be a string");
      return;
    }
    std::string v = n.Scalar();
    if (!pattern.empty() && !std::regex_match(v, std::regex(pattern))) {
      errors_.push_back(where(key) + " must be " + pattern_help + ", got '" + v + "'");
      return;
    }
    out = std::move(v);
  }

  void integer(const std::string& key, long long min, long long max, long long& out) {
    YAML::Node n = child(key);
    if (!n) return;
    long long v = 0;
    std::string text = n.IsScalar() ? n.Scalar() : "";
    char* end = nullptr;
    errno = 0;
    if (n.IsScalar() && !text.empty()) v = std::strtoll(text.c_str(), &end, 10);
    if (!n.IsScalar() || text.empty() || end == nullptr || *end != '\0' || errno != 0 || v < min || v > max) {
      errors_.push_back(where(key) + " must be an integer from " + std::to_string(min) + " to " +
                        std::to_string(max) + ", got '" + text + "'");
      return;
    }
    out = v;
  }

  template <class Int>
  void integer_as(const std::string& key, long long min, long long max, Int& out) {
    long long v = static_cast<long long>(out);
    integer(key, min, max, v);
    out = static_cast<Int>(v);
  }

  void millis(const std::string& key, long long min, long long max, std::chrono::milliseconds& out) {
    long long v = out.count();
    integer(key, min, max, v);
    out = std::chrono::milliseconds(v);
  }

  // A decimal number in [min, max] (match thresholds).
  void number(const std::string& key, double min, double max, double& out) {
    YAML::Node n = child(key);
    if (n) number_value(n, where(key), min, max, out);
  }

  void number_value(const YAML::Node& n, const std::string& path, double min, double max, double& out) {
    const std::string text = n.IsScalar() ? n.Scalar() : "";
    char* end = nullptr;
    errno = 0;
    const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
    if (!n.IsScalar() || text.empty() || end == nullptr || *end != '\0' || errno != 0 || !(v >= min && v <= max)) {
      errors_.push_back(path + " must be a number from " + format_number(min) + " to " + format_number(max) +
                        ", got '" + text + "'");
      return;
    }
    out = v;
  }

  // A mapping of list id to a number (per-list thresholds).
  void number_map(const std::string& key, double min, double max, std::map<std::string, double>& out) {
    YAML::Node n = child(key);
    if (!n || n.IsNull()) return;
    if (!n.IsMap()) {
      errors_.push_back(where(key) + " must be a mapping of list ids to numbers");
      return;
    }
    for (const auto& kv : n) {
      const std::string id = kv.first.as<std::string>();
      double v = 0;
      const std::size_t before = errors_.size();
      number_value(kv.second, where(key) + "." + id, min, max, v);
      if (errors_.size() == before) out[id] = v;
    }
  }

  static std::string format_number(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  }

  void boolean(const std::string& key, bool& out) {
    YAML::Node n = child(key);
    if (!n) return;
    const std::string v = n.IsScalar() ? n.Scalar() : "";
    if (v == "true") out = true;
    else if (v == "false") out = false;
    else errors_.push_back(where(key) + " must be true or false, got '" + v + "'");
  }

  void choice(const std::string& key, const std::vector<std::string>& allowed, std::string& out) {
    YAML::Node n = child(key);
    if (!n) return;
    const std::string v = n.IsScalar() ? n.Scalar() : "";
    for (const auto& a : allowed) {
      if (v == a) {
        out = v;
        return;
      }
    }
    errors_.push_back(where(key) + " must be one of " + join(allowed) + ", got '" + v + "'");
  }

  // A mapping of string to string, passed through unchanged (librdkafka properties).
  void string_map(const std::string& key, std::map<std::string, std::string>& out) {
    YAML::Node n = child(key);
    if (!n || n.IsNull()) return;
    if (!n.IsMap()) {
      errors_.push_back(where(key) + " must be a mapping of librdkafka property names to values");
      return;
    }
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) {
        errors_.push_back(where(key) + "." + kv.first.as<std::string>() + " must be a scalar value");
        continue;
      }
      out[kv.first.as<std::string>()] = kv.second.Scalar();
    }
  }

  // Reports keys present in the file but never declared.
  void finish() {
    if (!valid_ || !node_ || node_.IsNull()) return;
    const std::set<std::string> allowed(allowed_.begin(), allowed_.end());
    for (const auto& kv : node_) {
      const std::string k = kv.first.as<std::string>();
      if (allowed.count(k) == 0) {
        errors_.push_back("unknown key '" + (path_.empty() ? k : path_ + "." + k) + "' (allowed" +
                          (path_.empty() ? "" : " in " + path_) + ": " + join(allowed_) + ")");
      }
    }
  }

  std::string where(const std::string& key) const {
    if (path_.empty()) return key;
    return key.empty() ? path_ : path_ + "." + key;
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

 private:
  YAML::Node node_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::vector<std::string> allowed_;
  bool valid_ = true;
};

const char* const kTopicPattern = "[A-Za-z0-9._-]{1,200}";
const char* const kTopicHelp = "a Kafka topic name (letters, digits, '.', '_', '-')";
const char* const kQueuePattern = "[a-z0-9][a-z0-9._-]{0,62}";
const char* const kQueueHelp = "a queue name ([a-z0-9][a-z0-9._-]*, at most 63 characters)";
const char* const kAddressPattern = "[A-Za-z0-9.-]+:[0-9]{1,5}";

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
  YAML::Node root;
  try {
    root = yaml_text.empty() ? YAML::Node() : YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error::fatal("config", std::string("not valid YAML: ") + e.what());
  }

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
  for (const auto& [section, props] : {std::pair<std::string, const std::map<std::string, std::string>*>{
                                           "kafka.properties", &c.kafka.client.properties},
                                       {"kafka.consumer_properties", &c.kafka.client.consumer_properties},
                                       {"kafka.producer_properties", &c.kafka.client.producer_properties}}) {
    for (const auto& [key, value] : *props) {
      if ((key == "enable.auto.commit" || key == "enable.auto.offset.store") && value != "false") {
        errors.push_back(section + "." + key + " must be false: offsets are committed only after the outputs are "
                         "acknowledged (at-least-once delivery)");
      } else if (key == "acks" && (value == "0")) {
        errors.push_back(section + ".acks must be 1, all or -1: with 0 nothing is acknowledged and flags can be lost");
      } else if (key == "group.id" || key == "bootstrap.servers") {
        errors.push_back(section + "." + key + " is set by kafka." + (key == "group.id" ? "group_id" : "bootstrap_servers") +
                         "; remove it here");
      }
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

  if (!errors.empty()) {
    std::string msg = "invalid configuration:";
    for (const auto& e : errors) msg += "\n  - " + e;
    return Error::fatal("config", msg);
  }
  if (c.instance_id.empty()) c.instance_id = default_instance_id();
  return c;
}

Result<ScreenerConfig> load_screener_config(const std::string& path, const std::map<std::string, std::string>& env) {
  if (path.empty()) return parse_screener_config("", env);
  std::ifstream in(path);
  if (!in) return Error::fatal("config", "cannot read configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = parse_screener_config(ss.str(), env);
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
