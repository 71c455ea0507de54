#include "crosscheck/console/users.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

#include "crosscheck/json_writer.h"
#include "crosscheck/sha256.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using Commands = std::vector<std::vector<std::string>>;

constexpr std::string_view kTokenPrefix = "cct_";
constexpr std::size_t kTokenIdHex = 16;   // 64 random bits: names the token, not secret
constexpr std::size_t kSecretHex = 64;    // 256 random bits
constexpr std::size_t kTokenLength = kTokenPrefix.size() + kTokenIdHex + 1 + kSecretHex;
constexpr std::size_t kSessionHex = 64;   // 256 random bits
constexpr std::size_t kMaxActor = 256;
constexpr std::string_view kRoleList = "officer, supervisor, list-manager, rule-approver, ops";
// What of an untrusted value an error message or an audit entry repeats.
constexpr std::size_t kMaxEchoed = 80;
constexpr std::size_t kMaxClientInAudit = 128;
// A watched key changes only when an administrator acts on the same account at the same moment.
constexpr int kMaxTransactAttempts = 8;

// KEYS: the client address's failure set, then the account's when the name is well-formed.
// ARGV: now, now - window, window, max, member.
// Returns {0, ms}: the address holds `max` failures inside the window; refused, nothing recorded,
// ms until enough of them leave it. {2, ms}: the account does (the address does not); the attempt
// is recorded against the address only, and the caller checks the token anyway: a right one
// opens a session, a wrong one is refused as rate limited (ms as above). {1, 0}: recorded in both
// sets as a failure (taken back if the login succeeds). Doing check and record in one script
// means a burst of parallel attempts cannot all pass the check before any of them is counted.
constexpr std::string_view kLuaReserve = R"lua(
local max = tonumber(ARGV[4])
local function retry_after(k)
  redis.call('ZREMRANGEBYSCORE', k, '-inf', ARGV[2])
  local n = redis.call('ZCARD', k)
  if n < max then return 0 end
  local e = redis.call('ZRANGE', k, n - max, n - max, 'WITHSCORES')
  local r = tonumber(e[2]) + tonumber(ARGV[3]) - tonumber(ARGV[1])
  if r < 1 then r = 1 end
  return r
end
local function record(k)
  redis.call('ZADD', k, ARGV[1], ARGV[5])
  redis.call('PEXPIRE', k, ARGV[3])
end
local addr = retry_after(KEYS[1])
if addr > 0 then return {0, addr} end
local account = 0
if KEYS[2] then account = retry_after(KEYS[2]) end
record(KEYS[1])
if account > 0 then return {2, account} end
if KEYS[2] then record(KEYS[2]) end
return {1, 0}
)lua";

Error invalid(std::string message) { return Error::fatal("users", std::move(message), UserError::kInvalid); }
Error not_found(std::string message) { return Error::fatal("users", std::move(message), UserError::kNotFound); }
Error refused(std::string message) { return Error::fatal("users", std::move(message), UserError::kRefused); }
std::string quote(std::string_view s);
Error bad_name(std::string_view name) {
  return invalid("user name " + quote(name) + " is invalid: expected [a-z0-9][a-z0-9._-]{0,63}");
}

