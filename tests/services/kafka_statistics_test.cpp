// librdkafka's statistics JSON as untrusted input: a real consumer document is read right, and
// hostile or broken documents give an error value or skipped fields, never a crash, an exception
// or an unbounded number of metric series. Also the metrics PipelineMetrics derives from them.
#include "crosscheck/runtime/kafka_statistics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crosscheck/runtime/pipeline_metrics.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::runtime {
namespace {

const std::set<std::string, std::less<>> kTopics{"transit.itineraries", "transit.payments"};

std::string real_consumer_statistics() {
  // Captured from librdkafka 2.0.2 consuming a 4-partition topic (topic and group renamed).
  std::ifstream in(testing::source_dir() + "/services/runtime/fuzz/statistics-consumer.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(KafkaStatistics, ReadsARealConsumerDocument) {
  KafkaStatisticsParser parser;
  auto s = parser.parse(real_consumer_statistics(), kTopics);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->type, "consumer");
  EXPECT_EQ(s->brokers_up, 1);     // node 1; the logical GroupCoordinator entry is not a broker
  EXPECT_EQ(s->brokers_known, 1);
  // Partitions 2 and 3 know their lag (0 and 11); 0 and 1 have no committed offset yet (-1),
  // and the internal partition -1 is not the application's.
  ASSERT_EQ(s->lags.size(), 2u);
  EXPECT_EQ(s->lags[0], (PartitionLag{"transit.itineraries", 2, 0}));
  EXPECT_EQ(s->lags[1], (PartitionLag{"transit.itineraries", 3, 11}));
  EXPECT_EQ(s->skipped, 0u);
}

TEST(KafkaStatistics, OnlyConsumedTopicsBecomeLabels) {
  KafkaStatisticsParser parser;
  auto s = parser.parse(real_consumer_statistics(), {"transit.manifests"});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->lags.empty());
  EXPECT_EQ(s->brokers_up, 1);
}

TEST(KafkaStatistics, BrokerStates) {
  KafkaStatisticsParser parser;
  auto s = parser.parse(R"({"type":"producer","brokers":{
      "a:9092/bootstrap":{"nodeid":-1,"source":"configured","state":"UP"},
      "a:9092/1":{"nodeid":1,"source":"learned","state":"UP"},
      "b:9092/2":{"nodeid":2,"source":"learned","state":"CONNECT"},
      "c:9092/3":{"nodeid":3,"source":"learned","state":"DOWN"},
      ":0/internal":{"nodeid":-1,"source":"internal","state":"UP"},
      "GroupCoordinator":{"nodeid":1,"source":"logical","state":"UP"}}})",
                        kTopics);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->type, "producer");
  EXPECT_EQ(s->brokers_up, 1);
  EXPECT_EQ(s->brokers_known, 3);
}

TEST(KafkaStatistics, BrokenDocumentsAreErrorValues) {
  KafkaStatisticsParser parser;
  for (const std::string& bad : {std::string(), std::string("{"), std::string("not json"), std::string("[1,2,3]"),
                                std::string("\"a string\""), std::string("{\"type\":\"consumer\"} trailing"),
                                std::string("{\"a\":\"\xff\xfe\"}"), std::string(100, '[') + std::string(100, ']'),
                                std::string("{\"brokers\":") + std::string(5000, '{')}) {
    auto s = parser.parse(bad, kTopics);
    EXPECT_FALSE(s.ok()) << bad.substr(0, 40);
    if (!s.ok()) {
      EXPECT_TRUE(s.error().is_retriable());
      EXPECT_FALSE(s.error().message().empty());
    }
  }
  // The parser is still usable after errors.
  EXPECT_TRUE(parser.parse(real_consumer_statistics(), kTopics).ok());
}

TEST(KafkaStatistics, WrongTypesAndValuesAreSkippedAndCounted) {
  KafkaStatisticsParser parser;
  auto s = parser.parse(R"({"type":42,"brokers":[1,2],"topics":{
      "transit.itineraries":{"partitions":{
        "0":{"partition":0,"desired":true,"consumer_lag":"12"},
        "1":{"partition":"1","desired":true,"consumer_lag":12},
        "2":{"partition":2,"desired":"yes","consumer_lag":12},
        "3":{"partition":-7,"desired":true,"consumer_lag":12},
        "4":{"partition":99999999,"desired":true,"consumer_lag":12},
        "5":{"partition":5,"desired":true,"consumer_lag":1e300},
        "6":[],
        "7":{"partition":7,"desired":true,"consumer_lag":3}}},
      "transit.payments":{"partitions":"none"},
      "other":{"partitions":{"0":{"partition":0,"desired":true,"consumer_lag":5}}}}})",
                        kTopics);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->type, "");
  EXPECT_EQ(s->brokers_up, 0);
  ASSERT_EQ(s->lags.size(), 1u);
  EXPECT_EQ(s->lags[0], (PartitionLag{"transit.itineraries", 7, 3}));
  EXPECT_GE(s->skipped, 8u);
}

