// crosscheck: the command-line tool for watchlist managers and operators. Each subcommand wires
// a library call; the logic lives in rules/, streams/ and services/runtime/.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>

#include "crosscheck/log.h"
#include "crosscheck/rules/analyst_tools.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/rules/watchlist_diff.h"
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

void print_import_stats(std::ostream& out, const cc::rules::ImportedList& imported) {
  const auto& s = imported.stats;
  out << "read " << imported.list.list_id << " (" << cc::rules::to_string(imported.format) << "): " << s.entries
      << " entries (" << s.persons << " persons, " << s.organizations << " organisations, " << s.vessels
      << " vessels, " << s.aircraft << " aircraft), " << s.aliases << " aliases (" << s.weak_aliases << " weak), "
      << s.dates_of_birth << " dates of birth, " << s.documents << " documents, " << s.addresses << " addresses, "
      << s.unrecognized << " remarks kept as text\n";
}

// Input from a file, or standard input for "-".
struct Input {
  std::ifstream file;
  std::istream* in = &std::cin;
  bool open(const std::string& path) {
    if (path == "-") return true;
    file.open(path, std::ios::binary);
    in = &file;
    return static_cast<bool>(file);
  }
};
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crosscheck: import and publish watchlists, screen and score names, produce and follow events"};
  app.require_subcommand(1);
  std::string config_path, kafka, redis, prefix;
  app.add_option("-c,--config", config_path, "screener YAML configuration to take addresses, topics and prefix from");
  app.add_option("--kafka", kafka, "Kafka bootstrap servers (overrides the configuration)");
  app.add_option("--redis", redis, "Redis host:port (overrides the configuration)");
  app.add_option("--prefix", prefix, "Redis key prefix (overrides the configuration)");

  auto* watchlist = app.add_subcommand("watchlist", "import, publish, compare and inspect watchlists");
  watchlist->require_subcommand(1);
  std::string list_file, list_format = "auto";
  cc::rules::ImportOptions import_options;
  bool dry_run = false;
  auto* wl_load = watchlist->add_subcommand(
      "load", "import a list (OFAC SDN CSV, UN consolidated XML or Crosscheck JSON) and publish it as a new version");
  wl_load->add_option("file", list_file, "the list: a JSON or XML file, or OFAC's sdn.csv (alt.csv and add.csv are read from beside it) or its folder")
      ->required()->check(CLI::ExistingPath);
  wl_load->add_option("--format", list_format, "auto (detect), json, ofac or un")
      ->check(CLI::IsMember({"auto", "json", "ofac", "un"}));
  wl_load->add_option("--list-id", import_options.list_id, "list id to publish under (default: ofac-sdn, un-sc, or the JSON file's)");
  wl_load->add_option("--name", import_options.name, "human-readable list title");
  wl_load->add_flag("--dry-run", dry_run, "import and report the counts, but do not publish");
  std::string convert_out;
  auto* wl_convert = watchlist->add_subcommand("convert", "import a list and write it in Crosscheck's JSON format");
  wl_convert->add_option("file", list_file, "the list (as for load)")->required()->check(CLI::ExistingPath);
  wl_convert->add_option("--format", list_format, "auto (detect), json, ofac or un")
      ->check(CLI::IsMember({"auto", "json", "ofac", "un"}));
  wl_convert->add_option("--list-id", import_options.list_id, "list id for the output");
  wl_convert->add_option("-o,--output", convert_out, "output file (default: standard output)");
  auto* wl_versions = watchlist->add_subcommand("versions", "print the live version of every list");
  auto* wl_diff = watchlist->add_subcommand(
      "diff", "entries added, removed and changed between two versions of a list in Redis, or between two list files");
  std::vector<std::string> diff_args;
  std::string diff_format = "text";
  bool diff_files = false;
  std::size_t diff_max_lines = 0;
  wl_diff->add_option("args", diff_args, "LIST_ID OLD_VERSION NEW_VERSION (Redis), or OLD_FILE NEW_FILE with --files")
      ->required();
  wl_diff->add_flag("--files", diff_files, "compare two list files (any importable format) instead of Redis versions");
  wl_diff->add_option("--format", diff_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  wl_diff->add_option("--max-lines", diff_max_lines, "text: print at most this many entry lines (0 = all)");

  auto* score_names = app.add_subcommand(
      "score-names", "score name pairs from CSV (columns schema,name1,name2; others pass through), adding score and match");
  cc::rules::ScoreNamesOptions score_options;
  std::string score_input = "-";
  score_names->add_option("file", score_input, "CSV file, or - for standard input");
  score_names->add_option("--threshold", score_options.threshold, "match=true at or above this score")
      ->check(CLI::Range(0.01, 1.0));

  auto* screen = app.add_subcommand(
      "screen", "screen JSON-lines subjects against list files, without Redis: one JSON line out per line in");
  std::vector<std::string> screen_lists;
  std::string screen_input = "-";
  double screen_threshold = 0;
  screen->add_option("--watchlist", screen_lists, "a list file or OFAC folder (repeatable; format detected)")
      ->required()->check(CLI::ExistingPath);
  screen->add_option("--threshold", screen_threshold, "override every list's threshold")->check(CLI::Range(0.01, 1.0));
  screen->add_option("file", screen_input, "JSON-lines file of subjects, or - for standard input");

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

  if (*wl_load || *wl_convert) {
    import_options.format = *cc::rules::list_format_from_string(list_format);
    auto imported = cc::rules::import_list(list_file, import_options);
    if (!imported.ok()) return fail(imported.error());
    print_import_stats(*wl_convert && convert_out.empty() ? std::cerr : std::cout, *imported);
    if (*wl_convert) {
      std::ofstream file;
      if (!convert_out.empty()) {
        file.open(convert_out, std::ios::binary);
        if (!file) return fail(cc::Error::fatal("cli", "cannot write '" + convert_out + "'"));
      }
      std::ostream& out = convert_out.empty() ? std::cout : file;
      out << cc::rules::encode_watchlist_json(imported->list) << "\n";
      out.flush();
      if (!out) return fail(cc::Error::fatal("cli", "writing the list failed"));
      return 0;
    }
    if (dry_run) return 0;
    cc::rules::RedisClient client(config.redis.client);
    cc::rules::WatchlistStore store(client, config.redis.key_prefix);
    auto version = store.publish(imported->list);
    if (!version.ok()) return fail(version.error());
    std::cout << "published " << imported->list.list_id << " version " << *version << " ("
              << imported->list.entries.size() << " entries)\n";
    return 0;
  }
  if (*wl_diff) {
    cc::rules::Watchlist older, newer;
    if (diff_files) {
      if (diff_args.size() != 2) return fail(cc::Error::fatal("cli", "diff --files takes OLD_FILE NEW_FILE"));
      auto a = cc::rules::import_list(diff_args[0]);
      if (!a.ok()) return fail(a.error());
      auto b = cc::rules::import_list(diff_args[1]);
      if (!b.ok()) return fail(b.error());
      older = std::move(a->list);
      newer = std::move(b->list);
    } else {
      if (diff_args.size() != 3) return fail(cc::Error::fatal("cli", "diff takes LIST_ID OLD_VERSION NEW_VERSION (or --files OLD NEW)"));
      std::uint64_t from = 0, to = 0;
      try {
        from = std::stoull(diff_args[1]);
        to = std::stoull(diff_args[2]);
      } catch (const std::exception&) {
        return fail(cc::Error::fatal("cli", "versions must be whole numbers, got '" + diff_args[1] + "' and '" + diff_args[2] + "'"));
      }
      cc::rules::RedisClient client(config.redis.client);
      cc::rules::WatchlistStore store(client, config.redis.key_prefix);
      auto a = store.load(diff_args[0], from);
      if (!a.ok()) return fail(a.error());
      auto b = store.load(diff_args[0], to);
      if (!b.ok()) return fail(b.error());
      older = std::move(*a);
      newer = std::move(*b);
    }
    const auto diff = cc::rules::diff_watchlists(older, newer);
    if (diff_format == "json") {
      std::cout << cc::rules::format_diff_json(older, newer, diff) << "\n";
    } else {
      std::cout << cc::rules::format_diff_text(older, newer, diff, diff_max_lines);
    }
    return 0;
  }
  if (*score_names) {
    Input in;
    if (!in.open(score_input)) return fail(cc::Error::fatal("cli", "cannot read '" + score_input + "'"));
    auto stats = cc::rules::score_names_csv(*in.in, std::cout, score_options);
    if (!stats.ok()) return fail(stats.error());
    std::cerr << "scored " << stats->rows << " rows: " << stats->matches << " matches, " << stats->errors
              << " rows not scored\n";
    return 0;
  }
  if (*screen) {
    std::vector<cc::rules::Watchlist> lists;
    for (const auto& path : screen_lists) {
      auto imported = cc::rules::import_list(path);
      if (!imported.ok()) return fail(imported.error());
      print_import_stats(std::cerr, *imported);
      // Read from a file, not published: list_version stays 0 in the output.
      lists.push_back(std::move(imported->list));
    }
    cc::rules::MatchIndex index(std::move(lists), config.watchlists.match);
    Input in;
    if (!in.open(screen_input)) return fail(cc::Error::fatal("cli", "cannot read '" + screen_input + "'"));
    cc::rules::ScreenOptions options;
    if (screen_threshold > 0) options.threshold = screen_threshold;
    auto stats = cc::rules::screen_subjects_jsonl(index, *in.in, std::cout, options);
    if (!stats.ok()) return fail(stats.error());
    std::cerr << "screened " << stats->rows << " subjects: " << stats->matches << " with hits, " << stats->errors
              << " lines not screened\n";
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
    cc::runtime::ScreeningStep step(config, [] { return std::shared_ptr<const cc::rules::MatchIndex>(); }, nullptr);
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
