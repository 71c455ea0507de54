// Topic administration and inspection for operators, tests and the quickstart.
// Thread-safety: each call creates and destroys its own client; calls may run concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/streams/kafka_config.h"

namespace crosscheck::streams {

struct TopicSpec {
  std::string name;
  int partitions = 4;
  // 0 or less: the broker's default.replication.factor (Kafka 2.4 and later), so a topic created
  // on a three-broker cluster gets that cluster's replication and not a single copy.
  int replication_factor = 0;
};

// Creates the topics that do not exist yet; existing ones are left alone (not an error).
// A replication factor the cluster cannot place (more than its brokers) is a fatal error that
// names the topic.
Status ensure_topics(const KafkaConfig& config, const std::vector<TopicSpec>& topics,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Partition -> high watermark (next offset to be written) for a topic.
Result<std::map<std::int32_t, std::int64_t>> high_watermarks(const KafkaConfig& config, const std::string& topic,
                                                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Partition -> committed offset of `group_id` for a topic (-1001, RD_KAFKA_OFFSET_INVALID, when
// nothing is committed for a partition).
Result<std::map<std::int32_t, std::int64_t>> committed_offsets(const KafkaConfig& config, const std::string& group_id,
                                                               const std::string& topic,
                                                               std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Sends every line of a JSON-lines stream (blank lines skipped) to `topic` as one record each,
// without a key, and waits until all are delivered. Returns the number of records produced.
Result<std::size_t> produce_lines(const KafkaConfig& config, const std::string& topic, std::istream& lines);

}  // namespace crosscheck::streams
