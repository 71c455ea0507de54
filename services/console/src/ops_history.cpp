#include "crosscheck/console/ops_history.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace crosscheck::console {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Sums `value` into `slot`, which starts as NaN (absent).
void add_to(double& slot, double value) { slot = std::isnan(slot) ? value : slot + value; }

// The increase of one counter over the snapshots of a window (in time order), with Prometheus'
// reset rule, per second of the time the window's scrapes span. A scrape without the series counts
// as 0: the screener creates per-topic, per-queue and per-rule counters on first use, so a series
// that appears between two scrapes started at zero and its first increase is real (Prometheus'
// created-timestamp zero injection does the same). nullopt below two scrapes, or when no scrape
// had the series at all.
template <class Get>
std::optional<double> rate_over(const std::vector<const ScreenerSnapshot*>& window, Get get) {
  if (window.size() < 2) return std::nullopt;
  bool any = false, first = true;
  double prev = 0, increase = 0;
  for (const ScreenerSnapshot* s : window) {
    const std::optional<double> v = get(*s);
    double x = 0;
    if (v && !std::isnan(*v)) {
      x = *v;
      any = true;
    }
    if (!first) increase += x >= prev ? x - prev : x;  // a lower value: the counter was reset
    prev = x;
    first = false;
  }
  const std::int64_t span_ms = window.back()->at_ms - window.front()->at_ms;
  if (!any || span_ms <= 0) return std::nullopt;
  return increase / (static_cast<double>(span_ms) / 1000.0);
}

template <class Map>
std::optional<double> find_in(const Map& m, const typename Map::key_type& key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// Rates of every key of a counter map that appears in the window.
template <class Member>
std::map<std::string, double> rates_by_key(const std::vector<const ScreenerSnapshot*>& window, Member member) {
  std::map<std::string, double> out;
  std::vector<std::string> keys;
  for (const auto* s : window) {
    for (const auto& [k, v] : s->*member) keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& k : keys) {
    auto r = rate_over(window, [&](const ScreenerSnapshot& s) { return find_in(s.*member, k); });
    if (r) out.emplace(k, *r);
  }
  return out;
}

std::optional<double> parse_le(const std::string& text) { return parse_prom_value(text); }

}  // namespace

double histogram_quantile(double q, std::vector<std::pair<double, double>> buckets) {
  if (std::isnan(q)) return kNoValue;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Buckets with the same bound (from several sources) are one bucket.
  std::vector<std::pair<double, double>> merged;
  for (const auto& b : buckets) {
    if (std::isnan(b.first)) continue;
    if (!merged.empty() && merged.back().first == b.first) {
      merged.back().second += b.second;
    } else {
      merged.push_back(b);
    }
  }
  if (merged.empty() || merged.back().first != kInf) return kNoValue;
  double max_so_far = -kInf;
  for (auto& b : merged) {
    if (std::isnan(b.second)) return kNoValue;
    if (b.second < max_so_far) b.second = max_so_far;
    max_so_far = b.second;
  }
  if (merged.size() < 2) return kNoValue;
  const double observations = merged.back().second;
  if (!(observations > 0)) return kNoValue;
  double rank = q * observations;
  std::size_t b = 0;
  while (b < merged.size() - 1 && merged[b].second < rank) ++b;
  if (b == merged.size() - 1) return merged[merged.size() - 2].first;
  if (b == 0 && merged[0].first <= 0) return merged[0].first;
  double bucket_start = 0;
  const double bucket_end = merged[b].first;
  double count = merged[b].second;
  if (b > 0) {
    bucket_start = merged[b - 1].first;
    count -= merged[b - 1].second;
    rank -= merged[b - 1].second;
  }
  if (!(count > 0)) return bucket_end;  // cannot happen after the search; never divide by zero
  // Kept inside the bucket: start + (end - start) * 1 can round one step past the end.
  // (std::clamp passes a NaN through, from bounds of -Inf.)
  return std::clamp(bucket_start + (bucket_end - bucket_start) * (rank / count), bucket_start, bucket_end);
}

