// The audit trail: an append-only Redis stream of every change to a rule or a watchlist.
//
// Stream key: P audit (P = the key prefix, default "crosscheck:"). One entry per change, with the
// fields, in this order:
//   actor, time (RFC 3339 UTC with milliseconds), action, object_type (rule|watchlist|alert|user),
//   object_id, before_version, after_version (decimal, or "" when there is none), reason,
//   details (a JSON object; never personal data: counts, modes, digests, list sizes)
// Actions: create, approve, activate, suspend, expire, cap_reached (rules), publish (watchlists).
// The stream is never trimmed unless AuditOptions::max_length is set, and then only approximately
// (XADD MAXLEN ~), so a generous bound keeps at least that many entries.
//
// The rule store writes its audit entries inside the same Lua script that makes the change, so
// a change and its record are atomic (see rule_store.h); other writers (watchlist publishing, the
// cap accounting) call AuditLog::append after their change.
//
// A separate component mirrors the stream to the Kafka topic `audit`: it reads with read_after()
// from the last id it forwarded and sends encode_audit_entry_json() of each entry.
//
// Thread-safety: not thread-safe (it borrows a RedisClient); one AuditLog per thread. The free
// functions are pure and thread-safe.
// Failure behaviour: every call returns Result; Redis failures keep the component "redis"
// (retriable when the connection failed), a malformed stream entry is a fatal "audit" Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/redis_client.h"

namespace crosscheck::rules {

namespace audit_action {
inline constexpr std::string_view kCreate = "create";
inline constexpr std::string_view kApprove = "approve";
inline constexpr std::string_view kActivate = "activate";
inline constexpr std::string_view kSuspend = "suspend";
inline constexpr std::string_view kExpire = "expire";
inline constexpr std::string_view kCapReached = "cap_reached";
inline constexpr std::string_view kPublish = "publish";
// The console (services/console): officers' and supervisors' work on alerts, and accounts.
inline constexpr std::string_view kView = "view";                // an alert's details were shown
inline constexpr std::string_view kDisposition = "disposition";  // a review decision was recorded
inline constexpr std::string_view kUnmask = "unmask";            // a depersonalised alert was shown in full
inline constexpr std::string_view kMask = "mask";                // retention depersonalised an alert
inline constexpr std::string_view kDelete = "delete";            // retention deleted an alert
inline constexpr std::string_view kUserPut = "user_put";         // an account was created or its roles changed
inline constexpr std::string_view kUserDisable = "user_disable";
inline constexpr std::string_view kTokenIssue = "token_issue";   // never the token itself
inline constexpr std::string_view kTokenRevoke = "token_revoke";
inline constexpr std::string_view kLogin = "login";
inline constexpr std::string_view kLoginFailed = "login_failed";
}  // namespace audit_action

struct AuditOptions {
  // Approximate upper bound on the stream length (XADD MAXLEN ~ N); 0 = never trim.
  std::uint64_t max_length = 0;
};

// One change, as written.
struct AuditRecord {
  std::string actor;        // who: a person's account name, or "system"
  std::string time;         // RFC 3339 with ms; empty = now (filled by append)
  std::string action;       // audit_action::*
  std::string object_type;  // "rule", "watchlist", "alert" or "user"
  std::string object_id;
  std::optional<std::uint64_t> before_version;
  std::optional<std::uint64_t> after_version;
  std::string reason;       // the approval comment, the suspension reason, ...
  std::string details = "{}";  // a JSON object, no personal data
};

// One change, as read back: the record plus its stream id ("1767225600000-0").
struct AuditEntry {
  std::string id;
  AuditRecord record;
};

struct AuditFilter {
  std::string actor;      // exact match; empty = any
  std::string action;     // exact match; empty = any
  std::string object_id;  // exact match; empty = any
  std::string object_type;  // exact match; empty = any
  // Bounds on the entry's stream id time (the Redis server clock, epoch ms), inclusive; 0 = open.
  std::int64_t since_ms = 0;
  std::int64_t until_ms = 0;
  std::size_t limit = 100;  // 0 = no limit
  bool newest_first = true;
};

// The XADD arguments after the key and the MAXLEN clause: "*" then field/value pairs, in the
// documented order. Shared with the rule store's scripts so every writer writes the same shape.
std::vector<std::string> audit_stream_fields(const AuditRecord& record);

// Lua for a script that writes a change and its audit entry in one call (the rule store's and the
// watchlist store's): defines audit(stream, maxlen, first, before), an XADD of the prebuilt fields
// of audit_stream_fields in ARGV from index `first`, with the value of "before_version" replaced
// by `before` when it is not nil. Prepend it to the script's own text.
extern const std::string_view kAuditLuaFunction;

// Decodes one stream entry (id + flat field/value list). Fatal Error when a field is missing or a
// version is not a number.
Result<AuditEntry> decode_audit_entry(const std::string& id, const std::vector<std::string>& fields);

// One JSON object with stable keys, in this order:
//   {"id":..,"time":..,"actor":..,"action":..,"object_type":..,"object_id":..,
//    "before_version":N|null,"after_version":N|null,"reason":..,"details":{...}}
// `details` is embedded as JSON when it is a JSON object, else as a string.
std::string encode_audit_entry_json(const AuditEntry& entry);

// One readable line: "2026-11-02T09:00:00.000Z  b.weber  approve  rule pay-large v3  \"ok\"".
std::string format_audit_entry_text(const AuditEntry& entry);

class AuditLog {
 public:
  AuditLog(RedisClient& redis, std::string key_prefix, AuditOptions options = {});

  // Appends one record and returns its stream id. Fatal Error when actor, action, object_type or
  // object_id is empty, or details is not a JSON object.
  Result<std::string> append(const AuditRecord& record);

  // Entries matching `filter`, newest first unless filter.newest_first is false. Pages through the
  // stream (500 entries a round trip) until `limit` entries matched or the range is exhausted.
  Result<std::vector<AuditEntry>> list(const AuditFilter& filter);

  // Up to `count` entries after stream id `last_id` (exclusive), oldest first; "" or "0" reads
  // from the start. For the Kafka mirror: remember the id of the last entry forwarded.
  Result<std::vector<AuditEntry>> read_after(const std::string& last_id, std::size_t count);

  const std::string& stream_key() const { return key_; }
  const AuditOptions& options() const { return options_; }

 private:
  RedisClient& redis_;
  std::string key_;
  AuditOptions options_;
};

// Checks a record before it is written (shared with the rule store). Fatal Error naming the
// problem.
Status check_audit_record(const AuditRecord& record);

}  // namespace crosscheck::rules
