// Reads what the screener's metrics need out of librdkafka's statistics JSON
// (statistics.interval.ms; the fields are described in librdkafka's STATISTICS.md): the consumer
// lag of each partition the application consumes, and how many brokers are up.
//
// The statistics come from a C library fed by the network, so they are treated as untrusted
// input: any size, nesting, type or value. Series labels come only from `consumed_topics` (the
// configured input topics), partitions must be in [0, max_partition], and at most
// `max_partitions` lags are returned, so a strange document cannot create unbounded metric series.
//
// Thread-safety: a KafkaStatisticsParser is not thread-safe (it reuses a simdjson parser); use one
// per thread. Failure behaviour: never throws and never crashes; a document that is not JSON, too
// large or too deep, or whose top level is not an object, gives a retriable Error ("statistics").
// Inside a valid document, a field of the wrong type or out of range is skipped and counted in
// `skipped`.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"

namespace crosscheck::runtime {

struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t lag = 0;  // records behind the high watermark (committed offsets), >= 0

  bool operator==(const PartitionLag&) const = default;
};

struct KafkaStatistics {
  std::string type;      // "consumer" or "producer" (empty when absent)
  int brokers_up = 0;    // brokers (node id >= 0, not librdkafka's internal or logical ones) in state UP
  int brokers_known = 0; // brokers with a node id >= 0
  // Partitions the application consumes (`desired`), of a consumed topic, with a known lag
  // (librdkafka reports -1 until it knows both the high watermark and the committed offset).
  std::vector<PartitionLag> lags;
  std::uint64_t skipped = 0;  // fields ignored because of a wrong type or an out-of-range value
};

struct KafkaStatisticsLimits {
  std::size_t max_bytes = 16u << 20;     // larger documents are refused
  std::size_t max_depth = 64;            // librdkafka nests 5 levels deep
  std::int32_t max_partition = 100000;
  std::size_t max_partitions = 10000;    // lags returned at most
};

class KafkaStatisticsParser {
 public:
  explicit KafkaStatisticsParser(KafkaStatisticsLimits limits = {});
  ~KafkaStatisticsParser();
  KafkaStatisticsParser(const KafkaStatisticsParser&) = delete;
  KafkaStatisticsParser& operator=(const KafkaStatisticsParser&) = delete;

  Result<KafkaStatistics> parse(std::string_view json, const std::set<std::string, std::less<>>& consumed_topics);

 private:
  struct Impl;
  KafkaStatisticsLimits limits_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crosscheck::runtime