TEST(KafkaStatistics, LimitsBoundSizeDepthAndSeries) {
  KafkaStatisticsLimits limits;
  limits.max_bytes = 4096;
  limits.max_partitions = 3;
  KafkaStatisticsParser parser(limits);
  EXPECT_FALSE(parser.parse(std::string(5000, ' ') + "{}", kTopics).ok());  // too large

  std::string many = R"({"type":"consumer","topics":{"transit.itineraries":{"partitions":{)";
  for (int p = 0; p < 20; ++p) {
    if (p != 0) many += ',';
    many += "\"" + std::to_string(p) + "\":{\"partition\":" + std::to_string(p) + ",\"desired\":true,\"consumer_lag\":1}";
  }
  many += "}}}}";
  auto s = parser.parse(many, kTopics);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lags.size(), 3u);
  EXPECT_EQ(s->skipped, 17u);
}

// ---- PipelineMetrics: what the statistics become --------------------------------------------

std::string partition_doc(const std::vector<std::tuple<int, bool, long>>& parts) {
  std::string doc = R"({"type":"consumer","brokers":{"a:1/1":{"nodeid":1,"source":"learned","state":"UP"}},)"
                    R"("topics":{"transit.itineraries":{"partitions":{)";
  bool first = true;
  for (const auto& [p, desired, lag] : parts) {
    if (!first) doc += ',';
    first = false;
    doc += "\"" + std::to_string(p) + "\":{\"partition\":" + std::to_string(p) + ",\"desired\":" +
           (desired ? "true" : "false") + ",\"consumer_lag\":" + std::to_string(lag) + "}";
  }
  return doc + "}}}}";
}

TEST(PipelineMetricsStatistics, LagSeriesFollowTheAssignment) {
  auto registry = std::make_shared<prometheus::Registry>();
  ScreenerMetrics metrics(registry, "test");
  PipelineMetrics observer(metrics, "flags.", {"transit.itineraries", "transit.manifests", "transit.payments"});

  observer.on_statistics(partition_doc({{0, true, 5}, {1, true, 7}, {2, true, -1}}));
  EXPECT_EQ(metrics.consumer_lag_series(), 2u);
  EXPECT_EQ(metrics.kafka_brokers_up().Value(), 1);
  // Partition 1 revoked (no longer desired), partition 2's lag now known.
  observer.on_statistics(partition_doc({{0, true, 3}, {1, false, 7}, {2, true, 4}}));
  EXPECT_EQ(metrics.consumer_lag_series(), 2u);
  bool saw_p1 = false, saw_p2 = false;
  for (const auto& family : registry->Collect()) {
    if (family.name != "crosscheck_consumer_lag") continue;
    for (const auto& m : family.metric) {
      std::string partition;
      for (const auto& l : m.label) {
        if (l.name == "partition") partition = l.value;
      }
      saw_p1 = saw_p1 || partition == "1";
      if (partition == "2") {
        saw_p2 = true;
        EXPECT_EQ(m.gauge.value, 4);
      }
    }
  }
  EXPECT_FALSE(saw_p1) << "a revoked partition's series must go";
  EXPECT_TRUE(saw_p2);

  // The producer's statistics do not move the consumer's gauges.
  observer.on_statistics(R"({"type":"producer","brokers":{}})");
  EXPECT_EQ(metrics.kafka_brokers_up().Value(), 1);
  EXPECT_EQ(metrics.consumer_lag_series(), 2u);
}

TEST(PipelineMetricsStatistics, BadStatisticsMoveACounterAndKeepTheLastValues) {
  auto registry = std::make_shared<prometheus::Registry>();
  ScreenerMetrics metrics(registry, "test");
  PipelineMetrics observer(metrics, "flags.", {"transit.itineraries"});
  observer.on_statistics(partition_doc({{0, true, 5}}));
  observer.on_statistics("{truncated");
  observer.on_statistics(std::string("\0\0\0", 3));
  EXPECT_EQ(metrics.kafka_statistics_errors().Value(), 2);
  EXPECT_EQ(metrics.consumer_lag_series(), 1u);
  EXPECT_EQ(metrics.kafka_brokers_up().Value(), 1);
}

TEST(PipelineMetricsLatency, EveryCompletedEventIsRecorded) {
  auto registry = std::make_shared<prometheus::Registry>();
  ScreenerMetrics metrics(registry, "test");
  PipelineMetrics observer(metrics, "flags.", {});
  observer.on_completed("transit.itineraries", static_cast<int>(Outcome::kClean), 1000, 1004, 0);
  observer.on_completed("transit.itineraries", static_cast<int>(Outcome::kFlagged), 1000, 1020, 1);
  observer.on_completed("transit.itineraries", static_cast<int>(Outcome::kDeadLetter), 1000, 990, 1);  // skew: 0
  observer.on_completed("transit.itineraries", static_cast<int>(Outcome::kClean), 0, 1004, 0);  // no timestamp
  const auto all = metrics.event_latency().snapshot_all();
  EXPECT_EQ(all.count, 3u);
  EXPECT_EQ(all.min, 0);
  EXPECT_EQ(all.max, 20000);
  EXPECT_EQ(metrics.event_latency().snapshot(static_cast<int>(Outcome::kClean)).count, 1u);
  EXPECT_EQ(metrics.event_latency().snapshot(static_cast<int>(Outcome::kFlagged)).max, 20000);
}

}  // namespace
}  // namespace crosscheck::runtime
