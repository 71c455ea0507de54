#include "crosscheck/runtime/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::runtime {

namespace {
constexpr std::int64_t kS = HistogramSnapshot::kSubBuckets;
constexpr int kK = HistogramSnapshot::kSubBucketBits;
}  // namespace

std::size_t HistogramSnapshot::bucket_of(std::int64_t value) {
  if (value < 0) value = 0;
  if (value > kMaxValue) value = kMaxValue;
  if (value < 2 * kS) return static_cast<std::size_t>(value);
  const int e = 63 - std::countl_zero(static_cast<std::uint64_t>(value));  // value in [2^e, 2^(e+1))
  const int shift = e - kK;
  return static_cast<std::size_t>(shift) * kS + static_cast<std::size_t>(value >> shift);
}

std::int64_t HistogramSnapshot::bucket_lower(std::size_t index) {
  const std::int64_t i = static_cast<std::int64_t>(index);
  const std::int64_t shift = std::max<std::int64_t>(0, i / kS - 1);
  const std::int64_t sub = i - shift * kS;
  return sub << shift;
}

std::int64_t HistogramSnapshot::bucket_upper(std::size_t index) {
  const std::int64_t i = static_cast<std::int64_t>(index);
  const std::int64_t shift = std::max<std::int64_t>(0, i / kS - 1);
  const std::int64_t sub = i - shift * kS;
  return ((sub + 1) << shift) - 1;
}

std::int64_t HistogramSnapshot::percentile(double q) const {
  if (count == 0) return 0;
  if (!(q > 0)) return min;  // also NaN
  if (q >= 1) return max;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank && counts[i] != 0) {
      const std::int64_t lo = bucket_lower(i);
      const std::int64_t hi = bucket_upper(i);
      return std::clamp(lo + (hi - lo) / 2, min, max);
    }
  }
  return max;
}

void HistogramSnapshot::merge(const HistogramSnapshot& o) {
  if (o.count == 0) return;
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
  min = count == 0 ? o.min : std::min(min, o.min);
  max = count == 0 ? o.max : std::max(max, o.max);
  count += o.count;
  overflow += o.overflow;
  sum += o.sum;
}

HistogramSnapshot HistogramSnapshot::minus(const HistogramSnapshot& earlier) const {
  HistogramSnapshot d;
  bool first = true;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const std::uint64_t c = counts[i] >= earlier.counts[i] ? counts[i] - earlier.counts[i] : 0;
    d.counts[i] = c;
    if (c == 0) continue;
    d.count += c;
    if (first) d.min = bucket_lower(i);
    first = false;
    d.max = bucket_upper(i);
  }
  if (d.count != 0) {
    // The exact extremes are known when they fall inside the interval's extreme buckets.
    if (bucket_of(min) == bucket_of(d.min)) d.min = std::max(d.min, min);
    if (bucket_of(max) == bucket_of(d.max)) d.max = std::min(d.max, max);
  }
  d.overflow = overflow >= earlier.overflow ? overflow - earlier.overflow : 0;
  d.sum = std::max(0.0, sum - earlier.sum);
  return d;
}

LatencyHistogram::LatencyHistogram()
    : counts_(std::make_unique<std::atomic<std::uint64_t>[]>(HistogramSnapshot::kBucketCount)) {
  for (std::size_t i = 0; i < HistogramSnapshot::kBucketCount; ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void LatencyHistogram::record(std::int64_t value) noexcept {
  if (value < 0) value = 0;
  if (value > HistogramSnapshot::kMaxValue) {
    overflow_.fetch_add(1, std::memory_order_relaxed);
    value = HistogramSnapshot::kMaxValue;
  }
  counts_[HistogramSnapshot::bucket_of(value)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(static_cast<std::uint64_t>(value), std::memory_order_relaxed);
  std::int64_t cur = min_.load(std::memory_order_relaxed);
  while (value < cur && !min_.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
  cur = max_.load(std::memory_order_relaxed);
  while (value > cur && !max_.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot LatencyHistogram::snapshot() const {
  HistogramSnapshot s;
  for (std::size_t i = 0; i < HistogramSnapshot::kBucketCount; ++i) {
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.count += s.counts[i];
  }
  s.overflow = overflow_.load(std::memory_order_relaxed);
  s.sum = static_cast<double>(sum_.load(std::memory_order_relaxed));
  if (s.count == 0) return s;
  // min/max may lag the buckets by a record in progress: keep them within the buckets read.
  std::size_t lo = 0;
  while (s.counts[lo] == 0) ++lo;
  std::size_t hi = s.counts.size() - 1;
  while (s.counts[hi] == 0) --hi;
  const std::int64_t mn = min_.load(std::memory_order_relaxed);
  const std::int64_t mx = max_.load(std::memory_order_relaxed);
  s.min = HistogramSnapshot::bucket_of(mn) == lo ? mn : HistogramSnapshot::bucket_lower(lo);
  s.max = HistogramSnapshot::bucket_of(mx) == hi ? mx : HistogramSnapshot::bucket_upper(hi);
  return s;
}

void write_histogram_json(const HistogramSnapshot& s, json::Writer& w) {
  w.begin_object();
  w.field("count", s.count);
  w.field("overflow", s.overflow);
  w.field("min", s.min);
  w.field("max", s.max);
  w.field("mean", std::round(s.mean() * 10.0) / 10.0);
  w.field("p50", s.percentile(0.50));
  w.field("p90", s.percentile(0.90));
  w.field("p99", s.percentile(0.99));
  w.field("p999", s.percentile(0.999));
  w.key("buckets").begin_array();
  for (std::size_t i = 0; i < s.counts.size(); ++i) {
    if (s.counts[i] == 0) continue;
    w.begin_array();
    w.number(HistogramSnapshot::bucket_lower(i));
    w.number(HistogramSnapshot::bucket_upper(i));
    w.number(s.counts[i]);
    w.end_array();
  }
  w.end_array();
  w.end_object();
}

EventLatency::EventLatency(std::vector<std::string> outcomes) : names_(std::move(outcomes)), since_ms_(timefmt::now_ms()) {
  for (std::size_t i = 0; i < names_.size(); ++i) by_outcome_.push_back(std::make_unique<LatencyHistogram>());
}

void EventLatency::record(int outcome, std::int64_t micros) noexcept {
  all_.record(micros);
  if (outcome >= 0 && static_cast<std::size_t>(outcome) < by_outcome_.size()) by_outcome_[outcome]->record(micros);
}

HistogramSnapshot EventLatency::snapshot(int outcome) const {
  if (outcome < 0 || static_cast<std::size_t>(outcome) >= by_outcome_.size()) return HistogramSnapshot{};
  return by_outcome_[outcome]->snapshot();
}

std::string EventLatency::json() const {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("unit", "us");
  w.field("sub_buckets_per_power_of_two", HistogramSnapshot::kSubBuckets);
  w.field("resolution_us", std::int64_t{1000});
  w.field("since_ms", since_ms_);
  w.key("all");
  write_histogram_json(all_.snapshot(), w);
  w.key("by_outcome").begin_object();
  for (std::size_t i = 0; i < names_.size(); ++i) {
    w.key(names_[i]);
    write_histogram_json(by_outcome_[i]->snapshot(), w);
  }
  w.end_object();
  w.end_object();
  return out;
}

}  // namespace crosscheck::runtime
