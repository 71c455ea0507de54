// crosscheck: the command-line tool for watchlist managers and operators. Each subcommand wires
// a library call; the logic lives in rules/, streams/ and services/runtime/.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>

#include "crosscheck/log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/screening_step.h"
#include "crosscheck/streams/admin.h"
#include "crosscheck/streams/tail.h"

namespace cc = crosscheck;

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

int fail(const cc::Error& e) {
  std::cerr << "crosscheck: " << e.to_string() << "\n";
  return e.is_retriable() ? 75 : 1;  // 75 = EX_TEMPFAIL: worth retrying
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crosscheck: manage watchlists, produce and follow events"};
  app.require_subcommand(1);
  std::string config_path, kafka, redis, prefix;
  app.add_option("-c,--config", config_path, "screener YAML configuration to take addresses, topics and prefix from");
  app.add_option("--kafka", kafka, "Kafka bootstrap servers (overrides the configuration)");
  app.add_option("--redis", redis, "Redis host:port (overrides the configuration)");
  app.add_option("--prefix", prefix, "Redis key prefix (overrides the configuration)");

  auto* watchlist = app.add_subcommand("watchlist", "publish and inspect watchlists in Redis");
  watchlist->require_subcommand(1);
  std::string list_file;
  auto* wl_load = watchlist->add_subcommand("load", "publish a list file (Crosscheck JSON format) as a new version");
  wl_load->add_option("file", list_file, "the list file")->required()->check(CLI::ExistingFile);
  auto* wl_versions = watchlist->add_subcommand("versions", "print the live version of every list");

  auto* produce = app.add_subcommand("produce", "send a JSON-lines file to a topic, one record per line");
  std::string topic, input = "-";
  produce->add_option("--topic", topic, "destination topic")->required();
  produce->add_option("file", input, "JSON-lines file, or - for standard input");

  auto* topics = app.add_subcommand("topics", "create the screener's input and output topics");
  int partitions = 0;
  topics->add_option("--partitions", partitions, "partitions per topic (default: kafka.topic_partitions)");

  auto* tail = app.add_subcommand("tail", "print records from topics as they arrive, one per line");
  cc::streams::TailOptions tail_options;
  int idle_seconds = 0;
  tail->add_option("--topic", tail_options.topics, "topic, or ^regex (repeatable); default ^<flags_prefix>.*");
  tail->add_flag("--from-beginning", tail_options.from_beginning, "start at the oldest record, not the newest");
  tail->add_option("--max", tail_options.max_records, "stop after this many records");
  tail->add_option("--idle-timeout", idle_seconds, "stop after this many seconds without a record");
  std::string tail_format = "json";
  tail->add_option("--format", tail_format, "json: each record as it is; summary: one readable line per flag or dead letter")
      ->check(CLI::IsMember({"json", "summary"}));

  CLI11_PARSE(app, argc, argv);

  auto env = cc::runtime::crosscheck_environment();
  if (!kafka.empty()) env["CROSSCHECK_KAFKA_BOOTSTRAP"] = kafka;
  if (!redis.empty()) env["CROSSCHECK_REDIS_ADDRESS"] = redis;
  auto loaded = cc::runtime::load_screener_config(config_path, env);
  if (!loaded.ok()) {
    std::cerr << loaded.error().message() << "\n";
    return 2;
  }
  cc::runtime::ScreenerConfig config = *loaded;
  if (!prefix.empty()) config.redis.key_prefix = prefix;
  cc::log::set_level(cc::log::Level::kWarn);  // the CLI talks to people on stdout; logs only for trouble
  ::signal(SIGINT, on_signal);
  ::signal(SIGTERM, on_signal);

  if (*wl_load) {
    auto list = cc::rules::load_watchlist_file(list_file);
    if (!list.ok()) return fail(list.error());
    cc::rules::RedisClient client(config.redis.client);
    cc::rules::WatchlistStore store(client, config.redis.key_prefix);
    auto version = store.publish(*list);
    if (!version.ok()) return fail(version.error());
    std::cout << "published " << list->list_id << " version " << *version << " (" << list->entries.size()
              << " entries)\n";
    return 0;
  }
  if (*wl_versions) {
    cc::rules::RedisClient client(config.redis.client);
    cc::rules::WatchlistStore store(client, config.redis.key_prefix);
    auto versions = store.current_versions();
    if (!versions.ok()) return fail(versions.error());
    for (const auto& [id, v] : *versions) std::cout << id << "\t" << v << "\n";
    return 0;
  }
  if (*produce) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (input != "-") {
      file.open(input);
      if (!file) return fail(cc::Error::fatal("cli", "cannot read '" + input + "'"));
      in = &file;
    }
    auto n = cc::streams::produce_lines(config.kafka.client, topic, *in);
    if (!n.ok()) return fail(n.error());
    std::cout << "produced " << *n << " records to " << topic << "\n";
    return 0;
  }
  if (*topics) {
    cc::runtime::ScreeningStep step(config, [] { return std::shared_ptr<const cc::rules::WatchlistIndex>(); }, nullptr);
    std::vector<cc::streams::TopicSpec> specs;
    const int p = partitions > 0 ? partitions : config.kafka.topic_partitions;
    for (const auto& t : step.input_topics()) specs.push_back({t, p, 1});
    for (const auto& t : step.output_topics()) specs.push_back({t, p, 1});
    if (auto st = cc::streams::ensure_topics(config.kafka.client, specs); !st.ok()) return fail(st.error());
    for (const auto& s : specs) std::cout << s.name << "\n";
    return 0;
  }
  if (*tail) {
    if (tail_options.topics.empty()) {
      std::string pattern = "^";
      for (char ch : config.topics.flags_prefix) {
        if (ch == '.' || ch == '-') pattern += '\\';
        pattern += ch;
      }
      tail_options.topics.push_back(pattern + ".*");
    }
    tail_options.idle_timeout = std::chrono::seconds(idle_seconds);
    auto n = cc::streams::tail(
        config.kafka.client, tail_options,
        [&](const cc::streams::InRecord& r) {
          if (tail_format == "summary") {
            auto line = cc::schemas::summarize_flag(r.value);
            if (!line) line = cc::schemas::summarize_dead_letter(r.value);
            if (line) {
              std::cout << *line << std::endl;
              return;
            }
          }
          std::cout << r.value << std::endl;
        },
        g_stop);
    if (!n.ok()) return fail(n.error());
    return 0;
  }
  return 0;
}
