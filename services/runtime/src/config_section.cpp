#include "crosscheck/runtime/config_section.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace crosscheck::runtime {

ConfigSection::ConfigSection(const YAML::Node& node, std::string path, std::vector<std::string>& errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    errors_.push_back(where("") + " must be a mapping of keys to values");
    valid_ = false;
  }
}

YAML::Node ConfigSection::child(const std::string& key) {
  allowed_.push_back(key);
  if (!valid_ || !node_ || node_.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return node_[key];
}

bool ConfigSection::has(const std::string& key) const {
  if (!valid_ || !node_ || node_.IsNull()) return false;
  return static_cast<bool>(node_[key]);
}

void ConfigSection::string(const std::string& key, std::string& out, const std::string& pattern,
                           const std::string& pattern_help) {
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

void ConfigSection::string_list(const std::string& key, std::vector<std::string>& out, const std::string& pattern,
                                const std::string& pattern_help) {
  YAML::Node n = child(key);
  if (!n) return;
  if (!n.IsSequence()) {
    errors_.push_back(where(key) + " must be a list of strings");
    return;
  }
  std::vector<std::string> values;
  bool good = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string item_path = where(key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsScalar()) {
      errors_.push_back(item_path + " must be a string");
      good = false;
      continue;
    }
    const std::string v = n[i].Scalar();
    if (!pattern.empty() && !std::regex_match(v, std::regex(pattern))) {
      errors_.push_back(item_path + " must be " + pattern_help + ", got '" + v + "'");
      good = false;
      continue;
    }
    values.push_back(v);
  }
  if (good) out = std::move(values);
}

void ConfigSection::integer(const std::string& key, long long min, long long max, long long& out) {
  YAML::Node n = child(key);
  if (!n) return;
  long long v = 0;
  std::string text = n.IsScalar() ? n.Scalar() : "";
  char* end = nullptr;
  errno = 0;
  if (n.IsScalar() && !text.empty()) v = std::strtoll(text.c_str(), &end, 10);
  if (!n.IsScalar() || text.empty() || end == nullptr || *end != '\0' || errno != 0 || v < min || v > max) {
    errors_.push_back(where(key) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", got '" + text + "'");
    return;
  }
  out = v;
}

void ConfigSection::millis(const std::string& key, long long min, long long max, std::chrono::milliseconds& out) {
  long long v = out.count();
  integer(key, min, max, v);
  out = std::chrono::milliseconds(v);
}

void ConfigSection::number(const std::string& key, double min, double max, double& out) {
  YAML::Node n = child(key);
  if (n) number_value(n, where(key), min, max, out);
}

void ConfigSection::number_value(const YAML::Node& n, const std::string& path, double min, double max, double& out) {
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

void ConfigSection::number_map(const std::string& key, double min, double max, std::map<std::string, double>& out) {
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

std::string ConfigSection::format_number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

void ConfigSection::boolean(const std::string& key, bool& out) {
  YAML::Node n = child(key);
  if (!n) return;
  const std::string v = n.IsScalar() ? n.Scalar() : "";
  if (v == "true") out = true;
  else if (v == "false") out = false;
  else errors_.push_back(where(key) + " must be true or false, got '" + v + "'");
}

void ConfigSection::choice(const std::string& key, const std::vector<std::string>& allowed, std::string& out) {
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

void ConfigSection::string_map(const std::string& key, std::map<std::string, std::string>& out) {
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

void ConfigSection::finish() {
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

std::string ConfigSection::where(const std::string& key) const {
  if (path_.empty()) return key;
  return key.empty() ? path_ : path_ + "." + key;
}

std::string ConfigSection::join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

Result<YAML::Node> load_config_yaml(const std::string& yaml_text) {
  try {
    return yaml_text.empty() ? YAML::Node() : YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Error::fatal("config", std::string("not valid YAML: ") + e.what());
  }
}

void check_kafka_passthrough(const streams::KafkaConfig& client, std::vector<std::string>& errors) {
  for (const auto& [section, props] : {std::pair<std::string, const std::map<std::string, std::string>*>{
                                           "kafka.properties", &client.properties},
                                       {"kafka.consumer_properties", &client.consumer_properties},
                                       {"kafka.producer_properties", &client.producer_properties}}) {
    for (const auto& [key, value] : *props) {
      if ((key == "enable.auto.commit" || key == "enable.auto.offset.store") && value != "false") {
        errors.push_back(section + "." + key + " must be false: offsets are committed only after the outputs are "
                         "acknowledged (at-least-once delivery)");
      } else if (key == "acks" && (value == "0")) {
        errors.push_back(section + ".acks must be 1, all or -1: with 0 nothing is acknowledged and flags can be lost");
      } else if (key == "group.id" || key == "bootstrap.servers") {
        errors.push_back(section + "." + key + " is set by kafka." +
                         (key == "group.id" ? "group_id" : "bootstrap_servers") + "; remove it here");
      }
    }
  }
}

Error config_error(const std::vector<std::string>& errors) {
  std::string msg = "invalid configuration:";
  for (const auto& e : errors) msg += "\n  - " + e;
  return Error::fatal("config", msg);
}

Result<std::string> read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::fatal("config", "cannot read configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace crosscheck::runtime
