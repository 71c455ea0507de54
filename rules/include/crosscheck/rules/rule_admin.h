// The watchlist managers' operations on rules and the audit trail, as plain functions. The
// `crosscheck rules ...` / `crosscheck audit` CLI and (later) the manager HTTP API both call these,
// so there is one implementation of each operation, its messages and its renderings.
//
// Every operation returns an AdminResult: a status (which the CLI turns into its exit code and an
// HTTP API into a status code), a human-readable text (what the CLI prints) and one JSON object
// (what `--format json` and the API return). Errors are results too, never exceptions:
//   kOk          0  done
//   kRejected    1  the rule violates the policy, or the store refused (four eyes, wrong state,
//                   not found)
//   kUsage       2  the request is malformed (bad version number, unreadable file, missing actor)
//   kUnavailable 3  Redis could not be reached or failed
// JSON shapes: {"ok":true,...} on success; {"ok":false,"error":"..."} or, for rule violations,
// {"ok":false,"violations":[{"code":..,"path":..,"message":..},...]}.
//
// Thread-safety: the functions hold no state; each call uses the store or audit log it is given,
// which must not be shared between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::rules {

enum class AdminStatus : std::uint8_t { kOk = 0, kRejected = 1, kUsage = 2, kUnavailable = 3 };

struct AdminResult {
  AdminStatus status = AdminStatus::kOk;
  std::string text;  // ends with a newline
  std::string json;  // one JSON object, no trailing newline
  // kRejected because the named rule, rule version or list version does not exist (the manager
  // API answers 404 rather than 409; the CLI's exit code stays 1).
  bool not_found = false;
  bool ok() const { return status == AdminStatus::kOk; }
  int exit_code() const { return static_cast<int>(status); }
};

// An Error as a result: component "redis" -> kUnavailable, refusals of the store -> kRejected
// (not_found for kRuleNotFound and kWatchlistVersionNotFound), anything else -> kUsage when
// `usage` is set, else kRejected.
AdminResult admin_error(const Error& error, bool usage = false);
AdminResult admin_usage_error(const std::string& message);

// Reads a rule file (at most 1 MiB). Fatal Error of component "cli" when it cannot be read.
Result<std::string> read_rule_file(const std::string& path);

// --- rules --------------------------------------------------------------------------------------

// Parses and validates a rule text without storing it (no Redis needed).
AdminResult admin_validate(std::string_view rule_json, const RulePolicy& policy, std::int64_t now_ms);

// Validates, then stores the rule as the next version (state proposed) and audits "create".
// A rule text carrying an "approval" is rejected: approval is given with approve, by someone else.
AdminResult admin_put(RuleStore& store, std::string_view rule_json, const RulePolicy& policy,
                      const std::string& actor, std::int64_t now_ms);

AdminResult admin_approve(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                          const std::string& comment, std::int64_t now_ms);
AdminResult admin_activate(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                           std::int64_t now_ms);
AdminResult admin_suspend(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                          const std::string& reason, std::int64_t now_ms);

// Every rule id: latest version, active enforce/shadow versions, each version's state.
AdminResult admin_list(RuleStore& store);
// One version (0 = latest): state, author, approval, digest and the canonical text.
AdminResult admin_show(RuleStore& store, const std::string& id, std::uint64_t version);
// A key-by-key diff of two versions' canonical JSON.
AdminResult admin_diff(RuleStore& store, const std::string& id, std::uint64_t from, std::uint64_t to);

// One line of a rule diff: a JSON path ("when.all[1].value", "expires") and its old and new
// values as compact JSON; a side is nullopt when the path exists only on the other side.
struct RuleDiffLine {
  std::string path;
  std::optional<std::string> before;
  std::optional<std::string> after;
};
// Compares two JSON texts key by key (objects by key, arrays by index), in path order. Fatal
// Error when either text is not JSON.
Result<std::vector<RuleDiffLine>> diff_rule_json(std::string_view before, std::string_view after);

// --- backtest -----------------------------------------------------------------------------------

// "ID", "ID:VERSION" (an id that itself ends in ":<digits>" needs the explicit version) or a file
// path: a file that exists is read as a rule text and validated; otherwise the spec names a
// stored version, read from `store` (which may then not be null). Error results as for the other
// operations; on success the rule is returned.
struct BacktestRuleSource {
  std::optional<Rule> rule;
  AdminResult failure;  // meaningful when !rule
};
BacktestRuleSource admin_load_backtest_rule(RuleStore* store, const std::string& spec, const RulePolicy& policy,
                                            std::int64_t now_ms);

// Runs rules::backtest. `kind` nullopt: the rule's only kind (a usage error when it has several).
AdminResult admin_backtest(const Rule& rule, std::optional<schemas::EventKind> kind, std::string_view jsonl,
                           const MatchIndex& index);

// --- audit --------------------------------------------------------------------------------------

// Entries matching the filter: text is one line per entry (format_audit_entry_text), json is
// {"ok":true,"entries":[...]} with encode_audit_entry_json objects.
AdminResult admin_audit(AuditLog& audit, const AuditFilter& filter);

// Parses "--since" values: an RFC 3339 timestamp or a duration back from now ("90m", "24h", "7d").
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace crosscheck::rules
