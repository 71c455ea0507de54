#include "crosscheck/console/console_api.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "crosscheck/json_writer.h"
#include "crosscheck/log.h"
#include "crosscheck/rules/rule_admin.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

constexpr std::string_view kSessionCookie = "cc_session";
constexpr std::string_view kCsrfHeader = "x-crosscheck-request";
// The API's own bodies are a few short strings; the manager API reads its (larger) bodies itself.
constexpr std::size_t kMaxJsonBodyBytes = 64 * 1024;
constexpr std::size_t kMaxCommentBytes = 2000;
constexpr std::size_t kMaxFlagIdBytes = 128;
constexpr std::uint64_t kMaxListLimit = 1000;
constexpr std::uint64_t kDefaultAlertLimit = 200;
constexpr std::uint64_t kDefaultAuditLimit = 100;

void count(std::atomic<std::uint64_t> ApiCounters::*member, const ConsoleContext& context) {
  if (context.counters != nullptr) (context.counters->*member).fetch_add(1, std::memory_order_relaxed);
}

std::string json_quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s.substr(0, 200));  // a hostile value cannot bloat a message
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

const std::string* find_header(const ApiRequest& request, std::string_view lower_name) {
  auto it = request.headers.find(std::string(lower_name));
  return it == request.headers.end() ? nullptr : &it->second;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// --- responses ----------------------------------------------------------------------------------

ApiResponse bad_request(const ConsoleContext& context, std::string_view message) {
  count(&ApiCounters::bad_request, context);
  return ApiResponse::error(400, message);
}

ApiResponse unauthenticated(const ConsoleContext& context, std::string_view message) {
  count(&ApiCounters::auth_failed, context);
  auto response = ApiResponse::error(401, message);
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"crosscheck\"");
  return response;
}

ApiResponse forbidden_role(const ConsoleContext& context, std::string_view needed) {
  count(&ApiCounters::role_forbidden, context);
  return ApiResponse::error(403, "this endpoint needs the role " + std::string(needed));
}

ApiResponse not_found() { return ApiResponse::error(404, "not found"); }
ApiResponse alert_not_found() { return ApiResponse::error(404, "no such alert"); }

