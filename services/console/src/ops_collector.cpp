#include "crosscheck/console/ops_collector.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <set>

#include "crosscheck/json_writer.h"
#include "crosscheck/log.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

constexpr std::string_view kLog = "ops";

// Four significant digits: the dashboard shows no more, and the history stays small on the wire.
double round_sig(double v) {
  if (!std::isfinite(v) || v == 0) return v;
  const double magnitude = std::pow(10.0, 3 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * magnitude) / magnitude;
}

void number_or_null(json::Writer& w, double v) {
  if (std::isfinite(v)) {
    w.number(round_sig(v));
  } else {
    w.null();
  }
}

void field_number(json::Writer& w, std::string_view key, double v) {
  w.key(key);
  number_or_null(w, v);
}

// Partition labels are numbers; sort them as such.
long long partition_number(const std::string& p) {
  long long v = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  return (ec == std::errc() && end == p.data() + p.size()) ? v : -1;
}

double value_or_nan(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? kNoValue : it->second;
}

}  // namespace

struct OpsCollector::Target {
  Target(OpsScreenerTarget c, ScrapeUrl u, const OpsSection& ops)
      : config(std::move(c)), url(std::move(u)), history(ops.history, ops.rate_window) {}

  const OpsScreenerTarget config;
  const ScrapeUrl url;
  std::size_t index = 0;
  std::thread thread;

  mutable std::mutex mutex;  // guards everything below
  ScreenerHistory history;
  bool scraped = false;
  bool up = false;
  std::int64_t last_scrape_ms = 0;
  std::int64_t last_success_ms = 0;
  double last_duration_s = kNoValue;
  std::string last_error;
  std::uint64_t scrapes = 0;
  std::uint64_t errors = 0;
};

OpsCollectorMetrics::OpsCollectorMetrics(prometheus::Registry& registry, const std::vector<std::string>& screeners) {
  auto& scrapes = prometheus::BuildCounter()
                      .Name("crosscheck_console_ops_scrapes_total")
                      .Help("Scrapes of the screeners' /metrics for the operations dashboard, per screener and "
                            "result (ok, error: refused, timed out, not HTTP 200 or not a valid exposition).")
                      .Register(registry);
  auto& up = prometheus::BuildGauge()
                 .Name("crosscheck_console_ops_screener_up")
                 .Help("1 while the last scrape of the screener's /metrics succeeded.")
                 .Register(registry);
  auto& seconds = prometheus::BuildGauge()
                      .Name("crosscheck_console_ops_scrape_duration_seconds")
                      .Help("How long the last scrape of the screener's /metrics took.")
                      .Register(registry);
  for (const auto& name : screeners) {
    series_.push_back(Series{&scrapes.Add({{"screener", name}, {"result", "ok"}}),
                             &scrapes.Add({{"screener", name}, {"result", "error"}}), &up.Add({{"screener", name}}),
                             &seconds.Add({{"screener", name}})});
  }
}

namespace {
std::vector<std::string> names_of(const OpsSection& ops) {
  std::vector<std::string> out;
  for (const auto& s : ops.screeners) out.push_back(s.name);
  return out;
}
}  // namespace

OpsCollector::OpsCollector(OpsSection config, const std::shared_ptr<prometheus::Registry>& registry)
    : config_(std::move(config)), metrics_(*registry, names_of(config_)) {
  for (std::size_t i = 0; i < config_.screeners.size(); ++i) {
    const auto& s = config_.screeners[i];
    auto url = parse_scrape_url(s.url);
    // The configuration parser refuses such a URL; reaching here with one is a bug.
    if (!url) throw ErrorException(Error::fatal("ops", "ops.screeners '" + s.name + "': invalid url"));
    targets_.push_back(std::make_unique<Target>(s, std::move(*url), config_));
    targets_.back()->index = i;
  }
}

OpsCollector::~OpsCollector() { stop(); }

void OpsCollector::start() {
  std::lock_guard lock(stop_mutex_);
  if (started_) return;
  started_ = true;
  for (auto& t : targets_) {
    Target* target = t.get();
    target->thread = std::thread([this, target] { run(*target); });
  }
  if (!targets_.empty()) {
    log::info(kLog, "scraping screeners for the operations dashboard",
              {{"screeners", static_cast<std::uint64_t>(targets_.size())},
               {"interval_ms", static_cast<std::int64_t>(config_.scrape_interval.count())}});
  }
}