// A value from the outside world, quoted for a message: bounded and printable, so a hostile
// name cannot flood a log or smuggle control characters into a terminal.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMaxEchoed; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '?';
  }
  if (s.size() > kMaxEchoed) out += "...";
  return out + "\"";
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool valid_name_pattern(std::string_view s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s[0])) return false;
  return std::all_of(s.begin() + 1, s.end(), [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Result<std::string> random_hex(std::size_t bytes) {
  std::array<unsigned char, 64> buf{};
  if (bytes > buf.size()) return Error::fatal("users", "random_hex: too many bytes");
  std::size_t got = 0;
  while (got < bytes) {
    const ssize_t n = getrandom(buf.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::fatal("users", std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    out += kHex[buf[i] >> 4];
    out += kHex[buf[i] & 0xf];
  }
  return out;
}

// Equal-length digests compared without an early exit, so the time taken does not tell an
// attacker how many leading characters of a guess were right.
bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<std::int64_t> parse_i64(std::string_view s) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string> split_csv(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::vector<std::string> role_names(const std::vector<Role>& roles) {
  std::vector<std::string> out;
  for (auto r : roles) out.emplace_back(to_string(r));
  return out;
}

// The field/value pairs of an HGETALL reply.
std::map<std::string, std::string> hash_fields(const rules::RedisValue& v) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < v.elements.size(); i += 2) out[v.elements[i].str] = v.elements[i + 1].str;
  return out;
}

struct ParsedToken {
  std::string_view id;
  std::string_view secret;
};

// "cct_<16 hex>_<64 hex>", exactly; anything else (of any size) is not a token.
std::optional<ParsedToken> parse_token(std::string_view token) {
  if (token.size() != kTokenLength || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
  const auto id = token.substr(kTokenPrefix.size(), kTokenIdHex);
  if (token[kTokenPrefix.size() + kTokenIdHex] != '_') return std::nullopt;
  const auto secret = token.substr(kTokenPrefix.size() + kTokenIdHex + 1);
  if (!is_lower_hex(id) || !is_lower_hex(secret)) return std::nullopt;
  return ParsedToken{id, secret};
}

bool valid_token_id(std::string_view id) { return id.size() == kTokenIdHex && is_lower_hex(id); }
bool valid_session_id(std::string_view id) { return id.size() == kSessionHex && is_lower_hex(id); }

Status check_actor(const std::string& actor) {
  if (actor.empty()) return invalid("an actor is required (who makes the change)");
  if (actor.size() > kMaxActor) return invalid("actor is longer than " + std::to_string(kMaxActor) + " characters");
  return ok_status();
}

// Validates and normalises an account: roles and queues sorted and without duplicates.
Result<UserAccount> normalise(const UserAccount& in) {
  UserAccount a = in;
  if (!valid_user_name(a.name)) return bad_name(a.name);
  if (a.roles.empty()) {
    return invalid("user " + a.name + " needs at least one role: " + std::string(kRoleList));
  }
  std::sort(a.roles.begin(), a.roles.end());
  a.roles.erase(std::unique(a.roles.begin(), a.roles.end()), a.roles.end());
  const bool officer = std::find(a.roles.begin(), a.roles.end(), Role::kOfficer) != a.roles.end();
  for (const auto& q : a.queues) {
    if (!valid_queue_name(q)) {
      return invalid("queue " + quote(q) + " of user " + a.name + " is invalid: expected [a-z0-9][a-z0-9._-]{0,62}");
    }
  }
  std::sort(a.queues.begin(), a.queues.end());
  a.queues.erase(std::unique(a.queues.begin(), a.queues.end()), a.queues.end());
  if (officer && a.queues.empty()) {
    return invalid("user " + a.name + " has the officer role but no queues: an officer sees only the queues named");
  }
  if (!officer && !a.queues.empty()) {
    return invalid("user " + a.name + " has queues but not the officer role: queues apply to officers only");
  }
  return a;
}

Result<UserAccount> decode_account(const std::string& name, const std::map<std::string, std::string>& f) {
  UserAccount a;
  a.name = name;
  auto get = [&](const char* k) -> std::string {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  for (const auto& r : split_csv(get("roles"))) {
    auto role = parse_role(r);
    // Only put_user writes this hash: a role it cannot read back means the data was damaged.
    if (!role) return Error::fatal("users", "account " + name + " holds an unknown role " + quote(r));
    a.roles.push_back(*role);
  }
  a.queues = split_csv(get("queues"));
  a.disabled = get("disabled") == "1";
  a.created_ms = parse_i64(get("created_ms")).value_or(0);
  return a;
}

// An audit record about account `name`, with details still empty for the caller to write.
rules::AuditRecord user_record(const std::string& actor, std::string_view action, const std::string& name) {
  rules::AuditRecord rec;
  rec.actor = actor;
  rec.action = std::string(action);
  rec.object_type = "user";
  rec.object_id = name;
  rec.details.clear();
  return rec;
}

std::string account_json(const UserAccount& a) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("name", a.name).key("roles").begin_array();
  for (auto r : a.roles) w.string(to_string(r));
  w.end_array().key("queues").begin_array();
  for (const auto& q : a.queues) w.string(q);
  w.end_array().field("disabled", a.disabled);
  w.field("created_at", a.created_ms > 0 ? timefmt::format_utc_ms(a.created_ms) : std::string());
  w.end_object();
  return out;
}

}  // namespace

struct UserStore::Credential {
  std::string token_id;
  std::int64_t expires_ms = 0;
  UserAccount account;
};

bool valid_user_name(std::string_view name) { return valid_name_pattern(name, 64); }
bool valid_queue_name(std::string_view queue) { return valid_name_pattern(queue, 63); }

Result<Role> parse_role_or_error(std::string_view text) {
  if (auto r = parse_role(text)) return *r;
  return invalid("unknown role " + quote(text) + ": expected one of " + std::string(kRoleList));
}

std::optional<std::chrono::milliseconds> parse_ttl(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  auto n = parse_i64(text.substr(0, text.size() - 1));
  if (!n || *n <= 0 || text[0] == '+') return std::nullopt;
  std::int64_t factor = 0;
  switch (unit) {
    case 's': factor = 1000; break;
    case 'm': factor = 60'000; break;
    case 'h': factor = 3'600'000; break;
    case 'd': factor = 86'400'000; break;
    default: return std::nullopt;
  }
  if (*n > INT64_MAX / factor) return std::nullopt;
  return std::chrono::milliseconds(*n * factor);
}

UserStore::UserStore(rules::RedisClient& redis, std::string key_prefix, UserStoreOptions options,
                     rules::AuditOptions audit)
    : redis_(redis), prefix_(std::move(key_prefix)), options_(options), audit_(redis, prefix_, audit) {
  // The configuration parser rejects these; reaching here with them is a programming error.
  if (options_.max_failed_logins < 1 || options_.failed_login_window.count() <= 0 ||
      options_.session_ttl.count() <= 0 || options_.default_token_ttl.count() <= 0 ||
      options_.max_token_ttl < options_.default_token_ttl) {
    throw ErrorException(Error::fatal("users", "invalid UserStoreOptions (limits and ttls must be positive, "
                                               "default_token_ttl <= max_token_ttl)"));
  }
}

std::vector<std::string> UserStore::audit_command(const rules::AuditRecord& record) const {
  std::vector<std::string> args{"XADD", audit_.stream_key()};
  if (audit_.options().max_length > 0) {
    args.insert(args.end(), {"MAXLEN", "~", std::to_string(audit_.options().max_length)});
  }
  auto fields = rules::audit_stream_fields(record);
  args.insert(args.end(), fields.begin(), fields.end());
  return args;
}

template <class Plan>
Status UserStore::transact(const std::vector<std::string>& watch, Plan&& plan) {
  for (int attempt = 0; attempt < kMaxTransactAttempts; ++attempt) {
    std::vector<std::string> w{"WATCH"};
    w.insert(w.end(), watch.begin(), watch.end());
    if (auto r = redis_.command(w); !r) return r.error();
    Result<Commands> commands = plan();
    if (!commands || commands->empty()) {
      // The connection is reused by others: a WATCH left behind would abort their MULTI.
      (void)redis_.command({"UNWATCH"});
      if (!commands) return commands.error();
      return ok_status();
    }
    Commands batch;
    batch.reserve(commands->size() + 2);
    batch.push_back({"MULTI"});
    for (auto& c : *commands) batch.push_back(std::move(c));
    batch.push_back({"EXEC"});
    auto r = redis_.pipeline(batch);  // EXEC ends the WATCH whatever happened
    if (!r) return r.error();
    if (!r->back().is_nil()) return ok_status();
    // A watched key changed between reading and writing: decide again on fresh data.
  }
  return Error::retriable("users", "the account kept changing concurrently; try again");
}

Result<std::optional<UserAccount>> UserStore::load_user(const std::string& name) {
  auto r = redis_.command({"HGETALL", prefix_ + "users:" + name});
  if (!r) return r.error();
  if (r->elements.empty()) return std::optional<UserAccount>();
  auto a = decode_account(name, hash_fields(*r));
  if (!a) return a.error();
  return std::optional<UserAccount>(std::move(*a));
}

Result<std::vector<std::vector<std::string>>> UserStore::revoke_all_commands(const std::string& name,
                                                                             std::size_t& tokens,
                                                                             std::size_t& sessions) {
  tokens = sessions = 0;
  const std::string tokens_key = prefix_ + "user-tokens:" + name;
  const std::string sessions_key = prefix_ + "user-sessions:" + name;
  auto members = redis_.pipeline({{"ZRANGE", tokens_key, "0", "-1"}, {"ZRANGE", sessions_key, "0", "-1"}});
  if (!members) return members.error();
  Commands exists;
  std::vector<std::string> keys;
  for (const auto& id : (*members)[0].elements) keys.push_back(prefix_ + "tokens:" + id.str);
  const std::size_t token_keys = keys.size();
  for (const auto& h : (*members)[1].elements) keys.push_back(prefix_ + "sessions:" + h.str);
  for (const auto& k : keys) exists.push_back({"EXISTS", k});
  auto live = redis_.pipeline(exists);
  if (!live) return live.error();
  Commands out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if ((*live)[i].integer == 0) continue;  // expired already
    (i < token_keys ? tokens : sessions) += 1;
    out.push_back({"DEL", keys[i]});
  }
  out.push_back({"DEL", tokens_key, sessions_key});
  return out;
}

Status UserStore::put_user(const UserAccount& account, const std::string& actor) {
  if (auto s = check_actor(actor); !s) return s;
  auto normal = normalise(account);
  if (!normal) return normal.error();
  const UserAccount& a = *normal;
  const std::string key = prefix_ + "users:" + a.name;
  const std::vector<std::string> watch{key, prefix_ + "user-tokens:" + a.name, prefix_ + "user-sessions:" + a.name};
  return transact(watch, [&]() -> Result<Commands> {
    auto existing = redis_.command({"HGET", key, "created_ms"});
    if (!existing) return existing.error();
    const bool is_new = existing->is_nil();
    const std::int64_t now = timefmt::now_ms();
    const std::int64_t created =
        !is_new ? parse_i64(existing->str).value_or(now) : (a.created_ms > 0 ? a.created_ms : now);
    Commands c;
    c.push_back({"HSET", key, "roles", join(role_names(a.roles), ","), "queues", join(a.queues, ","), "disabled",
                 a.disabled ? "1" : "0", "created_ms", std::to_string(created), "updated_ms", std::to_string(now)});
    c.push_back({"SADD", prefix_ + "users:index", a.name});
    std::size_t tokens = 0;
    std::size_t sessions = 0;
    if (a.disabled) {  // a disabled account keeps no credential that re-enabling could revive
      auto revoke = revoke_all_commands(a.name, tokens, sessions);
      if (!revoke) return revoke.error();
      c.insert(c.end(), revoke->begin(), revoke->end());
    }
    rules::AuditRecord rec = user_record(actor, rules::audit_action::kUserPut, a.name);
    json::Writer w(rec.details);
    w.begin_object().field("new", is_new).key("roles").begin_array();
    for (auto r : a.roles) w.string(to_string(r));
    w.end_array().key("queues").begin_array();
    for (const auto& q : a.queues) w.string(q);
    w.end_array().field("disabled", a.disabled);
    if (a.disabled) {
      w.field("tokens_revoked", static_cast<std::uint64_t>(tokens));
      w.field("sessions_revoked", static_cast<std::uint64_t>(sessions));
    }
    w.end_object();
    c.push_back(audit_command(rec));
    return c;
  });
}

Result<std::optional<UserAccount>> UserStore::get_user(const std::string& name) {
  if (!valid_user_name(name)) return bad_name(name);
  return load_user(name);
}

Result<std::vector<UserAccount>> UserStore::list_users() {
  auto names = redis_.command({"SMEMBERS", prefix_ + "users:index"});
  if (!names) return names.error();
  std::vector<std::string> sorted;
  for (const auto& n : names->elements) sorted.push_back(n.str);
  std::sort(sorted.begin(), sorted.end());
  Commands reads;
  for (const auto& n : sorted) reads.push_back({"HGETALL", prefix_ + "users:" + n});
  auto hashes = redis_.pipeline(reads);
  if (!hashes) return hashes.error();
  std::vector<UserAccount> out;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if ((*hashes)[i].elements.empty()) continue;  // indexed but gone
    auto a = decode_account(sorted[i], hash_fields((*hashes)[i]));
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

Status UserStore::disable_user(const std::string& name, const std::string& actor) {
  if (auto s = check_actor(actor); !s) return s;
  if (!valid_user_name(name)) return bad_name(name);
  const std::string key = prefix_ + "users:" + name;
  return transact({key, prefix_ + "user-tokens:" + name, prefix_ + "user-sessions:" + name}, [&]() -> Result<Commands> {
    auto a = load_user(name);
    if (!a) return a.error();
    if (!*a) return not_found("no user " + name);
    std::size_t tokens = 0;
    std::size_t sessions = 0;
    auto c = revoke_all_commands(name, tokens, sessions);
    if (!c) return c.error();
    c->push_back({"HSET", key, "disabled", "1", "updated_ms", std::to_string(timefmt::now_ms())});
    rules::AuditRecord rec = user_record(actor, rules::audit_action::kUserDisable, name);
    json::Writer(rec.details).begin_object()
        .field("tokens_revoked", static_cast<std::uint64_t>(tokens))
        .field("sessions_revoked", static_cast<std::uint64_t>(sessions))
        .end_object();
    c->push_back(audit_command(rec));
    return std::move(*c);
  });
}

Result<IssuedToken> UserStore::issue_token(const std::string& name, std::chrono::milliseconds ttl,
                                           const std::string& actor, std::int64_t now_ms) {
  if (auto s = check_actor(actor); !s) return s.error();
  if (!valid_user_name(name)) return bad_name(name);
  if (ttl.count() < 0) return invalid("token lifetime must be positive");
  if (ttl.count() == 0) ttl = options_.default_token_ttl;
  if (ttl > options_.max_token_ttl) {
    return invalid("token lifetime " + std::to_string(ttl.count() / 1000) + " s exceeds the maximum of " +
                   std::to_string(options_.max_token_ttl.count() / 1000) + " s");
  }
  IssuedToken issued;
  const std::string user_key = prefix_ + "users:" + name;
  auto s = transact({user_key}, [&]() -> Result<Commands> {
    auto a = load_user(name);
    if (!a) return a.error();
    if (!*a) return not_found("no user " + name);
    if ((*a)->disabled) return refused("user " + name + " is disabled: no token is issued");
    std::string id;
    for (int i = 0;; ++i) {  // 64 random bits collide practically never; make sure anyway
      auto r = random_hex(kTokenIdHex / 2);
      if (!r) return r.error();
      auto e = redis_.command({"EXISTS", prefix_ + "tokens:" + *r});
      if (!e) return e.error();
      if (e->integer == 0) {
        id = *r;
        break;
      }
      if (i == 3) return Error::fatal("users", "could not draw an unused token id");
    }
    auto secret = random_hex(kSecretHex / 2);
    if (!secret) return secret.error();
    issued.token = std::string(kTokenPrefix) + id + "_" + *secret;
    issued.token_id = id;
    issued.expires_ms = now_ms + ttl.count();
    const std::string token_key = prefix_ + "tokens:" + id;
    const std::string user_tokens = prefix_ + "user-tokens:" + name;
    Commands c;
    c.push_back({"HSET", token_key, "user", name, "sha256", sha256_hex(*secret), "issued_ms", std::to_string(now_ms),
                 "expires_ms", std::to_string(issued.expires_ms)});
    c.push_back({"PEXPIREAT", token_key, std::to_string(issued.expires_ms)});
    c.push_back({"ZREMRANGEBYSCORE", user_tokens, "-inf", std::to_string(now_ms)});  // forget expired ones
    c.push_back({"ZADD", user_tokens, std::to_string(issued.expires_ms), id});
    rules::AuditRecord rec = user_record(actor, rules::audit_action::kTokenIssue, name);
    json::Writer(rec.details).begin_object()
        .field("token_id", id)
        .field("expires_at", timefmt::format_utc_ms(issued.expires_ms))
        .end_object();
    c.push_back(audit_command(rec));
    return c;
  });
  if (!s) return s.error();
  return issued;
}

Result<std::vector<TokenInfo>> UserStore::list_tokens(const std::string& name) {
  if (!valid_user_name(name)) return bad_name(name);
  const std::string user_tokens = prefix_ + "user-tokens:" + name;
  auto ids = redis_.command({"ZRANGE", user_tokens, "0", "-1"});
  if (!ids) return ids.error();
  Commands reads;
  for (const auto& id : ids->elements) {
    reads.push_back({"HMGET", prefix_ + "tokens:" + id.str, "user", "issued_ms", "expires_ms"});
  }
  auto rows = redis_.pipeline(reads);
  if (!rows) return rows.error();
  std::vector<TokenInfo> out;
  Commands stale{{"ZREM", user_tokens}};
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto& f = (*rows)[i].elements;
    if (f.size() != 3 || f[0].is_nil() || f[0].str != name) {  // expired (Redis dropped it) or revoked
      stale[0].push_back(ids->elements[i].str);
      continue;
    }
    out.push_back({ids->elements[i].str, parse_i64(f[1].str).value_or(0), parse_i64(f[2].str).value_or(0)});
  }
  if (stale[0].size() > 2) {
    if (auto r = redis_.pipeline(stale); !r) return r.error();
  }
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) {
    return a.issued_ms != b.issued_ms ? a.issued_ms < b.issued_ms : a.token_id < b.token_id;
  });
  return out;
}

