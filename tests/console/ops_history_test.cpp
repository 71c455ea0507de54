// The operations dashboard's arithmetic: histogram_quantile as Prometheus computes it, counter
// rates over a window with resets, the history ring, and what a scrape of a screener's metrics
// turns into. Expected values are worked out by hand in the comments, not taken from the code.
#include "crosscheck/console/ops_history.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace crosscheck::console {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr double kInf = INFINITY;

TEST(HistogramQuantile, InterpolatesInsideTheBucketLikePrometheus) {
  // 10 observations <= 0.1, 20 more in (0.1, 0.2], 10 more in (0.2, 0.5], none above.
  const std::vector<std::pair<double, double>> b = {{0.1, 10}, {0.2, 30}, {0.5, 40}, {kInf, 40}};
  // rank 20 -> bucket (0.1, 0.2], 10 of its 20: 0.1 + 0.1 * 10/20.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.5, b), 0.15);
  // rank 10 -> the first bucket, from 0: 0 + 0.1 * 10/10.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.25, b), 0.1);
  // rank 39.6 -> (0.2, 0.5], 9.6 of 10: 0.2 + 0.3 * 0.96.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.99, b), 0.488);
  EXPECT_DOUBLE_EQ(histogram_quantile(1.0, b), 0.5);
  EXPECT_DOUBLE_EQ(histogram_quantile(0.0, b), 0.0);
  // The order of the input does not matter.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.5, {{kInf, 40}, {0.5, 40}, {0.1, 10}, {0.2, 30}}), 0.15);
}

TEST(HistogramQuantile, AnAnswerNeverLeavesItsBucket) {
  // Rank 10 is the top of (0.001, 0.01]: start + (end - start) * 1 rounds to 0.010000000000000002
  // in doubles, one step above the bucket (the prom_text fuzz target found such a case).
  const double top = histogram_quantile(1.0, {{0.001, 5}, {0.01, 10}, {kInf, 10}});
  EXPECT_LE(top, 0.01);
  EXPECT_GE(top, 0.001);
  // The same from a negative bound: -8.877534049585192 + 16.277737153117988 rounds above the end.
  const double end = 7.400203103532796;
  const double from_negative = histogram_quantile(1.0, {{-8.877534049585192, 5}, {end, 10}, {kInf, 10}});
  EXPECT_LE(from_negative, end);
  EXPECT_GE(from_negative, -8.877534049585192);
}

TEST(HistogramQuantile, EdgeCasesFollowPrometheus) {
  // A rank in the +Inf bucket: the highest finite bound.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.9, {{0.1, 10}, {kInf, 20}}), 0.1);
  // No +Inf bucket, no observations, a single bucket: no answer.
  EXPECT_TRUE(std::isnan(histogram_quantile(0.5, {{0.1, 10}, {0.2, 20}})));
  EXPECT_TRUE(std::isnan(histogram_quantile(0.5, {{0.1, 0}, {kInf, 0}})));
  EXPECT_TRUE(std::isnan(histogram_quantile(0.5, {{kInf, 5}})));
  EXPECT_TRUE(std::isnan(histogram_quantile(0.5, {})));
  EXPECT_TRUE(std::isnan(histogram_quantile(NAN, {{0.1, 10}, {kInf, 10}})));
  // Out-of-range quantiles.
  EXPECT_EQ(histogram_quantile(-0.1, {{0.1, 10}, {kInf, 10}}), -kInf);
  EXPECT_EQ(histogram_quantile(1.1, {{0.1, 10}, {kInf, 10}}), kInf);
  // A first bucket with a bound <= 0 answers with that bound.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.2, {{-1, 5}, {kInf, 10}}), -1);
  // Counts that dip (rates of buckets scraped at slightly different moments) are made monotonic:
  // (0.2, 8) becomes (0.2, 10); rank 5 is in the first bucket: 0.1 * 5/10.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.5, {{0.1, 10}, {0.2, 8}, {kInf, 10}}), 0.05);
  // Equal bounds from two sources add up: (0.1, 10), (+Inf, 10); rank 5 -> 0.05.
  EXPECT_DOUBLE_EQ(histogram_quantile(0.5, {{0.1, 5}, {kInf, 5}, {0.1, 5}, {kInf, 5}}), 0.05);
}