void OpsCollector::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  for (auto& t : targets_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

void OpsCollector::scrape_all_once() {
  for (auto& t : targets_) scrape(*t);
}

void OpsCollector::run(Target& target) {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    scrape(target);
    next += config_.scrape_interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // a slow scrape: start the next one now rather than catch up
    std::unique_lock lock(stop_mutex_);
    if (stop_cv_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

void OpsCollector::scrape(Target& target) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t at_ms = timefmt::now_ms();
  std::optional<ScreenerSnapshot> snapshot;
  std::string error;
  auto body = http_get(target.url, config_.scrape_timeout, config_.max_scrape_bytes);
  if (!body) {
    error = body.error().message();
  } else {
    auto parsed = parse_prom_text(*body);
    if (!parsed) {
      error = "not a valid exposition: " + parsed.error().message();
    } else {
      snapshot = snapshot_from(*parsed, at_ms);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  bool was_up = false, first = false;
  {
    std::lock_guard lock(target.mutex);
    was_up = target.up;
    first = !target.scraped;
    target.scraped = true;
    target.last_scrape_ms = at_ms;
    target.last_duration_s = seconds;
    ++target.scrapes;
    if (snapshot) {
      target.up = true;
      target.last_success_ms = at_ms;
      target.last_error.clear();
      target.history.add(std::move(*snapshot));
    } else {
      target.up = false;
      target.last_error = error;
      ++target.errors;
      target.history.add_failure(at_ms);
    }
  }
  metrics_.scrape_seconds(target.index).Set(seconds);
  if (error.empty()) {
    metrics_.scrapes_ok(target.index).Increment();
    metrics_.up(target.index).Set(1);
    if (!was_up && !first) log::info(kLog, "screener answers again", {{"screener", target.config.name}});
  } else {
    metrics_.scrape_errors(target.index).Increment();
    metrics_.up(target.index).Set(0);
    if (was_up || first) {
      log::warn(kLog, "screener metrics cannot be scraped; shown as down",
                {{"screener", target.config.name}, {"url", target.config.url}, {"error", error}});
    }
  }
}

std::string OpsCollector::overview_json(std::int64_t now_ms) const {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("now_ms", now_ms)
      .field("scrape_interval_ms", static_cast<std::int64_t>(config_.scrape_interval.count()))
      .field("history_seconds", static_cast<std::int64_t>(config_.history.count() / 1000))
      .field("rate_window_seconds", static_cast<std::int64_t>(config_.rate_window.count() / 1000));
  w.key("screeners").begin_array();
  for (const auto& tp : targets_) {
    const Target& t = *tp;
    std::lock_guard lock(t.mutex);
    const auto& points = t.history.points();
    const ScreenerSnapshot* latest = t.history.latest();
    // The newest point with values (the newest scrape when it succeeded).
    const OpsPoint* current = nullptr;
    for (auto it = points.rbegin(); it != points.rend(); ++it) {
      if (it->ok) {
        current = &*it;
        break;
      }
    }
    static const OpsPoint kEmpty;
    const OpsPoint& cur = current != nullptr ? *current : kEmpty;
    static const ScreenerSnapshot kNone;
    const ScreenerSnapshot& snap = latest != nullptr ? *latest : kNone;

    w.begin_object()
        .field("name", t.config.name)
        .field("url", t.config.url)
        .field("up", t.up)
        .field("scraped", t.scraped)
        .field("last_scrape_ms", t.last_scrape_ms)
        .field("last_success_ms", t.last_success_ms);
    field_number(w, "scrape_seconds", t.last_duration_s);
    w.field("error", t.scraped ? t.last_error : std::string("not scraped yet"))
        .field("scrapes", t.scrapes)
        .field("scrape_errors", t.errors)
        .field("instance_id", snap.instance_id);
    field_number(w, "ready", snap.ready);
    field_number(w, "redis_up", snap.redis_up);
    field_number(w, "kafka_brokers_up", snap.kafka_brokers_up);
    field_number(w, "assigned_partitions", snap.assigned_partitions);
    field_number(w, "kafka_errors_per_s", cur.kafka_errors_per_s);

    w.key("latency").begin_object();
    field_number(w, "p50", cur.p50);
    field_number(w, "p99", cur.p99);
    field_number(w, "p999", cur.p999);
    w.end_object();

    w.key("consumed").begin_array();
    for (const auto& [topic, total] : snap.consumed) {
      w.begin_object().field("topic", topic);
      field_number(w, "per_s", value_or_nan(cur.consumed_per_s, topic));
      field_number(w, "total", total);
      w.end_object();
    }
    w.end_array();

    w.key("flags").begin_array();
    for (const auto& [queue, total] : snap.flags) {
      w.begin_object().field("queue", queue);
      field_number(w, "per_s", value_or_nan(cur.flags_per_s, queue));
      field_number(w, "total", total);
      w.end_object();
    }
    w.end_array();

    // Only reasons that ever occurred: the screener exports every reason code from the start.
    w.key("deadletter").begin_array();
    for (const auto& [reason, total] : snap.deadletter) {
      if (!(total > 0)) continue;
      w.begin_object().field("reason", reason);
      field_number(w, "per_s", value_or_nan(cur.deadletter_per_s, reason));
      field_number(w, "total", total);
      w.end_object();
    }
    w.end_array();
    field_number(w, "deadletter_per_s", cur.deadletter_total_per_s);

    std::vector<std::pair<std::pair<std::string, std::string>, double>> lag(snap.lag.begin(), snap.lag.end());
    std::sort(lag.begin(), lag.end(), [](const auto& a, const auto& b) {
      if (a.first.first != b.first.first) return a.first.first < b.first.first;
      return partition_number(a.first.second) < partition_number(b.first.second);
    });
    w.key("lag").begin_array();
    for (const auto& [key, value] : lag) {
      w.begin_object().field("topic", key.first).field("partition", key.second);
      field_number(w, "lag", value);
      w.end_object();
    }
    w.end_array();
    field_number(w, "lag_total", cur.lag_total);

    // Over-cap rules first, then by how much of the cap they used.
    struct RuleRow {
      std::string id;
      ScreenerSnapshot::Rule r;
      bool over;
    };
    std::vector<RuleRow> rules;
    for (const auto& [id, r] : snap.rules) {
      rules.push_back({id, r, r.over_cap >= 1 || r.cap_used >= 1});
    }
    std::sort(rules.begin(), rules.end(), [](const RuleRow& a, const RuleRow& b) {
      if (a.over != b.over) return a.over;
      const double ua = std::isnan(a.r.cap_used) ? -1 : a.r.cap_used;
      const double ub = std::isnan(b.r.cap_used) ? -1 : b.r.cap_used;
      if (ua != ub) return ua > ub;
      return a.id < b.id;
    });
    w.key("rules").begin_array();
    for (const auto& row : rules) {
      w.begin_object().field("rule", row.id);
      field_number(w, "cap_used", row.r.cap_used);
      w.field("over_cap", row.over);
      field_number(w, "flagged_per_s", value_or_nan(cur.rule_flagged_per_s, row.id));
      field_number(w, "suppressed_per_s", value_or_nan(cur.rule_suppressed_per_s, row.id));
      field_number(w, "suppressed_total", row.r.suppressed);
      w.end_object();
    }
    w.end_array();

    w.key("watchlists").begin_array();
    for (const auto& [list, v] : snap.watchlists) {
      w.begin_object().field("list", list);
      field_number(w, "version", v.version);
      field_number(w, "entries", v.entries);
      w.key("loaded_at_ms");
      if (std::isfinite(v.loaded_at_s)) {
        w.number(static_cast<std::int64_t>(std::llround(v.loaded_at_s * 1000.0)));
      } else {
        w.null();
      }
      w.end_object();
    }
    w.end_array();

    // The charted series, one value per scrape (null: no value, e.g. the scrape failed).
    std::set<std::string> topics, queues;
    for (const auto& p : points) {
      for (const auto& [k, v] : p.consumed_per_s) topics.insert(k);
      for (const auto& [k, v] : p.flags_per_s) queues.insert(k);
    }
    w.key("history").begin_object();
    w.key("t").begin_array();
    for (const auto& p : points) w.number(p.at_ms);
    w.end_array();
    auto series = [&](std::string_view key, auto get) {
      w.key(key).begin_array();
      for (const auto& p : points) number_or_null(w, p.ok ? get(p) : kNoValue);
      w.end_array();
    };
    series("p50", [](const OpsPoint& p) { return p.p50; });
    series("p99", [](const OpsPoint& p) { return p.p99; });
    series("p999", [](const OpsPoint& p) { return p.p999; });
    series("deadletter_per_s", [](const OpsPoint& p) { return p.deadletter_total_per_s; });
    series("lag_total", [](const OpsPoint& p) { return p.lag_total; });
    w.key("consumed").begin_object();
    for (const auto& topic : topics) series(topic, [&](const OpsPoint& p) { return value_or_nan(p.consumed_per_s, topic); });
    w.end_object();
    w.key("flags").begin_object();
    for (const auto& queue : queues) series(queue, [&](const OpsPoint& p) { return value_or_nan(p.flags_per_s, queue); });
    w.end_object();
    w.end_object();  // history

    w.end_object();
  }
  w.end_array().end_object();
  return out;
}

}  // namespace crosscheck::console
