// The operations dashboard's data source: the console scrapes each configured screener's
// /metrics (ops.screeners) every ops.scrape_interval_ms, keeps a short history per screener
// (ops_history.h) and answers GET /api/ops/overview with what the page shows (docs/ops-dashboard.md):
// per screener whether it answers, its consumption, latency quantiles, consumer lag, dead letters,
// flags, rule caps, watchlist versions and its Redis and Kafka connectivity, with a history of the
// charted series.
//
// One thread per screener, so that a screener that does not answer (each scrape is bounded by
// ops.scrape_timeout_ms) never delays the others. A scrape that fails (refused, timed out, not
// HTTP 200, not a valid exposition) marks the screener down on the dashboard, is counted in
// crosscheck_console_ops_scrapes_total{result="error"} and logged as a warning once per outage
// (and at info when it answers again).
//
// Thread-safety: start() and stop() from the owner thread; overview_json() and scrape_all_once()
// from any thread (each screener's state has its own mutex). Failure behaviour: never throws after
// construction; the constructor throws ErrorException only for a URL the configuration parser
// should have refused.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crosscheck/console/console_config.h"
#include "crosscheck/console/ops_history.h"
#include "crosscheck/console/ops_scrape.h"

namespace crosscheck::console {

// The collector's own metrics, declared in this one place, one series per configured screener
// (label `screener`: its configured name).
class OpsCollectorMetrics {
 public:
  OpsCollectorMetrics(prometheus::Registry& registry, const std::vector<std::string>& screeners);

  prometheus::Counter& scrapes_ok(std::size_t i) { return *series_.at(i).ok; }
  prometheus::Counter& scrape_errors(std::size_t i) { return *series_.at(i).error; }
  prometheus::Gauge& up(std::size_t i) { return *series_.at(i).up; }                // 1 while the last scrape succeeded
  prometheus::Gauge& scrape_seconds(std::size_t i) { return *series_.at(i).seconds; }  // the last scrape's duration

 private:
  struct Series {
    prometheus::Counter* ok;
    prometheus::Counter* error;
    prometheus::Gauge* up;
    prometheus::Gauge* seconds;
  };
  std::vector<Series> series_;
};

class OpsCollector {
 public:
  // `registry` receives the collector's metrics (OpsCollectorMetrics).
  OpsCollector(OpsSection config, const std::shared_ptr<prometheus::Registry>& registry);
  ~OpsCollector();  // stop()
  OpsCollector(const OpsCollector&) = delete;
  OpsCollector& operator=(const OpsCollector&) = delete;

  // Starts one scraping thread per screener (none when none are configured).
  void start();
  // Stops and joins the threads; waits at most one scrape timeout. Idempotent.
  void stop();
  // Scrapes every screener once on the calling thread (tests, and a first picture before the
  // threads run). Do not mix with start().
  void scrape_all_once();

  // The dashboard's JSON (keys in docs/ops-dashboard.md). `now_ms`: the wall clock.
  std::string overview_json(std::int64_t now_ms) const;

 private:
  struct Target;
  void run(Target& target);
  void scrape(Target& target);

  OpsSection config_;
  OpsCollectorMetrics metrics_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace crosscheck::console