ScreenerSnapshot counter_at(std::int64_t at_ms, double value) {
  ScreenerSnapshot s;
  s.at_ms = at_ms;
  s.consumed["in"] = value;
  return s;
}

TEST(ScreenerHistory, RateIsTheIncreaseOverTheWindow) {
  ScreenerHistory h(seconds(60), seconds(2));
  // 0, 0, 0, 100, 200, 300 at one-second steps.
  const double values[] = {0, 0, 0, 100, 200, 300};
  for (int i = 0; i < 6; ++i) h.add(counter_at(1000 * i, values[i]));
  const auto& p = h.points();
  ASSERT_EQ(p.size(), 6u);
  // The first point has a single sample: no rate.
  EXPECT_EQ(p[0].consumed_per_s.count("in"), 0u);
  EXPECT_DOUBLE_EQ(p[1].consumed_per_s.at("in"), 0);
  // At 3 s the window [1 s, 3 s] holds 0, 0, 100: 100 over 2 s.
  EXPECT_DOUBLE_EQ(p[3].consumed_per_s.at("in"), 50);
  // At 5 s: [3 s, 5 s] holds 100, 200, 300: 200 over 2 s.
  EXPECT_DOUBLE_EQ(p[5].consumed_per_s.at("in"), 100);
}

TEST(ScreenerHistory, ACounterResetCountsTheNewValueAsTheIncrease) {
  ScreenerHistory h(seconds(60), seconds(10));
  // 100, 110, then the screener restarted: 5, 15. Increase 10 + 5 + 10 = 25 over 3 s.
  const double values[] = {100, 110, 5, 15};
  for (int i = 0; i < 4; ++i) h.add(counter_at(1000 * i, values[i]));
  EXPECT_NEAR(h.points().back().consumed_per_s.at("in"), 25.0 / 3.0, 1e-12);
}

TEST(ScreenerHistory, ACounterThatAppearsStartedAtZero) {
  ScreenerHistory h(seconds(60), seconds(10));
  ScreenerSnapshot quiet;  // before the first event: the screener has no series for the topic yet
  quiet.at_ms = 0;
  h.add(quiet);
  EXPECT_TRUE(h.points().back().consumed_per_s.empty()) << "no series, no rate";
  h.add(counter_at(2000, 22));
  // 0 -> 22 over 2 s, not "one sample, no rate" and not 0.
  EXPECT_DOUBLE_EQ(h.points().back().consumed_per_s.at("in"), 11);
  // A series that vanished (the screener restarted and has not seen the topic again) is a reset.
  ScreenerSnapshot restarted;
  restarted.at_ms = 4000;
  h.add(restarted);
  h.add(counter_at(6000, 3));
  EXPECT_DOUBLE_EQ(h.points().back().consumed_per_s.at("in"), 25.0 / 6.0);
}

TEST(ScreenerHistory, FailedScrapesAreGapsAndTheLastGoodValuesRemain) {
  ScreenerHistory h(seconds(60), seconds(10));
  h.add(counter_at(0, 0));
  h.add(counter_at(1000, 10));
  h.add_failure(2000);
  h.add_failure(3000);
  ASSERT_EQ(h.points().size(), 4u);
  EXPECT_TRUE(h.points()[1].ok);
  EXPECT_FALSE(h.points()[2].ok);
  EXPECT_TRUE(h.points()[3].consumed_per_s.empty());
  ASSERT_NE(h.latest(), nullptr);
  EXPECT_EQ(h.latest()->at_ms, 1000);
  // Back up: the rate spans the gap (0 at 0 s -> 50 at 4 s).
  h.add(counter_at(4000, 50));
  EXPECT_DOUBLE_EQ(h.points().back().consumed_per_s.at("in"), 12.5);
}

TEST(ScreenerHistory, KeepsOnlyTheConfiguredHistory) {
  ScreenerHistory h(seconds(5), seconds(2));
  for (int i = 0; i <= 20; ++i) h.add(counter_at(1000 * i, i));
  const auto& p = h.points();
  // 15 s .. 20 s.
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(p.front().at_ms, 15000);
  EXPECT_EQ(p.back().at_ms, 20000);
  EXPECT_DOUBLE_EQ(p.back().consumed_per_s.at("in"), 1);
}

