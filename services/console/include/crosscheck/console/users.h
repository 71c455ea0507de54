// Accounts, tokens and sessions of the console and the manager API, held in Redis.
//
// An account has a name, roles and (for officers) queues. `crosscheck users token NAME` issues a
// token: a random 256-bit secret shown once; Redis keeps only its SHA-256 (the secret is random
// and long, so a fast hash is enough: there is no password to brute-force offline). A token is
// used either as a bearer token (Authorization: Bearer ...) by API clients, or once at the login
// page, which exchanges it for a session cookie (also random; stored hashed, with a TTL).
// Tokens and sessions expire. Failed logins are limited per account and per client address
// within a sliding window. Every change of an account, every issued or revoked token and every
// login (successful or not) is written to the audit stream; token secrets never are.
//
// Keys (prefix P): P users:{name} (hash: roles, queues, disabled, created_ms, updated_ms),
// P users:index (set of names), P tokens:{token id} (hash: user, sha256, issued_ms, expires_ms;
// PEXPIREAT expires), P sessions:{sha256 of the session id} (hash: user, token_id, created_ms,
// expires_ms; PEXPIRE session_ttl), P login-failures:user:{name} and
// P login-failures:addr:{sha256 of the client address, 32 hex digits} (sorted sets of attempt
// times), and per account P user-tokens:{name} / P user-sessions:{name} (sorted sets of token ids
// / session hashes scored by expiry) so that disabling or revoking finds every credential.
// A name never holds ':', so "users:{name}" cannot collide with another key.
//
// Changes and their audit entries are written in one MULTI/EXEC (under WATCH of the keys they
// were decided on), so a change is never left unrecorded and a token is never issued to an
// account disabled in between.
//
// Failure behaviour: Redis failures are Errors of component "redis" (retriable when the
// connection failed); a bad name, role, queue or ttl is a fatal Error of component "users" that
// names the value (code UserError::kInvalid), an unknown account or token is code kNotFound, a
// refusal (token for a disabled account) is kRefused. Authentication of a wrong, expired or
// revoked credential, or of hostile input of any size, is not an error: it returns nullopt.
// Thread-safety: none; one UserStore per thread (it uses the RedisClient it is given).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/console/http_types.h"
#include "crosscheck/error.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/rule_admin.h"

namespace crosscheck::console {

// Error::code() of the "users" errors, for callers that map them to exit or HTTP status codes.
enum UserError : int { kInvalid = 1, kNotFound = 2, kRefused = 3 };

// [a-z0-9][a-z0-9._-]{0,63}
bool valid_user_name(std::string_view name);
// [a-z0-9][a-z0-9._-]{0,62}, as the screener configuration's queue names.
bool valid_queue_name(std::string_view queue);

struct UserAccount {
  std::string name;                 // [a-z0-9][a-z0-9._-]{0,63}
  std::vector<Role> roles;          // at least one
  std::vector<std::string> queues;  // required when roles hold kOfficer, else empty
  bool disabled = false;
  std::int64_t created_ms = 0;
};

struct UserStoreOptions {
  std::chrono::milliseconds default_token_ttl{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds max_token_ttl{std::chrono::hours(24 * 365)};
  std::chrono::milliseconds session_ttl{std::chrono::hours(10)};  // one shift
  int max_failed_logins = 5;                                       // per account and per address
  std::chrono::milliseconds failed_login_window{std::chrono::minutes(15)};
};

struct IssuedToken {
  std::string token;     // "cct_<id>_<secret>": shown once, never stored
  std::string token_id;  // the public part, for listing and revoking
  std::int64_t expires_ms = 0;
};

struct TokenInfo {
  std::string token_id;
  std::int64_t issued_ms = 0;
  std::int64_t expires_ms = 0;
};

struct LoginOutcome {
  enum class Kind { kOk, kBadCredentials, kRateLimited } kind = Kind::kBadCredentials;
  std::string session_id;  // kOk: the cookie value
  std::int64_t expires_ms = 0;
  std::int64_t retry_after_ms = 0;  // kRateLimited
  Principal principal;              // kOk
};

class UserStore {
 public:
  // Throws ErrorException for options no configuration parser should let through (a limit or ttl
  // that is not positive, default_token_ttl above max_token_ttl). `audit` as for AlertStore.
  UserStore(rules::RedisClient& redis, std::string key_prefix, UserStoreOptions options = {},
            rules::AuditOptions audit = {});

  // Creates or replaces an account (roles and queues as given). Audited as user_put by `actor`.
  Status put_user(const UserAccount& account, const std::string& actor);
  Result<std::optional<UserAccount>> get_user(const std::string& name);
  Result<std::vector<UserAccount>> list_users();
  // Disables the account and revokes its tokens and sessions. Audited.
  Status disable_user(const std::string& name, const std::string& actor);

