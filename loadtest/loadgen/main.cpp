// crosscheck-loadgen: the end-to-end benchmark's tools (docs/loadtest.md). This file only wires
// the crosscheck_loadgen library to subcommands; loadtest/run drives a whole benchmark with them.
//
//   produce         generate a seeded stream and produce it (open-loop rate, or as fast as possible)
//   expect          regenerate the same stream and screen it in process: the flags and dead
//                   letters the screener must publish
//   count           count what was published (distinct flag ids, dead letters by source)
//   pipe            the bare consume->produce pipe (the throughput ceiling), until SIGTERM
//   monitor         a consumer group's lag, one JSON line per interval, until SIGTERM
//   topics          create topics with a partition count
//   synthetic-list  write a seeded synthetic watchlist (JSON list format) of N entries
//
// Every subcommand prints one JSON object (monitor: one per line) on standard output; logs go to
// standard error. Exit status: 0 done, 1 failed, 2 usage error.
#include <CLI/CLI.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "crosscheck/json_writer.h"
#include "crosscheck/loadgen/event_generator.h"
#include "crosscheck/loadgen/expectations.h"
#include "crosscheck/loadgen/kafka_tools.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/signal_watcher.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/time_format.h"
#include "synthetic_watchlist.h"

namespace cc = crosscheck;
namespace lg = crosscheck::loadgen;

namespace {

std::atomic<bool> g_stop{false};

struct GenArgs {
  std::uint64_t seed = 1;
  std::int64_t base_time_ms = 0;
  std::int64_t spacing_us = 100;
  std::string mix = "itinerary=40,manifest=20,payment=40";
  double listed_share = 0.01;
  double malformed_share = 0.005;
  std::string airports;
  std::vector<std::string> watchlists;  // files; empty: the live lists in Redis
  std::string redis = "127.0.0.1:6379";
  std::string prefix = "crosscheck:";

  void add(CLI::App* app) {
    app->add_option("--seed", seed, "stream seed: the same seed gives the same events");
    app->add_option("--base-time-ms", base_time_ms, "event_time of event 0 (epoch ms; default now, rounded to a second)");
    app->add_option("--spacing-us", spacing_us, "event time between consecutive events, microseconds")->check(CLI::Range(0, 100000000));
    app->add_option("--mix", mix, "kind weights, e.g. itinerary=40,manifest=20,payment=40");
    app->add_option("--listed-share", listed_share, "share of events with one listed subject")->check(CLI::Range(0.0, 1.0));
    app->add_option("--malformed-share", malformed_share, "share of malformed events")->check(CLI::Range(0.0, 1.0));
    app->add_option("--airports", airports, "airports CSV (iata, latitude, longitude[, country, type])")->required();
    app->add_option("--watchlist", watchlists, "list file(s) to draw listed subjects from (default: the lists live in Redis)");
    app->add_option("--redis", redis, "Redis host:port, for the live lists");
    app->add_option("--prefix", prefix, "Redis key prefix of the lists");
  }

