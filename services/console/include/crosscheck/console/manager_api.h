// The manager API: the `crosscheck watchlist ...` and `crosscheck rules ...` operations over HTTP
// JSON, for watchlist managers and rule approvers. Each handler parses the request, checks the
// caller's role, and calls the same function the CLI calls (rules/rule_admin.h,
// rules/watchlist_admin.h), so the CLI and the API share one implementation, its messages and its
// JSON. Documented in schemas/openapi/crosscheck-api.yaml.
//
// Status codes: AdminStatus kOk -> 200 (201 for a new version), kRejected -> 409 (422 for rule
// violations, 404 for a rule, rule version or list version that does not exist), kUsage -> 400, kUnavailable -> 503; 401 without a principal, 403 for a role that
// may not call the endpoint, 404 for an unknown path, 405 (with Allow) for a known path called
// with another method, 413 for a rule text over 1 MiB. A request the handler can tell is
// malformed (a body that is not JSON or is empty, a missing comment or reason, an unknown body
// member or query parameter, a version or parameter that is not a number or not one of the
// allowed values) is 400 before any store is touched; the role check (403) comes first. The body of every answer is the
// operation's AdminResult.json (the CLI's --format json output), or {"error":...} for 400/401/
// 403/404/405 found by the handler itself.
//
// Roles (docs/console.md): reading lists and rules: list-manager or rule-approver; publishing a
// list, validate, put and backtest: list-manager; approve and activate: rule-approver; suspend:
// either. Four eyes (the author or owner cannot approve) is the rule store's check (409).
// Actor = principal.user, never a body field.
//
// Thread-safety: handle_manager_api holds no state; the context's clients belong to the calling
// thread.
#pragma once

#include <cstdint>
#include <optional>

#include "crosscheck/console/http_types.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule.h"

namespace crosscheck::console {

struct ManagerContext {
  rules::RedisClient* redis = nullptr;  // the calling thread's client
  std::string key_prefix;
  rules::RulePolicy policy;  // rules.max_lifetime_days etc.
  std::int64_t now_ms = 0;
  // Thresholds of the index a backtest builds from the live lists (watchlists.match of the
  // screener configuration, so a backtest hits what the screeners would hit).
  rules::MatchOptions match;
};

// Handles /api/watchlists... and /api/rules...; nullopt when the path is not one of them (the
// caller then tries its other routes). `principal` is the authenticated caller.
std::optional<ApiResponse> handle_manager_api(const ApiRequest& request, const Principal& principal,
                                              ManagerContext& context);

}  // namespace crosscheck::console
