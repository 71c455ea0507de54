#include "crosscheck/console/manager_api.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/rules/rule_store.h"
#include "crosscheck/rules/watchlist_admin.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::console {
namespace {

namespace cr = rules;

// A rule text is a few KiB; the server bounds bodies too, this keeps the rule endpoints within
// what `crosscheck rules validate` accepts from a file.
constexpr std::size_t kMaxRuleBodyBytes = 1 << 20;

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

const std::string* query_param(const ApiRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? nullptr : &it->second;
}

// The AdminResult as the HTTP answer (the status mapping of manager_api.h).
ApiResponse respond(const cr::AdminResult& r, int ok_status = 200) {
  int status = ok_status;
  switch (r.status) {
    case cr::AdminStatus::kOk: status = ok_status; break;
    case cr::AdminStatus::kRejected:
      // rule_admin.h writes rule violations as {"ok":false,"violations":[...]}.
      status = r.not_found ? 404 : r.json.starts_with(R"({"ok":false,"violations")") ? 422 : 409;
      break;
    case cr::AdminStatus::kUsage: status = 400; break;
    case cr::AdminStatus::kUnavailable: status = 503; break;
  }
  return ApiResponse::json(status, r.json);
}

ApiResponse method_not_allowed(std::string_view allow) {
  ApiResponse r = ApiResponse::error(405, "method not allowed; use " + std::string(allow));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// 403 unless the principal holds one of `roles`.
std::optional<ApiResponse> require_role(const Principal& principal, std::initializer_list<Role> roles) {
  std::string names;
  for (Role role : roles) {
    if (principal.has(role)) return std::nullopt;
    names += (names.empty() ? "" : " or ") + std::string(to_string(role));
  }
  return ApiResponse::error(403, "this operation needs the role " + names);
}

// Parses a JSON object body into `body` (nullopt), or returns the 400 to send. An empty body
// counts as {} when `empty_ok`.
struct JsonBody {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
};
std::optional<ApiResponse> parse_object_body(const ApiRequest& request, JsonBody& body, bool empty_ok) {
  std::string_view text = request.body;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    if (!empty_ok) return ApiResponse::error(400, "the request body is empty; expected a JSON object");
    text = "{}";
  }
  simdjson::dom::element root;
  if (body.parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS) {
    return ApiResponse::error(400, "the request body is not valid JSON");
  }
  if (root.get_object().get(body.object) != simdjson::SUCCESS) {
    return ApiResponse::error(400, "the request body must be a JSON object");
  }
  return std::nullopt;
}

// Members other than `allowed` are refused: the actor in particular is never a body field, and a
// misspelt "coment" must not pass as a missing one.
std::optional<ApiResponse> check_keys(const simdjson::dom::object& object, std::initializer_list<std::string_view> allowed) {
  for (auto field : object) {
    if (std::find(allowed.begin(), allowed.end(), field.key) != allowed.end()) continue;
    std::string names;
    for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
    std::string key;
    json::append_string(key, field.key.substr(0, 200));
    return ApiResponse::error(400, "unknown member " + key + " in the request body" +
                                       (names.empty() ? " (this operation takes {})" : " (allowed: " + names + ")"));
  }
  return std::nullopt;
}

// Query parameters other than `allowed` are refused, as by the console's other endpoints.
std::optional<ApiResponse> check_params(const ApiRequest& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.query) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string names;
    for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
    std::string quoted;
    json::append_string(quoted, std::string_view(name).substr(0, 200));
    return ApiResponse::error(400, "unknown query parameter " + quoted +
                                       (names.empty() ? " (this endpoint takes none)" : " (allowed: " + names + ")"));
  }
  return std::nullopt;
}

// The role check (403), then the query parameters (400).
std::optional<ApiResponse> admit(const ApiRequest& request, const Principal& principal, std::initializer_list<Role> roles,
                                 std::initializer_list<std::string_view> params = {}) {
  if (auto denied = require_role(principal, roles)) return denied;
  return check_params(request, params);
}

// A required, non-blank string member of a JSON object body ("comment", "reason"), its only one.
std::optional<ApiResponse> required_text(const ApiRequest& request, const char* name, std::string& out) {
  JsonBody body;
  if (auto bad = parse_object_body(request, body, false)) return bad;
  if (auto bad = check_keys(body.object, {name})) return bad;
  std::string_view value;
  if (body.object[name].get_string().get(value) != simdjson::SUCCESS ||
      value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return ApiResponse::error(400, std::string("\"") + name + "\" is required: a non-empty string saying why");
  }
  out.assign(value);
  return std::nullopt;
}

