// libFuzzer target: librdkafka's statistics JSON, which the screener reads for its consumer-lag
// and broker metrics (PipelineMetrics::on_statistics) and treats as untrusted. Whatever the input,
// the parser returns an error value or a result within its limits: lags only of the consumed
// topics, partitions in range, never more than max_partitions, never a negative lag.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crosscheck/runtime/kafka_statistics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crosscheck::runtime;
  static const std::set<std::string, std::less<>> kTopics{"transit.itineraries", "transit.manifests"};
  KafkaStatisticsLimits limits;
  limits.max_partitions = 64;
  static KafkaStatisticsParser parser(limits);  // reused, as the screener reuses its one
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto r = parser.parse(json, kTopics);
  if (!r.ok()) {
    if (r.error().message().empty() || !r.error().is_retriable()) std::abort();
    return 0;
  }
  if (r->lags.size() > limits.max_partitions) std::abort();
  if (r->brokers_up < 0 || r->brokers_up > r->brokers_known) std::abort();
  for (const auto& l : r->lags) {
    if (kTopics.count(l.topic) == 0 || l.partition < 0 || l.partition > limits.max_partition || l.lag < 0) std::abort();
  }
  return 0;
}
