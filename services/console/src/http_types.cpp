#include "crosscheck/console/http_types.h"

#include <algorithm>

#include "crosscheck/json_writer.h"

namespace crosscheck::console {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kOfficer: return "officer";
    case Role::kSupervisor: return "supervisor";
    case Role::kListManager: return "list-manager";
    case Role::kRuleApprover: return "rule-approver";
    case Role::kOps: return "ops";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : kAllRoles) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

bool Principal::has(Role role) const { return std::find(roles.begin(), roles.end(), role) != roles.end(); }

bool Principal::may_see_queue(std::string_view queue) const {
  if (has(Role::kSupervisor)) return true;
  if (!has(Role::kOfficer)) return false;
  return std::find(queues.begin(), queues.end(), queue) != queues.end();
}

ApiResponse ApiResponse::error(int status, std::string_view message) {
  ApiResponse response;
  response.status = status;
  // The message may quote untrusted input (a parameter value, a JSON key): the writer escapes it.
  json::Writer(response.body).begin_object().field("error", message).end_object();
  return response;
}

ApiResponse ApiResponse::json(int status, std::string body) {
  ApiResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace crosscheck::console