// A rule text body: present, at most 1 MiB and JSON (whether it is a valid rule is the
// validator's answer, 422).
std::optional<ApiResponse> check_rule_body(const ApiRequest& request) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ApiResponse::error(400, "the request body is empty; expected a rule JSON object");
  }
  if (request.body.size() > kMaxRuleBodyBytes) return ApiResponse::error(413, "a rule text is at most 1 MiB");
  JsonBody body;
  return parse_object_body(request, body, false);
}

// from= and to=: both required, positive version numbers.
std::optional<ApiResponse> version_pair(const ApiRequest& request, std::uint64_t& from, std::uint64_t& to) {
  const std::string* f = query_param(request, "from");
  const std::string* t = query_param(request, "to");
  auto fv = f ? parse_u64(*f) : std::nullopt;
  auto tv = t ? parse_u64(*t) : std::nullopt;
  if (!fv || !tv || *fv == 0 || *tv == 0) {
    return ApiResponse::error(400, "from and to are required: positive version numbers");
  }
  from = *fv;
  to = *tv;
  return std::nullopt;
}

// Every live list, loaded from Redis, as the screeners would see them now.
Result<std::vector<cr::Watchlist>> live_lists(cr::WatchlistStore& store) {
  auto live = store.current_versions();
  if (!live) return live.error();
  std::vector<cr::Watchlist> lists;
  lists.reserve(live->size());
  for (const auto& [id, version] : *live) {
    auto list = store.load(id, version);
    if (!list) return list.error();
    lists.push_back(std::move(*list));
  }
  return lists;
}

// ---- /api/watchlists ---------------------------------------------------------------------------

std::optional<ApiResponse> watchlists(const ApiRequest& request, const std::vector<std::string_view>& segs,
                                      const Principal& principal, ManagerContext& context) {
  cr::WatchlistStore store(*context.redis, context.key_prefix);
  if (segs.size() == 1) {  // /api/watchlists
    if (request.method == "GET") {
      if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover})) return refused;
      return respond(cr::admin_watchlist_versions(store));
    }
    if (request.method != "POST") return method_not_allowed("GET, POST");
    if (auto refused = admit(request, principal, {Role::kListManager}, {"format", "list_id", "name"})) return refused;
    cr::ImportOptions options;
    if (const std::string* f = query_param(request, "format")) {
      auto format = cr::list_format_from_string(*f);
      if (!format) return ApiResponse::error(400, "format must be one of auto, json, ofac, un");
      options.format = *format;
    }
    if (const std::string* id = query_param(request, "list_id")) options.list_id = *id;
    if (const std::string* name = query_param(request, "name")) options.name = *name;
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      return ApiResponse::error(400, "the request body is empty; expected the list file's content");
    }
    cr::AuditLog audit(*context.redis, context.key_prefix);
    return respond(cr::admin_watchlist_publish_content(store, audit, request.body, options, principal.user), 201);
  }
  if (segs.size() == 3 && segs[2] == "diff" && !segs[1].empty()) {  // /api/watchlists/{id}/diff
    if (request.method != "GET") return method_not_allowed("GET");
    if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover}, {"from", "to"})) {
      return refused;
    }
    std::uint64_t from = 0, to = 0;
    if (auto bad = version_pair(request, from, to)) return bad;
    return respond(cr::admin_watchlist_diff(store, std::string(segs[1]), from, to));
  }
  return std::nullopt;
}

// ---- /api/rules --------------------------------------------------------------------------------