  cc::Result<lg::GeneratorOptions> options() const {
    lg::GeneratorOptions o;
    o.seed = seed;
    o.base_time_ms = base_time_ms != 0 ? base_time_ms : cc::timefmt::now_ms() / 1000 * 1000;
    o.spacing_us = spacing_us;
    auto m = lg::parse_mix(mix);
    if (!m.ok()) return m.error();
    o.mix = *m;
    o.listed_share = listed_share;
    o.malformed_share = malformed_share;
    auto a = lg::Airports::load(airports);
    if (!a.ok()) return a.error();
    o.airports = *a;
    if (!watchlists.empty()) {
      for (const auto& path : watchlists) {
        auto imported = cc::rules::import_list(path);
        if (!imported.ok()) return imported.error();
        o.lists.push_back(std::move(imported->list));
      }
    } else {
      cc::rules::RedisConfig rc;
      if (auto st = cc::rules::parse_redis_address(redis, rc); !st.ok()) return st.error();
      auto lists = lg::load_live_lists(rc, prefix);
      if (!lists.ok()) return lists.error();
      o.lists = std::move(*lists);
    }
    return o;
  }
};

void write_histogram(cc::json::Writer& w, std::string_view key, const cc::runtime::HistogramSnapshot& h) {
  w.key(key);
  cc::runtime::write_histogram_json(h, w);
}

int emit(const std::string& json, const std::string& report) {
  if (report.empty() || report == "-") {
    std::cout << json << std::endl;
    return 0;
  }
  std::ofstream out(report);
  out << json << '\n';
  if (!out) {
    std::cerr << "cannot write " << report << "\n";
    return 1;
  }
  return 0;
}

int fail(const cc::Error& e) {
  std::cerr << "crosscheck-loadgen: " << e.to_string() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  cc::runtime::SignalWatcher signals([](int) { g_stop = true; });
  CLI::App app{"crosscheck-loadgen: the end-to-end benchmark's generator, pipe, counter and monitor"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "debug, info, warn or error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  std::string kafka = "127.0.0.1:9092";
  std::string report;

  // ---- produce ----
  auto* produce = app.add_subcommand("produce", "generate a seeded stream and produce it");
  GenArgs pgen;
  pgen.add(produce);
  std::string itineraries = "transit.itineraries", manifests = "transit.manifests", payments = "transit.payments";
  int partitions = 8;
  double rate = 0;
  std::uint64_t count = 0, first_index = 0;
  double duration = 0;
  std::int64_t start_ms = 0;
  std::vector<std::string> producer_properties;
  for (auto* sub : {produce}) {
    sub->add_option("--kafka", kafka, "bootstrap servers");
    sub->add_option("--itineraries", itineraries, "itinerary topic");
    sub->add_option("--manifests", manifests, "manifest topic");
    sub->add_option("--payments", payments, "payment topic");
    sub->add_option("--partitions", partitions, "partitions of the input topics, created when missing")->check(CLI::Range(1, 10000));
    sub->add_option("--rate", rate, "events per second, open loop; 0: as fast as possible")->check(CLI::Range(0.0, 1e7));
    sub->add_option("--count", count, "events to produce");
    sub->add_option("--duration", duration, "seconds of production (count = rate x duration)")->check(CLI::Range(0.0, 1e6));
    sub->add_option("--first-index", first_index, "index of the first event of the stream to produce");
    sub->add_option("--start-ms", start_ms, "when the schedule starts (epoch ms; default now)");
    sub->add_option("--report", report, "write the JSON report here (default: standard output)");
    sub->add_option("--producer-property", producer_properties,
                    "librdkafka producer setting KEY=VALUE (repeatable), e.g. linger.ms=0");
  }

  // ---- expect ----
  auto* expect = app.add_subcommand("expect", "the flags and dead letters the screener must publish for a stream");
  GenArgs egen;
  egen.add(expect);
  std::string config_path;
  std::vector<std::uint64_t> checkpoints;
  expect->add_option("--config", config_path, "the screeners' YAML configuration")->required();
  expect->add_option("--count", count, "events of the stream, from index 0")->required();
  expect->add_option("--checkpoint", checkpoints, "also report the totals after this many events (repeatable)");
  expect->add_option("--report", report, "write the JSON report here (default: standard output)");

  // ---- count ----
  auto* counter = app.add_subcommand("count", "count the flags and dead letters published");
  std::vector<std::string> topics;
  std::string deadletter;
  int timeout_s = 120;
  counter->add_option("--kafka", kafka, "bootstrap servers");
  counter->add_option("--topic", topics, "topics to count (repeatable)")->required();
  counter->add_option("--deadletter", deadletter, "the dead-letter topic (counted by source position)");
  counter->add_option("--timeout", timeout_s, "seconds")->check(CLI::Range(1, 3600));
  counter->add_option("--report", report, "write the JSON report here (default: standard output)");

  // ---- pipe ----
  auto* pipe = app.add_subcommand("pipe", "the bare consume->produce pipe, until SIGTERM");
  lg::PipeOptions pipe_opts;
  std::string port_file;
  pipe->add_option("--kafka", kafka, "bootstrap servers");
  pipe->add_option("--group", pipe_opts.group_id, "consumer group")->required();
  pipe->add_option("--topic", pipe_opts.topics, "input topics (repeatable)")->required();
  pipe->add_option("--suffix", pipe_opts.suffix, "output topic = input topic + suffix");
  pipe->add_option("--partitions", pipe_opts.partitions, "partitions of the output topics")->check(CLI::Range(1, 10000));
  pipe->add_option("--http-port", pipe_opts.http_port, "admin port (/stats/latency); 0: any")->check(CLI::Range(0, 65535));
  pipe->add_option("--port-file", port_file, "write the bound admin port here");

  // ---- monitor ----
  auto* monitor = app.add_subcommand("monitor", "a consumer group's lag, one JSON line per interval");
  std::string group;
  int interval_ms = 1000;
  monitor->add_option("--kafka", kafka, "bootstrap servers");
  monitor->add_option("--group", group, "consumer group")->required();
  monitor->add_option("--topic", topics, "topics (repeatable)")->required();
  monitor->add_option("--interval-ms", interval_ms, "sampling interval")->check(CLI::Range(50, 60000));

  // ---- topics ----
  auto* create = app.add_subcommand("topics", "create topics (existing ones are left alone)");
  create->add_option("--kafka", kafka, "bootstrap servers");
  create->add_option("--topic", topics, "topics (repeatable)")->required();
  create->add_option("--partitions", partitions, "partitions")->check(CLI::Range(1, 10000));

  // ---- synthetic-list ----
  auto* synth = app.add_subcommand("synthetic-list", "write a seeded synthetic watchlist in the JSON list format");
  cc::loadtest::SyntheticOptions synth_opts;
  std::string list_id = "synthetic", out_path;
  synth->add_option("--entries", synth_opts.entries, "entries")->required();
  synth->add_option("--seed", synth_opts.seed, "seed");
  synth->add_option("--list-id", list_id, "list id");
  synth->add_option("--out", out_path, "output file")->required();

  CLI11_PARSE(app, argc, argv);
  cc::log::Level level{};
  cc::log::parse_level(log_level, level);
  cc::log::set_level(level);
  cc::streams::KafkaConfig kc;
  kc.bootstrap_servers = kafka;

  if (*produce) {
    auto o = pgen.options();
    if (!o.ok()) return fail(o.error());
    if (count == 0) count = static_cast<std::uint64_t>(rate * duration);
    if (count == 0) {
      std::cerr << "produce: give --count, or --rate and --duration\n";
      return 2;
    }
    lg::EventGenerator gen(std::move(*o));
    if (auto st = cc::streams::ensure_topics(kc, {{itineraries, partitions, 1}, {manifests, partitions, 1}, {payments, partitions, 1}});
        !st.ok()) {
      return fail(st.error());
    }
    lg::ProduceOptions po;
    po.kafka = kc;
    for (const auto& kv : producer_properties) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "produce: --producer-property takes KEY=VALUE, got '" << kv << "'\n";
        return 2;
      }
      po.kafka.producer_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    po.itineraries = itineraries;
    po.manifests = manifests;
    po.payments = payments;
    po.first_index = first_index;
    po.count = count;
    po.rate = rate;
    po.start_ms = start_ms;
    po.progress = [](std::uint64_t produced, std::uint64_t acked) {
      cc::log::info("produce", "progress", {{"produced", produced}, {"acknowledged", acked}});
    };
    auto r = lg::produce_stream(gen, po, g_stop);
    if (!r.ok()) return fail(r.error());
    std::string out;
    cc::json::Writer w(out);
    w.begin_object();
    w.field("produced", r->produced).field("delivered", r->delivered).field("delivery_errors", r->delivery_errors);
    w.field("bytes", r->bytes).field("start_ms", r->start_ms).field("elapsed_s", r->elapsed_s);
    w.field("send_elapsed_s", r->send_elapsed_s).field("offered_eps", r->offered_eps).field("achieved_eps", r->achieved_eps);
    w.field("seed", pgen.seed).field("base_time_ms", gen.options().base_time_ms).field("first_index", first_index);
    const auto pools = gen.listed_pool_sizes();
    w.key("listed_pool").begin_object().field("persons", static_cast<std::uint64_t>(pools[0]))
        .field("organizations", static_cast<std::uint64_t>(pools[1])).field("vessels", static_cast<std::uint64_t>(pools[2])).end_object();
    w.key("by_kind").begin_object();
    for (const auto& [k, v] : r->by_kind) w.field(k, v);
    w.end_object();
    w.key("by_intent").begin_object();
    for (const auto& [k, v] : r->by_intent) w.field(k, v);
    w.end_object();
    write_histogram(w, "lateness_us", r->lateness_us);
    if (!r->first_error.empty()) w.field("first_error", r->first_error);
    w.end_object();
    if (int rc = emit(out, report); rc != 0) return rc;
    return r->delivery_errors == 0 && (r->produced == count || g_stop) ? 0 : 1;
  }

  if (*expect) {
    auto config = cc::runtime::load_screener_config(config_path, cc::runtime::crosscheck_environment());
    if (!config.ok()) return fail(config.error());
    // The generator draws listed subjects from the lists the screeners load, unless told otherwise.
    egen.redis = config->redis.address;
    egen.prefix = config->redis.key_prefix;
    auto o = egen.options();
    if (!o.ok()) return fail(o.error());
    lg::EventGenerator gen(std::move(*o));
    auto state = lg::load_screening_state(*config, std::chrono::minutes(5));
    if (!state.ok()) return fail(state.error());
    std::shared_ptr<const cc::schemas::ids::AirportCodes> airports;
    if (!config->screening.airports_file.empty()) {
      auto codes = cc::schemas::ids::load_airport_codes(config->screening.airports_file);
      if (!codes.ok()) return fail(codes.error());
      airports = *codes;
    }
    lg::ExpectationCounter counter_state(*config, state->index, state->rules, airports);
    std::sort(checkpoints.begin(), checkpoints.end());
    std::string out;
    cc::json::Writer w(out);
    auto write_expectation = [&](const lg::Expectation& e) {
      w.begin_object();
      w.field("events", e.events).field("flags", e.flags).field("deadletters", e.deadletters);
      w.field("flagged_events", e.flagged_events).field("governance_alerts", e.governance_alerts);
      w.field("suppressed", e.suppressed).field("malformed_sent", e.malformed_sent).field("listed_sent", e.listed_sent);
      w.field("listed_with_watchlist_flag", e.listed_with_watchlist_flag);
      w.field("unlisted_with_watchlist_flag", e.unlisted_with_watchlist_flag);
      w.key("events_by_kind").begin_object();
      for (const auto& [k, v] : e.events_by_kind) w.field(k, v);
      w.end_object();
      w.key("flags_by_topic").begin_object();
      for (const auto& [k, v] : e.flags_by_topic) w.field(k, v);
      w.end_object();
      w.key("flags_by_rule").begin_object();
      for (const auto& [k, v] : e.flags_by_rule) w.field(k, v);
      w.end_object();
      w.end_object();
    };
    w.begin_object();
    w.field("seed", egen.seed).field("base_time_ms", gen.options().base_time_ms);
    w.field("index_entries", static_cast<std::uint64_t>(state->index->entry_count()));
    w.field("active_rules", static_cast<std::uint64_t>(state->rules->engine.rules().size()));
    w.key("checkpoints").begin_array();
    lg::GeneratedEvent ev;
    std::size_t next_checkpoint = 0;
    const std::int64_t now = cc::timefmt::now_ms();
    for (std::uint64_t i = 0; i < count && !g_stop; ++i) {
      gen.generate(i, ev);
      counter_state.add(ev, now);
      while (next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint] == i + 1) {
        write_expectation(counter_state.result());
        ++next_checkpoint;
      }
    }
    w.end_array();
    w.key("total");
    write_expectation(counter_state.result());
    w.end_object();
    if (g_stop) return 1;
    return emit(out, report);
  }