ScreenerSnapshot snapshot_from(const PromExposition& exposition, std::int64_t at_ms) {
  ScreenerSnapshot s;
  s.at_ms = at_ms;
  for (const PromSample& sample : exposition.samples) {
    const std::string& n = sample.name;
    if (n.rfind("crosscheck_", 0) != 0) continue;
    auto with = [&](std::string_view label, const std::function<void(const std::string&)>& f) {
      if (const std::string* v = sample.label(label)) f(*v);
    };
    if (n == "crosscheck_events_consumed_total") {
      with("topic", [&](const std::string& t) { add_to(s.consumed.try_emplace(t, kNoValue).first->second, sample.value); });
    } else if (n == "crosscheck_flags_published_total") {
      with("queue", [&](const std::string& q) { add_to(s.flags.try_emplace(q, kNoValue).first->second, sample.value); });
    } else if (n == "crosscheck_deadletter_records_total") {
      with("reason", [&](const std::string& r) { add_to(s.deadletter.try_emplace(r, kNoValue).first->second, sample.value); });
    } else if (n == "crosscheck_end_to_end_latency_seconds_bucket") {
      with("le", [&](const std::string& le) {
        if (auto bound = parse_le(le)) add_to(s.latency_buckets.try_emplace(*bound, kNoValue).first->second, sample.value);
      });
    } else if (n == "crosscheck_consumer_lag") {
      const std::string* topic = sample.label("topic");
      const std::string* partition = sample.label("partition");
      if (topic != nullptr && partition != nullptr) s.lag[{*topic, *partition}] = sample.value;
    } else if (n == "crosscheck_rule_cap_used_ratio") {
      with("rule", [&](const std::string& r) { s.rules[r].cap_used = sample.value; });
    } else if (n == "crosscheck_rule_over_cap") {
      with("rule", [&](const std::string& r) { s.rules[r].over_cap = sample.value; });
    } else if (n == "crosscheck_rule_matches_total") {
      const std::string* rule = sample.label("rule");
      const std::string* outcome = sample.label("outcome");
      if (rule != nullptr && outcome != nullptr) {
        if (*outcome == "flagged") add_to(s.rules[*rule].flagged, sample.value);
        if (*outcome == "suppressed") add_to(s.rules[*rule].suppressed, sample.value);
      }
    } else if (n == "crosscheck_watchlist_version") {
      with("list", [&](const std::string& l) { s.watchlists[l].version = sample.value; });
    } else if (n == "crosscheck_watchlist_entries") {
      with("list", [&](const std::string& l) { s.watchlists[l].entries = sample.value; });
    } else if (n == "crosscheck_watchlist_loaded_timestamp_seconds") {
      with("list", [&](const std::string& l) { s.watchlists[l].loaded_at_s = sample.value; });
    } else if (n == "crosscheck_screener_info") {
      with("instance_id", [&](const std::string& id) { s.instance_id = id; });
    } else if (n == "crosscheck_redis_up") {
      s.redis_up = sample.value;
    } else if (n == "crosscheck_kafka_brokers_up") {
      s.kafka_brokers_up = sample.value;
    } else if (n == "crosscheck_ready") {
      s.ready = sample.value;
    } else if (n == "crosscheck_assigned_partitions") {
      s.assigned_partitions = sample.value;
    } else if (n == "crosscheck_kafka_errors_total") {
      add_to(s.kafka_errors, sample.value);
    }
  }
  return s;
}

ScreenerHistory::ScreenerHistory(std::chrono::milliseconds history, std::chrono::milliseconds window)
    : history_(history), window_(window) {}

void ScreenerHistory::add(ScreenerSnapshot snapshot) {
  const std::int64_t at = snapshot.at_ms;
  if (!points_.empty() && at < points_.back().at_ms) {
    raw_.clear();
    points_.clear();
  }
  raw_.push_back(std::move(snapshot));
  // Keep what the window of this scrape needs (and always the newest).
  while (raw_.size() > 1 && raw_.front().at_ms < at - window_.count()) raw_.pop_front();
  points_.push_back(derive(at));
  trim(at);
}

void ScreenerHistory::add_failure(std::int64_t at_ms) {
  if (!points_.empty() && at_ms < points_.back().at_ms) {
    raw_.clear();
    points_.clear();
  }
  OpsPoint p;
  p.at_ms = at_ms;
  p.ok = false;
  points_.push_back(std::move(p));
  trim(at_ms);
}

void ScreenerHistory::trim(std::int64_t newest_ms) {
  while (!points_.empty() && points_.front().at_ms < newest_ms - history_.count()) points_.pop_front();
}

OpsPoint ScreenerHistory::derive(std::int64_t at_ms) const {
  std::vector<const ScreenerSnapshot*> window;
  for (const auto& s : raw_) {
    if (s.at_ms >= at_ms - window_.count() && s.at_ms <= at_ms) window.push_back(&s);
  }
  OpsPoint p;
  p.at_ms = at_ms;
  p.ok = true;
  p.consumed_per_s = rates_by_key(window, &ScreenerSnapshot::consumed);
  p.flags_per_s = rates_by_key(window, &ScreenerSnapshot::flags);
  p.deadletter_per_s = rates_by_key(window, &ScreenerSnapshot::deadletter);
  for (const auto& [reason, rate] : p.deadletter_per_s) add_to(p.deadletter_total_per_s, rate);
  if (auto r = rate_over(window, [](const ScreenerSnapshot& s) -> std::optional<double> { return s.kafka_errors; })) {
    p.kafka_errors_per_s = *r;
  }

  // Rules: the matches counters, by outcome.
  std::vector<std::string> rules;
  for (const auto* s : window) {
    for (const auto& [id, r] : s->rules) rules.push_back(id);
  }
  std::sort(rules.begin(), rules.end());
  rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
  for (const auto& id : rules) {
    auto get = [&](double ScreenerSnapshot::Rule::*field) {
      return [&id, field](const ScreenerSnapshot& s) -> std::optional<double> {
        auto it = s.rules.find(id);
        if (it == s.rules.end()) return std::nullopt;
        return it->second.*field;
      };
    };
    if (auto r = rate_over(window, get(&ScreenerSnapshot::Rule::flagged))) p.rule_flagged_per_s.emplace(id, *r);
    if (auto r = rate_over(window, get(&ScreenerSnapshot::Rule::suppressed))) p.rule_suppressed_per_s.emplace(id, *r);
  }

  // Latency: the increase of every bucket over the window, then histogram_quantile.
  std::vector<double> bounds;
  for (const auto* s : window) {
    for (const auto& [le, count] : s->latency_buckets) bounds.push_back(le);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::vector<std::pair<double, double>> increases;
  for (double le : bounds) {
    auto r = rate_over(window, [le](const ScreenerSnapshot& s) { return find_in(s.latency_buckets, le); });
    if (r) increases.emplace_back(le, *r);
  }
  p.p50 = histogram_quantile(0.5, increases);
  p.p99 = histogram_quantile(0.99, increases);
  p.p999 = histogram_quantile(0.999, increases);

  if (!window.empty() && !window.back()->lag.empty()) {
    for (const auto& [key, lag] : window.back()->lag) {
      if (lag >= 0) add_to(p.lag_total, lag);
    }
  }
  return p;
}

}  // namespace crosscheck::console