TEST(ScreenerHistory, AClockThatGoesBackStartsAfresh) {
  ScreenerHistory h(seconds(60), seconds(10));
  h.add(counter_at(10000, 0));
  h.add(counter_at(11000, 100));
  h.add(counter_at(5000, 200));  // the wall clock was set back
  ASSERT_EQ(h.points().size(), 1u);
  EXPECT_EQ(h.points().front().at_ms, 5000);
  EXPECT_TRUE(h.points().front().consumed_per_s.empty()) << "no rate across the jump";
}

TEST(ScreenerHistory, LatencyQuantilesComeFromTheBucketIncreases) {
  ScreenerHistory h(seconds(60), seconds(10));
  ScreenerSnapshot a;
  a.at_ms = 0;
  // Old observations that are outside what happens in the window: 1000 slow events.
  a.latency_buckets = {{0.01, 0}, {0.1, 0}, {kInf, 1000}};
  ScreenerSnapshot b = a;
  b.at_ms = 2000;
  // In the window: 50 events <= 10 ms, 49 in (10, 100] ms, 1 above (+Inf grows 1000 -> 1100):
  // cumulative increases 50, 99, 100.
  b.latency_buckets = {{0.01, 50}, {0.1, 99}, {kInf, 1100}};
  h.add(a);
  h.add(b);
  const OpsPoint& p = h.points().back();
  // rank 50 -> first bucket, 50 of 50: 0.01.
  EXPECT_DOUBLE_EQ(p.p50, 0.01);
  // rank 99 -> (0.01, 0.1], 49 of 49: 0.1.
  EXPECT_DOUBLE_EQ(p.p99, 0.1);
  // rank 99.9 -> the +Inf bucket: the highest finite bound.
  EXPECT_DOUBLE_EQ(p.p999, 0.1);
  // Nothing happened in a window: no quantile.
  ScreenerSnapshot c = b;
  c.at_ms = 4000;
  h.add(c);
  ScreenerSnapshot d = b;
  d.at_ms = 13000;  // the window [3 s, 13 s] holds c and d, both equal
  h.add(d);
  EXPECT_TRUE(std::isnan(h.points().back().p99));
}

TEST(SnapshotFrom, ReadsTheScreenersMetrics) {
  const std::string text = R"(# TYPE crosscheck_screener_info gauge
crosscheck_screener_info{instance_id="scr-a"} 1
crosscheck_events_consumed_total{topic="transit.itineraries"} 120
crosscheck_events_consumed_total{topic="transit.payments"} 7
crosscheck_flags_published_total{queue="border"} 9
crosscheck_deadletter_records_total{reason="invalid_json"} 2
crosscheck_deadletter_records_total{reason="missing_field"} 0
crosscheck_end_to_end_latency_seconds_bucket{outcome="clean",le="0.01"} 5
crosscheck_end_to_end_latency_seconds_bucket{outcome="clean",le="+Inf"} 6
crosscheck_end_to_end_latency_seconds_bucket{outcome="flagged",le="0.01"} 1
crosscheck_end_to_end_latency_seconds_bucket{outcome="flagged",le="+Inf"} 3
crosscheck_end_to_end_latency_seconds_sum{outcome="flagged"} 0.5
crosscheck_consumer_lag{topic="transit.itineraries",partition="0"} 12
crosscheck_consumer_lag{topic="transit.itineraries",partition="1"} 0
crosscheck_consumer_lag{partition="2"} 99
crosscheck_rule_cap_used_ratio{rule="r1"} 0.25
crosscheck_rule_over_cap{rule="r1"} 0
crosscheck_rule_over_cap{rule="r2"} 1
crosscheck_rule_matches_total{rule="r2",outcome="flagged"} 4
crosscheck_rule_matches_total{rule="r2",outcome="suppressed"} 6
crosscheck_rule_matches_total{rule="r2",outcome="shadow"} 100
crosscheck_watchlist_version{list="demo"} 3
crosscheck_watchlist_entries{list="demo"} 120
crosscheck_watchlist_loaded_timestamp_seconds{list="demo"} 1764800000.5
crosscheck_redis_up 1
crosscheck_kafka_brokers_up 3
crosscheck_ready 1
crosscheck_assigned_partitions 4
crosscheck_kafka_errors_total{kind="retriable"} 2
crosscheck_kafka_errors_total{kind="fatal"} 1
other_metric{topic="x"} 5
crosscheck_events_consumed_total 3
)";
  auto parsed = parse_prom_text(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  const ScreenerSnapshot s = snapshot_from(*parsed, 42);
  EXPECT_EQ(s.at_ms, 42);
  EXPECT_EQ(s.instance_id, "scr-a");
  // The unlabelled consumed sample has no topic: skipped.
  EXPECT_EQ(s.consumed, (std::map<std::string, double>{{"transit.itineraries", 120}, {"transit.payments", 7}}));
  EXPECT_EQ(s.flags, (std::map<std::string, double>{{"border", 9}}));
  EXPECT_EQ(s.deadletter, (std::map<std::string, double>{{"invalid_json", 2}, {"missing_field", 0}}));
  // Buckets summed over the outcomes.
  EXPECT_EQ(s.latency_buckets, (std::map<double, double>{{0.01, 6}, {kInf, 9}}));
  // The lag sample without a topic is skipped.
  ASSERT_EQ(s.lag.size(), 2u);
  EXPECT_EQ(s.lag.at({"transit.itineraries", "0"}), 12);
  EXPECT_DOUBLE_EQ(s.rules.at("r1").cap_used, 0.25);
  EXPECT_EQ(s.rules.at("r1").over_cap, 0);
  EXPECT_EQ(s.rules.at("r2").over_cap, 1);
  EXPECT_EQ(s.rules.at("r2").flagged, 4);
  EXPECT_EQ(s.rules.at("r2").suppressed, 6);
  EXPECT_TRUE(std::isnan(s.rules.at("r1").flagged));
  EXPECT_EQ(s.watchlists.at("demo").version, 3);
  EXPECT_EQ(s.watchlists.at("demo").entries, 120);
  EXPECT_DOUBLE_EQ(s.watchlists.at("demo").loaded_at_s, 1764800000.5);
  EXPECT_EQ(s.redis_up, 1);
  EXPECT_EQ(s.kafka_brokers_up, 3);
  EXPECT_EQ(s.ready, 1);
  EXPECT_EQ(s.assigned_partitions, 4);
  EXPECT_EQ(s.kafka_errors, 3);
}