Status UserStore::revoke(const std::string& name, const std::string& token_id, const std::string& actor) {
  if (auto s = check_actor(actor); !s) return s;
  if (!valid_user_name(name)) return bad_name(name);
  if (!token_id.empty() && !valid_token_id(token_id)) {
    return invalid("token id " + quote(token_id) + " is invalid: expected 16 hex digits (the part after cct_)");
  }
  const std::string user_key = prefix_ + "users:" + name;
  const std::string user_tokens = prefix_ + "user-tokens:" + name;
  const std::string user_sessions = prefix_ + "user-sessions:" + name;
  std::vector<std::string> watch{user_key, user_tokens, user_sessions};
  if (!token_id.empty()) watch.push_back(prefix_ + "tokens:" + token_id);
  return transact(watch, [&]() -> Result<Commands> {
    auto a = load_user(name);
    if (!a) return a.error();
    if (!*a) return not_found("no user " + name);
    rules::AuditRecord rec = user_record(actor, rules::audit_action::kTokenRevoke, name);
    json::Writer w(rec.details);
    Commands c;
    if (token_id.empty()) {
      std::size_t tokens = 0;
      std::size_t sessions = 0;
      auto all = revoke_all_commands(name, tokens, sessions);
      if (!all) return all.error();
      c = std::move(*all);
      w.begin_object().field("all", true).field("tokens_revoked", static_cast<std::uint64_t>(tokens));
      w.field("sessions_revoked", static_cast<std::uint64_t>(sessions)).end_object();
    } else {
      const std::string token_key = prefix_ + "tokens:" + token_id;
      auto owner = redis_.command({"HGET", token_key, "user"});
      if (!owner) return owner.error();
      if (owner->is_nil() || owner->str != name) {
        return not_found("user " + name + " has no token " + token_id + " (unknown, expired or already revoked)");
      }
      c.push_back({"DEL", token_key});
      c.push_back({"ZREM", user_tokens, token_id});
      // Sessions opened with a revoked token end with it: a leaked token's sessions are as bad.
      auto hashes = redis_.command({"ZRANGE", user_sessions, "0", "-1"});
      if (!hashes) return hashes.error();
      Commands reads;
      for (const auto& h : hashes->elements) reads.push_back({"HGET", prefix_ + "sessions:" + h.str, "token_id"});
      auto from = redis_.pipeline(reads);
      if (!from) return from.error();
      std::uint64_t sessions = 0;
      for (std::size_t i = 0; i < from->size(); ++i) {
        if ((*from)[i].is_nil() || (*from)[i].str != token_id) continue;
        c.push_back({"DEL", prefix_ + "sessions:" + hashes->elements[i].str});
        c.push_back({"ZREM", user_sessions, hashes->elements[i].str});
        ++sessions;
      }
      w.begin_object().field("token_id", token_id).field("sessions_revoked", sessions).end_object();
    }
    c.push_back(audit_command(rec));
    return c;
  });
}

