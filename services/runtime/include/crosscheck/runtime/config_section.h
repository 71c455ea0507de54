// The strict YAML reader the services' configuration parsers share (the screener's and the
// console's), so that every Crosscheck configuration file rejects unknown keys and bad values in
// the same words.
//
// A ConfigSection wraps one YAML mapping. Each typed accessor declares a key as allowed and, when
// the key is present, checks and stores its value; problems are appended to a shared error list
// rather than thrown, so that one run reports every problem in the file. finish() then reports
// the keys that were present but never declared, naming the allowed ones:
//   unknown key 'http.prot' (allowed in http: address, port)
//
// Thread-safety: none; a section is used by one parse call. Failure behaviour: never throws for
// bad input (every problem becomes a message); an absent key leaves the default untouched.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::runtime {

// Value patterns several configuration files use, with the words their error messages show.
inline constexpr const char* kConfigTopicPattern = "[A-Za-z0-9._-]{1,200}";
inline constexpr const char* kConfigTopicHelp = "a Kafka topic name (letters, digits, '.', '_', '-')";
inline constexpr const char* kConfigQueuePattern = "[a-z0-9][a-z0-9._-]{0,62}";
inline constexpr const char* kConfigQueueHelp = "a queue name ([a-z0-9][a-z0-9._-]*, at most 63 characters)";
inline constexpr const char* kConfigAddressPattern = "[A-Za-z0-9.-]+:[0-9]{1,5}";

class ConfigSection {
 public:
  // `path` is the dotted name of the section ("" for the top level), used in messages.
  ConfigSection(const YAML::Node& node, std::string path, std::vector<std::string>& errors);

  // Declares `key` as allowed and returns its node (undefined when absent).
  YAML::Node child(const std::string& key);

  // A string; when `pattern` is given the whole value must match it (`pattern_help` says how).
  void string(const std::string& key, std::string& out, const std::string& pattern = "",
              const std::string& pattern_help = "");
  // A sequence of strings, each matching `pattern` when given; replaces `out` when present.
  void string_list(const std::string& key, std::vector<std::string>& out, const std::string& pattern = "",
                   const std::string& pattern_help = "");
  void integer(const std::string& key, long long min, long long max, long long& out);
  template <class Int>
  void integer_as(const std::string& key, long long min, long long max, Int& out) {
    long long v = static_cast<long long>(out);
    integer(key, min, max, v);
    out = static_cast<Int>(v);
  }
  void millis(const std::string& key, long long min, long long max, std::chrono::milliseconds& out);
  // A decimal number in [min, max].
  void number(const std::string& key, double min, double max, double& out);
  void number_value(const YAML::Node& n, const std::string& path, double min, double max, double& out);
  // A mapping of ids to numbers in [min, max] (per-list thresholds).
  void number_map(const std::string& key, double min, double max, std::map<std::string, double>& out);
  void boolean(const std::string& key, bool& out);
  void choice(const std::string& key, const std::vector<std::string>& allowed, std::string& out);
  // A mapping of string to string, passed through unchanged (librdkafka properties).
  void string_map(const std::string& key, std::map<std::string, std::string>& out);
  // Whether `key` is present in the file (does not declare it).
  bool has(const std::string& key) const;

  // Reports keys present in the file but never declared.
  void finish();

  // "path.key" (or "key" at the top level).
  std::string where(const std::string& key) const;
  static std::string join(const std::vector<std::string>& v);
  static std::string format_number(double v);

 private:
  YAML::Node node_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::vector<std::string> allowed_;
  bool valid_ = true;
};

// Parses YAML text into a node; fatal Error "config" ("not valid YAML: ...") when it is not YAML.
// Empty text gives a null node (every default).
Result<YAML::Node> load_config_yaml(const std::string& yaml_text);

// Checks the librdkafka pass-through properties (kafka.properties, kafka.consumer_properties,
// kafka.producer_properties): the few settings that would silently break at-least-once delivery
// or fight the keys Crosscheck owns are refused.
void check_kafka_passthrough(const streams::KafkaConfig& client, std::vector<std::string>& errors);

// The fatal Error "config" listing every problem, one per line: "invalid configuration:\n  - ...".
Error config_error(const std::vector<std::string>& errors);

// The contents of a configuration file; fatal Error "config" when it cannot be read.
Result<std::string> read_config_file(const std::string& path);

}  // namespace crosscheck::runtime
