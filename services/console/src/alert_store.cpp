#include "crosscheck/console/alert_store.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <map>

#include "crosscheck/json_writer.h"
#include "crosscheck/sha256.h"
#include "crosscheck/time_format.h"

namespace crosscheck::console {
namespace {

using rules::RedisValue;

constexpr std::size_t kMaxJsonDepth = 64;
constexpr std::size_t kMaxComment = 2000;
constexpr std::size_t kMaxActor = 256;
constexpr std::size_t kMaxDispositions = 200;
constexpr std::size_t kRetentionBatch = 500;
constexpr std::string_view kMasked = "[masked]";

// The summary fields as stored in the alert hash, in AlertSummary order (list reads only these,
// never the flag itself).
constexpr std::array<std::string_view, 16> kSummaryFields = {
    "flag_id", "queue",    "severity", "reason_code", "kind",         "subject_name", "subject_role", "score",
    "rule_id", "rule_version", "list_id", "status",  "received_ms", "published_ms", "seq",          "masked"};

// ---------------------------------------------------------------------------------------------
// Scripts. Each one makes its whole change or none of it; the audit entry is written in the same
// script as the change, in rules::audit_stream_fields order, so the shape matches every other
// writer of the audit stream.

// Appends an audit entry from ARGV[first..] (the audit_stream_fields list) to `key`.
#define CC_LUA_AUDIT                                                                           \
  "local function audit(key, maxlen, first)\n"                                                 \
  "  local args = {'XADD', key}\n"                                                             \
  "  if maxlen ~= '0' then args[#args + 1] = 'MAXLEN'; args[#args + 1] = '~'; "                \
  "args[#args + 1] = maxlen end\n"                                                             \
  "  for i = first, #ARGV do args[#args + 1] = ARGV[i] end\n"                                  \
  "  redis.call(unpack(args))\n"                                                               \
  "end\n"

// KEYS: alert, queue zset, by-time, mask-due, seq. ARGV: flag_id, retention time, field/value...
constexpr std::string_view kLuaIngest = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists', redis.call('HGETALL', KEYS[1])} end
local seq = redis.call('INCR', KEYS[5])
local args = {'HSET', KEYS[1], 'seq', tostring(seq)}
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
redis.call(unpack(args))
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
return {'inserted', tostring(seq)}
)lua";

// KEYS: alert, seq, outbox, audit. ARGV: prefix, flag_id, status, disposition JSON, outbox value,
// max dispositions, audit maxlen, audit fields...
constexpr std::string_view kLuaDisposition = CC_LUA_AUDIT R"lua(
local h = redis.call('HMGET', KEYS[1], 'queue', 'dispositions', 'disposition_count')
if not h[1] then return {'notfound'} end
local n = tonumber(h[3] or '0')
if n >= tonumber(ARGV[6]) then return {'full'} end
local d = h[2]
if not d or d == '' or d == '[]' then d = '[' .. ARGV[4] .. ']'
else d = string.sub(d, 1, -2) .. ',' .. ARGV[4] .. ']' end
local seq = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'dispositions', d, 'disposition_count', tostring(n + 1), 'status', ARGV[3],
           'seq', tostring(seq))
redis.call('ZADD', ARGV[1] .. 'console:queue:' .. h[1], seq, ARGV[2])
redis.call('XADD', KEYS[3], '*', 'key', ARGV[2], 'value', ARGV[5])
audit(KEYS[4], ARGV[7], 8)
return {'ok', tostring(seq)}
)lua";

// KEYS: alert, seq, mask-due, audit. ARGV: prefix, flag_id, masked flag, dispositions as read,
// masked dispositions, audit maxlen, audit fields...
// Compare-and-set on the dispositions: one recorded since they were read leaves the alert due,
// and the next round masks it with its new comment too.
constexpr std::string_view kLuaMask = CC_LUA_AUDIT R"lua(
local h = redis.call('HMGET', KEYS[1], 'queue', 'masked', 'flag', 'dispositions')
if not h[1] then redis.call('ZREM', KEYS[3], ARGV[2]); return {'gone'} end
if h[2] == '1' then redis.call('ZREM', KEYS[3], ARGV[2]); return {'already'} end
if (h[4] or '') ~= ARGV[4] then return {'changed'} end
local seq = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'sealed', h[3] or '', 'flag', ARGV[3], 'masked', '1', 'subject_name', '[masked]',
           'dispositions', ARGV[5], 'seq', tostring(seq))
redis.call('ZADD', ARGV[1] .. 'console:queue:' .. h[1], seq, ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
audit(KEYS[4], ARGV[6], 7)
return {'masked', tostring(seq)}
)lua";

// KEYS: alert, by-time, mask-due, audit. ARGV: prefix, flag_id, audit maxlen, audit fields...
constexpr std::string_view kLuaDelete = CC_LUA_AUDIT R"lua(
local q = redis.call('HGET', KEYS[1], 'queue')
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
if not q then return {'gone'} end
redis.call('ZREM', ARGV[1] .. 'console:queue:' .. q, ARGV[2])
redis.call('DEL', KEYS[1])
audit(KEYS[4], ARGV[3], 4)
return {'deleted'}
)lua";

#undef CC_LUA_AUDIT

// ---------------------------------------------------------------------------------------------

Error with_context(const Error& e, const std::string& context) {
  return Error(e.component(), context + ": " + e.message(),
               e.is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal, e.code());
}