ApiResponse method_not_allowed(std::string_view allowed) {
  auto response = ApiResponse::error(405, "method not allowed; allowed: " + std::string(allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

// Redis down (or any retriable failure) is the client's cue to retry; anything else is a bug or
// corrupt data and is logged as such. The response never carries internal details.
ApiResponse from_error(const ConsoleContext& context, const Error& error, std::string_view what) {
  if (error.is_retriable() || error.component() == "redis") {
    count(&ApiCounters::unavailable, context);
    log::warn("console", "storage unavailable", {{"op", what}, {"error", error.to_string()}});
    return ApiResponse::error(503, "the console's storage is unavailable; try again");
  }
  log::error("console", "request failed", {{"op", what}, {"error", error.to_string()}});
  return ApiResponse::error(500, "internal error");
}

std::string session_cookie(std::string_view value, std::int64_t max_age_s, bool secure) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age_s);
  if (secure) cookie += "; Secure";
  return cookie;
}

std::int64_t ceil_seconds(std::int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

// --- request parsing ----------------------------------------------------------------------------

// The value of cookie `name` in a Cookie header ("a=1; cc_session=xyz"); the first one wins.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto part = trim(header.substr(0, semi));
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) {
      auto value = trim(part.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

// Query parameters other than `allowed` are refused, so a misspelt filter is not silently ignored.
std::optional<ApiResponse> check_params(const ApiRequest& request, const ConsoleContext& context,
                                        std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.query) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string names;
    for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
    const std::string hint = allowed.size() == 0 ? " (this endpoint takes none)" : " (allowed: " + names + ")";
    return bad_request(context, "unknown query parameter " + json_quoted(name) + hint);
  }
  return std::nullopt;
}

// A query parameter's value; an empty value counts as absent ("?severity=" means any).
std::optional<std::string_view> param(const ApiRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  if (it == request.query.end() || trim(it->second).empty()) return std::nullopt;
  return trim(it->second);
}

// A small JSON object of string values (the API's own bodies). Anything else is a 400 that says
// what was wrong; the body is untrusted.
using StringFields = std::map<std::string, std::string, std::less<>>;
std::variant<StringFields, ApiResponse> parse_string_object(const ApiRequest& request, const ConsoleContext& context,
                                                            std::initializer_list<std::string_view> allowed) {
  std::string names;
  for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
  if (request.body.size() > kMaxJsonBodyBytes) {
    count(&ApiCounters::bad_request, context);
    return ApiResponse::error(413, "the request body is " + std::to_string(request.body.size()) +
                                       " bytes; at most " + std::to_string(kMaxJsonBodyBytes) + " are accepted");
  }
  if (is_blank(request.body)) {
    return bad_request(context, "the request body must be a JSON object with the keys " + names);
  }
  // One parser per thread: its buffers are reused between requests.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(request.body.data(), request.body.size(), true).get(root)) {
    return bad_request(context, std::string("the request body is not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) {
    return bad_request(context, "the request body must be a JSON object with the keys " + names);
  }
  StringFields fields;
  for (auto field : object) {
    const std::string key(field.key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return bad_request(context, "unknown key " + json_quoted(key) + " in the request body (allowed: " + names + ")");
    }
    std::string_view value;
    if (field.value.get_string().get(value)) {
      return bad_request(context, "key " + json_quoted(key) + " must be a string");
    }
    if (!fields.emplace(key, std::string(value)).second) {
      return bad_request(context, "duplicate key " + json_quoted(key) + " in the request body");
    }
  }
  return fields;
}

// Flag ids are 32 hex digits; anything outside a conservative id alphabet cannot name an alert.
bool plausible_flag_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxFlagIdBytes) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

// --- authentication -----------------------------------------------------------------------------

struct Caller {
  Principal principal;
  bool via_cookie = false;
  std::string session_id;  // via_cookie
};

// A bearer token wins over a cookie: a client that sends one means it. A credential that is
// present but wrong is a 401, never a fall-back to the other kind.
std::variant<Caller, ApiResponse> authenticate(const ApiRequest& request, ConsoleContext& context,
                                               std::int64_t now_ms) {
  if (const auto* authorization = find_header(request, "authorization")) {
    std::string_view value = trim(*authorization);
    const auto space = value.find(' ');
    if (space == std::string_view::npos || !iequals(value.substr(0, space), "bearer")) {
      return unauthenticated(context, "unsupported Authorization scheme; send \"Bearer <token>\"");
    }
    const auto token = trim(value.substr(space + 1));
    if (token.empty()) return unauthenticated(context, "empty bearer token");
    auto principal = context.users->authenticate_token(token, now_ms);
    if (!principal) return from_error(context, principal.error(), "authenticate_token");
    if (!*principal) return unauthenticated(context, "invalid, expired or revoked token");
    return Caller{std::move(**principal), false, {}};
  }
  if (const auto* cookie = find_header(request, "cookie")) {
    if (auto session = cookie_value(*cookie, kSessionCookie); session && !session->empty()) {
      auto principal = context.users->authenticate_session(*session, now_ms);
      if (!principal) return from_error(context, principal.error(), "authenticate_session");
      if (!*principal) {
        auto response = unauthenticated(context, "the session has expired or was ended; log in again");
        response.headers.emplace_back("Set-Cookie", session_cookie("", 0, context.secure_cookies));
        return response;
      }
      return Caller{std::move(**principal), true, std::move(*session)};
    }
  }
  return unauthenticated(context, "authentication required: a bearer token or the session cookie of POST /api/login");
}

bool may_watch_queues(const Principal& principal) {
  return principal.has(Role::kOfficer) || principal.has(Role::kSupervisor);
}

// --- JSON bodies --------------------------------------------------------------------------------

void write_principal(json::Writer& w, const Principal& principal, const std::vector<std::string>& visible) {
  w.field("user", principal.user).key("roles").begin_array();
  for (Role role : principal.roles) w.string(to_string(role));
  w.end_array().key("queues").begin_array();
  for (const auto& queue : visible) w.string(queue);
  w.end_array();
}

void write_dispositions(json::Writer& w, const std::vector<Disposition>& dispositions) {
  w.key("dispositions").begin_array();
  for (const auto& d : dispositions) {
    w.begin_object()
        .field("action", to_string(d.action))
        .field("comment", d.comment)
        .field("actor", d.actor)
        .field("at", timefmt::format_utc_ms(d.at_ms))
        .end_object();
  }
  w.end_array();
}

// --- handlers -----------------------------------------------------------------------------------

ApiResponse handle_login(const ApiRequest& request, ConsoleContext& context, std::int64_t now_ms) {
  if (auto r = check_params(request, context, {})) return *r;
  auto parsed = parse_string_object(request, context, {"user", "token"});
  if (auto* response = std::get_if<ApiResponse>(&parsed)) return std::move(*response);
  const auto& fields = std::get<StringFields>(parsed);
  auto user = fields.find("user");
  auto token = fields.find("token");
  if (user == fields.end() || user->second.empty() || token == fields.end() || token->second.empty()) {
    return bad_request(context, "the request body must hold \"user\" and \"token\"");
  }
  auto outcome = context.users->login(user->second, token->second, request.client_address, now_ms);
  if (!outcome) {
    // A malformed account name is the client's mistake, not an outage.
    if (outcome.error().is_fatal() && outcome.error().component() == "users") {
      return bad_request(context, outcome.error().message());
    }
    return from_error(context, outcome.error(), "login");
  }
  switch (outcome->kind) {
    case LoginOutcome::Kind::kOk: {
      std::string body;
      json::Writer w(body);
      w.begin_object();
      write_principal(w, outcome->principal, visible_queues(outcome->principal, context.queues));
      w.end_object();
      auto response = ApiResponse::json(200, std::move(body));
      const auto max_age = std::max<std::int64_t>(1, ceil_seconds(outcome->expires_ms - now_ms));
      response.headers.emplace_back("Set-Cookie",
                                    session_cookie(outcome->session_id, max_age, context.secure_cookies));
      return response;
    }
    case LoginOutcome::Kind::kBadCredentials:
      count(&ApiCounters::login_failed, context);
      // Never says which of the two was wrong.
      return unauthenticated(context, "unknown account or invalid token");
    case LoginOutcome::Kind::kRateLimited: {
      count(&ApiCounters::login_rate_limited, context);
      const auto seconds = std::max<std::int64_t>(1, ceil_seconds(outcome->retry_after_ms));
      auto response = ApiResponse::error(429, "too many failed logins; try again in " + std::to_string(seconds) + " s");
      response.headers.emplace_back("Retry-After", std::to_string(seconds));
      return response;
    }
  }
  return ApiResponse::error(500, "internal error");
}

ApiResponse handle_logout(const ApiRequest& request, const Caller& caller, ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  if (caller.via_cookie) {
    auto status = context.users->logout(caller.session_id);
    if (!status) return from_error(context, status.error(), "logout");
  }
  // A bearer token is not ended by logout (revoke it with `crosscheck users revoke`); the cookie is
  // cleared either way.
  auto response = ApiResponse::json(200, R"({"ok":true})");
  response.headers.emplace_back("Set-Cookie", session_cookie("", 0, context.secure_cookies));
  return response;
}

ApiResponse handle_me(const ApiRequest& request, const Principal& principal, ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  std::string body;
  json::Writer w(body);
  w.begin_object();
  write_principal(w, principal, visible_queues(principal, context.queues));
  w.end_object();
  return ApiResponse::json(200, std::move(body));
}

ApiResponse handle_queues(const ApiRequest& request, const Principal& principal, ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  std::string body;
  json::Writer w(body);
  w.begin_object().key("queues").begin_array();
  for (const auto& queue : visible_queues(principal, context.queues)) w.string(queue);
  w.end_array().end_object();
  return ApiResponse::json(200, std::move(body));
}

ApiResponse handle_list_alerts(const ApiRequest& request, const Principal& principal, ConsoleContext& context) {
  if (auto r = check_params(request, context, {"queue", "severity", "status", "after_seq", "limit"})) return *r;
  const auto visible = visible_queues(principal, context.queues);
  AlertQuery query;
  if (auto queues = param(request, "queue")) {
    for (auto& queue : split_list(*queues)) {
      // The same answer for a queue that does not exist and one the officer may not see.
      if (std::find(visible.begin(), visible.end(), queue) == visible.end()) {
        return bad_request(context, "queue " + json_quoted(queue) + " is not one of your queues (allowed: " +
                                        join(visible) + ")");
      }
      query.queues.push_back(std::move(queue));
    }
  } else {
    query.queues = visible;
  }
  if (auto severities = param(request, "severity")) {
    for (auto& severity : split_list(*severities)) {
      if (severity != "low" && severity != "medium" && severity != "high") {
        return bad_request(context,
                           "severity " + json_quoted(severity) + " is not allowed (allowed: low, medium, high)");
      }
      query.severities.push_back(std::move(severity));
    }
  }
  if (auto statuses = param(request, "status")) {
    for (const auto& status : split_list(*statuses)) {
      auto parsed = parse_alert_status(status);
      if (!parsed) {
        return bad_request(context, "status " + json_quoted(status) +
                                        " is not allowed (allowed: new, escalated, confirmed_match, false_positive)");
      }
      query.statuses.push_back(*parsed);
    }
  }
  if (auto after = param(request, "after_seq")) {
    auto value = parse_u64(*after);
    if (!value) return bad_request(context, "after_seq must be a non-negative integer, got " + json_quoted(*after));
    query.after_seq = *value;
  }
  query.limit = kDefaultAlertLimit;
  if (auto limit = param(request, "limit")) {
    auto value = parse_u64(*limit);
    if (!value || *value < 1 || *value > kMaxListLimit) {
      return bad_request(context, "limit must be an integer from 1 to " + std::to_string(kMaxListLimit) + ", got " +
                                      json_quoted(*limit));
    }
    query.limit = static_cast<std::size_t>(*value);
  }
  // The sequence is read before the list: a change made in between is then both in this answer
  // and after `seq`, so a client that continues from `seq` sees it twice rather than never.
  auto seq = context.alerts->current_seq();
  if (!seq) return from_error(context, seq.error(), "current_seq");
  std::vector<AlertSummary> alerts;
  if (!query.queues.empty()) {
    auto listed = context.alerts->list(query);
    if (!listed) return from_error(context, listed.error(), "list");
    alerts = std::move(*listed);
  }
  std::string body;
  json::Writer w(body);
  w.begin_object().field("seq", *seq).key("alerts").begin_array();
  for (const auto& alert : alerts) {
    if (!principal.may_see_queue(alert.queue)) continue;  // the store filtered already; never trust one check
    w.raw(encode_alert_summary_json(alert));
  }
  w.end_array().end_object();
  return ApiResponse::json(200, std::move(body));
}

// The alert when it exists and `principal` may see its queue; otherwise the response to send. An
// alert of another queue is answered exactly like an unknown one.
std::variant<Alert, ApiResponse> visible_alert(const std::string& flag_id, const Principal& principal,
                                               ConsoleContext& context) {
  if (!plausible_flag_id(flag_id)) return alert_not_found();
  auto alert = context.alerts->get(flag_id);
  if (!alert) return from_error(context, alert.error(), "get");
  if (!*alert || !principal.may_see_queue((*alert)->summary.queue)) return alert_not_found();
  return std::move(**alert);
}

std::string alert_details(const AlertSummary& summary) {
  std::string details;
  json::Writer(details).begin_object().field("queue", summary.queue).field("masked", summary.masked).end_object();
  return details;
}

ApiResponse audit_failure(ConsoleContext& context, const Error& error, std::string_view what,
                          const std::string& flag_id, std::string_view message) {
  count(&ApiCounters::audit_failed, context);
  log::error("console", "audit entry could not be written",
             {{"op", what}, {"flag_id", flag_id}, {"error", error.to_string()}});
  return ApiResponse::error(503, message);
}

ApiResponse handle_show_alert(const ApiRequest& request, const std::string& flag_id, const Principal& principal,
                              ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  auto found = visible_alert(flag_id, principal, context);
  if (auto* response = std::get_if<ApiResponse>(&found)) return std::move(*response);
  const auto& alert = std::get<Alert>(found);
  // Every view of an alert's details is audited. A view that cannot be recorded is not allowed:
  // the alert is shown only after its audit entry was written, never the other way round.
  rules::AuditRecord record;
  record.actor = principal.user;
  record.action = std::string(rules::audit_action::kView);
  record.object_type = "alert";
  record.object_id = flag_id;
  record.details = alert_details(alert.summary);
  if (auto appended = context.audit->append(record); !appended) {
    return audit_failure(context, appended.error(), "view", flag_id,
                         "the view could not be recorded in the audit trail, so the alert is not shown; try again");
  }
  std::string body;
  json::Writer w(body);
  w.begin_object().key("alert").raw(encode_alert_summary_json(alert.summary));
  // The flag record was checked to be a JSON object when the store ingested it.
  w.key("flag").raw(alert.flag_json);
  write_dispositions(w, alert.dispositions);
  w.end_object();
  return ApiResponse::json(200, std::move(body));
}

ApiResponse handle_disposition(const ApiRequest& request, const std::string& flag_id, const Principal& principal,
                               ConsoleContext& context, std::int64_t now_ms) {
  if (auto r = check_params(request, context, {})) return *r;
  auto parsed = parse_string_object(request, context, {"action", "comment"});
  if (auto* response = std::get_if<ApiResponse>(&parsed)) return std::move(*response);
  const auto& fields = std::get<StringFields>(parsed);
  auto action_field = fields.find("action");
  if (action_field == fields.end()) {
    return bad_request(context, "\"action\" is required (allowed: confirmed_match, false_positive, escalate)");
  }
  auto action = parse_disposition_action(action_field->second);
  if (!action) {
    return bad_request(context, "action " + json_quoted(action_field->second) +
                                    " is not allowed (allowed: confirmed_match, false_positive, escalate)");
  }
  auto comment = fields.find("comment");
  if (comment == fields.end() || is_blank(comment->second)) {
    return bad_request(context, "a comment is required: say why you decided so");
  }
  if (comment->second.size() > kMaxCommentBytes) {
    return bad_request(context, "the comment is " + std::to_string(comment->second.size()) + " bytes; at most " +
                                    std::to_string(kMaxCommentBytes) + " are accepted");
  }
  auto found = visible_alert(flag_id, principal, context);
  if (auto* response = std::get_if<ApiResponse>(&found)) return std::move(*response);

  Disposition disposition;
  disposition.action = *action;
  disposition.comment = comment->second;
  disposition.actor = principal.user;  // the authenticated person, never a body field
  disposition.at_ms = now_ms;
  auto recorded = context.alerts->record_disposition(flag_id, disposition);
  if (!recorded) {
    if (recorded.error().is_fatal() && recorded.error().component() == "console") {
      return bad_request(context, recorded.error().message());
    }
    return from_error(context, recorded.error(), "record_disposition");
  }
  if (!*recorded) return alert_not_found();  // deleted by retention in the meantime
  const Alert& alert = **recorded;

  // The store wrote the decision, its outbox record and its audit entry ("disposition", the
  // comment as reason) in one script: there is no decision without its record.
  std::string body;
  json::Writer w(body);
  w.begin_object().key("alert").raw(encode_alert_summary_json(alert.summary));
  write_dispositions(w, alert.dispositions);
  w.end_object();
  return ApiResponse::json(200, std::move(body));
}

ApiResponse handle_unmask(const ApiRequest& request, const std::string& flag_id, const Principal& principal,
                          ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  auto parsed = parse_string_object(request, context, {"reason"});
  if (auto* response = std::get_if<ApiResponse>(&parsed)) return std::move(*response);
  const auto& fields = std::get<StringFields>(parsed);
  auto reason = fields.find("reason");
  if (reason == fields.end() || is_blank(reason->second)) {
    return bad_request(context, "a reason is required to unmask a depersonalised alert");
  }
  if (reason->second.size() > kMaxCommentBytes) {
    return bad_request(context, "the reason is " + std::to_string(reason->second.size()) + " bytes; at most " +
                                    std::to_string(kMaxCommentBytes) + " are accepted");
  }
  auto found = visible_alert(flag_id, principal, context);
  if (auto* response = std::get_if<ApiResponse>(&found)) return std::move(*response);
  const auto& alert = std::get<Alert>(found);
  auto sealed = context.alerts->sealed_flag_json(flag_id);
  if (!sealed) return from_error(context, sealed.error(), "sealed_flag_json");
  if (!*sealed) {
    return ApiResponse::error(409, "the alert is not depersonalised; GET /api/alerts/" + flag_id + " shows it in full");
  }
  // Audited before the original is returned: no unmasking without its recorded reason.
  rules::AuditRecord record;
  record.actor = principal.user;
  record.action = std::string(rules::audit_action::kUnmask);
  record.object_type = "alert";
  record.object_id = flag_id;
  record.reason = reason->second;
  record.details = alert_details(alert.summary);
  if (auto appended = context.audit->append(record); !appended) {
    return audit_failure(context, appended.error(), "unmask", flag_id,
                         "the unmasking could not be recorded in the audit trail, so the alert is not shown; "
                         "try again");
  }
  std::string body;
  json::Writer(body).begin_object().key("flag").raw(**sealed).end_object();
  return ApiResponse::json(200, std::move(body));
}

ApiResponse handle_audit(const ApiRequest& request, ConsoleContext& context, std::int64_t now_ms) {
  if (auto r = check_params(request, context, {"actor", "action", "object", "object_type", "since", "limit"})) {
    return *r;
  }
  rules::AuditFilter filter;
  if (auto v = param(request, "actor")) filter.actor = std::string(*v);
  if (auto v = param(request, "action")) filter.action = std::string(*v);
  if (auto v = param(request, "object")) filter.object_id = std::string(*v);
  if (auto v = param(request, "object_type")) filter.object_type = std::string(*v);
  if (auto v = param(request, "since")) {
    auto since = rules::parse_since(*v, now_ms);
    if (!since) {
      return bad_request(context, "since " + json_quoted(*v) +
                                      " is neither an RFC 3339 time nor a duration back from now (90m, 24h, 7d)");
    }
    filter.since_ms = *since;
  }
  filter.limit = kDefaultAuditLimit;
  if (auto v = param(request, "limit")) {
    auto value = parse_u64(*v);
    if (!value || *value < 1 || *value > kMaxListLimit) {
      return bad_request(context, "limit must be an integer from 1 to " + std::to_string(kMaxListLimit) + ", got " +
                                      json_quoted(*v));
    }
    filter.limit = static_cast<std::size_t>(*value);
  }
  auto result = rules::admin_audit(*context.audit, filter);
  switch (result.status) {
    case rules::AdminStatus::kOk: return ApiResponse::json(200, std::move(result.json));
    case rules::AdminStatus::kUsage:
      count(&ApiCounters::bad_request, context);
      return ApiResponse::json(400, std::move(result.json));
    case rules::AdminStatus::kUnavailable:
      count(&ApiCounters::unavailable, context);
      return ApiResponse::json(503, std::move(result.json));
    case rules::AdminStatus::kRejected: break;  // a malformed stream entry: not the client's doing
  }
  log::error("console", "audit listing failed", {{"error", result.text}});
  return ApiResponse::error(500, "internal error");
}

ApiResponse handle_metrics(const ApiRequest& request, ConsoleContext& context) {
  if (auto r = check_params(request, context, {})) return *r;
  if (!context.metrics_text) return ApiResponse::error(503, "metrics are not available");
  ApiResponse response;
  response.status = 200;
  response.content_type = "text/plain; version=0.0.4";
  response.body = context.metrics_text();
  return response;
}

ApiResponse handle_ops_overview(const ApiRequest& request, ConsoleContext& context, std::int64_t now_ms) {
  if (auto r = check_params(request, context, {})) return *r;
  if (!context.ops_overview) return ApiResponse::error(503, "the operations dashboard is not available");
  return ApiResponse::json(200, context.ops_overview(now_ms));
}

bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

ApiResponse route(const ApiRequest& request, const std::string& method, const Caller& caller, ConsoleContext& context,
                  std::int64_t now_ms) {
  const std::string& path = request.path;
  const Principal& principal = caller.principal;

  if (path == "/metrics") {
    if (method != "GET") return method_not_allowed("GET");
    if (!principal.has(Role::kOps)) return forbidden_role(context, "ops");
    return handle_metrics(request, context);
  }
  if (path == "/api/ops/overview") {
    if (method != "GET") return method_not_allowed("GET");
    if (!principal.has(Role::kOps)) return forbidden_role(context, "ops");
    return handle_ops_overview(request, context, now_ms);
  }
  if (path == "/api/me") {
    if (method != "GET") return method_not_allowed("GET");
    return handle_me(request, principal, context);
  }
  if (path == "/api/logout") {
    if (method != "POST") return method_not_allowed("POST");
    return handle_logout(request, caller, context);
  }
  if (path == "/api/queues") {
    if (method != "GET") return method_not_allowed("GET");
    if (!may_watch_queues(principal)) return forbidden_role(context, "officer or supervisor");
    return handle_queues(request, principal, context);
  }
  if (path == "/api/stream") {
    if (method != "GET") return method_not_allowed("GET");
    if (!may_watch_queues(principal)) return forbidden_role(context, "officer or supervisor");
    ApiResponse response = ApiResponse::error(426, "/api/stream is a WebSocket: send an Upgrade request");
    response.headers.emplace_back("Upgrade", "websocket");
    return response;
  }
  if (path == "/api/audit") {
    if (method != "GET") return method_not_allowed("GET");
    if (!principal.has(Role::kSupervisor)) return forbidden_role(context, "supervisor");
    return handle_audit(request, context, now_ms);
  }
  if (path == "/api/alerts") {
    if (method != "GET") return method_not_allowed("GET");
    if (!may_watch_queues(principal)) return forbidden_role(context, "officer or supervisor");
    return handle_list_alerts(request, principal, context);
  }
  if (path.rfind("/api/alerts/", 0) == 0) {
    std::string_view rest = std::string_view(path).substr(std::string_view("/api/alerts/").size());
    const auto slash = rest.find('/');
    const std::string flag_id(rest.substr(0, slash));
    const std::string_view action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (flag_id.empty()) return not_found();
    if (slash == std::string_view::npos) {
      if (method != "GET") return method_not_allowed("GET");
      if (!may_watch_queues(principal)) return forbidden_role(context, "officer or supervisor");
      return handle_show_alert(request, flag_id, principal, context);
    }
    if (action == "disposition") {
      if (method != "POST") return method_not_allowed("POST");
      if (!may_watch_queues(principal)) return forbidden_role(context, "officer or supervisor");
      return handle_disposition(request, flag_id, principal, context, now_ms);
    }
    if (action == "unmask") {
      if (method != "POST") return method_not_allowed("POST");
      if (!principal.has(Role::kSupervisor)) return forbidden_role(context, "supervisor");
      return handle_unmask(request, flag_id, principal, context);
    }
    return not_found();
  }
  // Every manager endpoint needs one of the two manager roles; handle_manager_api then applies
  // the finer matrix. Checked here too so that no other role ever reaches the manager code.
  if ((starts_with_segment(path, "/api/watchlists") || starts_with_segment(path, "/api/rules")) &&
      !principal.has(Role::kListManager) && !principal.has(Role::kRuleApprover)) {
    return forbidden_role(context, "list-manager or rule-approver");
  }
  context.manager.now_ms = now_ms;
  ApiRequest manager_request = request;
  manager_request.method = method;
  if (auto response = handle_manager_api(manager_request, principal, context.manager)) {
    if (response->status == 403) count(&ApiCounters::role_forbidden, context);
    if (response->status == 400) count(&ApiCounters::bad_request, context);
    if (response->status == 503) count(&ApiCounters::unavailable, context);
    return std::move(*response);
  }
  return not_found();
}

}  // namespace

