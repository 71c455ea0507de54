// The watchlist managers' operations as plain functions: publish a list, show the live versions,
// compare two versions. The `crosscheck watchlist ...` CLI and the manager HTTP API
// (services/console) both call these, so there is one implementation of each operation, its
// messages and its JSON (see rule_admin.h for the AdminResult conventions).
//
// Results carry, besides status, text and json, the Error that caused a failure: the CLI reports
// it as it always has ("crosscheck: <component>: <message> (fatal|retriable)", exit 1 or 75),
// the API uses status and json.
//   text: what the CLI prints on standard output on success (ends with a newline, or is empty for
//         versions with no list published);
//   json: {"ok":true,...} for publish and versions; for diff exactly format_diff_json (what
//         `watchlist diff --format json` prints), without an "ok" member;
//         on failure {"ok":false,"error":"...","retriable":bool}.
//
// Thread-safety: the functions hold no state; each call uses the store and audit log it is given,
// which must not be shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crosscheck/error.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/rules/watchlist_store.h"

namespace crosscheck::rules {

// An AdminResult with the Error behind a failure.
struct WatchlistAdminResult : AdminResult {
  // Why the operation failed, when it changed nothing (nullopt on success).
  std::optional<Error> error;
};

// "read <id> (<format>): N entries (..), N aliases (..), ..., N remarks kept as text\n": what an
// import read, as `watchlist load` prints it.
std::string format_import_stats(const ImportedList& imported);

// Imports a list from memory, as import_list does from a file: kJson (the project's JSON),
// kUnXml (UN consolidated XML), kOfacSdnCsv (sdn.csv alone: alt.csv and add.csv cannot come along
// in one body, so aliases and addresses of those files are absent), or kAuto: XML -> UN, '{' ->
// JSON, a line starting "<number>," -> OFAC sdn.csv. `what` names the input in error messages
// ("request body"). Fatal Error of component "import" when the content is empty, not in the
// format, or larger than 256 MiB.
Result<ImportedList> import_list_content(std::string_view content, const ImportOptions& options,
                                         std::string_view what = "request body");

// Publishes an imported list as a new version and audits "publish" (object_type "watchlist",
// before/after version, details {"entries":N}) with `actor`, in one script
// (WatchlistStore::publish_audited): a list never goes live without its audit record. Text: "published <id> version <n> (<m> entries)\n"; json:
// {"ok":true,"list_id","name","format","version","before_version":N|null,"entries",
//  "stats":{...import counts...}}.
// Failures: empty actor -> kUsage; a list the store refuses (invalid id, duplicate entry ids) ->
// kRejected; Redis, or an audit record that cannot be written -> kUnavailable (nothing published).
WatchlistAdminResult admin_watchlist_publish(WatchlistStore& store, AuditLog& audit, const ImportedList& imported,
                                             const std::string& actor);

// import_list_content, then admin_watchlist_publish. An import failure is kUsage (the content is
// malformed), with the importer's message.
WatchlistAdminResult admin_watchlist_publish_content(WatchlistStore& store, AuditLog& audit, std::string_view content,
                                                     const ImportOptions& options, const std::string& actor);

// The live version of every list. Text: "<id>\t<version>\n" per list, by id; json:
// {"ok":true,"lists":[{"list_id":..,"version":N},...]}.
WatchlistAdminResult admin_watchlist_versions(WatchlistStore& store);

// Compares two versions of a list in Redis (diff_watchlists). Text: format_diff_text with
// `max_lines` (0 = all); json: format_diff_json. A version that does not exist -> kRejected;
// Redis -> kUnavailable.
WatchlistAdminResult admin_watchlist_diff(WatchlistStore& store, const std::string& list_id, std::uint64_t from,
                                          std::uint64_t to, std::size_t max_lines = 0);

// The same over two lists already in memory (`watchlist diff --files`). Always kOk.
WatchlistAdminResult admin_watchlist_diff_lists(const Watchlist& older, const Watchlist& newer,
                                                std::size_t max_lines = 0);

}  // namespace crosscheck::rules