Result<std::optional<UserStore::Credential>> UserStore::check_token(std::string_view token, std::int64_t now_ms) {
  const auto parsed = parse_token(token);
  if (!parsed) return std::optional<Credential>();
  auto r = redis_.command({"HGETALL", prefix_ + "tokens:" + std::string(parsed->id)});
  if (!r) return r.error();
  if (r->elements.empty()) return std::optional<Credential>();
  auto f = hash_fields(*r);
  if (!constant_time_equal(sha256_hex(parsed->secret), f["sha256"])) return std::optional<Credential>();
  // Redis drops the key at expiry; the check also holds for a caller whose clock runs ahead.
  const auto expires = parse_i64(f["expires_ms"]);
  if (!expires || *expires <= now_ms) return std::optional<Credential>();
  const std::string& user = f["user"];
  if (!valid_user_name(user)) return std::optional<Credential>();
  // Re-read the account on every use, so disabling it or changing its roles applies at once.
  auto account = load_user(user);
  if (!account) return account.error();
  if (!*account || (*account)->disabled) return std::optional<Credential>();
  return std::optional<Credential>(Credential{std::string(parsed->id), *expires, std::move(**account)});
}

Result<std::optional<Principal>> UserStore::authenticate_token(std::string_view token, std::int64_t now_ms) {
  auto c = check_token(token, now_ms);
  if (!c) return c.error();
  if (!*c) return std::optional<Principal>();
  const auto& a = (*c)->account;
  return std::optional<Principal>(Principal{a.name, a.roles, a.queues});
}