Error rejected(const std::string& why) { return Error::fatal("console", "flag record rejected: " + why); }

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_i64(std::string_view s) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string format_double(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

double parse_double(std::string_view s) {
  double v = 0.0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool is_hex_id(std::string_view id) {
  if (id.size() != 32) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The queue goes into a key name: the flag schema's pattern ^[a-z0-9][a-z0-9._-]{0,62}$.
bool valid_queue(std::string_view q) {
  if (q.empty() || q.size() > 63) return false;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const char c = q[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

// One DOM parser per thread (its buffers are reused), with a depth limit so hostile nesting is
// an error, not a deep recursion in write_masked. Growing for a larger document keeps the limit.
// nullptr when the memory cannot be had.
simdjson::dom::parser* thread_parser() {
  thread_local simdjson::dom::parser parser(kMaxFlagBytes);
  thread_local bool allocated = false;
  if (!allocated) allocated = parser.allocate(64 * 1024, kMaxJsonDepth) == simdjson::SUCCESS;
  return allocated ? &parser : nullptr;
}

// The root element, checked to be an object.
Result<simdjson::dom::element> parse_object(std::string_view text, std::string_view what) {
  if (text.size() > kMaxFlagBytes) {
    return Error::fatal("console", std::string(what) + " is " + std::to_string(text.size()) + " bytes; at most " +
                                       std::to_string(kMaxFlagBytes) + " are accepted");
  }
  simdjson::dom::parser* parser = thread_parser();
  // Out of memory is not the record's fault: retriable, so the caller does not dead-letter it.
  if (parser == nullptr) return Error::retriable("console", "could not allocate the JSON parser");
  simdjson::dom::element root;
  if (auto err = parser->parse(text.data(), text.size(), true).get(root)) {
    if (err == simdjson::DEPTH_ERROR) {
      return Error::fatal("console", std::string(what) + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return Error::fatal("console", std::string(what) + " is not valid JSON: " + simdjson::error_message(err));
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Error::fatal("console", std::string(what) + " is not a JSON object");
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Masking.

// Keys whose values are personal data wherever they occur: the subject's identifiers, contact
// data, and names (the listed name a subject matched names the subject too, for a true match).
bool personal_key(std::string_view k) {
  static constexpr std::array<std::string_view, 24> kKeys = {
      "name",        "names",       "given_names", "surname",      "full_name",     "entry_name",
      "query_name",  "listed_name", "alias",       "date_of_birth", "document_number", "document",
      "iban",        "bic",         "imo",         "crypto_address", "account",       "account_number",
      "email",       "phone",       "telephone",   "mobile",       "address",       "contact"};
  return std::find(kKeys.begin(), kKeys.end(), k) != kKeys.end();
}

// Dropped entirely: the matcher's explanation repeats names and identifiers, and event_fields are
// values copied from the event.
bool dropped_key(std::string_view k) { return k == "explanation" || k == "event_fields"; }

void write_masked(json::Writer& w, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT: {
      simdjson::dom::object object;
      if (e.get_object().get(object) != simdjson::SUCCESS) return;  // the type was checked
      w.begin_object();
      for (auto field : object) {
        if (dropped_key(field.key)) continue;
        w.key(field.key);
        if (personal_key(field.key)) {
          w.string(kMasked);
        } else {
          write_masked(w, field.value);
        }
      }
      w.end_object();
      break;
    }
    case T::ARRAY: {
      simdjson::dom::array array;
      if (e.get_array().get(array) != simdjson::SUCCESS) return;
      w.begin_array();
      for (auto item : array) write_masked(w, item);
      w.end_array();
      break;
    }
    case T::STRING: w.string(e.get_string().value_unsafe()); break;
    case T::INT64: w.number(e.get_int64().value_unsafe()); break;
    case T::UINT64: w.number(e.get_uint64().value_unsafe()); break;
    case T::DOUBLE: w.number(e.get_double().value_unsafe()); break;
    case T::BOOL: w.boolean(e.get_bool().value_unsafe()); break;
    case T::NULL_VALUE: w.null(); break;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a flag record into the hash fields.

struct ParsedFlag {
  AlertSummary summary;
};

// Fields of an object, by name, with type checks that name the path (never the value).
class Reader {
 public:
  explicit Reader(simdjson::dom::object object) : object_(object) {}

  Result<simdjson::dom::object> object(std::string_view key, std::string_view path) const {
    simdjson::dom::object o;
    if (object_[key].get_object().get(o)) return rejected(std::string(path) + " is missing or not an object");
    return o;
  }
  bool has(std::string_view key) const {
    simdjson::dom::element e;
    return object_[key].get(e) == simdjson::SUCCESS;
  }
  Result<std::string> string(std::string_view key, std::string_view path, bool required, std::size_t max = 1024) const {
    simdjson::dom::element e;
    if (object_[key].get(e)) {
      if (required) return rejected(std::string(path) + " is missing");
      return std::string();
    }
    std::string_view s;
    if (e.get_string().get(s)) return rejected(std::string(path) + " is not a string");
    if (s.size() > max) return rejected(std::string(path) + " is longer than " + std::to_string(max) + " bytes");
    return std::string(s);
  }
  Result<std::uint64_t> u64(std::string_view key, std::string_view path) const {
    std::uint64_t v = 0;
    if (object_[key].get_uint64().get(v)) return rejected(std::string(path) + " is missing or not a non-negative integer");
    return v;
  }
  Result<double> number(std::string_view key, std::string_view path) const {
    double v = 0;
    if (object_[key].get_double().get(v)) return rejected(std::string(path) + " is missing or not a number");
    return v;
  }

 private:
  simdjson::dom::object object_;
};

#define CC_TRY(var, expr)              \
  auto var##_r = (expr);               \
  if (!var##_r) return var##_r.error(); \
  auto var = std::move(*var##_r)

Result<ParsedFlag> parse_governance_alert(const Reader& top) {
  ParsedFlag out;
  AlertSummary& s = out.summary;
  CC_TRY(rule, top.object("rule", "rule"));
  Reader r(rule);
  CC_TRY(rule_id, r.string("id", "rule.id", true, 128));
  CC_TRY(version, r.u64("version", "rule.version"));
  CC_TRY(at, top.string("at", "at", true, 64));
  const auto at_ms = timefmt::parse_timestamp_ms(at);
  if (rule_id.empty()) return rejected("rule.id is empty");
  if (!at_ms) return rejected("at is not an RFC 3339 timestamp");
  // Governance alerts carry no id; this one is stable across redeliveries of the same record.
  s.flag_id = sha256_hex("rule_over_cap\n" + rule_id + "\n" + std::to_string(version) + "\n" + at, 32);
  s.severity = "medium";
  s.reason_code = "rule_over_cap";
  s.rule_id = std::move(rule_id);
  s.rule_version = version;
  s.published_ms = *at_ms;
  return out;
}

Result<ParsedFlag> parse_flag(std::string_view queue, std::string_view json) {
  if (!valid_queue(queue)) return rejected("the queue name is not valid");
  auto root = parse_object(json, "the flag record");
  if (!root) return root.error().is_retriable() ? root.error() : rejected(root.error().message());
  simdjson::dom::object top_object;
  if (root->get_object().get(top_object) != simdjson::SUCCESS) return rejected("the flag record is not a JSON object");
  const Reader top(top_object);

  ParsedFlag out;
  AlertSummary& s = out.summary;
  CC_TRY(type, top.string("type", "type", false, 64));
  if (type == "rule_over_cap" && !top.has("flag_id")) {
    auto g = parse_governance_alert(top);
    if (!g) return g.error();
    out = std::move(*g);
  } else {
    CC_TRY(flag_id, top.string("flag_id", "flag_id", true, 64));
    if (!is_hex_id(flag_id)) return rejected("flag_id is not 32 lower-case hex digits");
    s.flag_id = std::move(flag_id);
    const std::string at = " (flag " + s.flag_id + ")";
    CC_TRY(severity, top.string("severity", "severity", true, 16));
    if (severity != "low" && severity != "medium" && severity != "high") {
      return rejected("severity is not low, medium or high" + at);
    }
    s.severity = std::move(severity);

    CC_TRY(reason, top.object("reason", "reason"));
    const Reader rr(reason);
    CC_TRY(code, rr.string("code", "reason.code", true, 64));
    if (code.empty()) return rejected("reason.code is empty" + at);
    s.reason_code = std::move(code);
    CC_TRY(score, rr.number("score", "reason.score"));
    if (!(score >= 0.0 && score <= 1.0)) return rejected("reason.score is not between 0 and 1" + at);
    s.score = score;

    CC_TRY(source, top.object("source", "source"));
    CC_TRY(kind, Reader(source).string("kind", "source.kind", true, 32));
    s.kind = std::move(kind);

    CC_TRY(subject, top.object("subject", "subject"));
    const Reader sr(subject);
    CC_TRY(role, sr.string("role", "subject.role", true, 64));
    if (role.empty()) return rejected("subject.role is empty" + at);
    s.subject_role = std::move(role);
    CC_TRY(name, sr.string("name", "subject.name", false, 4096));
    s.subject_name = std::move(name);

    CC_TRY(rule, top.object("rule", "rule"));
    const Reader rl(rule);
    CC_TRY(rule_id, rl.string("id", "rule.id", true, 128));
    if (rule_id.empty()) return rejected("rule.id is empty" + at);
    s.rule_id = std::move(rule_id);
    CC_TRY(version, rl.u64("version", "rule.version"));
    s.rule_version = version;

    if (top.has("watchlist")) {
      CC_TRY(watchlist, top.object("watchlist", "watchlist"));
      CC_TRY(list_id, Reader(watchlist).string("list_id", "watchlist.list_id", false, 128));
      s.list_id = std::move(list_id);
    }

    CC_TRY(times, top.object("times", "times"));
    CC_TRY(published, Reader(times).string("published_at", "times.published_at", true, 64));
    const auto published_ms = timefmt::parse_timestamp_ms(published);
    if (!published_ms) return rejected("times.published_at is not an RFC 3339 timestamp" + at);
    s.published_ms = *published_ms;
  }

  // The record names its queue; consumed from another queue's topic it is misrouted, and
  // storing it there would show it to officers who should not see it.
  CC_TRY(record_queue, top.string("queue", "queue", false, 64));
  if (!record_queue.empty() && record_queue != queue) {
    return rejected("the record's queue is not the queue it was consumed from (" + std::string(queue) + ")");
  }
  s.queue = std::string(queue);
  return out;
}

#undef CC_TRY

// ---------------------------------------------------------------------------------------------
// Alert hash <-> structs.

std::map<std::string, std::string> as_map(const RedisValue& hash) {
  std::map<std::string, std::string> m;
  for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2) m[hash.elements[i].str] = hash.elements[i + 1].str;
  return m;
}

std::optional<AlertSummary> summary_from_map(const std::map<std::string, std::string>& m) {
  auto get = [&](const char* k) -> std::string {
    auto it = m.find(k);
    return it == m.end() ? std::string() : it->second;
  };
  AlertSummary s;
  s.flag_id = get("flag_id");
  s.queue = get("queue");
  if (s.flag_id.empty() || s.queue.empty()) return std::nullopt;  // deleted, or never whole
  s.severity = get("severity");
  s.reason_code = get("reason_code");
  s.kind = get("kind");
  s.subject_name = get("subject_name");
  s.subject_role = get("subject_role");
  s.score = parse_double(get("score"));
  s.rule_id = get("rule_id");
  s.rule_version = parse_u64(get("rule_version")).value_or(0);
  s.list_id = get("list_id");
  s.status = parse_alert_status(get("status")).value_or(AlertStatus::kNew);
  s.received_ms = parse_i64(get("received_ms")).value_or(0);
  s.published_ms = parse_i64(get("published_ms")).value_or(0);
  s.seq = parse_u64(get("seq")).value_or(0);
  s.masked = get("masked") == "1";
  return s;
}

// HMGET of kSummaryFields, in order.
std::optional<AlertSummary> summary_from_fields(const RedisValue& reply) {
  if (reply.elements.size() != kSummaryFields.size()) return std::nullopt;
  std::map<std::string, std::string> m;
  for (std::size_t i = 0; i < kSummaryFields.size(); ++i) {
    if (!reply.elements[i].is_nil()) m[std::string(kSummaryFields[i])] = reply.elements[i].str;
  }
  return summary_from_map(m);
}

std::string encode_disposition(const Disposition& d) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("action", to_string(d.action))
      .field("comment", d.comment)
      .field("actor", d.actor)
      .field("at_ms", d.at_ms)
      .end_object();
  return out;
}

// The stored list is written only by this file; an entry that does not decode is skipped rather
// than failing the whole alert view.
std::vector<Disposition> decode_dispositions(std::string_view json) {
  std::vector<Disposition> out;
  if (json.empty()) return out;
  // Its own parser: the list may outgrow the flag parser's capacity (200 escaped comments).
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root)) return out;
  simdjson::dom::array array;
  if (root.get_array().get(array)) return out;
  for (auto item : array) {
    simdjson::dom::object o;
    if (item.get_object().get(o)) continue;
    std::string_view action, comment, actor;
    std::int64_t at = 0;
    if (o["action"].get_string().get(action) || o["comment"].get_string().get(comment) ||
        o["actor"].get_string().get(actor) || o["at_ms"].get_int64().get(at)) {
      continue;
    }
    auto a = parse_disposition_action(action);
    if (!a) continue;
    out.push_back(Disposition{*a, std::string(comment), std::string(actor), at});
  }
  return out;
}

std::string encode_dispositions(const std::vector<Disposition>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i) out += ",";
    out += encode_disposition(list[i]);
  }
  out += "]";
  return out;
}

AlertStatus status_after(DispositionAction a) {
  switch (a) {
    case DispositionAction::kConfirmedMatch: return AlertStatus::kConfirmedMatch;
    case DispositionAction::kFalsePositive: return AlertStatus::kFalsePositive;
    case DispositionAction::kEscalate: return AlertStatus::kEscalated;
  }
  return AlertStatus::kEscalated;
}

std::string details_json(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  for (const auto& [k, v] : fields) w.field(k, v);
  w.end_object();
  return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string_view to_string(AlertStatus status) {
  switch (status) {
    case AlertStatus::kNew: return "new";
    case AlertStatus::kEscalated: return "escalated";
    case AlertStatus::kConfirmedMatch: return "confirmed_match";
    case AlertStatus::kFalsePositive: return "false_positive";
  }
  return "new";
}

std::optional<AlertStatus> parse_alert_status(std::string_view text) {
  for (auto s : {AlertStatus::kNew, AlertStatus::kEscalated, AlertStatus::kConfirmedMatch, AlertStatus::kFalsePositive}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(DispositionAction action) {
  switch (action) {
    case DispositionAction::kConfirmedMatch: return "confirmed_match";
    case DispositionAction::kFalsePositive: return "false_positive";
    case DispositionAction::kEscalate: return "escalate";
  }
  return "escalate";
}

std::optional<DispositionAction> parse_disposition_action(std::string_view text) {
  for (auto a : {DispositionAction::kConfirmedMatch, DispositionAction::kFalsePositive, DispositionAction::kEscalate}) {
    if (to_string(a) == text) return a;
  }
  return std::nullopt;
}

std::string encode_disposition_record(const AlertSummary& alert, const Disposition& d) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("schema_version", "1.0")
      .field("flag_id", alert.flag_id)
      .field("queue", alert.queue)
      .field("action", to_string(d.action))
      .field("comment", d.comment)
      .field("actor", d.actor)
      .field("at", timefmt::format_utc_ms(d.at_ms));
  w.key("rule").begin_object().field("id", alert.rule_id).field("version", alert.rule_version).end_object();
  w.field("status", to_string(alert.status));
  w.end_object();
  return out;
}

Result<std::string> mask_flag_json(std::string_view flag_json) {
  auto root = parse_object(flag_json, "the flag record");
  if (!root) return root.error();
  std::string out;
  out.reserve(flag_json.size());
  json::Writer w(out);
  write_masked(w, *root);
  return out;
}

// ---------------------------------------------------------------------------------------------

Status AlertStore::Script::load(rules::RedisClient& redis) {
  auto loaded = redis.command({"SCRIPT", "LOAD", std::string(text_)});
  if (!loaded) return with_context(loaded.error(), "load a console script");
  if (loaded->type != RedisValue::Type::kString) return Error::fatal("redis", "unexpected SCRIPT LOAD reply");
  sha_ = loaded->str;
  return ok_status();
}

Result<RedisValue> AlertStore::Script::run(rules::RedisClient& redis, const std::vector<std::string>& keys,
                                           const std::vector<std::string>& args) {
  auto many = run_many(redis, {{keys, args}});
  if (!many) return many.error();
  return std::move(many->front());
}

Result<std::vector<RedisValue>> AlertStore::Script::run_many(
    rules::RedisClient& redis, const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>& calls) {
  // Redis forgets scripts on restart (or SCRIPT FLUSH): reload once on NOSCRIPT. Every script
  // here checks the state it changes, so running one twice is harmless.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (sha_.empty()) {
      if (auto s = load(redis); !s) return s.error();
    }
    std::vector<std::vector<std::string>> commands;
    commands.reserve(calls.size());
    for (const auto& [keys, args] : calls) {
      std::vector<std::string> cmd{"EVALSHA", sha_, std::to_string(keys.size())};
      cmd.insert(cmd.end(), keys.begin(), keys.end());
      cmd.insert(cmd.end(), args.begin(), args.end());
      commands.push_back(std::move(cmd));
    }
    Result<std::vector<RedisValue>> r = std::vector<RedisValue>{};
    if (commands.size() == 1) {
      auto one = redis.command(commands.front());
      if (one) r = std::vector<RedisValue>{std::move(*one)};
      else r = one.error();
    } else {
      r = redis.pipeline(commands);
    }
    if (r || attempt == 1 || r.error().message().find("NOSCRIPT") == std::string::npos) return r;
    sha_.clear();
  }
  return Error::fatal("console", "unreachable");
}

AlertStore::AlertStore(rules::RedisClient& redis, std::string key_prefix, rules::AuditOptions audit)
    : redis_(redis),
      prefix_(std::move(key_prefix)),
      audit_(audit),
      ingest_script_(kLuaIngest),
      disposition_script_(kLuaDisposition),
      mask_script_(kLuaMask),
      delete_script_(kLuaDelete) {}

std::string AlertStore::alert_key(std::string_view flag_id) const {
  return prefix_ + "console:alert:" + std::string(flag_id);
}

std::string AlertStore::queue_key(std::string_view queue) const { return prefix_ + "console:queue:" + std::string(queue); }

Result<AlertStore::PreparedIngest> AlertStore::prepare_ingest(std::string_view queue, std::string_view flag_json,
                                                              std::int64_t now_ms) const {
  auto parsed = parse_flag(queue, flag_json);
  if (!parsed) return parsed.error();
  PreparedIngest p;
  AlertSummary& s = p.summary;
  s = std::move(parsed->summary);
  s.status = AlertStatus::kNew;
  s.received_ms = now_ms;
  s.masked = false;
  const std::int64_t retention_ms = s.published_ms > 0 ? std::min(now_ms, s.published_ms) : now_ms;

  p.keys = {alert_key(s.flag_id), queue_key(s.queue), prefix_ + "console:by-time", prefix_ + "console:mask-due",
            prefix_ + "console:seq"};
  p.args = {s.flag_id,
            std::to_string(retention_ms),
            "flag_id", s.flag_id,
            "queue", s.queue,
            "severity", s.severity,
            "reason_code", s.reason_code,
            "kind", s.kind,
            "subject_name", s.subject_name,
            "subject_role", s.subject_role,
            "score", format_double(s.score),
            "rule_id", s.rule_id,
            "rule_version", std::to_string(s.rule_version),
            "list_id", s.list_id,
            "status", std::string(to_string(s.status)),
            "received_ms", std::to_string(s.received_ms),
            "published_ms", std::to_string(s.published_ms),
            "masked", "0",
            "flag", std::string(flag_json),
            "dispositions", "[]",
            "disposition_count", "0"};
  return p;
}

Result<IngestResult> AlertStore::finish_ingest(PreparedIngest& prepared, const RedisValue& reply) {
  AlertSummary& s = prepared.summary;
  const std::string context = "store alert " + s.flag_id;
  if (reply.type != RedisValue::Type::kArray || reply.elements.size() != 2) {
    return Error::fatal("redis", context + ": unexpected script reply");
  }
  IngestResult out;
  if (reply.elements[0].str == "inserted") {
    s.seq = parse_u64(reply.elements[1].str).value_or(0);
    out.summary = std::move(s);
    out.inserted = true;
    return out;
  }
  auto existing = summary_from_map(as_map(reply.elements[1]));
  if (!existing) return Error::fatal("console", context + ": the stored alert is incomplete");
  out.summary = std::move(*existing);
  out.inserted = false;
  return out;
}

Result<IngestResult> AlertStore::ingest(std::string_view queue, std::string_view flag_json, std::int64_t now_ms) {
  auto prepared = prepare_ingest(queue, flag_json, now_ms);
  if (!prepared) return prepared.error();
  auto r = ingest_script_.run(redis_, prepared->keys, prepared->args);
  if (!r) return with_context(r.error(), "store alert " + prepared->summary.flag_id);
  return finish_ingest(*prepared, *r);
}

Result<std::vector<Result<IngestResult>>> AlertStore::ingest_batch(std::span<const IngestItem> items,
                                                                   std::int64_t now_ms) {
  std::vector<Result<IngestResult>> out;
  out.reserve(items.size());
  std::vector<PreparedIngest> prepared;
  std::vector<std::size_t> slot;  // items[slot[k]] is prepared[k]
  prepared.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto p = prepare_ingest(items[i].queue, items[i].flag_json, now_ms);
    if (!p) {
      // Not the record's fault (no memory for the parser): the whole batch is retried.
      if (p.error().is_retriable()) return p.error();
      out.emplace_back(p.error());
      continue;
    }
    out.emplace_back(IngestResult{});  // filled from the reply below
    slot.push_back(i);
    prepared.push_back(std::move(*p));
  }
  if (prepared.empty()) return out;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> calls;
  calls.reserve(prepared.size());
  for (auto& p : prepared) calls.emplace_back(std::move(p.keys), std::move(p.args));
  auto replies = ingest_script_.run_many(redis_, calls);
  if (!replies) {
    return with_context(replies.error(), "store " + std::to_string(prepared.size()) + " alerts");
  }
  if (replies->size() != prepared.size()) {
    return Error::fatal("redis", "store " + std::to_string(prepared.size()) + " alerts: " +
                                     std::to_string(replies->size()) + " replies");
  }
  for (std::size_t k = 0; k < prepared.size(); ++k) out[slot[k]] = finish_ingest(prepared[k], (*replies)[k]);
  return out;
}

Result<std::vector<AlertSummary>> AlertStore::list(const AlertQuery& query) {
  std::vector<AlertSummary> out;
  const bool catch_up = query.after_seq > 0;
  const std::size_t limit = query.limit == 0 ? std::numeric_limits<std::size_t>::max() : query.limit;
  const bool filtered = !query.severities.empty() || !query.statuses.empty();

  // Each queue is a sorted set by sequence; the merged order is the order of the sequence. Every
  // round reads a page from each queue still open, and hands out only the candidates no unread
  // member of any queue can precede (those on the near side of the "frontier": the farthest
  // last score among the queues that filled their page).
  struct Cursor {
    std::string key;
    std::string bound;  // the next read starts here (inclusive unless it starts with '(')
    bool open = true;
  };
  std::vector<Cursor> cursors;
  {
    std::vector<std::string> seen;
    for (const auto& q : query.queues) {
      if (!valid_queue(q) || std::find(seen.begin(), seen.end(), q) != seen.end()) continue;
      seen.push_back(q);
      cursors.push_back({queue_key(q), catch_up ? "(" + std::to_string(query.after_seq) : "+inf", true});
    }
  }
  const std::size_t page = std::clamp<std::size_t>(filtered ? 200 : (limit == std::numeric_limits<std::size_t>::max() ? 200 : limit), 1, 500);

  while (out.size() < limit) {
    std::vector<std::vector<std::string>> reads;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      if (!cursors[i].open) continue;
      which.push_back(i);
      if (catch_up) {
        reads.push_back({"ZRANGEBYSCORE", cursors[i].key, cursors[i].bound, "+inf", "WITHSCORES", "LIMIT", "0",
                         std::to_string(page)});
      } else {
        reads.push_back({"ZREVRANGEBYSCORE", cursors[i].key, cursors[i].bound, "-inf", "WITHSCORES", "LIMIT", "0",
                         std::to_string(page)});
      }
    }
    if (reads.empty()) break;
    auto pages = redis_.pipeline(reads);
    if (!pages) return with_context(pages.error(), "list alerts");

    struct Candidate {
      std::uint64_t seq;
      std::string id;
    };
    std::vector<std::vector<Candidate>> fetched(which.size());
    std::optional<std::uint64_t> frontier;
    for (std::size_t j = 0; j < which.size(); ++j) {
      const auto& reply = (*pages)[j];
      for (std::size_t k = 0; k + 1 < reply.elements.size(); k += 2) {
        fetched[j].push_back({parse_u64(reply.elements[k + 1].str).value_or(0), reply.elements[k].str});
      }
      if (fetched[j].size() >= page) {
        const std::uint64_t last = fetched[j].back().seq;
        if (!frontier) frontier = last;
        else frontier = catch_up ? std::min(*frontier, last) : std::max(*frontier, last);
      }
    }
    auto safe = [&](std::uint64_t seq) {
      return !frontier || (catch_up ? seq <= *frontier : seq >= *frontier);
    };
    std::vector<Candidate> ready;
    for (std::size_t j = 0; j < which.size(); ++j) {
      Cursor& c = cursors[which[j]];
      bool all_safe = true;
      for (auto& cand : fetched[j]) {
        if (safe(cand.seq)) ready.push_back(std::move(cand));
        else all_safe = false;
      }
      if (fetched[j].size() < page && all_safe) {
        c.open = false;
      } else {
        // Unique sequences: everything on the near side of the frontier was handed out.
        c.bound = "(" + std::to_string(*frontier);
      }
    }
    std::sort(ready.begin(), ready.end(), [&](const Candidate& a, const Candidate& b) {
      return catch_up ? a.seq < b.seq : a.seq > b.seq;
    });

    // Summaries only (never the flag), in chunks so a narrow filter does not read everything.
    std::size_t next = 0;
    while (next < ready.size() && out.size() < limit) {
      const std::size_t want = filtered ? 200 : limit - out.size();
      const std::size_t end = std::min(ready.size(), next + std::min<std::size_t>(want, 500));
      std::vector<std::vector<std::string>> gets;
      for (std::size_t k = next; k < end; ++k) {
        std::vector<std::string> cmd{"HMGET", alert_key(ready[k].id)};
        cmd.insert(cmd.end(), kSummaryFields.begin(), kSummaryFields.end());
        gets.push_back(std::move(cmd));
      }
      auto replies = redis_.pipeline(gets);
      if (!replies) return with_context(replies.error(), "list alerts");
      for (const auto& reply : *replies) {
        auto s = summary_from_fields(reply);
        if (!s) continue;  // deleted between the two reads
        if (!query.severities.empty() &&
            std::find(query.severities.begin(), query.severities.end(), s->severity) == query.severities.end()) {
          continue;
        }
        if (!query.statuses.empty() &&
            std::find(query.statuses.begin(), query.statuses.end(), s->status) == query.statuses.end()) {
          continue;
        }
        out.push_back(std::move(*s));
        if (out.size() >= limit) break;
      }
      next = end;
    }
  }
  return out;
}

Result<std::optional<Alert>> AlertStore::get(const std::string& flag_id) {
  if (!is_hex_id(flag_id)) return std::optional<Alert>{};
  // Named fields, not HGETALL: the sealed original of a masked alert stays in Redis.
  std::vector<std::string> cmd{"HMGET", alert_key(flag_id)};
  cmd.insert(cmd.end(), kSummaryFields.begin(), kSummaryFields.end());
  cmd.insert(cmd.end(), {"flag", "dispositions"});
  auto r = redis_.command(cmd);
  if (!r) return with_context(r.error(), "read alert " + flag_id);
  if (r->elements.size() != kSummaryFields.size() + 2) return Error::fatal("redis", "read alert " + flag_id + ": unexpected reply");
  auto dispositions = std::move(r->elements.back().str);
  r->elements.pop_back();
  auto flag = std::move(r->elements.back().str);
  r->elements.pop_back();
  auto s = summary_from_fields(*r);
  if (!s) return std::optional<Alert>{};
  Alert a;
  a.summary = std::move(*s);
  a.flag_json = std::move(flag);
  a.dispositions = decode_dispositions(dispositions);
  return std::optional<Alert>(std::move(a));
}

Result<std::optional<std::string>> AlertStore::sealed_flag_json(const std::string& flag_id) {
  if (!is_hex_id(flag_id)) return std::optional<std::string>{};
  auto r = redis_.command({"HMGET", alert_key(flag_id), "masked", "sealed"});
  if (!r) return with_context(r.error(), "read sealed alert " + flag_id);
  if (r->elements.size() != 2 || r->elements[0].str != "1" || r->elements[1].is_nil()) {
    return std::optional<std::string>{};
  }
  return std::optional<std::string>(std::move(r->elements[1].str));
}

Result<std::optional<Alert>> AlertStore::record_disposition(const std::string& flag_id, const Disposition& input) {
  const std::string context = "record a disposition on alert " + flag_id;
  Disposition d = input;
  if (d.comment.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::fatal("console", context + ": a comment is required");
  }
  if (d.comment.size() > kMaxComment) {
    return Error::fatal("console", context + ": the comment is longer than 2000 bytes");
  }
  if (d.actor.empty() || d.actor.size() > kMaxActor) {
    return Error::fatal("console", context + ": the actor must be 1-256 bytes");
  }
  for (unsigned char c : d.actor) {
    if (c < 0x20 || c == 0x7f) return Error::fatal("console", context + ": the actor contains a control character");
  }
  if (d.at_ms == 0) d.at_ms = timefmt::now_ms();

  // Queue and rule never change after ingest, so the outbox record can be built from this read;
  // the script then refuses if the alert vanished in between.
  auto current = get(flag_id);
  if (!current) return current.error();
  if (!*current) return std::optional<Alert>{};
  AlertSummary after = (*current)->summary;
  after.status = status_after(d.action);

  rules::AuditRecord rec;
  rec.actor = d.actor;
  rec.time = timefmt::format_utc_ms(d.at_ms);
  rec.action = rules::audit_action::kDisposition;
  rec.object_type = "alert";
  rec.object_id = flag_id;
  // The comment is free text and may name the subject, while the audit trail outlives retention
  // masking: the trail keeps its SHA-256, which proves what was written; the text itself lives on
  // the alert (masked with it) and in the disposition record.
  rec.details = details_json({{"queue", after.queue},
                              {"action", to_string(d.action)},
                              {"status", to_string(after.status)},
                              {"comment_sha256", sha256_hex(d.comment)}});
  if (auto s = rules::check_audit_record(rec); !s) return with_context(s.error(), context);

  auto r = disposition_script_.run(
      redis_, {alert_key(flag_id), prefix_ + "console:seq", prefix_ + "console:outbox", prefix_ + "audit"},
      concat({prefix_, flag_id, std::string(to_string(after.status)), encode_disposition(d),
              encode_disposition_record(after, d), std::to_string(kMaxDispositions), std::to_string(audit_.max_length)},
             rules::audit_stream_fields(rec)));
  if (!r) return with_context(r.error(), context);
  if (r->type != RedisValue::Type::kArray || r->elements.empty()) {
    return Error::fatal("redis", context + ": unexpected script reply");
  }
  const std::string& status = r->elements[0].str;
  if (status == "notfound") return std::optional<Alert>{};
  if (status == "full") {
    return Error::fatal("console", context + ": the alert already has " + std::to_string(kMaxDispositions) +
                                       " dispositions");
  }
  auto updated = get(flag_id);
  if (!updated) return updated.error();
  return updated;
}

Result<std::uint64_t> AlertStore::current_seq() {
  auto r = redis_.command({"GET", prefix_ + "console:seq"});
  if (!r) return with_context(r.error(), "read the console sequence");
  if (r->is_nil()) return std::uint64_t{0};
  auto v = parse_u64(r->str);
  if (!v) return Error::fatal("console", "the console sequence is not a number");
  return *v;
}

Result<std::vector<OutboxItem>> AlertStore::pending_dispositions(std::size_t max) {
  std::vector<OutboxItem> out;
  if (max == 0) return out;
  auto r = redis_.command({"XRANGE", prefix_ + "console:outbox", "-", "+", "COUNT", std::to_string(max)});
  if (!r) return with_context(r.error(), "read the disposition outbox");
  for (const auto& entry : r->elements) {
    if (entry.elements.size() != 2) return Error::fatal("console", "unexpected outbox entry shape");
    OutboxItem item;
    item.id = entry.elements[0].str;
    const auto& fields = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "key") item.key = fields[i + 1].str;
      else if (fields[i].str == "value") item.value = fields[i + 1].str;
    }
    out.push_back(std::move(item));
  }
  return out;
}

Status AlertStore::ack_dispositions(const std::vector<std::string>& ids) {
  if (ids.empty()) return ok_status();
  std::vector<std::string> cmd{"XDEL", prefix_ + "console:outbox"};
  cmd.insert(cmd.end(), ids.begin(), ids.end());
  auto r = redis_.command(cmd);
  if (!r) return with_context(r.error(), "acknowledge dispositions");
  return ok_status();
}

Result<std::size_t> AlertStore::delete_due(std::int64_t now_ms, std::int64_t cutoff_ms) {
  std::size_t deleted = 0;
  const std::string by_time = prefix_ + "console:by-time";
  const std::string time = timefmt::format_utc_ms(now_ms);
  while (true) {
    // Exclusive: "received before now - delete_after".
    auto due = redis_.command({"ZRANGEBYSCORE", by_time, "-inf", "(" + std::to_string(cutoff_ms), "LIMIT", "0",
                               std::to_string(kRetentionBatch)});
    if (!due) return with_context(due.error(), "retention: find alerts to delete");
    if (due->elements.empty()) return deleted;
    std::vector<std::vector<std::string>> reads;
    for (const auto& id : due->elements) reads.push_back({"HMGET", alert_key(id.str), "queue", "status", "masked"});
    auto states = redis_.pipeline(reads);
    if (!states) return with_context(states.error(), "retention: read alerts to delete");
    std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> calls;
    for (std::size_t i = 0; i < due->elements.size(); ++i) {
      const std::string& id = due->elements[i].str;
      const auto& st = (*states)[i].elements;
      rules::AuditRecord rec;
      rec.actor = "retention";
      rec.time = time;
      rec.action = rules::audit_action::kDelete;
      rec.object_type = "alert";
      rec.object_id = id;
      rec.reason = "retention period reached";
      if (st.size() == 3) {
        rec.details = details_json({{"queue", st[0].str}, {"status", st[1].str}, {"masked", st[2].str == "1" ? "true" : "false"}});
      }
      calls.push_back({{alert_key(id), by_time, prefix_ + "console:mask-due", prefix_ + "audit"},
                       concat({prefix_, id, std::to_string(audit_.max_length)}, rules::audit_stream_fields(rec))});
    }
    auto r = delete_script_.run_many(redis_, calls);
    if (!r) return with_context(r.error(), "retention: delete alerts");
    for (const auto& reply : *r) {
      if (!reply.elements.empty() && reply.elements[0].str == "deleted") ++deleted;
    }
    // Every script removed its id from by-time, so the next round reads the next ones.
    if (due->elements.size() < kRetentionBatch) return deleted;
  }
}

Result<std::size_t> AlertStore::mask_due(std::int64_t now_ms, std::int64_t cutoff_ms) {
  std::size_t masked = 0;
  const std::string due_key = prefix_ + "console:mask-due";
  const std::string time = timefmt::format_utc_ms(now_ms);
  // A disposition recorded between read and script leaves its alert due ("changed"); bounded
  // retries so an alert under a storm of dispositions cannot hold the job forever.
  for (int round = 0; round < 10000; ++round) {
    auto due = redis_.command({"ZRANGEBYSCORE", due_key, "-inf", "(" + std::to_string(cutoff_ms), "LIMIT", "0",
                               std::to_string(kRetentionBatch)});
    if (!due) return with_context(due.error(), "retention: find alerts to mask");
    if (due->elements.empty()) return masked;
    std::vector<std::vector<std::string>> reads;
    for (const auto& id : due->elements) reads.push_back({"HMGET", alert_key(id.str), "queue", "flag", "dispositions"});
    auto states = redis_.pipeline(reads);
    if (!states) return with_context(states.error(), "retention: read alerts to mask");
    std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> calls;
    for (std::size_t i = 0; i < due->elements.size(); ++i) {
      const std::string& id = due->elements[i].str;
      const auto& st = (*states)[i].elements;
      const std::string queue = st.size() == 3 ? st[0].str : std::string();
      const std::string flag = st.size() == 3 ? st[1].str : std::string();
      const std::string dispositions = st.size() == 3 ? st[2].str : std::string();
      // A stored flag always parses (ingest checked it); should one not, an empty object still
      // removes whatever it held rather than leaving personal data past its period.
      auto m = mask_flag_json(flag);
      std::string masked_flag = m ? std::move(*m) : std::string("{}");
      auto list = decode_dispositions(dispositions);
      for (auto& d : list) d.comment = std::string(kMasked);
      rules::AuditRecord rec;
      rec.actor = "retention";
      rec.time = time;
      rec.action = rules::audit_action::kMask;
      rec.object_type = "alert";
      rec.object_id = id;
      rec.reason = "retention period reached";
      rec.details = details_json({{"queue", queue}});
      calls.push_back({{alert_key(id), prefix_ + "console:seq", due_key, prefix_ + "audit"},
                       concat({prefix_, id, masked_flag, dispositions, encode_dispositions(list),
                               std::to_string(audit_.max_length)},
                              rules::audit_stream_fields(rec))});
    }
    auto r = mask_script_.run_many(redis_, calls);
    if (!r) return with_context(r.error(), "retention: mask alerts");
    bool changed = false;
    for (const auto& reply : *r) {
      if (reply.elements.empty()) continue;
      if (reply.elements[0].str == "masked") ++masked;
      else if (reply.elements[0].str == "changed") changed = true;
    }
    if (due->elements.size() < kRetentionBatch && !changed) return masked;
  }
  return masked;
}

Result<RetentionReport> AlertStore::apply_retention(std::int64_t now_ms, std::chrono::milliseconds mask_after,
                                                    std::chrono::milliseconds delete_after) {
  RetentionReport report;
  // Deletion first: an alert past both periods is deleted, not masked and then deleted.
  auto deleted = delete_due(now_ms, now_ms - delete_after.count());
  if (!deleted) return deleted.error();
  report.deleted = *deleted;
  auto masked = mask_due(now_ms, now_ms - mask_after.count());
  if (!masked) return masked.error();
  report.masked = *masked;
  return report;
}

}  // namespace crosscheck::console