std::vector<std::string> visible_queues(const Principal& principal, const std::vector<std::string>& configured) {
  std::vector<std::string> out;
  for (const auto& queue : configured) {
    if (principal.may_see_queue(queue) && std::find(out.begin(), out.end(), queue) == out.end()) out.push_back(queue);
  }
  return out;
}

std::string encode_alert_summary_json(const AlertSummary& summary) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("flag_id", summary.flag_id)
      .field("queue", summary.queue)
      .field("severity", summary.severity)
      .field("reason_code", summary.reason_code)
      .field("kind", summary.kind)
      .field("subject_name", summary.subject_name)
      .field("subject_role", summary.subject_role)
      .field("score", std::isfinite(summary.score) ? summary.score : 0.0)
      .field("rule_id", summary.rule_id)
      .field("rule_version", summary.rule_version)
      .field("list_id", summary.list_id)
      .field("status", to_string(summary.status))
      .field("received_at", timefmt::format_utc_ms(summary.received_ms));
  w.key("published_at");
  if (summary.published_ms > 0) {
    w.string(timefmt::format_utc_ms(summary.published_ms));
  } else {
    w.null();
  }
  w.field("seq", summary.seq).field("masked", summary.masked).end_object();
  return out;
}

ApiResponse handle_api_request(const ApiRequest& request, ConsoleContext& context) {
  const std::int64_t now_ms = context.now_ms != 0 ? context.now_ms : timefmt::now_ms();
  // HEAD is GET without a body (the server drops it).
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  if (request.path != "/metrics" && request.path.rfind("/api/", 0) != 0) return not_found();

  if (request.path == "/api/login") {
    if (method != "POST") return method_not_allowed("POST");
    return handle_login(request, context, now_ms);
  }

  auto authenticated = authenticate(request, context, now_ms);
  if (auto* response = std::get_if<ApiResponse>(&authenticated)) return std::move(*response);
  const auto& caller = std::get<Caller>(authenticated);

  // A browser attaches the cookie to any request, also one a foreign page makes it send; it adds
  // this header only when our own script asks. Bearer tokens are never sent by a browser on its own.
  if (caller.via_cookie && method != "GET") {
    const auto* marker = find_header(request, kCsrfHeader);
    if (marker == nullptr || trim(*marker) != "1") {
      count(&ApiCounters::csrf_rejected, context);
      return ApiResponse::error(403, "a cookie-authenticated " + method +
                                         " needs the header X-Crosscheck-Request: 1 (cross-site request refused)");
    }
  }
  return route(request, method, caller, context, now_ms);
}

