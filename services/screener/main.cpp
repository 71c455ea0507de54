// crosscheck-screener: consumes itineraries, manifests and payments, screens them against the
// watchlists in Redis, evaluates the active rules, and publishes flags to operator queues. This
// file only wires libraries: configuration, metrics, caps and the audit mirror (runtime), the
// watchlist and rule followers, cap ledger and aggregates (rules), the pipeline (streams).
#include <CLI/CLI.hpp>

#include <iostream>
#include <set>
#include <thread>

#include "crosscheck/log.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/rule_aggregates.h"
#include "crosscheck/rules/rule_caps.h"
#include "crosscheck/rules/rule_follower.h"
#include "crosscheck/rules/watchlist_follower.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/runtime/admin_server.h"
#include "crosscheck/runtime/audit_mirror.h"
#include "crosscheck/runtime/flag_budget.h"
#include "crosscheck/runtime/pipeline_metrics.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/runtime/screening_step.h"
#include "crosscheck/runtime/signal_watcher.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/pipeline.h"
#include "crosscheck/time_format.h"

namespace cc = crosscheck;

int main(int argc, char** argv) {
  CLI::App app{"crosscheck-screener: screens transit events against watchlists and publishes flags"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "YAML configuration file (docs/configuration.md)");
  app.add_flag("--check-config", check_only, "validate the configuration, print it, and exit");
  CLI11_PARSE(app, argc, argv);

  auto loaded = cc::runtime::load_screener_config(config_path, cc::runtime::crosscheck_environment());
  if (!loaded.ok()) {
    std::cerr << loaded.error().message() << "\n";
    return 2;
  }
  const cc::runtime::ScreenerConfig& config = *loaded;
  cc::log::set_level(config.log_level);
  if (check_only) {
    std::cout << "configuration ok (instance " << config.instance_id << ", kafka " << config.kafka.client.bootstrap_servers
              << ", redis " << config.redis.address << ")\n";
    return 0;
  }

  std::atomic<bool> stop_requested{false};
  cc::streams::Pipeline* running_pipeline = nullptr;
  std::mutex pipeline_mutex;
  cc::runtime::SignalWatcher signals([&](int sig) {
    cc::log::info("screener", "shutdown requested; draining", {{"signal", sig}});
    stop_requested = true;
    std::lock_guard lock(pipeline_mutex);
    if (running_pipeline != nullptr) running_pipeline->request_stop();
  });

  auto registry = std::make_shared<prometheus::Registry>();
  cc::runtime::ScreenerMetrics metrics(registry, config.instance_id);

  std::set<std::string> live_lists;
  cc::rules::WatchlistFollower follower(
      cc::rules::FollowerConfig{config.redis.client, config.redis.key_prefix, config.watchlists.poll_interval,
                                config.watchlists.match},
      cc::rules::WatchlistFollower::Callbacks{
          .on_swap =
              [&](const cc::rules::MatchIndex& index) {
                std::set<std::string> now;
                const double at = cc::timefmt::now_ms() / 1000.0;
                for (const auto& list : index.lists()) {
                  metrics.set_watchlist(list.list_id, static_cast<double>(list.version),
                                        static_cast<double>(list.entries.size()), at);
                  now.insert(list.list_id);
                  cc::log::info("screener", "watchlist version live",
                                {{"list", list.list_id}, {"version", list.version},
                                 {"entries", static_cast<std::uint64_t>(list.entries.size())}});
                }
                for (const auto& gone : live_lists) {
                  if (now.count(gone) == 0) metrics.remove_watchlist(gone);
                }
                live_lists = std::move(now);
                metrics.watchlist_entries_total().Set(static_cast<double>(index.entry_count()));
                metrics.watchlist_reloads().Increment();
              },
          .on_error = [&](const cc::Error&) { metrics.watchlist_reload_errors().Increment(); },
          .on_redis_status = [&](bool up) { metrics.redis_up().Set(up ? 1 : 0); },
      });

  // Caps over all instances (leased budgets in Redis) and windowed aggregates in Redis.
  cc::rules::CapLedgerConfig ledger_config;
  ledger_config.expected_instances = config.rules.expected_instances;
  cc::rules::CapLedger ledger(ledger_config,
                              cc::rules::make_redis_cap_backend(config.redis.client, {.prefix = config.redis.key_prefix}));
  cc::runtime::LedgerFlagBudget budget(ledger, &metrics);
  cc::rules::RedisAggregateStore aggregates(config.redis.client, {.prefix = config.redis.key_prefix});

  std::set<std::string> rule_topics_created;
  std::mutex rule_topics_mutex;
  std::function<void(const cc::rules::RuleEngine&)> ensure_rule_topics;  // set once the step exists
  cc::rules::RuleFollower rule_follower(
      cc::rules::RuleFollowerConfig{config.redis.client, config.redis.key_prefix, config.rules.poll_interval},
      cc::rules::RuleFollower::Callbacks{
          .on_swap =
              [&](const cc::rules::RuleSnapshot& snapshot) {
                metrics.rules_active().Set(static_cast<double>(snapshot.engine.rules().size()));
                metrics.rules_generation().Set(static_cast<double>(snapshot.generation));
                metrics.rules_reloads().Increment();
                if (ensure_rule_topics) ensure_rule_topics(snapshot.engine);
              },
          .on_error = [&](const cc::Error&) { metrics.rules_reload_errors().Increment(); },
          .on_expired =
              [&](const std::vector<cc::rules::ActiveEntry>& expired) {
                metrics.rules_expired().Increment(static_cast<double>(expired.size()));
              },
          .on_poll =
              [&] {
                const auto status = ledger.status(cc::timefmt::now_ms());
                for (const auto& r : status.rules) {
                  const cc::runtime::RuleSeries series = metrics.rule(r.rule_key);
                  series.over_cap->Set(r.over_cap ? 1 : 0);
                  series.cap_used->Set(r.limit > 0 ? static_cast<double>(r.used) / static_cast<double>(r.limit) : 0);
                }
                for (const auto& sh : status.shadow) metrics.set_shadow_share(sh.key, sh.would_be_share);
              },
      });

  cc::streams::PipelineConfig pipeline_config;
  pipeline_config.kafka = config.kafka.client;
  if (config.kafka.statistics_interval.count() > 0) {
    // Consumer lag and broker state for the metrics (PipelineMetrics::on_statistics).
    pipeline_config.kafka.properties["statistics.interval.ms"] = std::to_string(config.kafka.statistics_interval.count());
  }
  pipeline_config.group_id = config.kafka.group_id;
  pipeline_config.commit_interval = config.kafka.commit_interval;
  pipeline_config.max_in_flight = config.kafka.max_in_flight;
  pipeline_config.drain_timeout = config.kafka.drain_timeout;

  std::shared_ptr<const cc::schemas::ids::AirportCodes> airports;
  if (!config.screening.airports_file.empty()) {
    auto loaded_airports = cc::schemas::ids::load_airport_codes(config.screening.airports_file);
    if (!loaded_airports.ok()) {
      std::cerr << "screening.airports_file: " << loaded_airports.error().message() << "\n";
      return 2;
    }
    airports = *loaded_airports;
  }
  cc::runtime::ScreeningStep step(config, [&] { return follower.snapshot(); }, &metrics, airports);
  step.set_rules([&] { return rule_follower.snapshot(); });
  step.set_budget(&budget);
  step.set_aggregates(&aggregates);
  // The processing thread's own Redis connection for the rare "cap_reached" audit record.
  cc::rules::RedisClient audit_redis(config.redis.client);
  step.set_cap_listener([&](const cc::rules::Rule& rule, std::int64_t now_ms) {
    cc::rules::AuditLog audit(audit_redis, config.redis.key_prefix);
    cc::rules::AuditRecord rec;
    rec.actor = "system";
    rec.time = cc::timefmt::format_utc_ms(now_ms);
    rec.action = std::string(cc::rules::audit_action::kCapReached);
    rec.object_type = "rule";
    rec.object_id = rule.id;
    rec.before_version = rule.version;
    rec.after_version = rule.version;
    rec.reason = "a cap was reached; further matches in the sliding hour are counted, not flagged";
    rec.details = "{\"max_flags_per_hour\":" + std::to_string(rule.max_flags_per_hour) +
                  ",\"max_flag_share\":" + std::to_string(rule.max_flag_share) + ",\"screener\":\"" +
                  config.instance_id + "\"}";
    if (auto appended = audit.append(rec); !appended.ok()) {
      cc::log::warn("screener", "cannot write the cap_reached audit record",
                    {{"rule", rule.id}, {"error", appended.error().to_string()}});
    }
  });
  ensure_rule_topics = [&](const cc::rules::RuleEngine& engine) {
    if (!config.kafka.create_topics) return;
    std::vector<cc::streams::TopicSpec> specs;
    {
      std::lock_guard lock(rule_topics_mutex);
      for (const auto& t : step.rule_queue_topics(engine)) {
        if (rule_topics_created.insert(t).second) specs.push_back(config.kafka.topic_spec(t));
      }
    }
    if (specs.empty()) return;
    if (auto st = cc::streams::ensure_topics(config.kafka.client, specs); !st.ok()) {
      cc::log::warn("screener", "cannot create a rule's queue topic; its flags wait in the producer until it exists",
                    {{"error", st.error().to_string()}});
      std::lock_guard lock(rule_topics_mutex);
      for (const auto& spec : specs) rule_topics_created.erase(spec.name);
    }
  };
  pipeline_config.topics = step.input_topics();
  cc::runtime::PipelineMetrics observer(metrics, config.topics.flags_prefix, step.input_topics());
  cc::streams::Pipeline pipeline(
      pipeline_config, [&](const cc::streams::InRecord& in, cc::streams::Processed& out) { step.process(in, out); },
      &observer);

  cc::runtime::AdminServer admin(config.http.address, config.http.port, registry, [&]() -> std::string {
    if (!follower.wait_ready(std::chrono::milliseconds(0))) return "watchlists not loaded from Redis yet";
    if (!rule_follower.wait_ready(std::chrono::milliseconds(0))) return "rules not loaded from Redis yet";
    if (!pipeline.ready()) return "no partitions assigned yet";
    return {};
  });
  admin.add_json_endpoint("/stats/latency", [&metrics] { return metrics.event_latency().json(); });
  if (auto st = admin.start(); !st.ok()) {
    cc::log::error("screener", "cannot start the admin endpoint", {{"error", st.error().to_string()}});
    return 1;
  }
  cc::log::info("screener", "starting",
                {{"instance", config.instance_id}, {"kafka", config.kafka.client.bootstrap_servers},
                 {"redis", config.redis.address}, {"group", config.kafka.group_id}, {"http_port", admin.port()}});

  if (config.kafka.create_topics) {
    std::vector<cc::streams::TopicSpec> specs;
    for (const auto& t : step.input_topics()) specs.push_back(config.kafka.topic_spec(t));
    for (const auto& t : step.output_topics()) specs.push_back(config.kafka.topic_spec(t));
    specs.push_back(config.kafka.topic_spec(config.rules.audit_topic));
    while (!stop_requested) {
      auto st = cc::streams::ensure_topics(config.kafka.client, specs);
      if (st.ok()) break;
      if (st.error().is_fatal()) {
        cc::log::error("screener", "cannot create topics", {{"error", st.error().to_string()}});
        return 1;
      }
      cc::log::warn("screener", "topics not created yet; retrying", {{"error", st.error().to_string()}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

  // Screening against an empty index or without the active rules would let subjects through
  // unflagged: wait for both before consuming anything.
  follower.start();
  rule_follower.start();
  while (!stop_requested && !follower.wait_ready(std::chrono::seconds(5))) {
    cc::log::warn("screener", "waiting for watchlists from Redis before consuming", {{"redis", config.redis.address}});
  }
  while (!stop_requested && !rule_follower.wait_ready(std::chrono::seconds(5))) {
    cc::log::warn("screener", "waiting for the active rules from Redis before consuming", {{"redis", config.redis.address}});
  }
  if (stop_requested) {
    rule_follower.stop();
    follower.stop();
    return 0;
  }
  cc::runtime::AuditMirror audit_mirror(config.redis.client, config.redis.key_prefix, config.kafka.client,
                                        {.topic = config.rules.audit_topic, .instance_id = config.instance_id},
                                        &metrics);
  audit_mirror.start();
  metrics.ready().Set(1);

  {
    std::lock_guard lock(pipeline_mutex);
    running_pipeline = &pipeline;
    if (stop_requested) pipeline.request_stop();
  }
  cc::Status result = pipeline.run();
  {
    std::lock_guard lock(pipeline_mutex);
    running_pipeline = nullptr;
  }
  metrics.ready().Set(0);
  audit_mirror.stop();
  rule_follower.stop();
  follower.stop();
  admin.stop();
  if (!result.ok()) {
    cc::log::error("screener", "stopped on a fatal error; uncommitted events will be redelivered after restart",
                   {{"error", result.error().to_string()}});
    return 1;
  }
  cc::log::info("screener", "stopped cleanly; offsets committed");
  return 0;
}
