// The log-linear latency histogram behind GET /stats/latency: bucket layout, percentile accuracy
// against exact order statistics, merging and interval differences, concurrent recording, and the
// JSON shape the benchmark reads.
#include "crosscheck/runtime/latency_histogram.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

namespace crosscheck::runtime {
namespace {

using H = HistogramSnapshot;

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  // Consecutive buckets meet exactly, small values are exact, and every bucket is at most 1/128
  // of its lower bound wide.
  EXPECT_EQ(H::bucket_lower(0), 0);
  for (std::size_t i = 0; i + 1 < H::kBucketCount; ++i) {
    ASSERT_EQ(H::bucket_upper(i) + 1, H::bucket_lower(i + 1)) << i;
    const std::int64_t lo = H::bucket_lower(i), hi = H::bucket_upper(i);
    ASSERT_LE(lo, hi);
    if (lo < 256) {
      ASSERT_EQ(lo, hi) << "values below 256 have their own bucket";
    } else {
      ASSERT_LE(static_cast<double>(hi - lo + 1), static_cast<double>(lo) / 128.0 + 1e-9) << i;
    }
    ASSERT_EQ(H::bucket_of(lo), i);
    ASSERT_EQ(H::bucket_of(hi), i);
  }
  EXPECT_EQ(H::bucket_upper(H::kBucketCount - 1), H::kMaxValue);
  EXPECT_EQ(H::bucket_of(-5), 0u);
  EXPECT_EQ(H::bucket_of(H::kMaxValue + 1000), H::kBucketCount - 1);
}

TEST(LatencyHistogram, PercentilesWithinHalfABucketOfTheExactValue) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(std::log(4000.0), 1.2);  // around 4 ms, long tail
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::int64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  const H s = h.snapshot();
  ASSERT_EQ(s.count, values.size());
  EXPECT_EQ(s.min, values.front());
  EXPECT_EQ(s.max, values.back());
  for (double q : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    const std::int64_t exact = values[rank - 1];
    const std::int64_t got = s.percentile(q);
    EXPECT_LE(std::abs(got - exact), std::max<std::int64_t>(1, exact / 256 + 1)) << "q=" << q << " exact=" << exact;
  }
  EXPECT_EQ(s.percentile(0), values.front());
  EXPECT_EQ(s.percentile(1), values.back());
  double sum = 0;
  for (auto v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(s.mean(), sum / static_cast<double>(values.size()), 1e-6 * sum);
}

TEST(LatencyHistogram, EmptyAndOutOfRange) {
  LatencyHistogram h;
  H s = h.snapshot();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.percentile(0.99), 0);
  h.record(-40);  // clock skew: recorded as 0, not lost
  h.record(H::kMaxValue * 4);
  s = h.snapshot();
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.max, H::kMaxValue);
  EXPECT_EQ(s.overflow, 1u);
}

TEST(LatencyHistogram, MergeAndIntervalDifference) {
  LatencyHistogram a, b;
  for (int i = 1; i <= 1000; ++i) a.record(i * 10);
  const H before = a.snapshot();
  for (int i = 1; i <= 500; ++i) a.record(100000 + i);
  for (int i = 1; i <= 300; ++i) b.record(7);
  const H after = a.snapshot();
  const H interval = after.minus(before);
  EXPECT_EQ(interval.count, 500u);
  EXPECT_GE(interval.min, 100001 - 100001 / 128);
  EXPECT_LE(interval.max, 100500 + 100500 / 128);
  EXPECT_NEAR(static_cast<double>(interval.percentile(0.5)), 100250, 100250 / 256.0 + 1);

  H merged = after;
  merged.merge(b.snapshot());
  EXPECT_EQ(merged.count, 1800u);
  EXPECT_EQ(merged.min, 7);
  EXPECT_EQ(merged.max, 100500);
  EXPECT_EQ(merged.percentile(0.16), 7);  // rank 288 of 1800: among the 300 sevens
}

TEST(LatencyHistogram, ConcurrentRecordingLosesNothing) {
  LatencyHistogram h;
  constexpr int kThreads = 4, kPerThread = 100000;
  std::vector<std::thread> threads;
  std::atomic<bool> reading{true};
  std::thread reader([&] {  // snapshots taken while recording are internally consistent
    while (reading) {
      const H s = h.snapshot();
      std::uint64_t sum = 0;
      for (auto c : s.counts) sum += c;
      ASSERT_EQ(sum, s.count);
      if (s.count != 0) {
        ASSERT_LE(s.min, s.max);
        ASSERT_LE(s.percentile(0.99), s.max);
      }
    }
  });
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) h.record((i % 5000) * (t + 1));
    });
  }
  for (auto& th : threads) th.join();
  reading = false;
  reader.join();
  const H s = h.snapshot();
  EXPECT_EQ(s.count, static_cast<std::uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.max, 4999 * kThreads);
}

TEST(EventLatency, JsonCarriesEveryOutcomeAndTheBuckets) {
  EventLatency lat({"clean", "flagged", "deadletter"});
  for (int i = 0; i < 90; ++i) lat.record(0, 3000);
  for (int i = 0; i < 9; ++i) lat.record(1, 12000);
  lat.record(2, 250000);
  lat.record(7, 1000);  // an unknown outcome is counted in "all" only
  const std::string json = lat.json();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(std::string_view(doc["unit"]), "us");
  EXPECT_EQ(std::int64_t(doc["resolution_us"]), 1000);
  EXPECT_EQ(std::uint64_t(doc["all"]["count"]), 101u);
  EXPECT_NEAR(static_cast<double>(std::int64_t(doc["all"]["p50"])), 3000, 3000 / 256.0 + 1);  // bucket midpoint
  EXPECT_EQ(std::int64_t(doc["all"]["max"]), 250000);
  EXPECT_EQ(std::uint64_t(doc["by_outcome"]["clean"]["count"]), 90u);
  EXPECT_EQ(std::uint64_t(doc["by_outcome"]["flagged"]["count"]), 9u);
  EXPECT_EQ(std::uint64_t(doc["by_outcome"]["deadletter"]["count"]), 1u);
  // Buckets: [lower, upper, count], non-empty ones only, in order; their counts add up.
  std::uint64_t total = 0;
  std::int64_t last = -1;
  for (auto b : doc["all"]["buckets"].get_array()) {
    auto arr = b.get_array().value();
    const std::int64_t lo = arr.at(0), hi = arr.at(1);
    const std::uint64_t c = arr.at(2);
    EXPECT_GT(lo, last);
    EXPECT_LE(lo, hi);
    EXPECT_GT(c, 0u);
    last = hi;
    total += c;
  }
  EXPECT_EQ(total, 101u);
}

}  // namespace
}  // namespace crosscheck::runtime
