// The console's request, response and principal types, shared by the HTTP server (which parses
// the wire format into them), the API handlers (plain functions from request to response) and the
// tests (which call the handlers without a socket).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crosscheck::console {

// The five roles of docs/console.md. An officer is an officer of named queues; every other role
// is site-wide.
enum class Role : std::uint8_t { kOfficer, kSupervisor, kListManager, kRuleApprover, kOps };

// "officer", "supervisor", "list-manager", "rule-approver", "ops".
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);
inline constexpr Role kAllRoles[] = {Role::kOfficer, Role::kSupervisor, Role::kListManager, Role::kRuleApprover,
                                     Role::kOps};

// Who is calling, once authenticated.
struct Principal {
  std::string user;
  std::vector<Role> roles;
  std::vector<std::string> queues;  // the queues an officer may see (meaningful with kOfficer)
  bool has(Role role) const;
  // Whether this principal may see alerts of `queue`: a supervisor sees every queue, an officer
  // only theirs.
  bool may_see_queue(std::string_view queue) const;
};

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, e.g. "/api/alerts/0af3..."
  std::map<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client_address;  // for the failed-login limit
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Set-Cookie

  // {"error":message} with this status.
  static ApiResponse error(int status, std::string_view message);
  static ApiResponse json(int status, std::string body);
};

}  // namespace crosscheck::console