  // Issues a token for an enabled account; ttl 0 = default_token_ttl; above max_token_ttl is an
  // error. Audited (token id only).
  Result<IssuedToken> issue_token(const std::string& name, std::chrono::milliseconds ttl, const std::string& actor,
                                  std::int64_t now_ms);
  Result<std::vector<TokenInfo>> list_tokens(const std::string& name);
  // Revokes one token (token_id) or all of the account's tokens and sessions (token_id empty).
  Status revoke(const std::string& name, const std::string& token_id, const std::string& actor);

  // The principal a bearer token stands for; nullopt when it is unknown, expired, revoked or its
  // account is disabled.
  Result<std::optional<Principal>> authenticate_token(std::string_view token, std::int64_t now_ms);
  // Exchanges an account name and token for a session. Counts failures per account and per
  // client address. Once the address reached max_failed_logins within the window, its attempts
  // are refused (kRateLimited) without checking the token. Once the account did, a wrong token is
  // refused the same way (kRateLimited, not counted on the account) but the right one still opens
  // a session: a stranger who knows an account name cannot lock its owner out, and a 256-bit
  // token leaves nothing to guess. Check and count are one atomic step (each attempt counts as a
  // failure until it succeeds), so parallel attempts cannot overrun the address limit; refused
  // attempts are not counted. A success takes back its own attempt and resets the
  // account's count (its owner proved who they are) but not the address's (else one valid account
  // would let a client wipe the record of its guesses at others). The window is measured with
  // now_ms. A session lasts session_ttl, never longer than the token it was opened with.
  // Audited (login / login_failed, details {"client","reason"}; actor = the name when it is a
  // well-formed name, else "unknown").
  Result<LoginOutcome> login(const std::string& name, std::string_view token, const std::string& client_address,
                             std::int64_t now_ms);
  Result<std::optional<Principal>> authenticate_session(std::string_view session_id, std::int64_t now_ms);
  // Ends the session (nothing happens for an unknown or malformed id).
  Status logout(std::string_view session_id);

  const UserStoreOptions& options() const { return options_; }

 private:
  struct Credential;  // a verified token: its id and account
  Result<std::optional<UserAccount>> load_user(const std::string& name);
  Result<std::optional<Credential>> check_token(std::string_view token, std::int64_t now_ms);
  // MULTI/EXEC of what `plan` decides, under WATCH of `watch`; retried when a watched key changed.
  template <class Plan>
  Status transact(const std::vector<std::string>& watch, Plan&& plan);
  // The commands that delete every token and session of `name` (read now, under WATCH).
  Result<std::vector<std::vector<std::string>>> revoke_all_commands(const std::string& name, std::size_t& tokens,
                                                                    std::size_t& sessions);
  std::vector<std::string> audit_command(const rules::AuditRecord& record) const;

  rules::RedisClient& redis_;
  std::string prefix_;
  UserStoreOptions options_;
  rules::AuditLog audit_;
};

// "officer:queue-a,queue-b" style role specs of the CLI: parses "officer" (with queues given
// separately), "supervisor", ... Fatal Error naming the allowed values.
Result<Role> parse_role_or_error(std::string_view text);

// "30d", "12h", "90m", "45s" (a positive whole number and a unit) -> milliseconds; nullopt else.
std::optional<std::chrono::milliseconds> parse_ttl(std::string_view text);

// --- the `crosscheck users` CLI (and any API over it): one implementation, text and JSON --------
// Results as rules::AdminResult (rule_admin.h): kUsage for a bad name/role/queue/ttl, kRejected
// for an unknown account or token or a disabled account, kUnavailable when Redis failed.

// Creates or replaces (and re-enables) an account. JSON {"ok":true,"user":{account}}.
rules::AdminResult admin_user_put(UserStore& store, const UserAccount& account, const std::string& actor);
// The same, from the CLI's strings: role names as parse_role_or_error accepts them.
rules::AdminResult admin_user_add(UserStore& store, const std::string& name, const std::vector<std::string>& roles,
                                  const std::vector<std::string>& queues, const std::string& actor);
// Issues a token (ttl 0 = the default). The text shows the token once, with a warning that it is
// not stored anywhere; JSON {"ok":true,"user","token_id","token","expires_at"}.
rules::AdminResult admin_user_token(UserStore& store, const std::string& name, std::chrono::milliseconds ttl,
                                    const std::string& actor, std::int64_t now_ms);
// Revokes one token (token_id) or every token and session of the account (token_id empty).
rules::AdminResult admin_user_revoke(UserStore& store, const std::string& name, const std::string& token_id,
                                     const std::string& actor);
rules::AdminResult admin_user_disable(UserStore& store, const std::string& name, const std::string& actor);
// Every account with its roles, queues, state and live tokens (ids and expiry only).
rules::AdminResult admin_user_list(UserStore& store);

}  // namespace crosscheck::console
