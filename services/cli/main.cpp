// crosscheck: the command-line tool for watchlist managers and operators. Each subcommand wires
// a library call; the logic lives in rules/, streams/ and services/runtime/.
#include <CLI/CLI.hpp>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include "crosscheck/console/users.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/analyst_tools.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/rules/watchlist_admin.h"
#include "crosscheck/rules/watchlist_diff.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/schemas/output_records.h"
#include "crosscheck/time_format.h"
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
  out << cc::rules::format_import_stats(imported);
}

// The person acting: --actor, else CROSSCHECK_ACTOR, else $USER, else the account's login name.
// The CLI talks to Redis directly, so whoever runs it is trusted as an administrator; people who
// are not use the manager API, where the actor is the authenticated account.
std::string resolve_actor(const std::string& option) {
  if (!option.empty()) return option;
  for (const char* var : {"CROSSCHECK_ACTOR", "USER"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return v;
  }
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return {};
}

// Prints a manager operation's result and returns its exit code (0 ok, 1 rejected, 2 usage,
// 3 Redis unavailable).
int report(const cc::rules::AdminResult& r, const std::string& format) {
  if (format == "json") {
    std::cout << r.json << std::endl;
  } else {
    (r.ok() ? std::cout : std::cerr) << r.text << std::flush;
  }
  return r.exit_code();
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
  std::string actor;
  wl_load->add_option("--actor", actor, "who publishes, for the audit trail (default: $CROSSCHECK_ACTOR, else $USER)");
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

  // Rules and the audit trail (docs/rules.md). Exit codes: 0 done, 1 rule rejected or request
  // refused, 2 usage error, 3 Redis unreachable.
  auto* rules_cmd = app.add_subcommand(
      "rules", "write, approve, activate, suspend, inspect and backtest screening rules (exit codes: 0 done, "
               "1 rejected or refused, 2 usage error, 3 Redis unreachable)");
  rules_cmd->require_subcommand(1);
  rules_cmd->fallthrough();
  std::string rules_format = "text";
  int max_lifetime_days = 0;  // 0: rules.max_lifetime_days of the configuration (default 180)
  rules_cmd->add_option("--format", rules_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  rules_cmd->add_option("--actor", actor,
                        "who acts, for four eyes and the audit trail (default: $CROSSCHECK_ACTOR, else $USER; "
                        "issue 6 replaces this with authenticated tokens)");
  rules_cmd->add_option("--max-lifetime-days", max_lifetime_days,
                        "longest allowed rule lifetime (default: rules.max_lifetime_days of -c CONFIG, else 180)")
      ->check(CLI::Range(1, 3650));
  std::string rule_file, rule_id, rule_text_arg, events_file, backtest_kind;
  std::uint64_t rule_version = 0, diff_to = 0;
  std::vector<std::string> backtest_lists;
  auto* r_validate = rules_cmd->add_subcommand("validate", "check a rule file against the proportionality rules; needs no Redis");
  r_validate->add_option("file", rule_file, "rule JSON file")->required();
  auto* r_put = rules_cmd->add_subcommand("put", "validate a rule file and store it as the rule's next version (proposed)");
  r_put->add_option("file", rule_file, "rule JSON file")->required();
  auto* r_approve = rules_cmd->add_subcommand("approve", "approve a proposed version (not by its author or owner)");
  r_approve->add_option("id", rule_id, "rule id")->required();
  r_approve->add_option("version", rule_version, "version")->required()->check(CLI::PositiveNumber);
  r_approve->add_option("--comment", rule_text_arg, "why it is approved (recorded and audited)")->required();
  auto* r_activate = rules_cmd->add_subcommand(
      "activate", "put an approved version into the active set in its mode, replacing the active version of that mode");
  r_activate->add_option("id", rule_id, "rule id")->required();
  r_activate->add_option("version", rule_version, "version")->required()->check(CLI::PositiveNumber);
  auto* r_suspend = rules_cmd->add_subcommand("suspend", "take a version out of service for good");
  r_suspend->add_option("id", rule_id, "rule id")->required();
  r_suspend->add_option("version", rule_version, "version")->required()->check(CLI::PositiveNumber);
  r_suspend->add_option("--reason", rule_text_arg, "why (recorded and audited)")->required();
  auto* r_list = rules_cmd->add_subcommand("list", "every rule: latest version, active versions, states");
  auto* r_show = rules_cmd->add_subcommand("show", "one version: state, approval, digest and text");
  r_show->add_option("id", rule_id, "rule id")->required();
  r_show->add_option("version", rule_version, "version (default: the latest)")->check(CLI::PositiveNumber);
  auto* r_diff = rules_cmd->add_subcommand("diff", "key-by-key differences between two versions");
  r_diff->add_option("id", rule_id, "rule id")->required();
  r_diff->add_option("from", rule_version, "older version")->required()->check(CLI::PositiveNumber);
  r_diff->add_option("to", diff_to, "newer version")->required()->check(CLI::PositiveNumber);
  auto* r_backtest = rules_cmd->add_subcommand(
      "backtest", "evaluate a rule over recorded events: how many and what share it would flag");
  r_backtest->add_option("rule", rule_file, "a rule file, or ID[:VERSION] of a stored rule")->required();
  r_backtest->add_option("events", events_file, "JSON-lines file of recorded events")->required()->check(CLI::ExistingFile);
  r_backtest->add_option("--kind", backtest_kind, "event kind of the file (default: the rule's, when it has one)")
      ->check(CLI::IsMember({"itinerary", "manifest", "payment"}));
  r_backtest->add_option("--watchlist", backtest_lists, "a list file or OFAC folder for hit tests (repeatable)")
      ->check(CLI::ExistingPath);
  for (auto* sub : {r_validate, r_put, r_approve, r_activate, r_suspend, r_list, r_show, r_diff, r_backtest}) {
    sub->fallthrough();
  }

  auto* audit_cmd = app.add_subcommand("audit", "list the audit trail (rules, watchlists, alerts, accounts), newest first");
  audit_cmd->fallthrough();
  cc::rules::AuditFilter audit_filter;
  std::string audit_since, audit_until, audit_format = "text";
  bool audit_oldest_first = false;
  audit_cmd->add_option("--actor", audit_filter.actor, "only changes by this actor");
  audit_cmd->add_option("--action", audit_filter.action,
                        "only this action: create, approve, activate, suspend, expire, cap_reached, publish, view, disposition, unmask, mask, delete, user_put, user_disable, token_issue, token_revoke, login, login_failed");
  audit_cmd->add_option("--object", audit_filter.object_id, "only changes to this rule, list, alert (flag id) or account");
  audit_cmd->add_option("--since", audit_since, "RFC 3339 time, or a duration back from now (90m, 24h, 7d)");
  audit_cmd->add_option("--until", audit_until, "RFC 3339 time");
  audit_cmd->add_option("--limit", audit_filter.limit, "at most this many entries (0 = all; default 100)");
  audit_cmd->add_flag("--oldest-first", audit_oldest_first, "oldest entries first");
  audit_cmd->add_option("--format", audit_format, "text or json")->check(CLI::IsMember({"text", "json"}));

  // Accounts of the console and the manager API (docs/console.md). Same exit codes as rules.
  auto* users_cmd = app.add_subcommand("users", "accounts, roles and tokens of the console and the manager API");
  users_cmd->require_subcommand(1);
  std::string user_name, users_format = "text", user_ttl, user_token_id;
  std::vector<std::string> user_roles, user_queues;
  bool revoke_all = false;
  users_cmd->add_option("--actor", actor, "who acts, for the audit trail (default: $CROSSCHECK_ACTOR, else $USER)");
  users_cmd->add_option("--format", users_format, "text or json")->check(CLI::IsMember({"text", "json"}));
  auto* u_add = users_cmd->add_subcommand("add", "create an account, or replace its roles and queues (and re-enable it)");
  u_add->add_option("name", user_name, "account name ([a-z0-9][a-z0-9._-]*)")->required();
  u_add->add_option("--role", user_roles, "officer, supervisor, list-manager, rule-approver or ops (repeatable)")
      ->required()->delimiter(',');
  u_add->add_option("--queue", user_queues, "queues an officer may see (repeatable; officers only)")->delimiter(',');
  auto* u_token = users_cmd->add_subcommand("token", "issue a token (shown once; only its hash is stored)");
  u_token->add_option("name", user_name, "account name")->required();
  u_token->add_option("--ttl", user_ttl, "lifetime: 30d, 12h, 90m (default: the configured token lifetime)");
  auto* u_revoke = users_cmd->add_subcommand("revoke", "revoke one token, or every token and session of an account");
  u_revoke->add_option("name", user_name, "account name")->required();
  auto* revoke_one = u_revoke->add_option("--token-id", user_token_id, "the token to revoke");
  auto* revoke_every = u_revoke->add_flag("--all", revoke_all, "every token and session of the account");
  revoke_one->excludes(revoke_every);
  auto* u_disable = users_cmd->add_subcommand("disable", "disable an account and revoke its tokens and sessions");
  u_disable->add_option("name", user_name, "account name")->required();
  auto* u_list = users_cmd->add_subcommand("list", "every account: roles, queues, state, live token ids");
  // --actor and --format may follow the subcommand too.
  for (auto* sub : {u_add, u_token, u_revoke, u_disable, u_list}) sub->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    // The rules and audit commands promise exit code 2 for every usage error.
    return rc != 0 && (rules_cmd->parsed() || audit_cmd->parsed() || users_cmd->parsed()) ? 2 : rc;
  }

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

  if (*users_cmd) {
    namespace co = cc::console;
    cc::rules::RedisClient client(config.redis.client);
    co::UserStore store(client, config.redis.key_prefix);
    const std::string who = resolve_actor(actor);
    if (!*u_list && who.empty()) {
      return report(cc::rules::admin_usage_error("no actor: pass --actor or set CROSSCHECK_ACTOR"), users_format);
    }
    if (*u_add) return report(co::admin_user_add(store, user_name, user_roles, user_queues, who), users_format);
    if (*u_token) {
      std::chrono::milliseconds ttl{0};
      if (!user_ttl.empty()) {
        auto parsed = co::parse_ttl(user_ttl);
        if (!parsed) return report(cc::rules::admin_usage_error("--ttl: expected e.g. 30d, 12h, 90m or 45s"), users_format);
        ttl = *parsed;
      }
      return report(co::admin_user_token(store, user_name, ttl, who, cc::timefmt::now_ms()), users_format);
    }
    if (*u_revoke) {
      // Revoking everything must be asked for by name, never the result of a forgotten option.
      if (revoke_all == !user_token_id.empty()) {
        return report(cc::rules::admin_usage_error("revoke: pass exactly one of --token-id ID or --all"), users_format);
      }
      return report(co::admin_user_revoke(store, user_name, revoke_all ? "" : user_token_id, who), users_format);
    }
    if (*u_disable) return report(co::admin_user_disable(store, user_name, who), users_format);
    return report(co::admin_user_list(store), users_format);
  }
  if (*rules_cmd) {
    namespace cr = cc::rules;
    const std::int64_t now = cc::timefmt::now_ms();
    cr::RulePolicy policy;
    const int lifetime_days = max_lifetime_days > 0 ? max_lifetime_days : config.rules.max_lifetime_days;
    policy.max_lifetime_ms = static_cast<std::int64_t>(lifetime_days) * 24 * 3600 * 1000;
    cr::RedisClient client(config.redis.client);  // connects on first use: validate never does
    cr::RuleStore store(client, config.redis.key_prefix);
    const std::string who = resolve_actor(actor);
    auto need_actor = [&]() { return who.empty() ? std::optional<int>(report(cr::admin_usage_error(
                                          "no actor: pass --actor or set CROSSCHECK_ACTOR"), rules_format))
                                                 : std::nullopt; };
    if (*r_validate || *r_put) {
      auto text = cr::read_rule_file(rule_file);
      if (!text.ok()) return report(cr::admin_error(text.error(), true), rules_format);
      if (*r_validate) return report(cr::admin_validate(*text, policy, now), rules_format);
      if (auto rc = need_actor()) return *rc;
      return report(cr::admin_put(store, *text, policy, who, now), rules_format);
    }
    if (*r_approve || *r_activate || *r_suspend) {
      if (auto rc = need_actor()) return *rc;
      if (*r_approve) return report(cr::admin_approve(store, rule_id, rule_version, who, rule_text_arg, now), rules_format);
      if (*r_activate) return report(cr::admin_activate(store, rule_id, rule_version, who, now), rules_format);
      return report(cr::admin_suspend(store, rule_id, rule_version, who, rule_text_arg, now), rules_format);
    }
    if (*r_list) return report(cr::admin_list(store), rules_format);
    if (*r_show) return report(cr::admin_show(store, rule_id, rule_version), rules_format);
    if (*r_diff) return report(cr::admin_diff(store, rule_id, rule_version, diff_to), rules_format);
    if (*r_backtest) {
      auto source = cr::admin_load_backtest_rule(&store, rule_file, policy, now);
      if (!source.rule) return report(source.failure, rules_format);
      std::vector<cr::Watchlist> lists;
      for (const auto& path : backtest_lists) {
        auto imported = cr::import_list(path);
        if (!imported.ok()) return report(cr::admin_error(imported.error(), true), rules_format);
        print_import_stats(std::cerr, *imported);
        lists.push_back(std::move(imported->list));
      }
      cr::MatchIndex index(std::move(lists), config.watchlists.match);
      std::ifstream in(events_file, std::ios::binary);
      std::stringstream events;
      events << in.rdbuf();
      if (!in) return report(cr::admin_usage_error("cannot read '" + events_file + "'"), rules_format);
      std::optional<cc::schemas::EventKind> kind;
      if (!backtest_kind.empty()) kind = cc::schemas::event_kind_from_string(backtest_kind);
      return report(cr::admin_backtest(*source.rule, kind, events.str(), index), rules_format);
    }
    return 2;
  }
  if (*audit_cmd) {
    const std::int64_t now = cc::timefmt::now_ms();
    if (!audit_since.empty()) {
      auto since = cc::rules::parse_since(audit_since, now);
      if (!since) return report(cc::rules::admin_usage_error("--since: expected an RFC 3339 time or 90m, 24h, 7d"), audit_format);
      audit_filter.since_ms = *since;
    }
    if (!audit_until.empty()) {
      auto until = cc::timefmt::parse_timestamp_ms(audit_until);
      if (!until) return report(cc::rules::admin_usage_error("--until: expected an RFC 3339 time"), audit_format);
      audit_filter.until_ms = *until;
    }
    audit_filter.newest_first = !audit_oldest_first;
    cc::rules::RedisClient client(config.redis.client);
    cc::rules::AuditLog audit(client, config.redis.key_prefix);
    return report(cc::rules::admin_audit(audit, audit_filter), audit_format);
  }
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
    const std::string who = resolve_actor(actor);
    if (who.empty()) return fail(cc::Error::fatal("cli", "no actor: pass --actor or set CROSSCHECK_ACTOR"));
    cc::rules::RedisClient client(config.redis.client);
    cc::rules::WatchlistStore store(client, config.redis.key_prefix);
    cc::rules::AuditLog audit(client, config.redis.key_prefix);
    const auto published = cc::rules::admin_watchlist_publish(store, audit, *imported, who);
    if (published.error) return fail(*published.error);
    std::cout << published.text;
    return 0;
  }
  if (*wl_diff) {
    cc::rules::WatchlistAdminResult diff;
    if (diff_files) {
      if (diff_args.size() != 2) return fail(cc::Error::fatal("cli", "diff --files takes OLD_FILE NEW_FILE"));
      auto a = cc::rules::import_list(diff_args[0]);
      if (!a.ok()) return fail(a.error());
      auto b = cc::rules::import_list(diff_args[1]);
      if (!b.ok()) return fail(b.error());
      diff = cc::rules::admin_watchlist_diff_lists(a->list, b->list, diff_max_lines);
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
      diff = cc::rules::admin_watchlist_diff(store, diff_args[0], from, to, diff_max_lines);
    }
    if (diff.error) return fail(*diff.error);
    if (diff_format == "json") {
      std::cout << diff.json << "\n";
    } else {
      std::cout << diff.text;
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
    const auto versions = cc::rules::admin_watchlist_versions(store);
    if (versions.error) return fail(*versions.error);
    std::cout << versions.text;
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
    for (const auto& t : step.input_topics()) specs.push_back({t, p, config.kafka.topic_replication_factor});
    for (const auto& t : step.output_topics()) specs.push_back({t, p, config.kafka.topic_replication_factor});
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
            if (!line) line = cc::schemas::summarize_governance_alert(r.value);
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
