// HDR-style log-linear histograms for per-event latency, and the per-outcome set the screener
// serves at GET /stats/latency (admin_server.h).
//
// Layout: values 0..255 have a bucket each; above that every power of two [2^e, 2^(e+1)) is cut
// into 128 equal buckets, so a bucket is at most 1/128 of its values wide and a value read back
// at its bucket's midpoint is within 0.4 % of what was recorded. Values up to 2^40 - 1 are held
// (12.7 days in microseconds); larger ones are clamped into the top bucket and counted in
// `overflow`. Negative values are recorded as 0 (clock skew between a producer and the screener
// must not crash anything or vanish). Memory is fixed: 4,352 counters (34 KiB) per histogram.
//
// Thread-safety: record() may be called from any number of threads concurrently with each other
// and with snapshot(); every counter is a relaxed atomic, so recording costs a few instructions
// and never blocks. A snapshot taken while others record is not one instant across buckets: its
// `count` is the sum of the bucket counts it read, so its percentiles are always consistent with
// its own buckets, and a record in progress is either in it or not.
// Failure behaviour: never throws after construction, never allocates in record().
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace crosscheck::json {
class Writer;
}

namespace crosscheck::runtime {

// A plain copy of a histogram's counts: merge, read percentiles, write JSON. Not thread-safe.
struct HistogramSnapshot {
  static constexpr int kSubBucketBits = 7;                       // 128 buckets per power of two
  static constexpr std::int64_t kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kMaxBits = 40;                            // values < 2^40
  static constexpr std::int64_t kMaxValue = (std::int64_t{1} << kMaxBits) - 1;
  static constexpr std::size_t kBucketCount = static_cast<std::size_t>((kMaxBits - kSubBucketBits + 1) * kSubBuckets);

  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(kBucketCount, 0);
  std::uint64_t count = 0;     // sum of counts
  std::uint64_t overflow = 0;  // values above kMaxValue (clamped into the top bucket)
  std::int64_t min = 0;        // smallest and largest value recorded (0 when count == 0)
  std::int64_t max = 0;
  double sum = 0;              // of the recorded (clamped) values, for the mean

  static std::size_t bucket_of(std::int64_t value);
  static std::int64_t bucket_lower(std::size_t index);  // smallest value of the bucket
  static std::int64_t bucket_upper(std::size_t index);  // largest value of the bucket

  // The value at rank ceil(q * count) (q in [0, 1]; q = 0 is the minimum), read at its bucket's
  // midpoint and kept within [min, max]. 0 when empty.
  std::int64_t percentile(double q) const;
  double mean() const { return count == 0 ? 0.0 : sum / static_cast<double>(count); }
  void merge(const HistogramSnapshot& other);
  // Counts recorded since `earlier` (a snapshot of the same histogram taken before this one):
  // what an interval saw. min and max are then those of the buckets left (bucket bounds).
  HistogramSnapshot minus(const HistogramSnapshot& earlier) const;
};

class LatencyHistogram {
 public:
  LatencyHistogram();
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  void record(std::int64_t value) noexcept;
  HistogramSnapshot snapshot() const;

 private:
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> overflow_{0};
  std::atomic<std::int64_t> min_{HistogramSnapshot::kMaxValue};
  std::atomic<std::int64_t> max_{-1};
  std::atomic<std::uint64_t> sum_{0};
};

// Writes one snapshot as a JSON object (the shape documented in docs/loadtest.md):
//   {"count":N,"overflow":0,"min":..,"max":..,"mean":..,"p50":..,"p90":..,"p99":..,"p999":..,
//    "buckets":[[lower,upper,count],...]}     only the non-empty buckets, in value order
void write_histogram_json(const HistogramSnapshot& s, json::Writer& w);

// End-to-end latency of every completed event, overall and per outcome, in microseconds: what
// GET /stats/latency serves. Thread-safety: as LatencyHistogram.
class EventLatency {
 public:
  // `outcomes`: the names of the outcome tags 0..n-1 (the screener's: clean, flagged, deadletter).
  explicit EventLatency(std::vector<std::string> outcomes);

  // Records one event; an outcome outside 0..n-1 is counted in "all" only.
  void record(int outcome, std::int64_t micros) noexcept;
  HistogramSnapshot snapshot_all() const { return all_.snapshot(); }
  HistogramSnapshot snapshot(int outcome) const;

  // {"unit":"us","sub_buckets_per_power_of_two":128,"resolution_us":1000,"since_ms":..,
  //  "all":{histogram},"by_outcome":{"clean":{histogram},...}}
  // `resolution_us` says what the inputs can tell apart: Kafka timestamps are milliseconds.
  std::string json() const;

 private:
  std::vector<std::string> names_;
  LatencyHistogram all_;
  std::vector<std::unique_ptr<LatencyHistogram>> by_outcome_;
  std::int64_t since_ms_;
};

}  // namespace crosscheck::runtime