Result<LoginOutcome> UserStore::login(const std::string& name, std::string_view token,
                                      const std::string& client_address, std::int64_t now_ms) {
  const bool name_ok = valid_user_name(name);
  const std::string who = name_ok ? name : std::string("unknown");
  auto audit_failure = [&](std::string_view reason) -> Status {
    rules::AuditRecord rec = user_record(who, rules::audit_action::kLoginFailed, who);
    json::Writer(rec.details).begin_object()
        .field("client", client_address.substr(0, kMaxClientInAudit))
        .field("reason", reason)
        .end_object();
    auto r = audit_.append(rec);
    if (!r) return r.error();
    return ok_status();
  };

  // The address key is hashed: an address is personal data, and its text is the client's to shape.
  const std::string addr_key = prefix_ + "login-failures:addr:" + sha256_hex(client_address, 32);
  const std::string user_key = prefix_ + "login-failures:user:" + name;
  auto member = random_hex(8);
  if (!member) return member.error();
  const std::string now = std::to_string(now_ms);
  std::vector<std::string> reserve{"EVAL", std::string(kLuaReserve), name_ok ? "2" : "1", addr_key};
  if (name_ok) reserve.push_back(user_key);
  reserve.insert(reserve.end(), {now, std::to_string(now_ms - options_.failed_login_window.count()),
                                 std::to_string(options_.failed_login_window.count()),
                                 std::to_string(options_.max_failed_logins), now + "-" + *member});
  auto reserved = redis_.command(reserve);
  if (!reserved) return reserved.error();
  if (reserved->elements.size() != 2) return Error::fatal("users", "unexpected reply of the login limit script");
  LoginOutcome out;
  if (reserved->elements[0].integer == 0) {
    out.kind = LoginOutcome::Kind::kRateLimited;
    out.retry_after_ms = reserved->elements[1].integer;
    if (auto s = audit_failure("rate_limited"); !s) return s.error();
    return out;
  }
  // The account is over its limit but this address is not: the token is still checked, so a
  // stranger who knows an officer's account name cannot lock the officer out. Only a wrong token
  // is refused (the limit's answer, not counted again).
  const bool account_limited = reserved->elements[0].integer == 2;
  const std::int64_t account_retry_ms = reserved->elements[1].integer;

  // The attempt now counts as a failure until the session exists.
  std::string failure;
  const auto parsed = parse_token(token);
  if (!name_ok) failure = "invalid_name";
  else if (!parsed) failure = "malformed_token";
  if (failure.empty()) {
    const std::string account_key = prefix_ + "users:" + name;
    const std::string user_sessions = prefix_ + "user-sessions:" + name;
    const std::string token_key = prefix_ + "tokens:" + std::string(parsed->id);
    auto s = transact({account_key, token_key, user_sessions}, [&]() -> Result<Commands> {
      auto cred = check_token(token, now_ms);
      if (!cred) return cred.error();
      if (!*cred || (*cred)->account.name != name) {
        failure = "bad_credentials";
        return Commands{};
      }
      failure.clear();
      auto id = random_hex(kSessionHex / 2);
      if (!id) return id.error();
      const std::string hash = sha256_hex(*id);
      // A session never outlives the token it was opened with.
      const std::int64_t expires = std::min(now_ms + options_.session_ttl.count(), (*cred)->expires_ms);
      const std::string session_key = prefix_ + "sessions:" + hash;
      Commands c;
      c.push_back({"HSET", session_key, "user", name, "token_id", (*cred)->token_id, "created_ms", now,
                   "expires_ms", std::to_string(expires)});
      c.push_back({"PEXPIRE", session_key, std::to_string(expires - now_ms)});
      c.push_back({"ZREMRANGEBYSCORE", user_sessions, "-inf", now});  // forget ended sessions
      c.push_back({"ZADD", user_sessions, std::to_string(expires), hash});
      // This attempt was no failure. The address's earlier failures stay: a caller holding one
      // valid account must not be able to wipe the record of its guesses at other accounts by
      // logging in between them. The account's failures are reset: whoever proved to hold its
      // token is its owner, and the owner's own typos should not lock them out later in the shift
      // (a 256-bit secret is not guessable, so forgetting earlier guesses costs nothing).
      c.push_back({"ZREM", addr_key, now + "-" + *member});
      c.push_back({"DEL", user_key});
      rules::AuditRecord rec = user_record(name, rules::audit_action::kLogin, name);
      json::Writer(rec.details).begin_object()
          .field("client", client_address.substr(0, kMaxClientInAudit))
          .field("token_id", (*cred)->token_id)
          .field("session_expires_at", timefmt::format_utc_ms(expires))
          .end_object();
      c.push_back(audit_command(rec));
      out.kind = LoginOutcome::Kind::kOk;
      out.session_id = *id;
      out.expires_ms = expires;
      out.principal = Principal{name, (*cred)->account.roles, (*cred)->account.queues};
      return c;
    });
    if (!s) return s.error();
  }
  if (!failure.empty()) {
    out = LoginOutcome{};
    if (account_limited) {
      out.kind = LoginOutcome::Kind::kRateLimited;
      out.retry_after_ms = account_retry_ms;
      if (auto s = audit_failure("rate_limited"); !s) return s.error();
      return out;
    }
    out.kind = LoginOutcome::Kind::kBadCredentials;
    if (auto s = audit_failure(failure); !s) return s.error();
  }
  return out;
}

