// Kafka helpers for integration tests, after userver's Kafka test fixture: unique topic names,
// and send and receive helpers against the real broker.
// Every helper fails the current test (ADD_FAILURE / gtest assertions) rather than throwing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::testing {

struct ReceivedRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(std::string_view name) const;  // "" when absent
};

class KafkaTestEnv {
 public:
  explicit KafkaTestEnv(std::string bootstrap_servers);

  streams::KafkaConfig config() const;
  // Creates a topic with a unique name built from `stem` and returns the name.
  std::string make_topic(std::string_view stem, int partitions = 4);
  // Creates the topic with exactly this name (for prefix-derived names such as flags.<queue>).
  void create_topic(const std::string& name, int partitions = 4);

  // Produces and waits for delivery.
  void send(const std::string& topic, std::string_view value, std::string_view key = {});
  void send_all(const std::string& topic, const std::vector<std::string>& values);

  // Reads `topic` from the beginning with a fresh consumer until `count` records have arrived or
  // `timeout` passed; returns what arrived (the caller asserts on the count).
  std::vector<ReceivedRecord> receive(const std::string& topic, std::size_t count,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Reads everything up to the topic's current high watermarks.
  std::vector<ReceivedRecord> receive_all(const std::string& topic,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

  std::map<std::int32_t, std::int64_t> high_watermarks(const std::string& topic);
  std::map<std::int32_t, std::int64_t> committed(const std::string& group_id, const std::string& topic);

 private:
  std::string bootstrap_;
};

}  // namespace crosscheck::testing