  if (*counter) {
    auto counts = lg::count_outputs(kc, topics, deadletter, std::chrono::seconds(timeout_s));
    if (!counts.ok()) return fail(counts.error());
    std::string out;
    cc::json::Writer w(out);
    w.begin_object();
    for (const auto& [topic, c] : *counts) {
      w.key(topic).begin_object();
      w.field("records", c.records).field("distinct", c.distinct).field("duplicates", c.duplicates)
          .field("unreadable", c.unreadable);
      w.end_object();
    }
    w.end_object();
    return emit(out, report);
  }

  if (*pipe) {
    pipe_opts.kafka = kc;
    auto st = lg::run_pipe(pipe_opts, g_stop, [&](int port) {
      if (!port_file.empty()) {
        std::ofstream pf(port_file + ".tmp");
        pf << port << '\n';
        pf.close();
        std::rename((port_file + ".tmp").c_str(), port_file.c_str());
      }
    });
    if (!st.ok()) return fail(st.error());
    return 0;
  }

  if (*monitor) {
    auto sampler = lg::LagSampler::create(kc, group, topics);
    if (!sampler.ok()) return fail(sampler.error());
    auto next = std::chrono::steady_clock::now();
    while (!g_stop) {
      auto s = (*sampler)->sample();
      std::string line;
      cc::json::Writer w(line);
      w.begin_object();
      if (s.ok()) {
        w.field("t", s->at_ms).field("hw", s->high_watermarks).field("committed", s->committed).field("lag", s->lag);
        w.field("max_partition_lag", s->max_partition_lag);
      } else {
        w.field("t", cc::timefmt::now_ms()).field("error", s.error().to_string());
      }
      w.end_object();
      std::cout << line << std::endl;
      next += std::chrono::milliseconds(interval_ms);
      while (!g_stop && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  if (*create) {
    std::vector<cc::streams::TopicSpec> specs;
    for (const auto& t : topics) specs.push_back({t, partitions, 1});
    if (auto st = cc::streams::ensure_topics(kc, specs); !st.ok()) return fail(st.error());
    return 0;
  }

  if (*synth) {
    auto list = cc::loadtest::synthetic_watchlist(synth_opts);
    list.list_id = list_id;
    std::ofstream out(out_path);
    out << cc::rules::encode_watchlist_json(list) << '\n';
    if (!out) {
      std::cerr << "cannot write " << out_path << "\n";
      return 1;
    }
    return 0;
  }
  return 2;
}