Result<std::optional<Principal>> UserStore::authenticate_session(std::string_view session_id, std::int64_t now_ms) {
  if (!valid_session_id(session_id)) return std::optional<Principal>();
  auto r = redis_.command({"HMGET", prefix_ + "sessions:" + sha256_hex(session_id), "user", "expires_ms"});
  if (!r) return r.error();
  if (r->elements.size() != 2 || r->elements[0].is_nil()) return std::optional<Principal>();
  const auto expires = parse_i64(r->elements[1].str);
  if (!expires || *expires <= now_ms) return std::optional<Principal>();
  const std::string& user = r->elements[0].str;
  if (!valid_user_name(user)) return std::optional<Principal>();
  auto a = load_user(user);
  if (!a) return a.error();
  if (!*a || (*a)->disabled) return std::optional<Principal>();
  return std::optional<Principal>(Principal{(*a)->name, (*a)->roles, (*a)->queues});
}

Status UserStore::logout(std::string_view session_id) {
  if (!valid_session_id(session_id)) return ok_status();
  const std::string hash = sha256_hex(session_id);
  const std::string key = prefix_ + "sessions:" + hash;
  auto user = redis_.command({"HGET", key, "user"});
  if (!user) return user.error();
  Commands c{{"DEL", key}};
  if (!user->is_nil() && valid_user_name(user->str)) {
    c.push_back({"ZREM", prefix_ + "user-sessions:" + user->str, hash});
  }
  auto r = redis_.pipeline(c);
  if (!r) return r.error();
  return ok_status();
}