std::variant<Principal, ApiResponse> authorize_stream(const ApiRequest& request, ConsoleContext& context) {
  const std::int64_t now_ms = context.now_ms != 0 ? context.now_ms : timefmt::now_ms();
  if (request.path != "/api/stream") return not_found();
  if (request.method != "GET") return method_not_allowed("GET");
  if (auto r = check_params(request, context, {"after_seq"})) return *r;
  if (auto after = param(request, "after_seq"); after && !parse_u64(*after)) {
    return bad_request(context, "after_seq must be a non-negative integer, got " + json_quoted(*after));
  }
  // A WebSocket is not bound by the same-origin policy: a foreign page could open one with the
  // officer's cookie. Browsers always send Origin on a WebSocket handshake, so it must be ours.
  if (const auto* origin = find_header(request, "origin")) {
    const auto* host = find_header(request, "host");
    const std::string_view value = trim(*origin);
    std::string_view authority;
    if (value.rfind("http://", 0) == 0) authority = value.substr(7);
    if (value.rfind("https://", 0) == 0) authority = value.substr(8);
    if (host == nullptr || authority.empty() || !iequals(authority, trim(*host))) {
      count(&ApiCounters::origin_rejected, context);
      return ApiResponse::error(403, "the WebSocket Origin does not match the Host (cross-site request refused)");
    }
  }
  auto authenticated = authenticate(request, context, now_ms);
  if (auto* response = std::get_if<ApiResponse>(&authenticated)) return std::move(*response);
  auto& caller = std::get<Caller>(authenticated);
  if (!may_watch_queues(caller.principal)) return forbidden_role(context, "officer or supervisor");
  return std::move(caller.principal);
}

}  // namespace crosscheck::console