TEST(SnapshotFrom, AnOlderScreenerWithoutLagOrBrokerMetricsHasNone) {
  auto parsed = parse_prom_text("crosscheck_redis_up 0\n");
  ASSERT_TRUE(parsed.ok());
  const ScreenerSnapshot s = snapshot_from(*parsed, 1);
  EXPECT_TRUE(s.lag.empty());
  EXPECT_TRUE(std::isnan(s.kafka_brokers_up));
  EXPECT_EQ(s.redis_up, 0);
  ScreenerHistory h(seconds(60), seconds(10));
  h.add(s);
  EXPECT_TRUE(std::isnan(h.points().back().lag_total));
}

TEST(ScreenerHistory, RatesOfRulesDeadLettersAndTotalLag) {
  ScreenerHistory h(seconds(60), seconds(10));
  ScreenerSnapshot a;
  a.at_ms = 0;
  a.deadletter = {{"invalid_json", 0}, {"missing_field", 4}};
  a.rules["r"].flagged = 1;
  a.rules["r"].suppressed = 0;
  a.lag = {{{"t", "0"}, 5}, {{"t", "1"}, 7}};
  a.kafka_errors = 0;
  ScreenerSnapshot b = a;
  b.at_ms = 4000;
  b.deadletter = {{"invalid_json", 8}, {"missing_field", 4}};
  b.rules["r"].flagged = 1;
  b.rules["r"].suppressed = 20;
  b.lag = {{{"t", "0"}, 1}, {{"t", "1"}, 2}, {{"t", "2"}, -1}};  // -1: unknown, not counted
  b.kafka_errors = 2;
  h.add(a);
  h.add(b);
  const OpsPoint& p = h.points().back();
  EXPECT_DOUBLE_EQ(p.deadletter_per_s.at("invalid_json"), 2);
  EXPECT_DOUBLE_EQ(p.deadletter_per_s.at("missing_field"), 0);
  EXPECT_DOUBLE_EQ(p.deadletter_total_per_s, 2);
  EXPECT_DOUBLE_EQ(p.rule_flagged_per_s.at("r"), 0);
  EXPECT_DOUBLE_EQ(p.rule_suppressed_per_s.at("r"), 5);
  EXPECT_DOUBLE_EQ(p.kafka_errors_per_s, 0.5);
  EXPECT_DOUBLE_EQ(p.lag_total, 3);
}

}  // namespace
}  // namespace crosscheck::console