// --- CLI ----------------------------------------------------------------------------------------

namespace {

rules::AdminResult users_error(const Error& e) { return rules::admin_error(e, e.code() == UserError::kInvalid); }

std::string account_text(const UserAccount& a) {
  std::string t = a.name + "  roles " + join(role_names(a.roles), ",");
  if (!a.queues.empty()) t += "  queues " + join(a.queues, ",");
  if (a.disabled) t += "  DISABLED";
  return t;
}

}  // namespace

rules::AdminResult admin_user_put(UserStore& store, const UserAccount& account, const std::string& actor) {
  if (auto s = store.put_user(account, actor); !s) return users_error(s.error());
  auto stored = store.get_user(account.name);
  if (!stored) return users_error(stored.error());
  if (!*stored) return users_error(not_found("no user " + account.name + " after storing it"));
  rules::AdminResult r;
  r.text = "stored user " + account_text(**stored) + "\nnext: crosscheck users token " + account.name + "\n";
  json::Writer(r.json).begin_object().field("ok", true).key("user").raw(account_json(**stored)).end_object();
  return r;
}

rules::AdminResult admin_user_add(UserStore& store, const std::string& name, const std::vector<std::string>& roles,
                                  const std::vector<std::string>& queues, const std::string& actor) {
  UserAccount a;
  a.name = name;
  a.queues = queues;
  for (const auto& text : roles) {
    auto role = parse_role_or_error(text);
    if (!role) return users_error(role.error());
    a.roles.push_back(*role);
  }
  return admin_user_put(store, a, actor);
}

