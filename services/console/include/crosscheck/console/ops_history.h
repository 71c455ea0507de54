// What the operations dashboard knows about one screener: the values it reads from each scrape of
// the screener's /metrics (a ScreenerSnapshot), a short history of them, and what it derives from
// that history the way Prometheus would: per-second rates of counters and latency quantiles from
// histogram buckets (histogram_quantile over the increase of each bucket in a window).
//
// Rates: the increase of a counter between the oldest and the newest successful scrape within the
// window (the window ends at the scrape the point is for), divided by the time between those two
// scrapes. A counter that went down was reset (the screener restarted): as in Prometheus, the new
// value counts as the increase since the reset. A scrape without the series counts as 0 (the
// screener creates per-topic, per-queue and per-rule counters on first use, at zero), so the first
// events on a new topic are not lost. With fewer than two scrapes in the window there is no rate
// (null), rather than a guessed one.
//
// Each scrape adds one Point: its rates and quantiles are computed once, when it is added, so that
// serving the dashboard costs no more than writing the JSON. Raw snapshots are kept only as long
// as the window needs them; points for `history`.
//
// Thread-safety: none; the collector guards each screener's history with its own mutex. Failure
// behaviour: never throws; a failed scrape is a Point with ok=false (a gap in the charts).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crosscheck/console/prom_text.h"

namespace crosscheck::console {

inline constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// Prometheus' histogram_quantile over cumulative buckets (upper bound "le", cumulative count), in
// any order: NaN without a +Inf bucket, with fewer than two buckets or no observations; -Inf for
// q < 0, +Inf for q > 1; a rank in the +Inf bucket gives the highest finite bound; otherwise
// linear interpolation inside the bucket (from 0 for the first bucket when its bound is positive).
// Counts that decrease with le (possible when they come from rates) are made monotonic first.
double histogram_quantile(double q, std::vector<std::pair<double, double>> buckets);

// The values of one scrape that the dashboard uses. Absent metrics stay NaN or absent from the
// maps (an older screener without crosscheck_consumer_lag simply has no lag entries).
struct ScreenerSnapshot {
  struct Rule {
    double cap_used = kNoValue;    // crosscheck_rule_cap_used_ratio
    double over_cap = kNoValue;    // crosscheck_rule_over_cap (0/1)
    double flagged = kNoValue;     // crosscheck_rule_matches_total{outcome="flagged"}
    double suppressed = kNoValue;  // crosscheck_rule_matches_total{outcome="suppressed"}
  };
  struct Watchlist {
    double version = kNoValue;
    double entries = kNoValue;
    double loaded_at_s = kNoValue;  // crosscheck_watchlist_loaded_timestamp_seconds
  };

  std::int64_t at_ms = 0;
  std::string instance_id;                             // crosscheck_screener_info{instance_id}
  std::map<std::string, double> consumed;              // topic -> crosscheck_events_consumed_total
  std::map<std::string, double> flags;                 // queue -> crosscheck_flags_published_total
  std::map<std::string, double> deadletter;            // reason -> crosscheck_deadletter_records_total
  std::map<double, double> latency_buckets;            // le -> count, summed over outcomes
  std::map<std::pair<std::string, std::string>, double> lag;  // (topic, partition) -> crosscheck_consumer_lag
  std::map<std::string, Rule> rules;
  std::map<std::string, Watchlist> watchlists;
  double redis_up = kNoValue;
  double kafka_brokers_up = kNoValue;
  double ready = kNoValue;
  double assigned_partitions = kNoValue;
  double kafka_errors = kNoValue;  // crosscheck_kafka_errors_total, all kinds
};

// Reads the dashboard's values out of a parsed exposition. Samples of other metrics are ignored;
// a sample without the label its metric needs is skipped.
ScreenerSnapshot snapshot_from(const PromExposition& exposition, std::int64_t at_ms);

// One scrape's derived values, for the charts and the tables' rates.
struct OpsPoint {
  std::int64_t at_ms = 0;
  bool ok = false;
  double p50 = kNoValue, p99 = kNoValue, p999 = kNoValue;  // seconds; NaN: no events in the window
  std::map<std::string, double> consumed_per_s;            // by topic
  std::map<std::string, double> flags_per_s;               // by queue
  std::map<std::string, double> deadletter_per_s;          // by reason
  std::map<std::string, double> rule_flagged_per_s;        // by rule
  std::map<std::string, double> rule_suppressed_per_s;     // by rule
  double deadletter_total_per_s = kNoValue;
  double kafka_errors_per_s = kNoValue;
  double lag_total = kNoValue;  // sum over partitions (a gauge, not a rate)
};

class ScreenerHistory {
 public:
  // `history`: how far back points are kept; `window`: the rate and quantile window.
  ScreenerHistory(std::chrono::milliseconds history, std::chrono::milliseconds window);

  // A successful scrape. Scrapes must come in time order; one older than the newest (the wall
  // clock went back) clears the history first, since rates across the jump would be wrong.
  void add(ScreenerSnapshot snapshot);
  // A failed scrape: a gap.
  void add_failure(std::int64_t at_ms);

  const std::deque<OpsPoint>& points() const { return points_; }
  // The newest successful scrape, if any is still held.
  const ScreenerSnapshot* latest() const { return raw_.empty() ? nullptr : &raw_.back(); }

 private:
  void trim(std::int64_t newest_ms);
  OpsPoint derive(std::int64_t at_ms) const;

  std::chrono::milliseconds history_;
  std::chrono::milliseconds window_;
  std::deque<ScreenerSnapshot> raw_;  // successful scrapes within the window of the newest
  std::deque<OpsPoint> points_;
};

}  // namespace crosscheck::console