std::optional<ApiResponse> version_action(const ApiRequest& request, const std::string& id, std::string_view version_text,
                                          std::string_view action, const Principal& principal,
                                          ManagerContext& context) {
  if (action != "approve" && action != "activate" && action != "suspend" && action != "backtest") return std::nullopt;
  if (request.method != "POST") return method_not_allowed("POST");
  if (action == "approve" || action == "activate") {
    if (auto refused = admit(request, principal, {Role::kRuleApprover})) return refused;
  } else if (action == "suspend") {
    if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover})) return refused;
  } else if (auto refused = admit(request, principal, {Role::kListManager}, {"kind"})) {
    return refused;
  }
  auto version = parse_u64(version_text);
  // Backtest takes 0 for the latest version; the lifecycle steps name one version.
  if (!version || (*version == 0 && action != "backtest")) {
    return ApiResponse::error(400, "the version must be a positive whole number" +
                                       std::string(action == "backtest" ? " (or 0 for the latest)" : ""));
  }
  cr::RuleStore store(*context.redis, context.key_prefix);
  const std::string& actor = principal.user;
  if (action == "approve") {
    std::string comment;
    if (auto bad = required_text(request, "comment", comment)) return bad;
    return respond(cr::admin_approve(store, id, *version, actor, comment, context.now_ms));
  }
  if (action == "activate") {
    JsonBody body;
    if (auto bad = parse_object_body(request, body, true)) return bad;
    if (auto bad = check_keys(body.object, {})) return bad;
    return respond(cr::admin_activate(store, id, *version, actor, context.now_ms));
  }
  if (action == "suspend") {
    std::string reason;
    if (auto bad = required_text(request, "reason", reason)) return bad;
    return respond(cr::admin_suspend(store, id, *version, actor, reason, context.now_ms));
  }
  // backtest: the stored version (never a path on this host, unlike the CLI's rule argument)
  // over the posted events, against the lists live now.
  std::optional<schemas::EventKind> kind;
  if (const std::string* k = query_param(request, "kind"); k != nullptr && !k->empty()) {
    kind = schemas::event_kind_from_string(*k);
    if (!kind) return ApiResponse::error(400, "kind must be one of itinerary, manifest, payment");
  }
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ApiResponse::error(400, "the request body is empty; expected recorded events, one JSON object a line");
  }
  auto stored = store.get(id, *version);
  if (!stored) return respond(cr::admin_error(stored.error()));
  cr::WatchlistStore lists_store(*context.redis, context.key_prefix);
  auto lists = live_lists(lists_store);
  if (!lists) return respond(cr::admin_error(lists.error()));
  const cr::MatchIndex index(std::move(*lists), context.match);
  return respond(cr::admin_backtest(stored->rule, kind, request.body, index));
}

std::optional<ApiResponse> rules_api(const ApiRequest& request, const std::vector<std::string_view>& segs,
                                     const Principal& principal, ManagerContext& context) {
  cr::RuleStore store(*context.redis, context.key_prefix);
  if (segs.size() == 1) {  // /api/rules
    if (request.method == "GET") {
      if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover})) return refused;
      return respond(cr::admin_list(store));
    }
    if (request.method != "POST") return method_not_allowed("GET, POST");
    if (auto refused = admit(request, principal, {Role::kListManager})) return refused;
    if (auto bad = check_rule_body(request)) return bad;
    return respond(cr::admin_put(store, request.body, context.policy, principal.user, context.now_ms), 201);
  }
  if (segs[1].empty()) return std::nullopt;
  const std::string id(segs[1]);
  if (segs.size() == 2) {
    // POST /api/rules/validate; every other two-segment path is a rule id ("validate" may be one,
    // read with GET).
    if (request.method == "POST" && id == "validate") {
      if (auto refused = admit(request, principal, {Role::kListManager})) return refused;
      if (auto bad = check_rule_body(request)) return bad;
      return respond(cr::admin_validate(request.body, context.policy, context.now_ms));
    }
    if (request.method != "GET") return method_not_allowed(id == "validate" ? "GET, POST" : "GET");
    if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover}, {"version"})) {
      return refused;
    }
    std::uint64_t version = 0;  // the latest
    if (const std::string* v = query_param(request, "version"); v != nullptr && !v->empty()) {
      auto parsed = parse_u64(*v);
      if (!parsed || *parsed == 0) return ApiResponse::error(400, "version must be a positive whole number");
      version = *parsed;
    }
    return respond(cr::admin_show(store, id, version));
  }
  if (segs.size() == 3 && segs[2] == "diff") {
    if (request.method != "GET") return method_not_allowed("GET");
    if (auto refused = admit(request, principal, {Role::kListManager, Role::kRuleApprover}, {"from", "to"})) {
      return refused;
    }
    std::uint64_t from = 0, to = 0;
    if (auto bad = version_pair(request, from, to)) return bad;
    return respond(cr::admin_diff(store, id, from, to));
  }
  if (segs.size() == 5 && segs[2] == "versions") return version_action(request, id, segs[3], segs[4], principal, context);
  return std::nullopt;
}

}  // namespace

std::optional<ApiResponse> handle_manager_api(const ApiRequest& request, const Principal& principal,
                                              ManagerContext& context) {
  std::string_view path = request.path;
  if (!path.starts_with("/api/") || path.ends_with('/')) return std::nullopt;
  path.remove_prefix(5);
  const auto segs = split_path(path);
  if (segs.empty() || (segs[0] != "watchlists" && segs[0] != "rules")) return std::nullopt;
  if (principal.user.empty()) return ApiResponse::error(401, "authentication required");
  if (context.redis == nullptr) {
    // A wiring bug, not a request problem: every console thread owns a client.
    std::fputs("crosscheck-console: handle_manager_api called without a Redis client\n", stderr);
    std::abort();
  }
  return segs[0] == "watchlists" ? watchlists(request, segs, principal, context)
                                 : rules_api(request, segs, principal, context);
}

}  // namespace crosscheck::console