rules::AdminResult admin_user_token(UserStore& store, const std::string& name, std::chrono::milliseconds ttl,
                                    const std::string& actor, std::int64_t now_ms) {
  auto t = store.issue_token(name, ttl, actor, now_ms);
  if (!t) return users_error(t.error());
  const std::string expires = timefmt::format_utc_ms(t->expires_ms);
  rules::AdminResult r;
  r.text = "token for " + name + " (id " + t->token_id + ", expires " + expires + "):\n\n  " + t->token +
           "\n\nThis is the only time the token is shown: Crosscheck stores only its hash and cannot show it "
           "again.\nHand it to " + name + " over a safe channel. Revoke it with: crosscheck users revoke " + name +
           " --token-id " + t->token_id + "\n";
  json::Writer(r.json).begin_object()
      .field("ok", true).field("user", name).field("token_id", t->token_id).field("token", t->token)
      .field("expires_at", expires).end_object();
  return r;
}

rules::AdminResult admin_user_revoke(UserStore& store, const std::string& name, const std::string& token_id,
                                     const std::string& actor) {
  if (auto s = store.revoke(name, token_id, actor); !s) return users_error(s.error());
  rules::AdminResult r;
  r.text = token_id.empty() ? "revoked every token and session of " + name + "\n"
                            : "revoked token " + token_id + " of " + name + " (and the sessions opened with it)\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("user", name);
  if (token_id.empty()) w.field("all", true);
  else w.field("token_id", token_id);
  w.end_object();
  return r;
}

rules::AdminResult admin_user_disable(UserStore& store, const std::string& name, const std::string& actor) {
  if (auto s = store.disable_user(name, actor); !s) return users_error(s.error());
  rules::AdminResult r;
  r.text = "disabled " + name + ": its tokens and sessions are revoked; `crosscheck users add` re-enables it\n";
  json::Writer(r.json).begin_object().field("ok", true).field("user", name).field("disabled", true).end_object();
  return r;
}

rules::AdminResult admin_user_list(UserStore& store) {
  auto users = store.list_users();
  if (!users) return users_error(users.error());
  rules::AdminResult r;
  json::Writer w(r.json);
  w.begin_object().field("ok", true).key("users").begin_array();
  for (const auto& a : *users) {
    auto tokens = store.list_tokens(a.name);
    if (!tokens) return users_error(tokens.error());
    r.text += account_text(a) + "\n";
    std::string acc = account_json(a);
    acc.pop_back();  // reopen the object to add the tokens
    acc += ",\"tokens\":[";
    bool first = true;
    for (const auto& t : *tokens) {
      r.text += "  token " + t.token_id + "  issued " + timefmt::format_utc_ms(t.issued_ms) + "  expires " +
                timefmt::format_utc_ms(t.expires_ms) + "\n";
      std::string tj;
      json::Writer(tj).begin_object().field("token_id", t.token_id)
          .field("issued_at", timefmt::format_utc_ms(t.issued_ms))
          .field("expires_at", timefmt::format_utc_ms(t.expires_ms)).end_object();
      acc += (first ? "" : ",") + tj;
      first = false;
    }
    acc += "]}";
    w.raw(acc);
  }
  w.end_array().end_object();
  if (users->empty()) r.text = "no users\n";
  return r;
}

}  // namespace crosscheck::console
